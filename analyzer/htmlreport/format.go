package htmlreport

// Formatting of times, durations and sizes, and the human names of the
// report's enumerated values. Everything here returns plain strings; the
// template escapes them for their context.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
)

// utc formats a UTC time with seconds, or with milliseconds when ms is set
// (events of several replicas often interleave within a second).
func utc(t time.Time, ms bool) string {
	if t.IsZero() {
		return "—"
	}
	if ms {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// inZone formats t in loc with the zone's abbreviation, or "" without a zone.
func inZone(t time.Time, loc *time.Location) string {
	if t.IsZero() || loc == nil {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// stepTime formats a causal-chain step: the time of day in UTC, with the date
// when it differs from the incident's start date.
func stepTime(t, start time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	t = t.UTC()
	if !start.IsZero() {
		y, m, d := t.Date()
		if sy, sm, sd := start.UTC().Date(); sy == y && sm == m && sd == d {
			return t.Format("15:04:05.000")
		}
	}
	return t.Format("2006-01-02 15:04:05.000")
}

// span formats a UTC range with milliseconds.
func span(a, b time.Time) string {
	if a.IsZero() && b.IsZero() {
		return "—"
	}
	return utc(a, true) + " – " + utc(b, true)
}

// shortDuration is duration without spaces ("5h51m", "2d4h", "45s"), for the
// narrow breaks of the timeline axis.
func shortDuration(d time.Duration) string {
	s := report.FormatDuration(d)
	s = strings.ReplaceAll(s, " min", "m")
	return strings.ReplaceAll(s, " ", "")
}

func bytesText(n int64) string {
	switch {
	case n <= 0:
		return "0"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// oneLine replaces line breaks by " ⏎ " (for titles and table cells).
func oneLine(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	return strings.NewReplacer("\n", " ⏎ ", "\r", " ⏎ ").Replace(s)
}

// backgroundText lists the background counts ("2 application login failures").
func backgroundText(bg map[string]int) string {
	keys := make([]string, 0, len(bg))
	for k := range bg {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", " ")
		if k == "login_failed" {
			name = "application login failures"
			if bg[k] == 1 {
				name = "application login failure"
			}
		}
		parts = append(parts, fmt.Sprintf("%d %s", bg[k], name))
	}
	return strings.Join(parts, ", ")
}
