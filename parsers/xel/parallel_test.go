package xel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
)

// stream is everything one read gave: one line per event or error, in
// order, and the final stats.
type stream struct {
	items []string
	stats string
	r     *Reader
}

// readStream reads data with the given number of workers, stopping after
// stopAt items (never when stopAt < 0).
func readStream(data []byte, workers, stopAt int) stream {
	return readStreamFrom(bytes.NewReader(data), workers, stopAt)
}

// readStreamFrom is readStream from any reader.
func readStreamFrom(in io.Reader, workers, stopAt int) stream {
	r := NewReader(in, "t.xel")
	r.Workers = workers
	var s stream
	for ev, err := range r.Events() {
		if err != nil {
			s.items = append(s.items, fmt.Sprintf("E %T %v", err, err))
		} else {
			s.items = append(s.items, fmt.Sprintf("V %+v", *ev))
		}
		if len(s.items) == stopAt {
			break
		}
	}
	s.stats = fmt.Sprintf("%+v", *r.Stats())
	s.r = r
	return s
}

// manyBuffers is a SQLDIAG-like file of n component results in small
// buffers (bufData bytes of events each), so that many buffers are in
// flight at once.
func manyBuffers(tb testing.TB, n, bufData int) []byte {
	tb.Helper()
	at := time.Date(2024, 3, 14, 7, 20, 0, 0, time.UTC)
	f := &xelwrite.File{ID: streamGUID, Stream: streamGUID, ClockBase: xelwrite.Filetime(at.Add(-time.Hour)),
		Packages: xelwrite.SQLDIAG(), BufferData: bufData}
	comps := []string{"system", "resource", "query_processing", "io_subsystem", "events"}
	states := []string{"clean", "warning", "error"}
	for i := range n {
		c := comps[i%len(comps)]
		st := uint32(1 + i%3)
		data := fmt.Sprintf(`<%s n="%d" sessionsRunning="%d"/>`, c, i, i%17)
		if err := f.Add(xelwrite.EvComponentHealth, at.Add(time.Duration(i)*time.Second), st, uint32(3), xelwrite.Filetime(at),
			"instance", c, states[st-1], data, "SQLNODE1", "MSSQLSERVER"); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := f.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// bufferStarts lists the offsets of the buffer headers of a file.
func bufferStarts(data []byte) []int {
	var out []int
	for p := HeaderSize; p+bufHeaderSize <= len(data); {
		out = append(out, p)
		size := int(binary.LittleEndian.Uint32(data[p+0x10:]))
		if size < sector {
			break
		}
		p += size
	}
	return out
}

// parallelInputs adds to the digest inputs generated files with many
// buffers, damaged where it hurts: a buffer header, the first event of a
// buffer, a checksum, the slack, the file cut inside a buffer and inside
// its slack.
func parallelInputs(tb testing.TB) []streamInput {
	tb.Helper()
	var in []streamInput
	many := manyBuffers(tb, 1200, 4096)
	in = append(in, streamInput{name: "generated/many", data: many},
		streamInput{name: "generated/many-concatenated", data: append(bytes.Clone(many), many...)})
	// Metadata in the middle of a file (another clock for the same
	// packages): the events before it keep the old clock, those after it
	// take the new one, however many buffers are in flight when it comes.
	var meta []byte
	for _, pk := range xelwrite.SQLDIAG() {
		meta = append(meta, xelwrite.PackageRecord(pk, streamGUID, xelwrite.Filetime(time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC)), 10_000_000, 0)...)
	}
	long := manyBuffers(tb, 8000, 4096) // many batches: some in flight when the metadata comes
	// Right after the buffer that completes the third batch: then the
	// metadata comes with batches in flight and none being filled.
	mid, filled, batches := 0, 0, 0
	for _, at := range bufferStarts(long)[1:] {
		filled += int(binary.LittleEndian.Uint16(long[at+0x16:])) + int(binary.LittleEndian.Uint32(long[at+0x18:])) - bufHeaderSize
		if filled >= batchBytes {
			filled = 0
			if batches++; batches == 3 {
				mid = at + int(binary.LittleEndian.Uint32(long[at+0x10:]))
				break
			}
		}
	}
	midway := append(append(bytes.Clone(long[:mid]), xelwrite.Buffer(xelwrite.BufMetadata, 0xFFFFFFFF, nil, meta, 0)...), long[mid:]...)
	in = append(in, streamInput{name: "generated/many+metadata-midway", data: midway})
	bad := file(buffer(bufMetadata, 0xFFFFFFFF, testMetadata(testClockBase), 0), buffer(bufEvents, 1, errorReported(1, 1480, 10, 1, 4, "x"), 0))
	bad[4] = 12 // a concatenated file of an unknown version: a fatal error after the events
	in = append(in, streamInput{name: "generated/many+bad-version", data: append(bytes.Clone(many), bad...)})
	if all, ok := corpusConcatenated(); ok {
		in = append(in, streamInput{name: "corpus/all-concatenated", data: all, corpus: true})
	}
	starts := bufferStarts(many)
	for k, at := range []int{starts[1], starts[5], starts[len(starts)/2], starts[len(starts)-1]} {
		for _, d := range []struct {
			name string
			off  int
		}{{"header", 0x0C}, {"size", 0x10}, {"checksum", 0x1C}, {"first-event", 0x4D + 4}, {"data", 0x4D + 100}} {
			b := bytes.Clone(many)
			b[at+d.off] ^= 0x5A
			in = append(in, streamInput{name: fmt.Sprintf("generated/many#%s%d", d.name, k), data: b})
		}
		in = append(in, streamInput{name: fmt.Sprintf("generated/many#cut%d", k), data: many[:at+700]},
			streamInput{name: fmt.Sprintf("generated/many#slack%d", k), data: many[:at-10]})
	}
	return in
}

// TestParallelDigestInputs reads every input of the digest test with one
// and with two workers: the streams and the stats must be the same.
func TestParallelDigestInputs(t *testing.T) {
	for _, in := range streamInputs(t) {
		want := readStream(in.data, 1, -1)
		got := readStream(in.data, 2, -1)
		if got.r.par == nil || want.r.par != nil {
			t.Fatal("Workers not obeyed")
		}
		if !reflect.DeepEqual(got.items, want.items) || got.stats != want.stats {
			t.Errorf("%s: two workers' stream differs from one worker's", in.name)
		}
	}
}

// TestParallelSameStream reads files of many buffers (damaged in many
// ways) with 1 to 4 workers: the stream and the stats must be those of
// decoding on the caller's goroutine, also when huge buffers (decoded on
// the caller's goroutine) come between queued ones, and when the caller
// stops early.
func TestParallelSameStream(t *testing.T) {
	inputs := parallelInputs(t)
	goroutines := runtime.NumGoroutine()
	defer func() {
		// Every read, stopped early or not, ended its workers (other
		// tests' goroutines may take a moment to end).
		n := runtime.NumGoroutine()
		for i := 0; i < 100 && n > goroutines; i++ {
			time.Sleep(20 * time.Millisecond)
			n = runtime.NumGoroutine()
		}
		if n > goroutines {
			t.Errorf("%d goroutines left running, %d before", n, goroutines)
		}
	}()
	for _, huge := range []int{bigBuffer, 3500} {
		old := bigBuffer
		bigBuffer = huge
		for _, in := range inputs {
			want := readStream(in.data, 1, -1)
			if want.r.par != nil {
				t.Fatal("Workers = 1 decoded in parallel")
			}
			workers := []int{2, 3, 4}
			if huge != old {
				workers = workers[:1]
			}
			for _, w := range workers {
				got := readStream(in.data, w, -1)
				if got.r.par == nil {
					t.Fatalf("Workers = %d did not decode in parallel", w)
				}
				if !reflect.DeepEqual(got.items, want.items) || got.stats != want.stats {
					t.Errorf("%s (huge %d), %d workers: stream differs from one worker's\n got %d items, stats %s\nwant %d items, stats %s",
						in.name, huge, w, len(got.items), got.stats, len(want.items), want.stats)
					continue
				}
			}
			// Stop early: the items up to the stop are the same, and so
			// are the counts of what was handed out.
			n := len(want.items)
			if huge != old {
				continue
			}
			for _, stop := range []int{1, 2, n / 3, n / 2, n - 1} {
				if stop < 1 || stop >= n {
					continue
				}
				seq := readStream(in.data, 1, stop)
				par := readStream(in.data, 2, stop)
				if !reflect.DeepEqual(seq.items, par.items) {
					t.Errorf("%s: stopped at %d: items differ", in.name, stop)
				}
				a, b := seq.r.Stats(), par.r.Stats()
				if a.Events != b.Events || a.Records != b.Records || !reflect.DeepEqual(a.ByKind, b.ByKind) || a.Server != b.Server {
					t.Errorf("%s: stopped at %d: stats\n got %+v\nwant %+v", in.name, stop, *b, *a)
				}
				if seq.items[stop-1][0] == 'V' && (a.Bytes != b.Bytes || a.SkippedBytes != b.SkippedBytes || a.TotalWarnings != b.TotalWarnings) {
					t.Errorf("%s: stopped at event %d: bytes %d skipped %d warnings %d, want %d %d %d",
						in.name, stop, b.Bytes, b.SkippedBytes, b.TotalWarnings, a.Bytes, a.SkippedBytes, a.TotalWarnings)
				}
			}
		}
		bigBuffer = old
	}
	// A read error in the middle of the input ends the stream (with the
	// error, or as a truncation inside a header) after the events before
	// it, whatever the number of workers.
	many := manyBuffers(t, 1200, 4096)
	for _, at := range []int{HeaderSize + 10, len(many) / 3, len(many) - 100} {
		in := func() io.Reader {
			return io.MultiReader(bytes.NewReader(many[:at]), iotest.ErrReader(errors.New("disk error")))
		}
		want := readStreamFrom(in(), 1, -1)
		got := readStreamFrom(in(), 2, -1)
		if !reflect.DeepEqual(got.items, want.items) || got.stats != want.stats || !strings.HasPrefix(want.items[len(want.items)-1], "E ") {
			t.Errorf("read error at %d: two workers' stream differs from one worker's (or no error)", at)
		}
	}
}

// corpusConcatenated is the real files one after the other.
func corpusConcatenated() ([]byte, bool) {
	files, err := corpusFiles()
	if err != nil {
		return nil, false
	}
	var all []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false
		}
		all = append(all, data...)
	}
	return all, true
}
