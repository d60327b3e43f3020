package parsers

import (
	"strings"
	"testing"
)

// TestBoundedBuffer checks that over-long lines are dropped and counted while
// the buffer never grows beyond the bound.
func TestBoundedBuffer(t *testing.T) {
	const max = 1000
	in := strings.NewReader(strings.Repeat("y", 50_000) + "\nabc\n" + strings.Repeat("z", 1001) + "\n" + strings.Repeat("w", 1000) + "\r\nend")
	l := NewLineReader(in, max)
	var got []string
	var dropped int
	for {
		text, tooLong, ok := l.Next(func(b []byte) { dropped += len(b) })
		if !ok {
			break
		}
		if len(l.buf) > max+2 {
			t.Fatalf("buffer grew to %d", len(l.buf))
		}
		if tooLong {
			got = append(got, "LONG")
		} else {
			got = append(got, string(text[:min(len(text), 3)]))
		}
	}
	if strings.Join(got, ",") != "LONG,abc,LONG,www,end" || dropped != 50_001+1002 {
		t.Errorf("got %v, dropped %d", got, dropped)
	}
}

func TestRawLen(t *testing.T) {
	for _, tc := range []struct {
		s    string
		enc  Encoding
		want int64
	}{
		{"abc", EightBit, 3},
		{"abc", UTF16LE, 6},
		{"é😀", UTF16BE, 2 + 4},
		{"é", UTF8, 2},
	} {
		if got := RawLen([]byte(tc.s), tc.enc); got != tc.want {
			t.Errorf("RawLen(%q, %s) = %d, want %d", tc.s, tc.enc, got, tc.want)
		}
	}
	if !IsASCII([]byte("plain")) || IsASCII([]byte("café")) {
		t.Error("IsASCII")
	}
}
