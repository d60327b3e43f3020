package eventxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// benchInput is about 32 MB of wevtutil-style XML: the fixtures' events
// repeated.
var benchInput = sync.OnceValues(func() ([]byte, int) {
	var one []byte
	for _, name := range []string{"SQLNODE1_System_EventViewer.xml"} {
		data, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			panic(err)
		}
		data = data[bytes.Index(data, []byte("<Event ")):bytes.LastIndex(data, []byte("</Events>"))]
		one = append(one, data...)
		one = append(one, '\r', '\n')
	}
	var out []byte
	for len(out) < 32<<20 {
		out = append(out, one...)
	}
	return out, bytes.Count(out, []byte("<Event "))
})

// BenchmarkReader reads 32 MB of exported events.
func BenchmarkReader(b *testing.B) {
	in, events := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in), "bench.xml")
		n := 0
		for _, err := range r.Events() {
			if err == nil {
				n++
			}
		}
		if n != events {
			b.Fatalf("%d events, want %d", n, events)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkTokenizer is the baseline: encoding/xml's Decoder.Token over the
// same bytes (wrapped in a root), without building anything.
func BenchmarkTokenizer(b *testing.B) {
	in, _ := benchInput()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d := xml.NewDecoder(io.MultiReader(bytes.NewReader([]byte("<Events>")), bytes.NewReader(in), bytes.NewReader([]byte("</Events>"))))
		for {
			if _, err := d.Token(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}
