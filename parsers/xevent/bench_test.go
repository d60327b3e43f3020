package xevent

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// benchSize is the size of the generated export the benchmarks read.
const benchSize = 64 << 20

var benchData = sync.OnceValue(func() []byte {
	// The AlwaysOn_health fixture events, one document per line with a
	// declaration, repeated: the realistic mix of map fields, CDATA and actions.
	lines := fixtureForBench()
	var b bytes.Buffer
	b.Grow(benchSize + len(lines))
	for b.Len() < benchSize {
		b.Write(lines)
	}
	return b.Bytes()
})

func fixtureForBench() []byte {
	data, err := os.ReadFile(filepath.Join(fixtures, "alwayson_lines.xml"))
	if err != nil {
		panic(err)
	}
	return data
}

// BenchmarkReader reads a 64 MB export into events (the fast path).
func BenchmarkReader(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.xml")
		for _, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReaderSlowPath reads the same export with the fast path off: every
// event through encoding/xml, as the reader did before the fast path.
func BenchmarkReaderSlowPath(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.xml")
		r.slowOnly = true
		for _, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReaderUTF16 reads the same export saved as UTF-16LE (twice the bytes).
func BenchmarkReaderUTF16(b *testing.B) {
	data := append([]byte{0xFF, 0xFE}, utf16le(string(benchData()))...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.xml")
		for _, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkBaseline only tokenizes the same bytes with encoding/xml's
// Decoder.Token: the floor the reader is measured against.
func BenchmarkBaseline(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		d.CharsetReader = passThrough
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
