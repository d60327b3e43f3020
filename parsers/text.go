package parsers

import (
	"bufio"
	"encoding/binary"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is a text encoding detected from an input's first bytes.
type Encoding string

// Encodings agtriage detects. SQL Server on Windows writes UTF-16LE with a BOM;
// on Linux 8-bit text (UTF-8, or Windows-1252 for non-ASCII bytes).
const (
	UTF16LE    Encoding = "UTF-16LE"
	UTF16BE    Encoding = "UTF-16BE"
	UTF8       Encoding = "UTF-8"
	UTF8BOM    Encoding = "UTF-8 (BOM)"
	EightBit   Encoding = "8-bit"        // ASCII/UTF-8 with Windows-1252 fallback per line
	Windows125 Encoding = "Windows-1252" // reported when some lines were not valid UTF-8
)

// SniffEncoding detects the encoding of b (an input's first bytes) and the
// length of its byte-order mark. Without a BOM, UTF-16 is recognized by the
// NUL bytes of ASCII text in every other position.
func SniffEncoding(b []byte) (Encoding, int) {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return UTF8BOM, 3
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return UTF16LE, 2
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return UTF16BE, 2
	}
	// BOM-less UTF-16: count NULs at even and odd positions of the first bytes.
	n := min(len(b), 512) &^ 1
	if n >= 8 {
		var even, odd int
		for i := 0; i < n; i += 2 {
			if b[i] == 0 {
				even++
			}
			if b[i+1] == 0 {
				odd++
			}
		}
		half := n / 2
		if odd*10 >= half*8 && even*10 < half {
			return UTF16LE, 0
		}
		if even*10 >= half*8 && odd*10 < half {
			return UTF16BE, 0
		}
	}
	return EightBit, 0
}

// TextReader decodes an input to UTF-8 as a stream. UTF-16 is converted to
// UTF-8 (unpaired surrogates become U+FFFD, a trailing odd byte is counted in
// OddBytes); 8-bit input passes through unchanged, and DecodeLine converts a
// line that is not valid UTF-8 from Windows-1252.
type TextReader struct {
	Encoding Encoding
	// BOMLen is the length of the byte-order mark that was skipped.
	BOMLen int
	// OddBytes is 1 when a UTF-16 input ended in the middle of a code unit.
	OddBytes int

	src    *bufio.Reader
	raw    int64 // bytes consumed from src, BOM included
	in     []byte
	out    []byte
	outPos int
	pend   rune // high surrogate waiting for its low half, or -1
	eof    bool
	err    error // read error of the source (other than EOF), returned after the decoded text
}

// NewTextReader sniffs the encoding of r and returns a reader of its UTF-8 text.
func NewTextReader(r io.Reader) *TextReader {
	t := &TextReader{}
	t.ResetSniff(r)
	return t
}

// ResetSniff makes t read r from its start, sniffing its encoding as
// NewTextReader does, and reusing t's buffers: a reader of thousands of
// small files decodes them all with one TextReader.
func (t *TextReader) ResetSniff(r io.Reader) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 4096 {
		br = bufio.NewReaderSize(r, 64*1024)
	}
	head, _ := br.Peek(512)
	enc, bom := SniffEncoding(head)
	br.Discard(bom)
	t.Reset(br, enc)
	t.BOMLen, t.raw = bom, int64(bom)
}

// NewTextReaderAs returns a reader of r's text in the encoding enc, without
// sniffing it or looking for a byte-order mark: for a part of an input whose
// encoding is known, such as the chunks of a large file read in parallel.
func NewTextReaderAs(r io.Reader, enc Encoding) *TextReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 4096 {
		br = bufio.NewReaderSize(r, 64*1024)
	}
	return newTextReader(br, enc)
}

// Reset makes t read br in the encoding enc from its start, as
// NewTextReaderAs does, reusing t's buffers (a parallel reader decodes
// hundreds of chunks with one TextReader per goroutine).
func (t *TextReader) Reset(br *bufio.Reader, enc Encoding) {
	in, out := t.in, t.out[:0]
	*t = TextReader{Encoding: enc, src: br, pend: -1, in: in, out: out}
	if (enc == UTF16LE || enc == UTF16BE) && t.in == nil {
		t.in = make([]byte, 32*1024)
		t.out = make([]byte, 0, 3*16*1024+8)
	}
}

func newTextReader(br *bufio.Reader, enc Encoding) *TextReader {
	t := &TextReader{Encoding: enc, src: br, pend: -1}
	if enc == UTF16LE || enc == UTF16BE {
		t.in = make([]byte, 32*1024)
		t.out = make([]byte, 0, 3*16*1024+8)
	}
	return t
}

// RawOffset returns how many input bytes have been consumed so far (BOM included).
// For UTF-16 inputs this runs ahead of what Read has returned by at most one
// internal buffer.
func (t *TextReader) RawOffset() int64 { return t.raw }

// Read implements io.Reader, returning UTF-8 text.
func (t *TextReader) Read(p []byte) (int, error) {
	if t.Encoding != UTF16LE && t.Encoding != UTF16BE {
		n, err := t.src.Read(p)
		t.raw += int64(n)
		return n, err
	}
	for t.outPos >= len(t.out) {
		if t.eof {
			if t.err != nil {
				return 0, t.err
			}
			return 0, io.EOF
		}
		t.fill()
	}
	n := copy(p, t.out[t.outPos:])
	t.outPos += n
	return n, nil
}

// fill decodes the next chunk of UTF-16 into t.out.
func (t *TextReader) fill() {
	t.out = t.out[:0]
	t.outPos = 0
	// Fill t.in, telling a clean end of input (io.EOF) from a source error
	// such as a truncated .gz (whose io.ErrUnexpectedEOF io.ReadFull would hide).
	n := 0
	for n < len(t.in) {
		m, err := t.src.Read(t.in[n:])
		n += m
		if err != nil {
			t.eof = true
			if err != io.EOF {
				t.err = err
			}
			break
		}
	}
	t.raw += int64(n)
	if n%2 == 1 { // only possible at EOF
		t.OddBytes = 1
		n--
	}
	in := t.in[:n]
	le := t.Encoding == UTF16LE
	out := t.out
	i := 0
	if le && t.pend < 0 {
		// Fast path for runs of ASCII, four code units at a time: logs are
		// almost all ASCII.
		j := len(out)
		out = out[:cap(out)]
		// Eight code units at a time: their low bytes packed into one
		// word with shifts and masks, one store.
		for ; i+16 <= len(in) && j+8 <= len(out); i += 16 {
			v, w := binary.LittleEndian.Uint64(in[i:]), binary.LittleEndian.Uint64(in[i+8:])
			if (v|w)&0xFF80FF80FF80FF80 != 0 {
				break
			}
			binary.LittleEndian.PutUint64(out[j:], pack4(v)|pack4(w)<<32)
			j += 8
		}
		for ; i+8 <= len(in) && j+4 <= len(out); i += 8 {
			v := binary.LittleEndian.Uint64(in[i:])
			if v&0xFF80FF80FF80FF80 != 0 {
				break
			}
			out[j], out[j+1], out[j+2], out[j+3] = byte(v), byte(v>>16), byte(v>>32), byte(v>>48)
			j += 4
		}
		out = out[:j]
	}
	for ; i+1 < len(in); i += 2 {
		if le && t.pend < 0 && i+8 <= len(in) && binary.LittleEndian.Uint64(in[i:])&0xFF80FF80FF80FF80 == 0 {
			v := binary.LittleEndian.Uint64(in[i:])
			out = append(out, byte(v), byte(v>>16), byte(v>>32), byte(v>>48))
			i += 6
			continue
		}
		var u uint16
		if le {
			u = uint16(in[i]) | uint16(in[i+1])<<8
		} else {
			u = uint16(in[i])<<8 | uint16(in[i+1])
		}
		if u < 0x80 && t.pend < 0 {
			out = append(out, byte(u))
			continue
		}
		r := rune(u)
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if t.pend >= 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
			t.pend = r
			continue
		case u >= 0xDC00 && u < 0xE000:
			if t.pend >= 0 {
				r = (t.pend-0xD800)<<10 + (r - 0xDC00) + 0x10000
				t.pend = -1
			} else {
				r = utf8.RuneError
			}
		default:
			if t.pend >= 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
				t.pend = -1
			}
		}
		out = utf8.AppendRune(out, r)
	}
	if t.eof && t.pend >= 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
		t.pend = -1
	}
	t.out = out
}

// pack4 returns the low bytes of the four little-endian 16-bit units of v
// in its low 32 bits.
func pack4(v uint64) uint64 {
	v &= 0x00FF00FF00FF00FF
	v = (v | v>>8) & 0x0000FFFF0000FFFF
	return (v | v>>16) & 0xFFFFFFFF
}

// DecodeLine returns line as UTF-8: unchanged when it is valid UTF-8, otherwise
// decoded from Windows-1252 (the code page of 8-bit SQL Server logs), with
// ok=false so that the caller can report the encoding.
func DecodeLine(line []byte) (text []byte, ok bool) {
	if utf8.Valid(line) {
		return line, true
	}
	// A new decoder per call: decoders are not safe for concurrent use, and
	// readers run in parallel. Invalid UTF-8 lines are rare.
	out, err := charmap.Windows1252.NewDecoder().Bytes(line)
	if err != nil {
		return []byte(string(line)), false // string conversion maps bad bytes to U+FFFD
	}
	return out, false
}
