package rules

import (
	"regexp"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// shutdownRE finds the local time and date in EventLog 6008's message ("The
// previous system shutdown at 2:10:01 AM on 6/3/2025 was unexpected."),
// which Windows writes at the next boot in the machine's own format.
var shutdownRE = regexp.MustCompile(`(?i)shutdown at (.+?) on (.+?) was unexpected`)

// crashTime returns when the host went down, from a 6008 logged at boot:
// its local time and date, put on UTC with the server's offset. The date's
// order (month/day or day/month) is the one that puts the crash closest
// before the boot. It returns false for other events, unparsable text or an
// unknown offset.
func crashTime(ev *parsers.Event, offset string) (time.Time, bool) {
	m := shutdownRE.FindStringSubmatch(ev.Message)
	if m == nil {
		return time.Time{}, false
	}
	off, ok := parsers.ParseUTCAdjustment(offset)
	if !ok {
		return time.Time{}, false
	}
	clean := func(s string) string {
		// Event Viewer's text holds left-to-right marks around each part.
		return strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '\u200e' || r == '\u200f' || r == '\u202a' || r == '\u202c' || r == '\u00a0' {
				return -1
			}
			return r
		}, s))
	}
	tod, ok := clockTime(clean(m[1]))
	if !ok {
		return time.Time{}, false
	}
	var best time.Time
	for _, day := range dates(clean(m[2])) {
		t := day.Add(tod).Add(-off)
		if t.After(ev.Time) || ev.Time.Sub(t) > 7*24*time.Hour {
			continue // after the boot that logged it, or implausibly long before
		}
		if best.IsZero() || t.After(best) {
			best = t
		}
	}
	return best, !best.IsZero()
}

// clockTime parses "2:10:01 AM", "14:10:01", "14:10" as a duration since
// midnight.
func clockTime(s string) (time.Duration, bool) {
	for _, layout := range []string{"3:04:05 PM", "3:04:05PM", "15:04:05", "3:04 PM", "15:04", "15.04.05"} {
		if t, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, true
		}
	}
	return 0, false
}

// dates returns the days s can mean: "6/3/2025" is June 3 or 6 March,
// "2025-06-03" and "03.06.2025" one day each.
func dates(s string) []time.Time {
	var out []time.Time
	for _, layout := range []string{"1/2/2006", "2/1/2006", "2006-01-02", "2006/1/2", "2.1.2006", "2-1-2006", "1/2/06", "2/1/06"} {
		if t, err := time.Parse(layout, s); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// serverOffset returns the UTC offset of server as the report gives it ("" when unknown).
func serverOffset(p *rule.Pass, server string) string {
	for _, sv := range p.Servers {
		if strings.EqualFold(sv.Name, server) {
			return sv.UTCOffset
		}
	}
	return ""
}
