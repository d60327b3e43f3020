package xel

import (
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// referenceUTF16 is the plain rendering decodeUTF16Cut must equal: the
// standard library's decoder (unpaired surrogates become U+FFFD), whole
// characters up to limit bytes.
func referenceUTF16(b []byte, limit int) (string, bool) {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	var out []byte
	for _, r := range utf16.Decode(u) {
		if limit > 0 && len(out)+utf8.RuneLen(r) > limit {
			return string(out), true
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out), false
}

// FuzzUTF16 compares the decoder of strings with the reference.
func FuzzUTF16(f *testing.F) {
	for _, s := range []string{"", "abc", "Zürich", "😀 x", "a\u00ffb", string(make([]byte, 600))} {
		f.Add(utf16le(s), 0)
		f.Add(utf16le(s), 3)
	}
	f.Add([]byte{0x00, 0xD8, 'a', 0, 'b'}, 2)
	f.Fuzz(func(t *testing.T, b []byte, limit int) {
		limit %= 1000
		got, cut := decodeUTF16Cut(b, limit)
		want, wantCut := referenceUTF16(b, limit)
		if got != want || cut != wantCut {
			t.Fatalf("%x limit %d: %q %v, want %q %v", b, limit, got, cut, want, wantCut)
		}
	})
}
