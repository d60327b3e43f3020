package report

import (
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
