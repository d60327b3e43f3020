package clusterlog

import (
	"bytes"
	"time"
)

// line is one cluster-log record line split into its parts. The slices point
// into the line being read.
type line struct {
	num       int    // leading line number of a hand-collected excerpt, or -1
	channel   []byte // "System", "Operational", "Verbose" ... or nil
	pid, tid  []byte // hexadecimal process and thread ids
	stamp     []byte // "YYYY/MM/DD-HH:MM:SS.mmm"
	ts        time.Time
	level     []byte // INFO, WARN, ERR, DBG (empty when missing)
	component []byte // RES, RCM, QUORUM ... (without brackets), or nil
	text      []byte // the message text after the component
}

// lineKind tells what a line is.
type lineKind uint8

const (
	lineOther   lineKind = iota // not a record: a continuation or unrecognized text
	lineRecord                  // a timestamped record
	lineBad                     // has the "pid.tid::" prefix but a malformed timestamp
	lineSection                 // a "[=== ... ===]" section header
)

// stampLen is the length of "YYYY/MM/DD-HH:MM:SS.mmm".
const stampLen = 23

// parseLine splits b (a decoded line without its terminator) into its parts.
// It accepts, in this order: an optional decimal line number followed by a
// blank (hand-collected excerpts), an optional "[Channel] " prefix, the
// "pid.tid::" ids, the timestamp, the level and an optional "[COMPONENT]".
func parseLine(b []byte, p *line) (lineKind, string) {
	if isSection(b) {
		return lineSection, ""
	}
	p.num = -1
	rest := b
	if n, after, ok := leadingNumber(rest); ok {
		p.num, rest = n, after
	}
	p.channel = nil
	if len(rest) > 0 && rest[0] == '[' {
		i := bytes.IndexByte(rest, ']')
		if i < 2 || i > 64 {
			return lineOther, ""
		}
		p.channel = rest[1:i]
		rest = trimLeftBlanks(rest[i+1:])
	}
	// pid.tid::
	dot := -1
	i := 0
	for ; i < len(rest) && i < 40; i++ {
		c := rest[i]
		if c == '.' && dot < 0 {
			dot = i
			continue
		}
		if !isHex(c) {
			break
		}
	}
	if dot <= 0 || i == dot+1 || i+1 >= len(rest) || rest[i] != ':' || rest[i+1] != ':' {
		return lineOther, ""
	}
	p.pid, p.tid = rest[:dot], rest[dot+1:i]
	rest = rest[i+2:]
	if len(rest) < stampLen {
		return lineBad, "truncated timestamp"
	}
	p.stamp = rest[:stampLen]
	if reason := parseStamp(p.stamp, &p.ts); reason != "" {
		return lineBad, reason
	}
	rest = rest[stampLen:]
	if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' {
		return lineBad, "no blank after the timestamp"
	}
	rest = trimLeftBlanks(rest)
	// Level: a short upper-case word.
	j := 0
	for j < len(rest) && j <= 8 && rest[j] >= 'A' && rest[j] <= 'Z' {
		j++
	}
	p.level = nil
	if j > 0 && j <= 8 && (j == len(rest) || rest[j] == ' ' || rest[j] == '\t') {
		p.level = rest[:j]
		rest = trimLeftBlanks(rest[j:])
	}
	p.component = nil
	if len(rest) > 1 && rest[0] == '[' {
		if k := bytes.IndexByte(rest, ']'); k > 1 && k <= 64 {
			p.component = rest[1:k]
			rest = trimLeftBlanks(rest[k+1:])
		}
	}
	p.text = trimRight(rest)
	return lineRecord, ""
}

// isSection reports whether b is a section header such as "[=== Cluster Logs ===]".
func isSection(b []byte) bool {
	b = trimRight(trimLeftBlanks(b))
	return len(b) >= 8 && bytes.HasPrefix(b, []byte("[===")) && bytes.HasSuffix(b, []byte("===]"))
}

// leadingNumber strips the decimal line number that hand-collected excerpts
// put before each line ("   381 [Operational] ...", "261782 00001214...").
// It needs at least one blank after the digits.
func leadingNumber(b []byte) (int, []byte, bool) {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	start, n := i, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 10 {
		n = n*10 + int(b[i]-'0')
		i++
	}
	if i == start || i >= len(b) || b[i] != ' ' {
		return 0, b, false
	}
	return n, trimLeftBlanks(b[i:]), true
}

// parseStamp reads "YYYY/MM/DD-HH:MM:SS.mmm" into t (as UTC digits).
func parseStamp(s []byte, t *time.Time) string {
	for i, c := range s {
		switch i {
		case 4, 7:
			if c != '/' {
				return "malformed date"
			}
		case 10:
			if c != '-' {
				return "malformed timestamp: no '-' between date and time"
			}
		case 13, 16:
			if c != ':' {
				return "malformed time"
			}
		case 19:
			if c != '.' {
				return "malformed milliseconds"
			}
		default:
			if c < '0' || c > '9' {
				return "malformed timestamp: digit expected"
			}
		}
	}
	year := num(s[0:4])
	month, day := num(s[5:7]), num(s[8:10])
	hour, min, sec, ms := num(s[11:13]), num(s[14:16]), num(s[17:19]), num(s[20:23])
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59 {
		return "timestamp out of range"
	}
	*t = time.Date(year, time.Month(month), day, hour, min, sec, ms*int(time.Millisecond), time.UTC)
	return ""
}

func num(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func trimLeftBlanks(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func trimRight(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case ' ', '\t', '\r':
			b = b[:len(b)-1]
			continue
		}
		break
	}
	return b
}
