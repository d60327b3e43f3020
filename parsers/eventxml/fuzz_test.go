package eventxml

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, must
// end, must report positions inside the input and keep no more than one
// event's bytes.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"SQLNODE1_System_EventViewer.xml", "SQLNODE2_wevtutil_System.xml"} {
		data, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte("<Event><System><Provider Name='x'/><TimeCreated SystemTime='2024-01-01T00:00:00Z'/></System></Event>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.xml")
		events := 0
		for ev, err := range r.Events() {
			var w *parsers.Warning
			if errors.As(err, &w) {
				if w.Offset < 0 || w.Offset > int64(len(data))+2 || w.Line < 0 {
					t.Fatalf("warning at %d line %d of %d bytes: %v", w.Offset, w.Line, len(data), w)
				}
				continue
			}
			if err != nil {
				t.Fatalf("fatal error: %v", err)
			}
			events++
			if ev.Line < 0 || ev.Offset < 0 || ev.Offset >= int64(len(data)) || ev.Time.IsZero() {
				t.Fatalf("event at %d line %d of %d bytes", ev.Offset, ev.Line, len(data))
			}
		}
		st := r.Stats()
		if st.Events != events || st.Records < events || st.SkippedBytes < 0 || cap(r.buf) > 2*MaxEvent+64 {
			t.Fatalf("stats %+v, buffer %d", st, cap(r.buf))
		}
	})
}
