package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// logLine is one ERRORLOG record's first line with its UTC time.
type logLine struct {
	at       time.Time
	src      string
	text     string
	nextText string // text of the following record (for Error: headers)
}

// utcLines decodes a replica's ERRORLOG and returns its records with UTC times.
func utcLines(t *testing.T, r *scenario.Replica, files map[string][]byte) []logLine {
	t.Helper()
	data, ok := files[filepath.Join(r.Host, "ERRORLOG")]
	if !ok {
		t.Fatalf("%s: no ERRORLOG", r.Host)
	}
	var out []logLine
	for _, l := range decodeErrorlog(t, r.Host+"/ERRORLOG", data) {
		m := stampRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		local, err := time.Parse("2006-01-02 15:04:05.00", m[1])
		if err != nil {
			t.Fatalf("%s: %q: %v", r.Host, m[1], err)
		}
		if n := len(out); n > 0 && out[n-1].nextText == "" {
			out[n-1].nextText = m[3]
		}
		out = append(out, logLine{at: local.Add(-r.Offset), src: strings.TrimRight(m[2], " "), text: m[3]})
	}
	return out
}

// TestLogFullDisconnectedStory checks the timeline the log-full-disconnected
// bundle must tell: the secondary is silent while unreachable, the primary
// loses it once, the 9002 pairs name AVAILABILITY_REPLICA and stop when the
// secondary reconnects, and nothing else happens to the AG.
func TestLogFullDisconnectedStory(t *testing.T) {
	b := logFullDisconnected()
	files, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Replicas) != 2 {
		t.Fatalf("%d replicas", len(b.Replicas))
	}
	r1, r2 := b.Replicas[0], b.Replicas[1]
	quiet0, quiet1 := utc("2024-05-14 03:10:00"), utc("2024-05-14 06:05:00")

	for _, l := range utcLines(t, r2, files) {
		if !l.at.Before(quiet0) && l.at.Before(quiet1) {
			t.Errorf("SQLAG02 logs %q at %s, while unreachable", l.text, l.at)
		}
	}
	for _, d := range replicaXE(t, r2, files) {
		at, _ := time.Parse("2006-01-02T15:04:05.000Z", d.Timestamp)
		if !at.Before(quiet0) && at.Before(quiet1) {
			t.Errorf("SQLAG02 XEvent %s at %s, while unreachable", d.Name, at)
		}
	}

	var lost, reconnected time.Time
	var full []logLine
	terminated := 0
	for _, l := range utcLines(t, r1, files) {
		switch {
		case strings.HasPrefix(l.text, "Error: 9002, Severity: 17, State: 9."):
			if l.nextText != msgLogFull("SalesDB") {
				t.Errorf("9002 header at %s followed by %q", l.at, l.nextText)
			}
			full = append(full, l)
		case strings.HasPrefix(l.text, "A connection timeout has occurred on a previously established connection to availability replica 'SQLAG02'"):
			if !lost.IsZero() {
				t.Errorf("second 35206 at %s", l.at)
			}
			lost = l.at
		case strings.Contains(l.text, "connection with secondary database terminated"):
			terminated++
		case strings.HasPrefix(l.text, "A connection for availability group 'AGShop' from availability replica 'SQLAG01'") && strings.Contains(l.text, "to 'SQLAG02'"):
			reconnected = l.at
		case strings.Contains(l.text, "has changed from") || strings.Contains(l.text, "Windows Server Failover Clustering"):
			t.Errorf("SQLAG01: unexpected state change or WSFC line at %s: %q", l.at, l.text)
		}
	}
	if lost.Before(quiet0) || lost.After(quiet0.Add(time.Minute)) {
		t.Errorf("35206 at %s, want just after %s", lost, quiet0)
	}
	if terminated != 2 {
		t.Errorf("%d 35267 lines, want one per database (2)", terminated)
	}
	if reconnected.Before(quiet1) || reconnected.After(quiet1.Add(time.Minute)) {
		t.Errorf("35202 on SQLAG01 at %s, want just after %s", reconnected, quiet1)
	}
	if len(full) < 8 || len(full) > 12 {
		t.Errorf("%d 9002 pairs, want about 10", len(full))
	}
	for i, l := range full {
		if l.at.Before(utc("2024-05-14 05:20:00")) || !l.at.Before(reconnected) {
			t.Errorf("9002 at %s: outside 05:20 .. reconnection %s", l.at, reconnected)
		}
		if i > 0 {
			if gap := l.at.Sub(full[i-1].at); gap < 2*time.Minute || gap > 8*time.Minute {
				t.Errorf("9002 at %s: %s after the previous one", l.at, gap)
			}
		}
		if !strings.HasPrefix(l.src, "spid") || strings.HasSuffix(l.src, "s") {
			t.Errorf("9002 at %s from %q, want a user session", l.at, l.src)
		}
	}

	e := b.Expected
	if len(e.Incidents) != 1 || e.Incidents[0].Category != "replica_disconnected" || e.Incidents[0].Server != "SQLAG01" || e.Incidents[0].AG != "AGShop" {
		t.Errorf("incidents %+v", e.Incidents)
	}
	if len(e.Failovers) != 0 {
		t.Errorf("failovers %+v, want none", e.Failovers)
	}
}
