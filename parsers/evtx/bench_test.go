package evtx

import (
	"bytes"
	"os"
	"sync"
	"testing"
)

// benchSize is the size of the synthetic input of the benchmark.
const benchSize = 32 << 20

// benchInput is a large .evtx file: the real System log's chunks (or, without
// the corpus, the synthetic log's) repeated after one file header. Chunks are
// self-contained, so the copies are valid chunks.
var benchInput = sync.OnceValues(func() ([]byte, int) {
	src := sampleFile()
	if data, err := os.ReadFile(corpusDir + "/system.evtx"); err == nil {
		src = data
	}
	var chunks [][]byte
	for off := FileHeaderSize; off+ChunkSize <= len(src); off += ChunkSize {
		if !allZero(src[off : off+8]) {
			chunks = append(chunks, src[off:off+ChunkSize])
		}
	}
	out := bytes.Clone(src[:FileHeaderSize])
	for len(out) < benchSize {
		for _, c := range chunks {
			out = append(out, c...)
		}
	}
	r := NewReader(bytes.NewReader(out), "bench.evtx")
	n := 0
	for _, err := range r.Events() {
		if err == nil {
			n++
		}
	}
	return out, n
})

// BenchmarkReader reads 32 MB of System log into events.
func BenchmarkReader(b *testing.B) {
	in, events := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in), "bench.evtx")
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
