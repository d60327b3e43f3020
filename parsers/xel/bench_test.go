package xel

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/agtriage/agtriage/parsers/xevent"
)

// benchSize is the size of the synthetic .xel input the benchmarks read.
const benchSize = 32 << 20

// benchInput is the same events twice: as .xel and as an XML export.
type benchInput struct {
	xel, xml []byte
	events   int
}

// The synthetic large input is the real files (or, without the corpus, the
// synthetic sample) concatenated whole, again and again: the reader accepts
// concatenated files, so no header or checksum needs fixing. The XML export
// holds the same events, rendered by renderXML, repeated as often.
var benchData = sync.OnceValue(func() benchInput {
	var units [][]byte
	if files, err := corpusFiles(); err == nil {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				panic(err)
			}
			units = append(units, data)
		}
	} else {
		units = [][]byte{sampleFile()}
	}
	var one, oneXML []byte
	n := 0
	for _, u := range units {
		evs, doc := renderXML(&testing.T{}, u)
		one = append(one, u...)
		oneXML = append(oneXML, doc...)
		n += len(evs)
	}
	var in benchInput
	for len(in.xel) < benchSize {
		in.xel = append(in.xel, one...)
		in.xml = append(in.xml, oneXML...)
		in.events += n
	}
	return in
})

// BenchmarkReader reads the synthetic 32 MB .xel input into events.
func BenchmarkReader(b *testing.B) {
	in := benchData()
	b.SetBytes(int64(len(in.xel)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in.xel), "bench.xel")
		n := 0
		for _, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != in.events {
			b.Fatalf("%d events, want %d", n, in.events)
		}
	}
	b.ReportMetric(float64(in.events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkXMLReader reads the same events from their XML export with the
// XML reader: the path the native reader replaces.
func BenchmarkXMLReader(b *testing.B) {
	in := benchData()
	b.SetBytes(int64(len(in.xml)))
	b.ReportAllocs()
	for b.Loop() {
		r := xevent.NewReader(bytes.NewReader(in.xml), "bench.xml")
		n := 0
		for _, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != in.events {
			b.Fatalf("%d events, want %d", n, in.events)
		}
	}
	b.ReportMetric(float64(in.events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
