package report

import (
	"fmt"
	"time"
)

// FormatDuration formats d the way every part of a report words a duration:
// "350 ms", "42 s", "4 min 12 s", "2 h 5 min", "3 d 4 h". The sign is dropped.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return pair(int(d/time.Minute), "min", int(d%time.Minute/time.Second), "s")
	case d < 24*time.Hour:
		return pair(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "min")
	}
	return pair(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "h")
}

func pair(a int, ua string, b int, ub string) string {
	if b == 0 {
		return fmt.Sprintf("%d %s", a, ua)
	}
	return fmt.Sprintf("%d %s %d %s", a, ua, b, ub)
}

// Length is how long the incident lasted: Duration when set, else End-Start
// (0 when neither is known).
func (in *Incident) Length() time.Duration {
	if in.Duration > 0 {
		return time.Duration(in.Duration * float64(time.Second))
	}
	if !in.Start.IsZero() && in.End.After(in.Start) {
		return in.End.Sub(in.Start)
	}
	return 0
}
