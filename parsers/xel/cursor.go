package xel

import (
	"encoding/binary"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// errShort is the sticky error of a cursor that was asked to read past its end.
var errShort = errors.New("record ends early")

// errString is the sticky error of an unterminated or over-long name.
var errString = errors.New("unterminated string")

// cursor reads little-endian values from a bounded byte slice. Every read is
// range-checked; after the first failure all reads return zero and err stays set.
type cursor struct {
	b   []byte
	p   int
	err error
}

func (c *cursor) left() int { return len(c.b) - c.p }

func (c *cursor) take(n int) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || n > len(c.b)-c.p {
		c.err = errShort
		return nil
	}
	s := c.b[c.p : c.p+n]
	c.p += n
	return s
}

func (c *cursor) skip(n int) { c.take(n) }

func (c *cursor) u8() uint8 {
	if b := c.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if b := c.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if b := c.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if b := c.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// wstrLen returns the byte length of the NUL-terminated UTF-16LE string at the
// cursor, without the terminator, or -1 when no terminator is found within the
// cursor's bounds. The string may start at any offset.
func (c *cursor) wstrLen() int {
	if c.err != nil {
		return -1
	}
	b := c.b[c.p:]
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			return i
		}
	}
	return -1
}

// wstr reads a NUL-terminated UTF-16LE string: a metadata name. Names longer
// than maxName bytes of UTF-8 are cut.
func (c *cursor) wstr() string {
	n := c.wstrLen()
	if n < 0 {
		if c.err == nil {
			c.err = errString
		}
		return ""
	}
	s := decodeUTF16(c.b[c.p:c.p+n], maxName)
	c.p += n + 2
	return s
}

// skipWstr skips a NUL-terminated UTF-16LE string (a description).
func (c *cursor) skipWstr() {
	n := c.wstrLen()
	if n < 0 {
		if c.err == nil {
			c.err = errString
		}
		return
	}
	c.p += n + 2
}

// maxName bounds metadata names (event, field, map label) as the XML reader
// bounds element and attribute names.
const maxName = 256

// decodeUTF16 converts UTF-16LE bytes to UTF-8, keeping at most limit bytes of
// output (limit <= 0: no limit). Unpaired surrogates become U+FFFD; an odd
// trailing byte is dropped.
func decodeUTF16(b []byte, limit int) string {
	s, _ := decodeUTF16Cut(b, limit)
	return s
}

// decodeUTF16Cut is decodeUTF16 that also reports whether the text was cut
// at limit. The text is built in place: one allocation per string.
func decodeUTF16Cut(b []byte, limit int) (string, bool) {
	n := len(b) / 2
	// ASCII text (nearly all of it): copied 256 characters at a time.
	var sb strings.Builder
	var chunk [256]byte
	i := 0
	for i < n {
		k := min(n-i, len(chunk))
		src := b[2*i : 2*(i+k)]
		j := 0
		// Four characters at a time: all ASCII when no high byte and no
		// low byte >= 0x80 is set.
		for ; j+4 <= k; j += 4 {
			w := binary.LittleEndian.Uint64(src[2*j:])
			if w&0xFF80FF80FF80FF80 != 0 {
				break
			}
			chunk[j], chunk[j+1], chunk[j+2], chunk[j+3] = byte(w), byte(w>>16), byte(w>>32), byte(w>>48)
		}
		for ; j < k; j++ {
			lo, hi := src[2*j], src[2*j+1]
			if hi != 0 || lo >= 0x80 {
				break
			}
			chunk[j] = lo
		}
		k = j
		if k == 0 {
			break
		}
		if sb.Cap() == 0 {
			sb.Grow(n)
		}
		if limit > 0 && sb.Len()+k > limit {
			sb.Write(chunk[:limit-sb.Len()])
			return sb.String(), true
		}
		sb.Write(chunk[:k])
		i += k
	}
	if i == n {
		return sb.String(), false
	}
	sb.Grow(sb.Len() + (n-i)*3/2)
	for ; i < n; i++ {
		r := rune(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
			if i+1 < n {
				r2 := rune(uint16(b[2*i+2]) | uint16(b[2*i+3])<<8)
				if d := utf16.DecodeRune(rune(uint16(b[2*i])|uint16(b[2*i+1])<<8), r2); d != utf8.RuneError {
					r = d
					i++
				}
			}
		}
		if limit > 0 && sb.Len()+utf8.RuneLen(r) > limit {
			return sb.String(), true
		}
		sb.WriteRune(r)
	}
	return sb.String(), false
}

// guidString renders a GUID stored in Windows mixed-endian order in the
// canonical upper-case form SQL Server prints.
func guidString(g []byte) string {
	const hex = "0123456789ABCDEF"
	var out [36]byte
	// Data1, Data2, Data3 are little-endian; the last 8 bytes are as stored.
	order := [16]int{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15}
	j := 0
	for i, k := range order {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hex[g[k]>>4]
		out[j+1] = hex[g[k]&0xF]
		j += 2
	}
	return string(out[:])
}
