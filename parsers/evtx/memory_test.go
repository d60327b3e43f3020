package evtx

import (
	"io"
	"runtime"
	"testing"
)

// repeatChunks is an io.Reader of a file header followed by the given chunks
// repeated until size bytes: a large .evtx file that is never in memory.
type repeatChunks struct {
	header []byte
	chunks [][]byte
	size   int64
	pos    int64
}

func (r *repeatChunks) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	var src []byte
	off := r.pos
	if off < FileHeaderSize {
		src = r.header[off:]
	} else {
		i := (off - FileHeaderSize) / ChunkSize
		c := r.chunks[int(i)%len(r.chunks)]
		src = c[(off-FileHeaderSize)%ChunkSize:]
	}
	n := copy(p, src[:min(int64(len(src)), r.size-r.pos)])
	r.pos += int64(n)
	return n, nil
}

// TestFlatMemory reads 64 MB of System log: the heap stays small, whatever
// the size of the file (one chunk and its caches are held, and the events
// the caller does not keep).
func TestFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MB")
	}
	data := sampleFile()
	src := &repeatChunks{header: data[:FileHeaderSize], size: FileHeaderSize + 1024*ChunkSize}
	for off := FileHeaderSize; off+ChunkSize <= len(data); off += ChunkSize {
		src.chunks = append(src.chunks, data[off:off+ChunkSize])
	}
	r := NewReader(src, "big.evtx")
	var ms runtime.MemStats
	peak := uint64(0)
	n := 0
	for _, err := range r.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n%20000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if r.Stats().Bytes != src.size || n < 100000 {
		t.Fatalf("read %d bytes, %d events", r.Stats().Bytes, n)
	}
	if peak > 32<<20 {
		t.Errorf("heap reached %d MB while reading", peak>>20)
	}
	t.Logf("%d events, live heap at most %.1f MB", n, float64(peak)/(1<<20))
}
