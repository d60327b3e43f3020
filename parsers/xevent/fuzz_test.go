package xevent

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, must end,
// and what it reports must be consistent with the input.
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "*.xml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(goodEvent[:60]))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY x "&x;&x;">]><event name="a" timestamp="2024-01-01T00:00:00"><data name="m"><value>&x;</value></data></event>`))
	f.Add([]byte("<events><event name=\"e\"><data name=\"d\"><value><a><b/></a></value><text></text></data></events>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.xml")
		events, fatal := 0, 0
		for ev, err := range r.Events() {
			if fatal > 0 {
				t.Fatal("item after a fatal error")
			}
			if err != nil {
				if _, ok := err.(*parsers.Warning); !ok {
					fatal++
				}
				continue
			}
			events++
			if ev.Offset < 0 || ev.Offset >= int64(len(data)) || ev.Line < 1 {
				t.Fatalf("event position %d line %d in %d bytes", ev.Offset, ev.Line, len(data))
			}
			for _, fl := range ev.Fields {
				if len(fl.Value) > xe.MaxValue {
					t.Fatalf("field %q of %d bytes", fl.Name, len(fl.Value))
				}
			}
		}
		st := r.Stats()
		if st.Events != events || st.Bytes > int64(len(data)) || st.SkippedBytes < 0 || st.SkippedBytes > int64(len(data)) {
			t.Fatalf("stats: events %d (saw %d) bytes %d skipped %d of %d", st.Events, events, st.Bytes, st.SkippedBytes, len(data))
		}
		for _, w := range st.Warnings {
			if w.Offset < 0 || w.Offset > int64(len(data)) {
				t.Fatalf("warning offset %d of %d: %v", w.Offset, len(data), w)
			}
		}
	})
}
