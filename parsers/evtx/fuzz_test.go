package evtx

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, must
// end, must report positions inside the input, and its memory must not
// follow the lengths written in it (one chunk buffer, per-chunk caches).
// Seeds: the start of the synthetic log and of the corpus files, intact and
// damaged.
func FuzzReader(f *testing.F) {
	// Small seeds keep the fuzzer fast: the file header and the start of
	// the first chunk (the reader reads the complete records of a cut
	// chunk), from the synthetic log and from the corpus files.
	sources := [][]byte{sampleFile()}
	for _, name := range corpusFilesIfAny() {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		sources = append(sources, data)
	}
	for i, s := range sources {
		for _, n := range []int{FileHeaderSize + 3000, FileHeaderSize + 9000} {
			seed := bytes.Clone(s[:min(n, len(s))])
			f.Add(seed)
			flipped := bytes.Clone(seed)
			flipped[FileHeaderSize+chunkHeaderSize+24+i*13%200] ^= 0x41
			f.Add(flipped)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.evtx")
		events, fatal := 0, 0
		for ev, err := range r.Events() {
			if fatal > 0 {
				t.Fatal("item after a fatal error")
			}
			var w *parsers.Warning
			if errors.As(err, &w) {
				if w.Offset < 0 || w.Offset > int64(len(data)) {
					t.Fatalf("warning offset %d of %d: %v", w.Offset, len(data), w)
				}
				continue
			}
			if err != nil {
				fatal++
				continue
			}
			events++
			if ev.Offset < FileHeaderSize+chunkHeaderSize || ev.Offset+minRecordSize > int64(len(data)) || ev.Line != 0 {
				t.Fatalf("event at %d line %d in %d bytes", ev.Offset, ev.Line, len(data))
			}
			n := 0
			for _, fl := range ev.Fields {
				n += len(fl.Value)
			}
			if n > 2*maxOutput {
				t.Fatalf("event of %d bytes of fields", n)
			}
		}
		st := r.Stats()
		if st.Events != events || st.Records < events || st.Bytes > int64(len(data)) ||
			st.SkippedBytes < 0 || st.SkippedBytes > st.Bytes {
			t.Fatalf("stats: events %d (saw %d) records %d bytes %d skipped %d of %d", st.Events, events, st.Records, st.Bytes, st.SkippedBytes, len(data))
		}
		if cap(r.chunk) > ChunkSize || len(r.ctx.names) > ChunkSize/8 || len(r.ctx.tmpls) > ChunkSize/24 {
			t.Fatalf("chunk buffer %d, %d names, %d templates", cap(r.chunk), len(r.ctx.names), len(r.ctx.tmpls))
		}
	})
}
