package analyzer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/internal/bigbundle"
	"github.com/agtriage/agtriage/parsers"
)

// writeBundle writes files (relative path -> content) under a new folder.
func writeBundle(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// localClusterLog is a cluster log written with Get-ClusterLog -UseLocalTime
// whose header lost the time zone line: its times are the node's wall clock.
const localClusterLog = "The logs were generated using local time.\r\n" +
	"00000844.00001278::2024/03/12-10:02:11.623 ERR   [QUORUM] Node 3: Lost quorum (3)\r\n" +
	"00000844.00001278::2024/03/12-10:02:11.700 INFO  [QUORUM] Node 3: executing OnStop\r\n"

// TestLocalClusterLogAligned: a cluster log on local time is put on UTC by
// the node's offset from every source that gives one (--utc-offset, the
// ERRORLOG of the same server), and a warning names it when none does.
func TestLocalClusterLogAligned(t *testing.T) {
	wall := time.Date(2024, 3, 12, 10, 2, 11, 623e6, time.UTC)
	errorlog := "2024-03-12 09:00:00.10 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) \r\n" +
		"2024-03-12 09:00:00.10 Server      UTC adjustment: -5:00\r\n" +
		"2024-03-12 09:00:01.20 spid10s     Server name is 'SQLNODE2'. This is an informational message only. No user action is required.\r\n"
	for _, tc := range []struct {
		name     string
		files    map[string]string
		offsets  map[string]time.Duration
		want     time.Time
		local    bool
		warnings string
	}{
		{name: "offset unknown", files: map[string]string{"SQLNODE2/cluster.log": localClusterLog},
			want: wall, local: true, warnings: "its cluster log (written with -UseLocalTime"},
		{name: "--utc-offset", files: map[string]string{"SQLNODE2/cluster.log": localClusterLog},
			offsets: map[string]time.Duration{"SQLNODE2": -5 * time.Hour}, want: wall.Add(5 * time.Hour)},
		{name: "ERRORLOG offset", files: map[string]string{"SQLNODE2/cluster.log": localClusterLog, "SQLNODE2/ERRORLOG": errorlog},
			want: wall.Add(5 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeBundle(t, tc.files)
			rep, err := AnalyzePaths([]string{dir}, Options{UTCOffsets: tc.offsets})
			if err != nil {
				t.Fatal(err)
			}
			var got *report.TimelineEntry
			for i, e := range rep.Timeline {
				if e.Kind == string(parsers.KindQuorumLost) {
					got = &rep.Timeline[i]
				}
			}
			if got == nil {
				t.Fatalf("no quorum loss in the timeline: %+v", rep.Timeline)
			}
			if !got.Time.Equal(tc.want) || got.Local != tc.local {
				t.Errorf("quorum loss at %s (local clock %v), want %s (%v)", got.Time, got.Local, tc.want, tc.local)
			}
			warn := strings.Join(rep.Warnings, "\n")
			if tc.warnings == "" && strings.Contains(warn, "UTC offset") {
				t.Errorf("unexpected warning: %s", warn)
			}
			if tc.warnings != "" && !strings.Contains(warn, tc.warnings) {
				t.Errorf("warnings %q do not mention %q", warn, tc.warnings)
			}
		})
	}
}

// TestEventsOwnCopies: analyzer.Events hands each call an event of its own,
// which the caller may keep (the readers reuse theirs).
func TestEventsOwnCopies(t *testing.T) {
	files, _ := Collect([]string{filepath.Join("..", "testdata", "demo")})
	var kept []*parsers.Event
	var texts []string
	if _, err := Events(files, Options{}, func(ev *parsers.Event) error {
		kept = append(kept, ev)
		texts = append(texts, ev.Message+"|"+ev.Time.String())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(kept) < 100 {
		t.Fatalf("only %d events", len(kept))
	}
	seen := map[*parsers.Event]bool{}
	for i, ev := range kept {
		if seen[ev] {
			t.Fatalf("event %d is a pointer handed out before", i)
		}
		seen[ev] = true
		if got := ev.Message + "|" + ev.Time.String(); got != texts[i] {
			t.Fatalf("event %d changed after the call: %q, was %q", i, got, texts[i])
		}
	}
}

// TestTimelineStormRange: a storm of hours is one timeline entry that says
// when it ended, not a one-minute entry.
func TestTimelineStormRange(t *testing.T) {
	rep := analyzeDir(t, filepath.Join("..", "testdata", "scenarios", "restart-long-disconnect"))
	for _, e := range rep.Timeline {
		if e.Error == 35201 && e.Server == "SQLOPS02" {
			if e.Count < 300 || e.Last.Sub(e.Time) < 3*time.Hour {
				t.Errorf("connection-timeout storm: %d events from %s to %s, want ~376 over 3 h", e.Count, e.Time, e.Last)
			}
			return
		}
	}
	t.Error("no connection-timeout entry in the timeline")
}

// TestSingleReplicaFailover: one replica's ERRORLOG whose primary loses its
// role after a lease expiry, with megabytes of noise around it, is one
// failover with an unknown target and one incident.
func TestSingleReplicaFailover(t *testing.T) {
	dir := t.TempDir()
	if _, err := bigbundle.WriteReplica(dir, 0, 4<<20); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failovers) != 1 || rep.Failovers[0].From != bigbundle.Replicas[0] || rep.Failovers[0].To != "" {
		t.Fatalf("failovers %+v, want one from %s to an unknown replica", rep.Failovers, bigbundle.Replicas[0])
	}
	if len(rep.Incidents) != 1 || rep.Incidents[0].Category != report.CatLeaseExpiry || rep.Failovers[0].IncidentID != 1 {
		t.Fatalf("incidents %s, want one lease expiry holding the failover", describe(rep.Incidents))
	}
	if rep.Background["login_failed"] == 0 {
		t.Error("the application login failures are not counted as background")
	}
	for _, e := range rep.Timeline {
		if e.Kind == string(parsers.KindLoginFailed) {
			t.Fatalf("application login failure in the timeline: %s", e.Text)
		}
	}
}

// TestReportWithoutRules: the failovers, their modes and triggers, the roles
// and the connection windows do not depend on which rules ran.
func TestReportWithoutRules(t *testing.T) {
	dir := filepath.Join("..", "testdata", "scenarios", "manual-failover")
	all := analyzeDir(t, dir)
	none, err := AnalyzePaths([]string{dir}, Options{Rules: []*Rule{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Incidents) != 0 {
		t.Errorf("%d incidents without rules", len(none.Incidents))
	}
	if len(none.Failovers) != 1 || none.Failovers[0].Mode != report.ModeManual || none.Failovers[0].Trigger != all.Failovers[0].Trigger {
		t.Errorf("failovers without rules %+v, with them %+v", none.Failovers, all.Failovers)
	}
	if len(none.Roles) != len(all.Roles) || len(none.Connections) != len(all.Connections) {
		t.Errorf("roles %d/%d, connections %d/%d", len(none.Roles), len(all.Roles), len(none.Connections), len(all.Connections))
	}
}

// TestClusterLogWithoutHeader: a cluster log whose header was cut is taken
// as UTC, and when its server runs on another offset the report says that
// its times may be off by it.
func TestClusterLogWithoutHeader(t *testing.T) {
	errorlog := "2024-03-12 09:00:00.10 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) \r\n" +
		"2024-03-12 09:00:00.10 Server      UTC adjustment: -7:00\r\n" +
		"2024-03-12 09:00:01.20 spid10s     Server name is 'SQLNODE2'. This is an informational message only. No user action is required.\r\n"
	body := "00000844.00001278::2024/03/12-10:02:11.623 ERR   [QUORUM] Node 3: Lost quorum (3)\r\n"
	for _, tc := range []struct {
		name, clusterlog string
		warn             bool
	}{
		{"no header", body, true},
		{"UTC header", "The logs were generated using Coordinated Universal Time (UTC). 'Get-ClusterLog -UseLocalTime' will generate in local time.\r\n" + body, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeBundle(t, map[string]string{"SQLNODE2/cluster.log": tc.clusterlog, "SQLNODE2/ERRORLOG": errorlog})
			rep, err := AnalyzePaths([]string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(strings.Join(rep.Warnings, "\n"), "do not say whether its times are UTC or local")
			if got != tc.warn {
				t.Errorf("warning %v, want %v: %v", got, tc.warn, rep.Warnings)
			}
		})
	}
}

// TestWindowCutsScope: with --since/--until the report's scope, the servers'
// coverage and the role spans stay inside the window, and the report says
// which window it was limited to.
func TestWindowCutsScope(t *testing.T) {
	dir := filepath.Join("..", "testdata", "demo")
	all := analyzeDir(t, dir)
	since := time.Date(2024, 3, 12, 12, 0, 0, 0, time.UTC)
	until := time.Date(2024, 3, 12, 13, 30, 0, 0, time.UTC)
	if !all.Start.Before(since) || !all.End.After(until) {
		t.Fatalf("the demo (%s – %s) does not extend beyond the window", all.Start, all.End)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{Since: since, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Start.Equal(since) || !rep.End.Equal(until) || !rep.Since.Equal(since) || !rep.Until.Equal(until) {
		t.Errorf("scope %s – %s, window %s – %s", rep.Start, rep.End, rep.Since, rep.Until)
	}
	for _, sv := range rep.Servers {
		if !sv.Start.IsZero() && (sv.Start.Before(since) || sv.End.After(until)) {
			t.Errorf("server %s covered %s – %s, outside the window", sv.Name, sv.Start, sv.End)
		}
	}
	if len(rep.Roles) == 0 {
		t.Fatal("no role spans in the window")
	}
	for _, sp := range rep.Roles {
		if sp.Start.Before(since) || sp.End.After(until) {
			t.Errorf("role span %s %s %s – %s outside the window", sp.Server, sp.Role, sp.Start, sp.End)
		}
	}
	var md bytes.Buffer
	if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**Window:** from 2024-03-12 12:00:00 UTC to 2024-03-12 13:30:00 UTC") {
		t.Errorf("the Markdown does not name the window:\n%s", md.String()[:min(md.Len(), 1200)])
	}
}

// TestUnknownClockCoverage: a server whose clock is unknown keeps its
// events on local time, and what its files cover is given on the same
// clock, from their first record (not only from the events kept).
func TestUnknownClockCoverage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case")
	os.MkdirAll(dir, 0o755)
	log := "2024-03-12 02:14:00.00 spid9s      Starting up database 'master'.\r\n" +
		"2024-03-12 02:15:00.00 spid30s     The availability group database \"SalesDB\" is changing roles from \"SECONDARY\" to \"RESOLVING\" because the mirroring session or availability group failed over due to role synchronization. This is an informational message only. No user action is required.\r\n"
	if err := os.WriteFile(filepath.Join(dir, "ERRORLOG"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2024, 3, 12, 2, 14, 0, 0, time.UTC)
	if !rep.Start.Equal(first) || len(rep.Inputs) != 1 || !rep.Inputs[0].Start.Equal(first) {
		t.Errorf("covered from %s (input from %v), want %s", rep.Start, rep.Inputs[0].Start, first)
	}
	if len(rep.Servers) != 1 || rep.Servers[0].Clock != report.ClockUnknown {
		t.Errorf("servers %+v", rep.Servers)
	}
}

// TestUnknownClockWithoutAGEvents: an ERRORLOG without a "UTC adjustment"
// line and without any AG event is still on local time. The server's clock
// is unknown, not "ERRORLOG times already converted", and its file and its
// coverage say so.
func TestUnknownClockWithoutAGEvents(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "SQLAG01")
	os.MkdirAll(dir, 0o755)
	log := "2024-03-12 02:14:00.00 spid9s      Starting up database 'master'.\r\n" +
		"2024-03-12 02:14:05.00 spid9s      Recovery is complete. This is an informational message only. No user action is required.\r\n"
	if err := os.WriteFile(filepath.Join(dir, "ERRORLOG"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Servers) != 1 || rep.Servers[0].Clock != report.ClockUnknown {
		t.Fatalf("servers %+v, want one whose clock is unknown", rep.Servers)
	}
	if len(rep.Inputs) != 1 || !rep.Inputs[0].LocalClock {
		t.Errorf("input %+v: want it marked as on a local clock", rep.Inputs)
	}
	if note := rep.LocalClockNote(); !strings.Contains(note, "SQLAG01") {
		t.Errorf("coverage note %q does not name the server", note)
	}
	var md strings.Builder
	if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "already converted") || !strings.Contains(md.String(), "(local clock)") {
		t.Errorf("the Markdown report does not say the times are local:\n%s", md.String())
	}
}
