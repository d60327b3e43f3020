package errorlog

import (
	"bytes"

	"github.com/agtriage/agtriage/parsers"
)

// Where a chunk of a large ERRORLOG may start: only at a record that
// directly follows another record, found on the raw bytes.

// cutOffsets returns the nominal cut offsets: every chunk bytes from
// firstCut, or the test's cuts; UTF-16 code units are two bytes, so the
// offsets are even (the scanner keeps them so).
func (p *parallel) cutOffsets() []int64 {
	var cuts []int64
	if p.cuts != nil {
		for _, c := range p.cuts {
			if c >= p.first && c < p.size && (len(cuts) == 0 || c > cuts[len(cuts)-1]) {
				cuts = append(cuts, c)
			}
		}
		return cuts
	}
	for c := max(p.chunk, p.first); c < p.size; c += p.chunk {
		cuts = append(cuts, c)
	}
	return cuts
}

// scanner finds chunk boundaries in the raw bytes.
type scanner struct {
	p    *parallel
	enc  parsers.Encoding
	max  int
	buf  []byte
	line []byte
}

// chunkStart returns where chunk k starts: 0 for the first, otherwise the
// first boundary in [cuts[k-1], cuts[k]), or -1 when there is none (the
// chunk is empty and the one before extends over its range).
func (s *scanner) chunkStart(k int, cuts []int64) int64 {
	if k == 0 {
		return 0
	}
	limit := s.p.size
	if k < len(cuts) {
		limit = cuts[k]
	}
	return s.boundary(cuts[k-1], limit)
}

// chunkEnd returns where chunk k (not empty) ends: the start of the next
// chunk that is not empty, or the end of the file.
func (s *scanner) chunkEnd(k int, cuts []int64) int64 {
	for j := k + 1; j <= len(cuts); j++ {
		if b := s.chunkStart(j, cuts); b >= 0 {
			return b
		}
	}
	return s.p.size
}

// boundary returns the first safe chunk start b with from <= b < limit, or -1.
// A safe start is the beginning of a line L such that L and the line P
// before it are both plain ASCII valid records of at most maxCandidate raw
// bytes, P starts at or after from, and P is not an "Error:" header.
func (s *scanner) boundary(from, limit int64) int64 {
	unit := int64(1)
	if s.enc == parsers.UTF16LE || s.enc == parsers.UTF16BE {
		unit = 2
		from += from & 1
	}
	if cap(s.buf) == 0 {
		s.buf = make([]byte, 64*1024)
	}
	size := s.p.size
	// lineStart is the start of the line being scanned, -1 while it is not a
	// candidate (it started before from, or is too long); prevOK says whether
	// the line before it can be P.
	lineStart, prevOK := int64(-1), false
	pos := from // offset of the next window
	for pos < size {
		n, _ := s.p.ra.ReadAt(s.buf[:min(int64(len(s.buf)), size-pos)], pos)
		if n <= 0 {
			return -1
		}
		buf := s.buf[:n]
		for i := 0; ; {
			nl := s.nextNewline(buf, i, pos)
			if nl < 0 {
				break
			}
			isRecord, isHeader := false, false
			if lineStart >= 0 {
				isRecord, isHeader = s.record(buf[lineStart-pos : nl])
				if isRecord && prevOK {
					return lineStart
				}
			}
			prevOK = isRecord && !isHeader
			i = nl + int(unit)
			lineStart = pos + int64(i)
			if lineStart >= limit {
				return -1
			}
		}
		next := pos + int64(n)
		if lineStart >= 0 && next-lineStart <= maxCandidate && lineStart > pos {
			next = lineStart // read the incomplete line again, whole
		} else {
			lineStart, prevOK = -1, false // too long to be a candidate
		}
		pos = next
	}
	return -1
}

// record tests a raw line (without its newline): whether it is a plain ASCII
// valid record no longer than MaxLineBytes, and whether it is an "Error:"
// header.
func (s *scanner) record(raw []byte) (isRecord, isHeader bool) {
	text, ok := s.ascii(raw)
	if !ok || len(trimRightCR(text)) > s.max || !looksLikeDate(text) {
		return false, false
	}
	_, _, msg, reason := parseRecord(text)
	if reason != "" {
		return false, false
	}
	_, _, _, isHeader = errorHeader(msg)
	return true, isHeader
}

func trimRightCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// ascii returns raw as ASCII text when it holds only printable ASCII and tabs,
// with at most a final carriage return.
func (s *scanner) ascii(raw []byte) ([]byte, bool) {
	if len(raw) > maxCandidate {
		return nil, false
	}
	t := s.line[:0]
	switch s.enc {
	case parsers.UTF16LE, parsers.UTF16BE:
		if len(raw)%2 != 0 {
			return nil, false
		}
		lo, hi := 0, 1
		if s.enc == parsers.UTF16BE {
			lo, hi = 1, 0
		}
		for i := 0; i < len(raw); i += 2 {
			if raw[i+hi] != 0 {
				return nil, false
			}
			t = append(t, raw[i+lo])
		}
	default:
		t = append(t, raw...)
	}
	s.line = t
	for i, c := range t {
		if (c < 0x20 && c != '\t' && !(c == '\r' && i == len(t)-1)) || c >= 0x7F {
			return nil, false
		}
	}
	return t, true
}

// nextNewline returns the index in buf (at or after i) of the next newline
// code unit's first byte, or -1. pos is buf's offset in the file, which keeps
// UTF-16 code units aligned.
func (s *scanner) nextNewline(buf []byte, i int, pos int64) int {
	switch s.enc {
	case parsers.UTF16LE:
		for i < len(buf) {
			j := bytes.IndexByte(buf[i:], '\n')
			if j < 0 {
				return -1
			}
			j += i
			if (pos+int64(j))&1 == 0 && j+1 < len(buf) && buf[j+1] == 0 {
				return j
			}
			i = j + 1
		}
		return -1
	case parsers.UTF16BE:
		for i < len(buf) {
			j := bytes.IndexByte(buf[i:], '\n')
			if j < 0 {
				return -1
			}
			j += i
			if (pos+int64(j))&1 == 1 && j >= 1 && buf[j-1] == 0 {
				return j - 1
			}
			i = j + 1
		}
		return -1
	}
	j := bytes.IndexByte(buf[i:], '\n')
	if j < 0 {
		return -1
	}
	return i + j
}
