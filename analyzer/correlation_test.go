package analyzer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
			var got *TimelineEntry
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

// TestOngoingFromRoot: an incident is ongoing only when its root finding
// is, whatever its consequences.
func TestOngoingFromRoot(t *testing.T) {
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	root := &Finding{Rule: ClusterOutageRule.Name, Category: CatClusterOutage, Start: at, End: at.Add(5 * time.Minute), Servers: []string{"A"}, Title: "outage", RootCause: "outage"}
	open := &Finding{Rule: ReplicaDisconnectedRule.Name, Category: CatReplicaDisconnected, Start: at.Add(time.Minute), End: at.Add(3 * time.Hour), Ongoing: true,
		Servers: []string{"B", "A"}, Partner: "A", Key: "A|B", Consequence: "B could not reach A until the end of the logs"}
	incs := buildIncidents([]*Finding{root, open}, Rules)
	if len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
	if incs[0].Ongoing {
		t.Error("incident ongoing because of a consequence")
	}
	if !strings.Contains(incs[0].RootCause, "until the end of the logs") {
		t.Errorf("root cause %q does not name the open disconnection", incs[0].RootCause)
	}
	root.Ongoing = true
	if incs = buildIncidents([]*Finding{root, open}, Rules); !incs[0].Ongoing {
		t.Error("incident not ongoing though its root is")
	}
}

// TestMergeSameCause: the same problem reported from two replicas' logs is
// one finding; different keys stay apart.
func TestMergeSameCause(t *testing.T) {
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	hs := func(server, key string, d time.Duration) *Finding {
		return &Finding{Rule: EndpointHandshakeRule.Name, Category: CatEndpointHandshake, Start: at.Add(d), End: at.Add(d + 10*time.Minute),
			Servers: []string{server, "B"}, Partner: "B", Key: key, Title: key, RootCause: key, Chain: []Step{{Time: at.Add(d), Text: key}}}
	}
	incs := buildIncidents([]*Finding{hs("A", "L|A|84|B", 0), hs("A", "L|A|84|B", 5*time.Minute), hs("A", "L|A|85|B", time.Minute)}, Rules)
	if len(incs) != 2 {
		t.Fatalf("%d incidents, want 2 (State 84 merged, State 85 apart)", len(incs))
	}
	if len(incs[0].Chain) != 2 {
		t.Errorf("merged incident has %d steps, want 2", len(incs[0].Chain))
	}
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
	if len(rep.Incidents) != 1 || rep.Incidents[0].Category != CatLeaseExpiry || rep.Failovers[0].IncidentID != 1 {
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
	if len(none.Failovers) != 1 || none.Failovers[0].Mode != ModeManual || none.Failovers[0].Trigger != all.Failovers[0].Trigger {
		t.Errorf("failovers without rules %+v, with them %+v", none.Failovers, all.Failovers)
	}
	if len(none.Roles) != len(all.Roles) || len(none.Connections) != len(all.Connections) {
		t.Errorf("roles %d/%d, connections %d/%d", len(none.Roles), len(all.Roles), len(none.Connections), len(all.Connections))
	}
}

func TestBetween(t *testing.T) {
	a := time.Date(2025, 1, 1, 14, 22, 41, 100e6, time.UTC)
	if got := between(a, a.Add(300*time.Millisecond)); got != "at 14:22:41 UTC" {
		t.Errorf("between equal ends = %q", got)
	}
	if got := between(a, a.Add(time.Minute)); got != "between 14:22:41 UTC and 14:23:41 UTC" {
		t.Errorf("between = %q", got)
	}
}

// TestEventsOnePassEqualsTwo: events kept from the first pass (small files)
// are the same as those of a second read (large files).
func TestEventsOnePassEqualsTwo(t *testing.T) {
	for _, dir := range []string{"demo", "scenarios/xel-bundle", "scenarios/cluster-lease-cpu", "scenarios/clock-inferred"} {
		files, _ := Collect([]string{filepath.Join("..", "testdata", filepath.FromSlash(dir))})
		run := func(budget int64) []string {
			defer func(b int64) { keepBudget = b }(keepBudget)
			keepBudget = budget
			var out []string
			if _, err := Events(files, Options{}, func(ev *parsers.Event) error {
				out = append(out, fmt.Sprintf("%+v", *ev))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		once, twice := run(1<<40), run(0)
		if len(once) != len(twice) || len(once) == 0 {
			t.Fatalf("%s: %d events in one pass, %d in two", dir, len(once), len(twice))
		}
		for i := range once {
			if once[i] != twice[i] {
				t.Fatalf("%s: event %d differs:\none pass:  %s\ntwo passes: %s", dir, i, once[i], twice[i])
			}
		}
	}
}

// TestFailureConditionLevel: the level comes from the SQLDIAG result, else
// from the collection's settings of the event's AG.
func TestFailureConditionLevel(t *testing.T) {
	withField := &parsers.Event{AG: "AG1", Fields: []parsers.Field{{Name: "failure_condition_level", Value: "5"}}}
	plain := &parsers.Event{AG: "AG1"}
	p := &Pass{settings: []AGSettings{{AG: "AG1", FailureConditionLevel: 3}, {AG: "AG2", FailureConditionLevel: 4}}}
	if got := failureConditionLevel(p, []*parsers.Event{withField}); got != 5 {
		t.Errorf("from the event: %d, want 5", got)
	}
	if got := failureConditionLevel(p, []*parsers.Event{plain}); got != 3 {
		t.Errorf("from the settings: %d, want 3", got)
	}
	if got := failureConditionLevel(&Pass{}, []*parsers.Event{plain}); got != 0 {
		t.Errorf("unknown: %d, want 0", got)
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
