package parsers

import (
	"bytes"
	"io"
)

// LineReader splits decoded text into lines with a bounded buffer, like
// bufio.Scanner, but instead of failing on an over-long line it discards the
// line and reports its length so that reading can go on. The readers of line
// formats (ERRORLOG, cluster log) share it.
type LineReader struct {
	src   io.Reader
	max   int // longest line content accepted (without "\r\n")
	limit int // largest buffer ever allocated: max+2
	buf   []byte
	start int
	end   int
	eof   bool
	err   error // first read error other than io.EOF
	shift int   // how far fill moved the unread bytes
	full  bool  // the last read filled the buffer: the input is large
}

// The buffer starts at startLineBuf (a folder of 50,000 one-line files
// should not allocate 64 KiB for each) and grows to initialLineBuf as soon
// as a read fills it, so that large inputs are read in large chunks.
const (
	startLineBuf   = 4 * 1024
	initialLineBuf = 64 * 1024
)

// NewLineReader returns a LineReader of src that accepts lines of up to max
// bytes (without the line terminator). Its buffer starts small and never grows
// beyond max+2 bytes.
func NewLineReader(src io.Reader, max int) *LineReader {
	limit := max + 2
	size := min(startLineBuf, limit)
	return &LineReader{src: src, max: max, limit: limit, buf: make([]byte, size)}
}

// Reset makes l read src from its start, reusing l's buffer.
func (l *LineReader) Reset(src io.Reader) {
	*l = LineReader{src: src, max: l.max, limit: l.limit, buf: l.buf, full: l.full}
}

// Err returns the first read error other than io.EOF.
func (l *LineReader) Err() error { return l.err }

// Next returns the next line without its "\n" (a trailing "\r" is kept); the
// slice is valid until the next call. ok is false at the end of the input. For a
// too-long line, count is called with each discarded chunk (terminator
// included) so that the caller can account for the bytes.
func (l *LineReader) Next(count func([]byte)) (text []byte, tooLong bool, ok bool) {
	scanFrom := l.start
	for {
		if i := bytes.IndexByte(l.buf[scanFrom:l.end], '\n'); i >= 0 {
			nl := scanFrom + i
			line := l.buf[l.start:nl]
			l.start = nl + 1
			if lineContentLen(line) > l.max {
				count(l.buf[nl-len(line) : nl+1])
				return nil, true, true
			}
			return line, false, true
		}
		scanFrom = l.end
		if l.eof {
			if l.start == l.end {
				return nil, false, false
			}
			line := l.buf[l.start:l.end]
			l.start = l.end
			if lineContentLen(line) > l.max {
				count(line)
				return nil, true, true
			}
			return line, false, true
		}
		if l.end-l.start > l.max+1 {
			// No terminator within max+2 bytes: the line is too long.
			// Discard it chunk by chunk up to and including its "\n".
			count(l.buf[l.start:l.end])
			l.start, l.end = 0, 0
			l.discardLine(count)
			return nil, true, true
		}
		l.fill()
		scanFrom -= l.shift
		l.shift = 0
	}
}

// lineContentLen is the length of a line without a trailing "\r".
func lineContentLen(line []byte) int {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return n - 1
	}
	return len(line)
}

// discardLine drops input up to and including the next "\n".
func (l *LineReader) discardLine(count func([]byte)) {
	for !l.eof || l.start < l.end {
		if i := bytes.IndexByte(l.buf[l.start:l.end], '\n'); i >= 0 {
			count(l.buf[l.start : l.start+i+1])
			l.start += i + 1
			return
		}
		count(l.buf[l.start:l.end])
		l.start, l.end = 0, 0
		if l.eof {
			return
		}
		l.fill()
		l.shift = 0
	}
}

// fill reads more input, first moving unread bytes to the front of the buffer
// and growing it (never beyond limit) when it is full. It records in shift how
// far the unread bytes moved.
func (l *LineReader) fill() {
	if l.start > 0 {
		l.shift = l.start
		copy(l.buf, l.buf[l.start:l.end])
		l.end -= l.start
		l.start = 0
	}
	switch {
	case l.end == len(l.buf) && len(l.buf) < l.limit:
		nb := make([]byte, min(2*len(l.buf), l.limit))
		copy(nb, l.buf[:l.end])
		l.buf = nb
	case l.full && len(l.buf) < min(initialLineBuf, l.limit):
		nb := make([]byte, min(4*len(l.buf), initialLineBuf, l.limit))
		copy(nb, l.buf[:l.end])
		l.buf = nb
	}
	for tries := 0; tries < 100 && l.end < len(l.buf); tries++ {
		space := len(l.buf) - l.end
		n, err := l.src.Read(l.buf[l.end:])
		l.full = n == space
		l.end += n
		if err != nil {
			if err != io.EOF {
				l.err = err
			}
			l.eof = true
			return
		}
		if n > 0 {
			return
		}
	}
	if l.end < len(l.buf) {
		l.err = io.ErrNoProgress
		l.eof = true
	}
}

// RawLen returns how many input bytes the decoded UTF-8 text b took in an
// input of the given encoding: the same for 8-bit input, two bytes per UTF-16
// code unit (four for characters beyond the BMP) for UTF-16.
func RawLen(b []byte, enc Encoding) int64 {
	if enc != UTF16LE && enc != UTF16BE {
		return int64(len(b))
	}
	var n int64
	for _, c := range b {
		switch {
		case c >= 0xF0:
			n += 4
		case c&0xC0 != 0x80:
			n += 2
		}
	}
	return n
}

// IsASCII reports whether b has no byte above 0x7F.
func IsASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
