package report

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
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

// Title is the category's name for a reader ("WSFC cluster outage"); a
// category of a rule from outside the module reads as its words
// ("slow_failover": "Slow failover").
func (c Category) Title() string {
	switch c {
	case CatClusterOutage:
		return "WSFC cluster outage"
	case CatLeaseExpiry:
		return "Lease expiry"
	case CatHealthCheck:
		return "Health check failure"
	case CatFailover:
		return "Failover"
	case CatFailedFailover:
		return "Failed failover"
	case CatReplicaDisconnected:
		return "Replica disconnected"
	case CatEndpointHandshake:
		return "Endpoint handshake failure"
	case CatEndpointOwnership:
		return "Endpoint ownership"
	case CatDataMovement:
		return "Data movement suspended"
	case CatRestart:
		return "Instance restart"
	case CatLogFull:
		return "Transaction log full"
	case CatNotSynchronizing:
		return "Database not synchronizing"
	case CatCrash:
		return "Crash"
	case "":
		return "Incident"
	}
	return words.UpperFirst(strings.ReplaceAll(string(c), "_", " ")) // a rule of the caller's
}

// Attribution says in words how the file was attributed to its server
// (AttributedBy): "named in the log", "from the folder name", ...
func (in *Input) Attribution() string {
	switch in.AttributedBy {
	case "log":
		return "named in the log"
	case "folder":
		return "from the folder name"
	case "override":
		return "given with --server"
	case "sibling":
		return "like its sibling files"
	}
	return in.AttributedBy
}

// Window words the time window the analysis was limited to (--since,
// --until): "from 2024-03-12 12:00:00 UTC (--since)"; "" when it was not.
func (r *Report) Window() string {
	at := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }
	switch {
	case r.Since.IsZero() && r.Until.IsZero():
		return ""
	case r.Until.IsZero():
		return "from " + at(r.Since) + " (--since)"
	case r.Since.IsZero():
		return "until " + at(r.Until) + " (--until)"
	}
	return "from " + at(r.Since) + " to " + at(r.Until) + " (--since, --until)"
}

// ClockSentence says in plain words how the server's times were put on UTC
// ("UTC offset -05:00 read from the ERRORLOG "UTC adjustment" line.").
func (s *Server) ClockSentence() string {
	off := "UTC offset " + cmp.Or(s.UTCOffset, "?")
	detail := strings.TrimSpace(s.ClockDetail)
	var out string
	switch s.Clock {
	case ClockErrorlog:
		out = off + ` read from the ERRORLOG "UTC adjustment" line`
	case ClockOverride:
		out = off + " given by the user (--utc-offset)"
	case ClockInferred:
		out = off + " inferred"
		if detail != "" {
			if !strings.HasPrefix(detail, "from ") && !strings.HasPrefix(detail, "by ") {
				detail = "from " + detail
			}
			out += " " + detail
			detail = ""
		} else {
			out += " from matching ERRORLOG/XEvent events"
		}
	case ClockUTC:
		out = "UTC sources only (Extended Events, cluster log or Windows event log), no conversion needed"
	case ClockUnknown:
		out = "clock unknown: times are kept on local time, so ordering against other servers is uncertain"
	case "":
		out = "clock not reported"
	default:
		out = "clock " + string(s.Clock)
		if s.UTCOffset != "" {
			out += ", " + off
		}
	}
	if detail != "" {
		out += " (" + detail + ")"
	}
	return out + "."
}

// Repeats labels an entry that stands for repeats of one message: "(×376
// until 05:11:55)" (the date too when the last falls on another day),
// "(×3)" when they fell within a second, "" for a single event.
func (e *TimelineEntry) Repeats() string {
	switch {
	case e.Count > 1 && e.Last.Sub(e.Time) >= time.Second:
		until := e.Last.UTC().Format("15:04:05")
		if e.Last.UTC().Format("20060102") != e.Time.UTC().Format("20060102") {
			until = e.Last.UTC().Format("2006-01-02 15:04:05")
		}
		return fmt.Sprintf("(×%d until %s)", e.Count, until)
	case e.Count > 1:
		return fmt.Sprintf("(×%d)", e.Count)
	}
	return ""
}

// LocalClockNote is what the report's coverage adds when some servers'
// times could not be put on UTC: " (the times of SQLB are on its local
// clock: its UTC offset is unknown)", or "" when every clock is known.
func (r *Report) LocalClockNote() string {
	var names []string
	for _, s := range r.Servers {
		if s.Clock == ClockUnknown {
			names = append(names, s.Name)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " (the times of " + names[0] + " are on its local clock: its UTC offset is unknown)"
	}
	return " (the times of " + strings.Join(names, ", ") + " are on their local clocks: their UTC offsets are unknown)"
}
