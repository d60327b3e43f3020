package eventtext

import (
	"bytes"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/evtexport"
	"github.com/agtriage/agtriage/parsers"
)

// FuzzReader: no input makes the reader panic or loop, every row is an
// event or counted, and events have a time.
func FuzzReader(f *testing.F) {
	native := nativeEvents(f, generated())
	recs := make([]evtexport.Record, len(native))
	for i, ev := range native {
		recs[i] = evtexport.FromEvent(ev)
	}
	for _, form := range evtexport.Forms {
		f.Add(form.Write(recs[:4], time.Hour))
	}
	f.Add([]byte("Level,Date and Time,Source,Event ID,Task Category\r\nError,\"3/14/2024 2:17:41 AM\",x,1,\"a\"\"b\r\nc\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.csv")
		n := 0
		for ev, err := range r.Events() {
			if err != nil {
				if _, ok := err.(*parsers.Warning); !ok {
					t.Fatal(err)
				}
				continue
			}
			n++
			if ev.Time.IsZero() || ev.Line < 1 {
				t.Fatalf("event without time or line: %+v", ev)
			}
		}
		st := r.Stats()
		if st.Events != n || st.Records < n || st.Records-n > st.Unrecognized+st.TotalWarnings {
			t.Fatalf("events %d, stats %+v", n, st)
		}
	})
}
