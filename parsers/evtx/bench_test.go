package evtx

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
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

// helperEnv names the file TestReadProcessHelper reads when the benchmark
// starts this test binary as a child process.
const helperEnv = "EVTX_READ_PROCESS_FILE"

// TestReadProcessHelper is not a test: BenchmarkProcess runs the test binary
// with it to time a whole process that reads a file (start-up included), as
// evtxexport's time is a whole process's.
func TestReadProcessHelper(t *testing.T) {
	file := os.Getenv(helperEnv)
	if file == "" {
		t.Skip("helper process of BenchmarkProcess")
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(bufio.NewReaderSize(f, 64<<10), file)
	n := 0
	for _, err := range r.Events() {
		if err == nil {
			n++
		}
	}
	if n == 0 {
		t.Fatal("no events")
	}
}

// BenchmarkProcess times whole processes reading the corpus System log: this
// reader (the test binary re-run as a helper) and libevtx's evtxexport -f
// xml, in the same run. MB/s of the two sub-benchmarks give the ratio.
func BenchmarkProcess(b *testing.B) {
	file := corpusDir + "/system.evtx"
	info, err := os.Stat(file)
	if err != nil {
		b.Skip("corpus System log missing")
	}
	// Besides wall time, the child's CPU time (user + system) per run: on a
	// busy shared machine it is the steadier figure.
	run := func(b *testing.B, cmd func() *exec.Cmd) {
		b.SetBytes(info.Size())
		var cpu time.Duration
		for b.Loop() {
			c := cmd()
			c.Stdout = io.Discard
			if err := c.Run(); err != nil {
				b.Fatal(err)
			}
			cpu += c.ProcessState.UserTime() + c.ProcessState.SystemTime()
		}
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
	b.Run("reader", func(b *testing.B) {
		run(b, func() *exec.Cmd {
			c := exec.Command(os.Args[0], "-test.run=^TestReadProcessHelper$")
			c.Env = append(os.Environ(), helperEnv+"="+file)
			return c
		})
	})
	b.Run("evtxexport", func(b *testing.B) {
		if _, err := exec.LookPath("evtxexport"); err != nil {
			b.Skip("evtxexport not installed (Debian package libevtx-utils)")
		}
		run(b, func() *exec.Cmd { return exec.Command("evtxexport", "-f", "xml", file) })
	})
}
