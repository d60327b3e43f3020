package clusterlog

import (
	"bufio"
	"io"
)

// lineReader splits decoded text into lines with bounded memory. Unlike
// bufio.Scanner it does not fail on an over-long line: it discards the line,
// reports its bytes and goes on.
type lineReader struct {
	br   *bufio.Reader
	max  int    // longest line content accepted (without "\r\n")
	long []byte // assembles a line that spans several buffer fills
	err  error  // first read error other than io.EOF
	eof  bool
}

func newLineReader(src io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(src, 64*1024), max: max}
}

// next returns the next line without its "\n" (a trailing "\r" is kept). ok
// is false at the end of the input. For a line longer than max, tooLong is
// true and count receives every discarded chunk, terminator included, so the
// caller can account for the bytes. The returned slice is valid until the next
// call.
func (l *lineReader) next(count func([]byte)) (line []byte, tooLong, ok bool) {
	if l.eof {
		return nil, false, false
	}
	frag, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// A line longer than the buffer: collect it up to the bound.
		l.long = append(l.long[:0], frag...)
		for err == bufio.ErrBufferFull {
			frag, err = l.br.ReadSlice('\n')
			if !tooLong && len(l.long)+len(frag) > l.max+2 {
				tooLong = true
				count(l.long)
				l.long = l.long[:0]
			}
			if tooLong {
				count(frag)
			} else {
				l.long = append(l.long, frag...)
			}
		}
		frag = l.long
	}
	if err != nil {
		l.eof = true
		if err != io.EOF {
			l.err = err
		}
		if len(frag) == 0 && !tooLong {
			return nil, false, false
		}
	}
	if tooLong {
		return nil, true, true
	}
	if n := len(frag); n > 0 && frag[n-1] == '\n' {
		frag = frag[:n-1]
	}
	if contentLen(frag) > l.max {
		count(frag)
		if err == nil {
			count([]byte{'\n'})
		}
		return nil, true, true
	}
	return frag, false, true
}

// contentLen is the length of a line without a trailing "\r".
func contentLen(line []byte) int {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return n - 1
	}
	return len(line)
}
