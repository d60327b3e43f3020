package errorlogexport

import (
	"bytes"
	"os"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, must end,
// and must account for every line (a row, a continuation, a header line or
// unrecognized).
func FuzzReader(f *testing.F) {
	for i, path := range nativeFixtures(f) {
		if i%6 != 0 {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		recs := parseNative(f, data)
		if len(recs) > 60 {
			recs = recs[:60]
		}
		for _, ex := range exporters {
			f.Add([]byte(ex.write(f, recs, i%2 == 0)))
		}
	}
	f.Add([]byte("Date,Source,Severity,Message\r\n03/14/2024 02:17:41,spid47s,Unknown,Error: 19407<c/> Severity: 16<c/> State: 1.\r\n"))
	f.Add([]byte("#TYPE System.Data.DataRow\n\"LogDate\",\"Text\"\n\"14.03.2024 02:17:41\",\"a\n\"\"b\"\"\n"))
	f.Add([]byte("LogDate ProcessInfo Text\n------- ---- ----\n2024-03-14 02:17:41.230 spid Error\n(1 rows affected)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, max := range []int{0, 48} {
			r := NewReader(bytes.NewReader(data), "fuzz")
			r.MaxLineBytes = max
			n := 0
			for ev, err := range r.Events() {
				if err == nil && ev == nil {
					t.Fatal("nil event without error")
				}
				if ev != nil {
					n++
					if ev.Source != parsers.SourceErrorlog || ev.Local.IsZero() {
						t.Fatalf("event %+v", ev)
					}
				}
			}
			st := r.Stats()
			if st.Events != n {
				t.Fatalf("stats %d events, yielded %d", st.Events, n)
			}
			if st.Lines != st.Records+st.Continuations+st.Unrecognized+st.Header {
				t.Fatalf("lines %d != records %d + continuations %d + unrecognized %d + header %d",
					st.Lines, st.Records, st.Continuations, st.Unrecognized, st.Header)
			}
		}
	})
}
