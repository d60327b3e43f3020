package xel

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"runtime"
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

// benchLarge is one large file made of real event buffers: the header and
// metadata of the first real file, then the event buffers of all of them,
// again and again, as a busy session's 5 MB AlwaysOn_health or
// system_health file holds mostly event buffers. (The events of the other
// files keep their RIDs, which the same SQL Server build gives them, and
// take the first file's clock.)
var benchLarge = sync.OnceValue(func() benchInput {
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
	var head, events []byte
	for i, u := range units {
		for p := HeaderSize; p+bufHeaderSize <= len(u); {
			size := int(binary.LittleEndian.Uint32(u[p+0x10:]))
			typ := binary.LittleEndian.Uint16(u[p+0x0E:])
			switch {
			case typ == bufEvents:
				events = append(events, u[p:p+size]...)
			case i == 0:
				head = append(head, u[p:p+size]...)
			}
			p += size
		}
	}
	in := benchInput{xel: append(units[0][:HeaderSize:HeaderSize], head...)}
	for len(in.xel) < benchSize {
		in.xel = append(in.xel, events...)
	}
	r := NewReader(bytes.NewReader(in.xel), "bench.xel")
	for _, err := range r.Events() {
		if err != nil {
			panic(err)
		}
		in.events++
	}
	return in
})

// BenchmarkReader reads the synthetic 32 MB .xel input (the real files
// concatenated) into events, with the default workers (GOMAXPROCS).
func BenchmarkReader(b *testing.B) { benchReader(b, benchData(), 0) }

// BenchmarkReaderSequential is BenchmarkReader decoding on the caller's
// goroutine only (Workers = 1).
func BenchmarkReaderSequential(b *testing.B) { benchReader(b, benchData(), 1) }

// BenchmarkReaderLarge reads one 32 MB file of real event buffers.
func BenchmarkReaderLarge(b *testing.B) { benchReader(b, benchLarge(), 0) }

// BenchmarkReaderLargeSequential is BenchmarkReaderLarge with Workers = 1.
func BenchmarkReaderLargeSequential(b *testing.B) { benchReader(b, benchLarge(), 1) }

func benchReader(b *testing.B, in benchInput, workers int) {
	b.SetBytes(int64(len(in.xel)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in.xel), "bench.xel")
		r.Workers = workers
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
	cpu = cpuTime() - cpu
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(in.events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/(float64(len(in.xel))/(1<<20)), "allocs/MB")
	// The processor time the process spent (all goroutines, the
	// collector's included) per MB: what the reading costs, whatever
	// else the shared machine runs.
	if cpu > 0 {
		b.ReportMetric(float64(len(in.xel))*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkRawRead is the floor of the reader: the input read in 64 KiB
// reads (the reader's chunk) and nothing done with it.
func BenchmarkRawRead(b *testing.B) {
	in := benchData()
	b.SetBytes(int64(len(in.xel)))
	buf := make([]byte, readChunk)
	for b.Loop() {
		r := bytes.NewReader(in.xel)
		for {
			if _, err := io.ReadFull(r, buf); err != nil {
				break
			}
		}
	}
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
