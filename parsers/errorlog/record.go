package errorlog

import (
	"bytes"
	"fmt"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

var reasonOutOfWindow = fmt.Sprintf("date outside %d-%d (damage or a forged line)", parsers.MinYear, parsers.MaxYear)

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// looksLikeDate reports whether b starts with "DDDD-DD-DD": such a line is meant
// to be a record, and is reported when the rest of its timestamp is invalid.
func looksLikeDate(b []byte) bool {
	return len(b) >= 10 && isDigit(b[0]) && isDigit(b[1]) && isDigit(b[2]) && isDigit(b[3]) &&
		b[4] == '-' && isDigit(b[5]) && isDigit(b[6]) && b[7] == '-' && isDigit(b[8]) && isDigit(b[9])
}

func num2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

// stamp is the parsed timestamp of a record.
type stamp struct {
	year, month, day, hour, min, sec int
	nanos                            int
}

// parseRecord splits a record line "YYYY-MM-DD HH:MM:SS[.f{1,3}] source message".
// It returns the timestamp, the source token and the message with trailing
// blanks removed. ok is false with a reason when the line starts like a date
// but is not a valid record.
func parseRecord(line []byte) (ts stamp, source, msg []byte, reason string) {
	if len(line) < 19 || line[10] != ' ' || line[13] != ':' || line[16] != ':' ||
		!isDigit(line[11]) || !isDigit(line[12]) || !isDigit(line[14]) || !isDigit(line[15]) ||
		!isDigit(line[17]) || !isDigit(line[18]) {
		return ts, nil, nil, "malformed timestamp"
	}
	ts.year = int(line[0]-'0')*1000 + int(line[1]-'0')*100 + num2(line[2:])
	ts.month = num2(line[5:])
	ts.day = num2(line[8:])
	ts.hour = num2(line[11:])
	ts.min = num2(line[14:])
	ts.sec = num2(line[17:])
	if ts.month < 1 || ts.month > 12 || ts.day < 1 || ts.day > daysIn(ts.year, ts.month) ||
		ts.hour > 23 || ts.min > 59 || ts.sec > 59 {
		return ts, nil, nil, "invalid date or time"
	}
	if ts.year < parsers.MinYear || ts.year > parsers.MaxYear {
		return ts, nil, nil, reasonOutOfWindow
	}
	i := 19
	if i < len(line) && line[i] == '.' {
		i++
		j := i
		for j < len(line) && isDigit(line[j]) {
			j++
		}
		if j == i || j-i > 3 {
			return ts, nil, nil, "malformed fraction of a second"
		}
		f := 0
		for k := i; k < j; k++ {
			f = f*10 + int(line[k]-'0')
		}
		for k := j - i; k < 9; k++ {
			f *= 10
		}
		ts.nanos = f
		i = j
	}
	if i >= len(line) || (line[i] != ' ' && line[i] != '\t') {
		return ts, nil, nil, "no source column after the timestamp"
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	j := i
	for j < len(line) && line[j] != ' ' && line[j] != '\t' {
		j++
	}
	if j == i {
		return ts, nil, nil, "no source column after the timestamp"
	}
	source = line[i:j]
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	return ts, source, trimRight(line[j:]), ""
}

// trimRight removes trailing spaces, tabs and "\r".
func trimRight(b []byte) []byte {
	n := len(b)
	for n > 0 && (b[n-1] == ' ' || b[n-1] == '\t' || b[n-1] == '\r') {
		n--
	}
	return b[:n]
}

func daysIn(year, month int) int {
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

// errorHeader parses "Error: N, Severity: S, State: T." (the first half of a
// two-line error record).
func errorHeader(msg []byte) (num, sev, state int, ok bool) {
	rest, ok := bytes.CutPrefix(msg, []byte("Error: "))
	if !ok {
		return 0, 0, 0, false
	}
	if num, rest, ok = leadingInt(rest); !ok {
		return 0, 0, 0, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(", Severity: ")); !ok {
		return 0, 0, 0, false
	}
	if sev, rest, ok = leadingInt(rest); !ok {
		return 0, 0, 0, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(", State: ")); !ok {
		return 0, 0, 0, false
	}
	if state, rest, ok = leadingInt(rest); !ok {
		return 0, 0, 0, false
	}
	if len(rest) > 1 || (len(rest) == 1 && rest[0] != '.') {
		return 0, 0, 0, false
	}
	return num, sev, state, true
}

// leadingInt parses the decimal number at the start of b (at most 9 digits).
func leadingInt(b []byte) (n int, rest []byte, ok bool) {
	i := 0
	for i < len(b) && i < 10 && isDigit(b[i]) {
		n = n*10 + int(b[i]-'0')
		i++
	}
	if i == 0 || i > 9 {
		return 0, b, false
	}
	return n, b[i:], true
}

// utcAdjustment recognizes the record "UTC adjustment: -7:00" (also "5:30",
// "1:00", "0:00") and returns the offset local - UTC.
func utcAdjustment(msg []byte) (time.Duration, bool) {
	if !bytes.HasPrefix(msg, []byte("UTC adjustment:")) {
		return 0, false
	}
	return parsers.ParseUTCAdjustment(string(msg))
}

// serverName extracts X from "Server name is 'X'. This is an informational ...".
func serverName(msg []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(msg, []byte("Server name is '"))
	if !ok {
		return "", false
	}
	i := bytes.IndexByte(rest, '\'')
	if i <= 0 {
		return "", false
	}
	return string(rest[:i]), true
}
