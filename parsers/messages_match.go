package parsers

import (
	"fmt"
	"strings"
)

// This file holds the small pattern language of the message table.
//
// A pattern is the message template with its inserts replaced by named
// captures, e.g.
//
//	The lease between availability group '{ag}' and the Windows Server Failover Cluster has expired.
//
// Literal text matches ASCII case-insensitively, and a space in a literal
// matches one or more spaces or tabs in the message (SQL Server writes two
// spaces after some periods and in "with id  [GUID]"). A capture takes the
// shortest text up to the next literal; a capture at the very end takes the
// rest of the line. A pattern matches a prefix of the message: trailing
// boilerplate ("This is an informational message only ...") that changes
// between versions is never part of a pattern.
//
// Capture names: ag, replica, replica_id, database, from, to, reason, login,
// client (the Event fields of the same meaning), state (HandshakeState, must be
// digits), f:NAME (an extra Field), _ (ignored). A leading # requires the
// capture to be a decimal number. {{ and }} are literal braces.

// segment is a literal followed by an optional capture.
type segment struct {
	lit     string
	capture string // "" when the literal is not followed by a capture
	number  bool   // the capture must be decimal digits
}

// span is a captured part of the message, as byte offsets into it.
type span struct{ start, end int }

// compilePattern splits a pattern into segments. It reports malformed
// patterns as errors; the table is checked by init and by tests.
func compilePattern(p string) ([]segment, error) {
	var segs []segment
	var lit strings.Builder
	for i := 0; i < len(p); {
		switch {
		case strings.HasPrefix(p[i:], "{{"):
			lit.WriteByte('{')
			i += 2
		case strings.HasPrefix(p[i:], "}}"):
			lit.WriteByte('}')
			i += 2
		case p[i] == '{':
			end := strings.IndexByte(p[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("pattern %q: unclosed capture at %d", p, i)
			}
			name := p[i+1 : i+end]
			seg := segment{lit: lit.String(), capture: name}
			if strings.HasPrefix(name, "#") {
				seg.number, seg.capture = true, name[1:]
			}
			if seg.capture == "" {
				return nil, fmt.Errorf("pattern %q: empty capture name", p)
			}
			if len(segs) > 0 && seg.lit == "" {
				return nil, fmt.Errorf("pattern %q: two captures without a literal between them", p)
			}
			segs = append(segs, seg)
			lit.Reset()
			i += end + 1
		case p[i] == '}':
			return nil, fmt.Errorf("pattern %q: stray } at %d", p, i)
		default:
			lit.WriteByte(p[i])
			i++
		}
	}
	if lit.Len() > 0 {
		segs = append(segs, segment{lit: lit.String()})
	}
	if len(segs) == 0 || segs[0].lit == "" {
		return nil, fmt.Errorf("pattern %q: must start with literal text", p)
	}
	return segs, nil
}

// matchSegments matches segs against a prefix of s. It appends one span per
// capture to caps and returns them with the end of the match.
func matchSegments(s string, segs []segment, caps []span) ([]span, int, bool) {
	pos := 0
	for i, sg := range segs {
		n, ok := matchLit(s[pos:], sg.lit)
		if !ok {
			return caps, 0, false
		}
		pos += n
		if sg.capture == "" {
			continue
		}
		end := len(s)
		if i+1 < len(segs) {
			j := findLit(s[pos:], segs[i+1].lit)
			if j < 0 {
				return caps, 0, false
			}
			end = pos + j
		}
		if sg.number && !isDigits(s[pos:end]) {
			return caps, 0, false
		}
		caps = append(caps, span{pos, end})
		pos = end
	}
	return caps, pos, true
}

// matchLit matches lit at the start of s and returns the bytes of s used.
func matchLit(s, lit string) (int, bool) {
	i := 0
	for j := 0; j < len(lit); j++ {
		c := lit[j]
		if i < len(s) && s[i] == c && c != ' ' {
			i++ // the common case: the same byte
			continue
		}
		if c == ' ' {
			if i >= len(s) || !isBlank(s[i]) {
				return 0, false
			}
			for i < len(s) && isBlank(s[i]) {
				i++
			}
			continue
		}
		if i >= len(s) || lower(s[i]) != lower(c) {
			return 0, false
		}
		i++
	}
	return i, true
}

// findLit returns the first offset in s at which lit matches, or -1.
func findLit(s, lit string) int {
	c := lit[0]
	if lower(c) == c && upper(c) == c { // not a letter: IndexByte finds candidates
		for from := 0; from < len(s); {
			k := strings.IndexByte(s[from:], c)
			if k < 0 {
				return -1
			}
			if c == ' ' {
				k += from
				// A literal space may match a run: try from its first blank only.
				if _, ok := matchLit(s[k:], lit); ok {
					return k
				}
				for k < len(s) && s[k] == ' ' {
					k++
				}
				from = k
				continue
			}
			if _, ok := matchLit(s[from+k:], lit); ok {
				return from + k
			}
			from += k + 1
		}
		return -1
	}
	for k := 0; k < len(s); k++ {
		if lower(s[k]) == lower(c) {
			if _, ok := matchLit(s[k:], lit); ok {
				return k
			}
		}
	}
	return -1
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// isDigits reports whether s is a non-empty run of at most 18 decimal digits
// (so that it always fits an int64).
func isDigits(s string) bool {
	if len(s) == 0 || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string accepted by isDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// clientAddress returns the address of a "[CLIENT: x]" suffix, or "".
func clientAddress(s string) string {
	i := strings.Index(s, "[CLIENT:")
	if i < 0 {
		return ""
	}
	rest := s[i+len("[CLIENT:"):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(rest[:j])
}

// trailingState finds the last "State N" in s and returns N. It is used for
// handshake messages whose text is not in the table.
func trailingState(s string) (int, bool) {
	for end := len(s); end > 0; {
		i := strings.LastIndex(s[:end], "State ")
		if i < 0 {
			return 0, false
		}
		j := i + len("State ")
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if isDigits(s[j:k]) {
			return atoi(s[j:k]), true
		}
		end = i
	}
	return 0, false
}
