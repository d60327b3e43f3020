package parsers

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestTextReader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		enc  Encoding
		bom  int
		want string
		odd  int
	}{
		{"utf16le bom", []byte("\xff\xfeA\x00\xe9\x00\r\x00\n\x00"), UTF16LE, 2, "Aé\r\n", 0},
		{"utf16be bom", []byte("\xfe\xff\x00A\x00\xe9"), UTF16BE, 2, "Aé", 0},
		{"utf16le no bom", []byte("2\x000\x002\x004\x00-\x000\x001\x00"), UTF16LE, 0, "2024-01", 0},
		{"surrogate pair", []byte("\xff\xfe\x34\xd8\x1e\xdd"), UTF16LE, 2, "𝄞", 0},
		{"lone high surrogate", []byte("\xff\xfe\x34\xd8A\x00"), UTF16LE, 2, "\uFFFDA", 0},
		{"lone low surrogate", []byte("\xff\xfe\x1e\xddA\x00"), UTF16LE, 2, "\uFFFDA", 0},
		{"high surrogate at end", []byte("\xff\xfeA\x00\x34\xd8"), UTF16LE, 2, "A\uFFFD", 0},
		{"odd byte", []byte("\xff\xfeA\x00B"), UTF16LE, 2, "A", 1},
		{"utf8 bom", []byte("\xef\xbb\xbfx\n"), UTF8BOM, 3, "x\n", 0},
		{"8-bit", []byte("caf\xe9\n"), EightBit, 0, "caf\xe9\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time exercises surrogates split across reads.
			tr := NewTextReader(iotest.OneByteReader(bytes.NewReader(tc.in)))
			got, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Encoding != tc.enc || tr.BOMLen != tc.bom || string(got) != tc.want || tr.OddBytes != tc.odd {
				t.Errorf("enc %q bom %d odd %d text %q, want %q %d %d %q", tr.Encoding, tr.BOMLen, tr.OddBytes, got, tc.enc, tc.bom, tc.odd, tc.want)
			}
			if tr.RawOffset() != int64(len(tc.in)) {
				t.Errorf("RawOffset %d, want %d", tr.RawOffset(), len(tc.in))
			}
		})
	}
}

// TestTextReaderLarge decodes more than one internal buffer of UTF-16.
func TestTextReaderLarge(t *testing.T) {
	s := strings.Repeat("line é 𝄞\r\n", 20000)
	in := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			in = append(in, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		in = append(in, byte(r), byte(r>>8))
	}
	got, err := io.ReadAll(NewTextReader(bytes.NewReader(in)))
	if err != nil || string(got) != s {
		t.Fatalf("err %v, %d bytes decoded, want %d", err, len(got), len(s))
	}
}

// TestTextReaderError checks that a read error of the source reaches the
// caller after the text decoded before it, for UTF-16 as for 8-bit input.
func TestTextReaderError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"\xff\xfeA\x00B\x00", "AB"} {
		tr := NewTextReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)))
		got, err := io.ReadAll(tr)
		if !errors.Is(err, boom) || string(got) != "AB" {
			t.Errorf("%q: got %q, %v", in, got, err)
		}
	}
}

func TestDecodeLine(t *testing.T) {
	if got, ok := DecodeLine([]byte("café")); !ok || string(got) != "café" {
		t.Errorf("valid UTF-8: %q %v", got, ok)
	}
	if got, ok := DecodeLine([]byte("caf\xe9 \x80")); ok || string(got) != "café €" {
		t.Errorf("Windows-1252: %q %v", got, ok)
	}
}
