package eventtext

import (
	"bytes"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// send yields an event whose time is set.
func (r *Reader) send(ev *parsers.Event) {
	if ev.Clock == parsers.ClockUTC {
		r.stats.Clock = parsers.ClockUTC
	}
	r.out.Emit(ev)
}

func (r *Reader) warn(line int, msg string) { r.out.Warn(line, 0, msg) }

// stamp is a scanned date and time: a and b are the first two numbers of
// the date (month and day in either order), or month and day when ymd.
type stamp struct {
	a, b, year           int
	hour, min, sec, nano int
	ymd, ampm            bool
	zone                 bool // the text has Z or an offset
	offset               int  // seconds east of UTC
}

// setTime sets ev's times from st and the reader's date order: a time with
// a zone is UTC; one without is the local wall clock (ClockLocal).
func (r *Reader) setTime(ev *parsers.Event, st stamp) {
	month, day := st.a, st.b
	if !st.ymd && r.order == orderDMY {
		month, day = st.b, st.a
	}
	t := time.Date(st.year, time.Month(month), day, st.hour, st.min, st.sec, st.nano, time.UTC)
	if st.zone {
		ev.Time = t.Add(-time.Duration(st.offset) * time.Second)
		ev.Local = time.Time{}
		ev.Clock = parsers.ClockUTC
		return
	}
	ev.Time, ev.Local, ev.Clock = t, t, parsers.ClockLocal
}

// scanTime reads "2024-03-14T02:17:41.2304560+01:00", "2024-03-14
// 02:17:41", "3/14/2024 2:17:41 AM", "14.03.2024 02:17:41",
// "2024/03/14 14:17" and the like.
func scanTime(s string) (st stamp, ok bool) {
	nums := func() (n, digits int) {
		for len(s) > 0 && s[0] >= '0' && s[0] <= '9' && digits < 10 {
			n = n*10 + int(s[0]-'0')
			s = s[1:]
			digits++
		}
		return
	}
	sep := func(set string) bool {
		if len(s) > 0 && strings.IndexByte(set, s[0]) >= 0 {
			s = s[1:]
			return true
		}
		return false
	}
	s = strings.TrimSpace(s)
	x, dx := nums()
	if dx == 0 || !sep("/-.") {
		return st, false
	}
	y, dy := nums()
	if dy == 0 || !sep("/-.") {
		return st, false
	}
	z, dz := nums()
	if dz == 0 {
		return st, false
	}
	if dx == 4 {
		st.year, st.a, st.b, st.ymd = x, y, z, true
	} else if dz == 4 || dz == 2 {
		st.a, st.b, st.year = x, y, z
		if dz == 2 {
			st.year += 2000
		}
	} else {
		return st, false
	}
	s = strings.TrimLeft(s, ".") // "14.03.2024." in some cultures
	if !sep("T ") {
		return st, false
	}
	s = strings.TrimLeft(s, " ")
	var dh, dm int
	st.hour, dh = nums()
	if dh == 0 || !sep(":") {
		return st, false
	}
	st.min, dm = nums()
	if dm != 2 {
		return st, false
	}
	if sep(":") {
		var ds int
		if st.sec, ds = nums(); ds != 2 {
			return st, false
		}
		if sep(".,") {
			f, df := nums()
			for ; df < 9; df++ {
				f *= 10
			}
			for ; df > 9; df-- {
				f /= 10
			}
			st.nano = f
			for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
				s = s[1:] // beyond nanoseconds
			}
		}
	}
	rest := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case rest == "":
	case rest == "Z":
		st.zone = true
	case rest[0] == '+' || rest[0] == '-':
		s = rest[1:]
		h, d1 := nums()
		sep(":")
		m, d2 := nums()
		if d1 != 2 || d2 != 2 || s != "" || h > 14 || m > 59 {
			return st, false
		}
		st.zone, st.offset = true, h*3600+m*60
		if rest[0] == '-' {
			st.offset = -st.offset
		}
	case rest == "AM" || rest == "A.M." || rest == "PM" || rest == "P.M.":
		if st.hour < 1 || st.hour > 12 {
			return st, false
		}
		st.ampm = true
		st.hour %= 12
		if rest[0] == 'P' {
			st.hour += 12
		}
	default:
		return st, false
	}
	if st.hour > 23 || st.min > 59 || st.sec > 60 || st.a < 1 || st.b < 1 || st.year < 1601 || st.year > 9999 ||
		st.ymd && (st.a > 12 || st.b > 31) || !st.ymd && (st.a > 31 || st.b > 31 || st.a > 12 && st.b > 12) {
		return st, false
	}
	if st.sec == 60 {
		st.sec = 59
	}
	return st, true
}

// lineBreaks turns the CRLF (or lone CR) line breaks of a message into LF,
// as the native reader's messages have them.
func lineBreaks(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// quotes follows the RFC 4180 quoting of a CSV row fed line by line: a
// field opens a quote when a quote starts it (after blanks), "" inside
// quotes is a quote.
type quotes struct {
	open, pend bool // inside quotes; a quote seen inside, maybe closing
	prev       byte // last non-blank byte outside quotes (0 at the row start)
}

func (q *quotes) feed(c byte) {
	if q.pend {
		q.pend = false
		if c == '"' {
			return // "" inside quotes
		}
		q.open = false
	}
	if q.open {
		q.pend = c == '"'
		return
	}
	if c == '"' && (q.prev == 0 || q.prev == ',') {
		q.open = true
	}
	if c != ' ' && c != '\t' {
		q.prev = c
	}
}

// line feeds a line and reports whether the row is complete after it.
func (q *quotes) line(b []byte) bool {
	for _, c := range b {
		q.feed(c)
	}
	return !q.open || q.pend
}

// splitCSV splits a header row.
func splitCSV(b []byte) []string { return splitCSVInto(nil, b, -1) }

// splitCSVInto splits a CSV row (RFC 4180 quoting, "" inside quotes) into
// out; with last >= 1, field last-1 takes the rest of the row (Event
// Viewer's unnamed message field may hold commas unquoted).
func splitCSVInto(out []string, b []byte, last int) []string {
	var f []byte
	for {
		if last > 0 && len(out) == last-1 {
			rest := bytes.TrimSpace(b)
			if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
				rest = bytes.ReplaceAll(rest[1:len(rest)-1], []byte(`""`), []byte(`"`))
			}
			return append(out, string(rest))
		}
		t := bytes.TrimLeft(b, " ")
		f = f[:0]
		if len(t) > 0 && t[0] == '"' {
			i := 1
			for i < len(t) {
				if t[i] == '"' {
					if i+1 < len(t) && t[i+1] == '"' {
						f = append(f, '"')
						i += 2
						continue
					}
					i++
					break
				}
				f = append(f, t[i])
				i++
			}
			t = t[i:]
			k := bytes.IndexByte(t, ',')
			if k < 0 {
				return append(out, string(f))
			}
			b = t[k+1:]
			out = append(out, string(f))
			continue
		}
		k := bytes.IndexByte(b, ',')
		if k < 0 {
			return append(out, string(b))
		}
		out = append(out, string(b[:k]))
		b = b[k+1:]
	}
}

// splitLoose splits a LogScout row: every field is quoted and inner quotes
// are not escaped, so fields are cut at `","` and the last one takes the
// rest of the row.
func splitLoose(out []string, b []byte, n int) []string {
	b = bytes.TrimSpace(b)
	b = bytes.TrimPrefix(b, []byte(`"`))
	b = bytes.TrimSuffix(b, []byte(`"`))
	for len(out) < n-1 {
		k := bytes.Index(b, []byte(`","`))
		if k < 0 {
			break
		}
		out = append(out, string(b[:k]))
		b = b[k+3:]
	}
	return append(out, string(b))
}
