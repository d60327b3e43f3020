package parsers

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestTextReaderASCIIRuns checks the eight-units-at-a-time ASCII path of
// the UTF-16LE decoder: runs of every length up to 40 before a non-ASCII
// character, a surrogate pair or a lone surrogate.
func TestTextReaderASCIIRuns(t *testing.T) {
	for n := range 41 {
		for _, tail := range []string{"é", "😀", "\uFFFD", "\x7f"} {
			s := strings.Repeat("abcdefghij", 5)[:n] + tail + strings.Repeat("x", n) + "\r\n"
			in := []byte{0xFF, 0xFE}
			for _, u := range utf16.Encode([]rune(s)) {
				in = append(in, byte(u), byte(u>>8))
			}
			got, err := io.ReadAll(NewTextReader(bytes.NewReader(in)))
			if err != nil || string(got) != s {
				t.Fatalf("run %d + %q: got %q, %v", n, tail, got, err)
			}
		}
	}
	if got := pack4(0x0044004300420041); got != 0x44434241 {
		t.Errorf("pack4 = %#x", got)
	}
}
