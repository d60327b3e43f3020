package errorlogexport

import (
	"bytes"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseISO parses "YYYY-MM-DD HH:MM:SS[.f{1,7}]" at the start of b (the
// LogDate of xp_readerrorlog results) and returns the time and the bytes used.
func parseISO(b []byte) (time.Time, int, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, 0, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(b[i]) {
			return time.Time{}, 0, false
		}
	}
	y := num(b[0:4])
	mo, d, h, mi, s := num(b[5:7]), num(b[8:10]), num(b[11:13]), num(b[14:16]), num(b[17:19])
	n := 19
	nanos := 0
	if n < len(b) && b[n] == '.' {
		j := n + 1
		for j < len(b) && isDigit(b[j]) && j-n <= 9 {
			j++
		}
		if j == n+1 || j-n-1 > 7 {
			return time.Time{}, 0, false
		}
		f := num(b[n+1 : j])
		for k := j - n - 1; k < 9; k++ {
			f *= 10
		}
		nanos, n = f, j
	}
	t, ok := mkTime(y, mo, d, h, mi, s, nanos)
	return t, n, ok
}

// dateOrder says how an all-numeric date with a 4-digit year at the end is
// ordered: month first (en-US, the SSMS viewer) or day first (de-DE, fr-FR,
// en-GB).
type dateOrder uint8

const (
	orderUnknown dateOrder = iota
	monthFirst
	dayFirst
)

// cultureDate is a date as DateTime.ToString() writes it in common cultures:
// "3/14/2024 2:17:41 AM", "03/14/2024 02:17:41", "14.03.2024 02:17:41",
// "14/03/2024 02:17:41", "2024-03-14 02:17:41", "2024/03/14 2:17:41".
type cultureDate struct {
	a, b, c    int // the three date numbers in written order
	yearFirst  bool
	sep        byte
	h, mi, s   int
	nanos      int
	ampm       byte // 'A', 'P' or 0
	ambiguous  bool // a and b could both be the month
	impliedDMY bool // a > 12: day first for sure
	impliedMDY bool // b > 12: month first for sure
}

// scanCulture parses a culture-formatted date and time (the whole field).
func scanCulture(s []byte) (cultureDate, bool) {
	var d cultureDate
	i := 0
	readNum := func(maxDigits int) (int, bool) {
		j := i
		for j < len(s) && isDigit(s[j]) && j-i < maxDigits {
			j++
		}
		if j == i {
			return 0, false
		}
		n := num(s[i:j])
		i = j
		return n, true
	}
	var ok bool
	if d.a, ok = readNum(4); !ok || i >= len(s) {
		return d, false
	}
	d.yearFirst = i == 4
	d.sep = s[i]
	if d.sep != '/' && d.sep != '.' && d.sep != '-' {
		return d, false
	}
	i++
	if d.b, ok = readNum(2); !ok || i >= len(s) || s[i] != d.sep {
		return d, false
	}
	i++
	if d.c, ok = readNum(4); !ok {
		return d, false
	}
	if !d.yearFirst && d.c < 1000 {
		return d, false
	}
	if i < len(s) && s[i] == '.' { // "14.03.2024." (some cultures)
		i++
	}
	if i >= len(s) || (s[i] != ' ' && s[i] != 'T') {
		return d, false
	}
	for i < len(s) && (s[i] == ' ' || s[i] == 'T') {
		i++
	}
	if d.h, ok = readNum(2); !ok || i >= len(s) || s[i] != ':' {
		return d, false
	}
	i++
	if d.mi, ok = readNum(2); !ok || i >= len(s) || s[i] != ':' {
		return d, false
	}
	i++
	if d.s, ok = readNum(2); !ok {
		return d, false
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') && i+1 < len(s) && isDigit(s[i+1]) {
		i++
		j := i
		for j < len(s) && isDigit(s[j]) && j-i < 7 {
			j++
		}
		f := num(s[i:j])
		for k := j - i; k < 9; k++ {
			f *= 10
		}
		d.nanos, i = f, j
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) {
		switch s[i] {
		case 'A', 'a':
			d.ampm = 'A'
		case 'P', 'p':
			d.ampm = 'P'
		default:
			return d, false
		}
		i++
		if i < len(s) && (s[i] == 'M' || s[i] == 'm') {
			i++
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i != len(s) {
			return d, false
		}
	}
	if !d.yearFirst {
		d.impliedDMY = d.a > 12
		d.impliedMDY = d.b > 12
		d.ambiguous = !d.impliedDMY && !d.impliedMDY && d.a != d.b
	}
	return d, true
}

// time returns the date with the given order for ambiguous dates.
func (d cultureDate) time(order dateOrder) (time.Time, bool) {
	h := d.h
	switch d.ampm {
	case 'A':
		if h == 12 {
			h = 0
		}
	case 'P':
		if h < 12 {
			h += 12
		}
	}
	if d.yearFirst {
		return mkTime(d.a, d.b, d.c, h, d.mi, d.s, d.nanos)
	}
	switch {
	case d.impliedDMY:
		order = dayFirst
	case d.impliedMDY:
		order = monthFirst
	}
	if order == dayFirst {
		return mkTime(d.c, d.b, d.a, h, d.mi, d.s, d.nanos)
	}
	return mkTime(d.c, d.a, d.b, h, d.mi, d.s, d.nanos)
}

func num(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func mkTime(y, mo, d, h, mi, s, nanos int) (time.Time, bool) {
	if y < 1753 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, nanos, time.UTC), true
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

// cultureTime parses a culture-formatted date, settling the day/month order
// from the first unambiguous date.
func (r *Reader) cultureTime(b []byte) (time.Time, bool) {
	// Rows share their second often (these formats have no fractions).
	if r.lastOK && string(b) == string(r.lastDate) {
		return r.lastTime, true
	}
	t, ok := r.parseCulture(b)
	r.lastDate = append(r.lastDate[:0], b...)
	r.lastTime, r.lastOK = t, ok
	return t, ok
}

func (r *Reader) parseCulture(b []byte) (time.Time, bool) {
	d, ok := scanCulture(bytes.TrimSpace(b))
	if !ok {
		return time.Time{}, false
	}
	if r.order == orderUnknown {
		switch {
		case d.impliedDMY:
			r.order = dayFirst
		case d.impliedMDY:
			r.order = monthFirst
		}
	} else if d.impliedDMY && r.order == monthFirst || d.impliedMDY && r.order == dayFirst {
		if !r.orderWrn {
			r.orderWrn = true
			r.warn(0, "dates disagree on the day/month order; each date is read in the order it allows")
		}
	}
	order := r.order
	if order == orderUnknown {
		// The SSMS viewer writes MM/dd/yyyy; a 12-hour clock is en-US.
		order = monthFirst
		if r.variant == parsers.FormatDbatoolsCSV && d.ampm == 0 && d.sep != '/' {
			order = dayFirst
		}
	}
	return d.time(order)
}
