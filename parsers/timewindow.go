package parsers

import (
	"fmt"
	"time"
)

// The window of plausible log dates. A date outside it is damage or a
// forged line: SQL Server 2005 (the first with these logs' formats) is far
// later than MinYear, and no writer must meet a year it cannot print (JSON
// stops at 9999, and a span of centuries makes every duration meaningless).
// Times are checked as written; a UTC offset moves them by less than a day.
const (
	MinYear = 1990
	MaxYear = 2100
)

// maxOffset is the largest UTC offset a time may still be moved by.
const maxOffset = 14 * time.Hour

var (
	windowStart = time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC).Add(maxOffset)
	windowEnd   = time.Date(MaxYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-maxOffset)
)

// SaneTime reports whether t stays within MinYear-01-01 and the end of
// MaxYear whatever UTC offset (up to 14 hours) is applied to it later: a
// local time is checked before its server's offset is known. The zero time
// (no time) is sane.
func SaneTime(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	return !t.Before(windowStart) && !t.After(windowEnd)
}

// OutOfWindow is the reason given for a date outside the window.
func OutOfWindow(t time.Time) string {
	return fmt.Sprintf("date %s outside %d-%d: not used", t.Format("2006-01-02 15:04:05"), MinYear, MaxYear)
}
