package parsers

import (
	"bytes"
	"io"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// FuzzTextReader checks the streaming UTF-16 decoder (with its ASCII fast
// path) against the standard library's unicode/utf16 on arbitrary input read
// through small and odd-sized reads.
func FuzzTextReader(f *testing.F) {
	f.Add([]byte("\xff\xfeA\x00B\x00\r\x00\n\x00"), uint8(7))
	f.Add([]byte("\xfe\xff\x00A\xd8\x3d\xde\x00\x00\n"), uint8(3))
	f.Add([]byte("\xff\xfe=\xd8\x00\xdeabcdefgh\x00\xd8"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		if len(data) < 2 {
			return
		}
		le := data[0]%2 == 0
		body := data[1:]
		in := []byte{0xFE, 0xFF}
		if le {
			in = []byte{0xFF, 0xFE}
		}
		in = append(in, body...)
		r := NewTextReader(&chunkReader{b: in, n: int(chunk)%13 + 1})
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			if le {
				units[i] = uint16(body[2*i]) | uint16(body[2*i+1])<<8
			} else {
				units[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
			}
		}
		want := []byte(string(utf16.Decode(units)))
		if !bytes.Equal(got, want) {
			t.Fatalf("decoded %q, want %q", got, want)
		}
		if !utf8.Valid(got) {
			t.Fatal("invalid UTF-8")
		}
		if r.OddBytes != len(body)%2 {
			t.Fatalf("OddBytes %d for %d bytes", r.OddBytes, len(body))
		}
	})
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.b))
	copy(p, c.b[:k])
	c.b = c.b[k:]
	return k, nil
}
