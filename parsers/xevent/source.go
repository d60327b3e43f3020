package xevent

import (
	"bytes"
	"errors"
	"io"

	"github.com/agtriage/agtriage/parsers"
)

// errTokenTooLarge is returned by source.ReadByte when one XML token (a text
// node, a start tag, a directive) grows beyond maxToken decoded bytes. It stops
// the decoder before it buffers an unbounded amount of input.
var errTokenTooLarge = errors.New("XML token too large")

// source feeds decoded UTF-8 text to encoding/xml one byte at a time. Because it
// implements io.ByteReader, the decoder reads nothing ahead of what it has
// consumed, so the decoder's InputOffset is an exact position in the decoded
// stream. source maps such positions back to byte offsets in the raw input
// (UTF-16 code units and surrogate pairs included), bounds the size of a single
// token and can skip ahead to the next "<event" after a syntax error.
type source struct {
	text  *parsers.TextReader
	utf16 bool
	bom   int64

	buf  []byte
	pos  int   // next byte to hand out
	end  int   // end of valid data in buf
	base int64 // decoded offset of buf[0]
	eof  bool
	err  error // sticky read error other than io.EOF

	// cursor for decoded -> raw mapping of UTF-16 input; curDec >= base.
	curDec, curRaw int64

	// mark is the decoded offset where the current token began; limit is the
	// most bytes a token may span (0: no limit).
	mark  int64
	limit int64
}

const sourceBufSize = 64 * 1024

func newSource(t *parsers.TextReader, limit int64) *source {
	s := &source{
		text:  t,
		utf16: t.Encoding == parsers.UTF16LE || t.Encoding == parsers.UTF16BE,
		bom:   int64(t.BOMLen),
		buf:   make([]byte, sourceBufSize),
		limit: limit,
	}
	s.curRaw = s.bom
	return s
}

// ReadByte implements io.ByteReader for the XML decoder.
func (s *source) ReadByte() (byte, error) {
	if s.pos >= s.end {
		if s.limit > 0 && s.base+int64(s.pos)-s.mark > s.limit {
			return 0, errTokenTooLarge
		}
		if !s.fill() {
			if s.err != nil {
				return 0, s.err
			}
			return 0, io.EOF
		}
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

// Read implements io.Reader; encoding/xml only needs it for the type of a
// CharsetReader argument and never calls it while ReadByte is available.
func (s *source) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := s.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
	}
	return n, nil
}

// setMark records that a new token starts at the decoder offset off.
func (s *source) setMark(off int64) { s.mark = off }

// byteAt returns the byte at the decoded offset off if it is still buffered.
func (s *source) byteAt(off int64) (byte, bool) {
	if p := off - s.base; p >= 0 && p < int64(s.end) {
		return s.buf[p], true
	}
	return 0, false
}

// offset returns the decoded offset of the next byte to be handed out.
func (s *source) offset() int64 { return s.base + int64(s.pos) }

// seek moves the read position to the decoded offset off if it is still in
// the buffer, and reports whether it could.
func (s *source) seek(off int64) bool {
	if p := off - s.base; p >= 0 && p <= int64(s.end) {
		s.pos = int(p)
		return true
	}
	return false
}

// fill reads more decoded text, keeping buf[pos-1:] so that one byte of
// look-behind survives. It reports whether new bytes are available.
func (s *source) fill() bool {
	if s.eof {
		return false
	}
	if k := s.pos - 1; k > 0 {
		s.advance(s.base + int64(k))
		copy(s.buf, s.buf[k:s.end])
		s.base += int64(k)
		s.pos -= k
		s.end -= k
	}
	if s.end == len(s.buf) { // only when pos is 0 or 1 with a full buffer: grow
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.text.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
			}
		}
		if n > 0 || s.eof {
			return n > 0
		}
	}
}

// advance moves the UTF-16 mapping cursor to the decoded offset off, which must
// be inside the buffer.
func (s *source) advance(off int64) {
	if !s.utf16 || off <= s.curDec {
		return
	}
	from, to := int(s.curDec-s.base), int(off-s.base)
	if from < 0 || to > s.end {
		return
	}
	s.curDec, s.curRaw = off, s.curRaw+utf16Len(s.buf[from:to])
}

// rawOffset maps a decoded offset to the byte offset in the raw input. The
// offset must still be in the buffer or ahead of every offset asked for
// before; otherwise the nearest known offset is returned.
func (s *source) rawOffset(off int64) int64 {
	if !s.utf16 {
		return s.bom + off
	}
	if off < s.curDec && off >= s.base {
		// Behind the cursor but still buffered: count back.
		return s.curRaw - utf16Len(s.buf[off-s.base:s.curDec-s.base])
	}
	s.advance(off)
	return s.curRaw
}

// utf16Len returns how many UTF-16 bytes the decoded text b came from: every
// character decoded from one code unit (U+FFFD for an unpaired surrogate
// included) came from 2 bytes, a 4-byte UTF-8 sequence from a surrogate pair.
func utf16Len(b []byte) int64 {
	var n int64
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n += 2
			if c >= 0xF0 {
				n += 2
			}
		}
	}
	return n
}

// eventTag is what skipToEvent looks for.
var eventTag = []byte("<event")

// skipToEvent advances to the next "<event" start tag (followed by white space,
// '>' or '/'), or to the end of the input. It returns how many newlines it
// skipped and whether a start tag was found.
func (s *source) skipToEvent() (newlines int, found bool) {
	limit := s.limit
	s.limit = 0
	defer func() { s.limit = limit }()
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], eventTag); i >= 0 {
			j := s.pos + i + len(eventTag)
			if j < s.end {
				newlines += bytes.Count(s.buf[s.pos:s.pos+i], []byte{'\n'})
				s.pos += i
				switch s.buf[j] {
				case ' ', '\t', '\r', '\n', '>', '/':
					return newlines, true
				}
				s.pos++ // "<events", "<eventX": keep looking
				continue
			}
			// The tag's next byte is not read yet: keep "<event" for fill.
			newlines += bytes.Count(s.buf[s.pos:s.pos+i], []byte{'\n'})
			s.pos += i + 1
			if !s.fill() {
				s.pos = s.end
				return newlines, false
			}
			s.pos--
			continue
		}
		// Keep a possible partial "<event" at the end of the buffer.
		keep := min(len(eventTag)-1, s.end-s.pos)
		newlines += bytes.Count(s.buf[s.pos:s.end-keep], []byte{'\n'})
		s.pos = s.end - keep
		if keep > 0 {
			s.pos++ // fill keeps buf[pos-1:]
		}
		ok := s.fill()
		if keep > 0 {
			s.pos--
		}
		if !ok {
			newlines += bytes.Count(s.buf[s.pos:s.end], []byte{'\n'})
			s.pos = s.end
			return newlines, false
		}
	}
}

// skipSpace consumes XML white space and returns the first other byte without
// consuming it, and how many newlines it skipped; ok is false at the end of the
// input.
func (s *source) skipSpace() (newlines int, c byte, ok bool) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case '\n':
				newlines++
				s.pos++
			case ' ', '\t', '\r':
				s.pos++
			default:
				return newlines, c, true
			}
		}
		if !s.fill() {
			return newlines, 0, false
		}
	}
}
