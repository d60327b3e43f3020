package xel

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, must
// end, must report positions inside the input, and its memory must follow the
// input's size, not the lengths written in it. Seeds: the synthetic sample,
// a file of every field type, a SQLDIAG log with XML payloads,
// the real corpus files when present, and truncated and bit-flipped copies.
func FuzzReader(f *testing.F) {
	seeds := [][]byte{sampleFile(), moreTypesFile(), sqldiagFile()}
	if files, err := corpusFiles(); err == nil {
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	for i, s := range seeds {
		f.Add(s)
		f.Add(s[:len(s)*2/3])
		f.Add(s[:HeaderSize+40])
		flipped := bytes.Clone(s)
		flipped[HeaderSize+0x4C+i*7%64] ^= 0x10 // package record length or version
		f.Add(flipped)
		flipped = bytes.Clone(s)
		flipped[len(s)/2] ^= 0xFF
		f.Add(flipped)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.xel")
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
			if ev.Offset < HeaderSize || ev.Offset+eventHeaderSize > int64(len(data)) || ev.Line != 0 {
				t.Fatalf("event at %d line %d in %d bytes", ev.Offset, ev.Line, len(data))
			}
			for _, fl := range ev.Fields {
				if len(fl.Value) > xe.MaxValue {
					t.Fatalf("field %q of %d bytes", fl.Name, len(fl.Value))
				}
			}
		}
		st := r.Stats()
		if st.Events != events || events > len(data)/eventHeaderSize || st.Bytes > int64(len(data)) ||
			st.SkippedBytes < 0 || st.SkippedBytes > st.Bytes {
			t.Fatalf("stats: events %d (saw %d) bytes %d skipped %d of %d", st.Events, events, st.Bytes, st.SkippedBytes, len(data))
		}
		// Memory follows the input: the buffer grows at most to twice the
		// bytes present (or one read chunk).
		if c := cap(r.buf); c > max(2*len(data), readChunk) {
			t.Fatalf("buffer of %d bytes for %d bytes of input", c, len(data))
		}
		if r.cat != nil && (r.cat.objects > MaxObjects || r.cat.bytes > MaxMetadata) {
			t.Fatalf("%d metadata objects, %d bytes", r.cat.objects, r.cat.bytes)
		}
	})
}

// corpusFiles lists the real .xel files, or an error when there are none.
func corpusFiles() ([]string, error) {
	files, err := globXEL()
	if err == nil && len(files) == 0 {
		err = os.ErrNotExist
	}
	return files, err
}
