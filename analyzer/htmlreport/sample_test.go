package htmlreport

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
)

// sampleReport has one of everything the page shows: two AGs, a replica
// without logs, a failover without a known target, an open connection
// window, a cluster outage in the timeline, a skipped and an ignored file,
// warnings and background counts.
func sampleReport() *report.Report {
	t0 := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	at := func(min, sec int) time.Time {
		return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	ev := func(file string, line int, server string, tm time.Time, text string) report.Evidence {
		return report.Evidence{File: file, Line: line, Server: server, Time: tm, Text: text}
	}
	return &report.Report{
		Tool:      "agtriage test",
		Start:     at(0, 0),
		End:       at(40, 0),
		AGs:       []string{"AG1", "AG2"},
		Databases: []string{"SalesDB"},
		Servers: []report.Server{
			{Name: "SQLA", Clock: report.ClockErrorlog, UTCOffset: "-05:00", Files: []string{"a/ERRORLOG"}, Start: at(0, 0), End: at(40, 0)},
			{Name: "SQLB", Clock: report.ClockUnknown, Aliases: []string{"sqlb.corp"}, Files: []string{"b/ERRORLOG"}, Start: at(1, 0), End: at(39, 0), Restarts: 1},
		},
		Inputs: []report.Input{
			{File: "a/ERRORLOG", Format: "errorlog", Encoding: "utf-16le", Server: "SQLA", AttributedBy: "log", Bytes: 1000, Events: 10, Start: at(0, 0), End: at(40, 0)},
			{File: "b/ERRORLOG", Format: "errorlog", Encoding: "utf-8", Server: "SQLB", AttributedBy: "folder", Bytes: 900, Events: 8, Unrecognized: 1,
				Start: at(1, 0), End: at(39, 0), LocalClock: true, Warnings: []string{"line 7: truncated record"}, TotalWarnings: 3},
			{File: "b/broken.xel", Skipped: "not a complete .xel file"},
			{File: "notes.txt", Skipped: "text, but not a log", Ignored: true},
		},
		Incidents: []report.Incident{{
			ID: 1, Category: report.CatClusterOutage, Title: "WSFC outage on SQLA", Start: at(10, 0), End: at(14, 0), Duration: 240,
			AGs: []string{"AG1"}, Servers: []string{"SQLA", "SQLB"}, Databases: []string{"SalesDB"},
			RootCause: "The WSFC service on SQLA became unavailable.", Summary: "The cluster was down on SQLA for 4 min.",
			Chain: []report.Step{
				{Time: at(10, 0), Server: "SQLA", Text: "WSFC unavailable.", Evidence: []report.Evidence{ev("a/ERRORLOG", 34, "SQLA", at(10, 0), "2024-03-12 02:10:00.00 Server      Local WSFC service has become unavailable.")}},
				{Time: at(10, 5), Server: "SQLB", Text: "SQLB became primary.", Evidence: []report.Evidence{{File: "b/x.xel", Offset: 4096, Server: "SQLB", Time: at(10, 5), Count: 3, Last: at(10, 9), Text: "state change\r\nsecond line"}}},
			},
			Fix:        report.Fix{SQL: []string{"SELECT 1;\nGO"}, Steps: []string{"Check the cluster network."}},
			Confidence: report.Certain, ConfidenceReason: "both sides logged it", Rules: []string{"wsfc_outage"}, Severity: 90, ClientErrors: 2,
		}, {
			ID: 2, Category: report.CatFailover, Title: "Manual failover of AG2", Start: at(30, 0), End: at(30, 2), Duration: 2, Ongoing: true,
			AGs: []string{"AG2"}, RootCause: "A DBA failed AG2 over.", Confidence: report.Likely, Severity: 30,
		}},
		Failovers: []report.Failover{
			{AG: "AG1", From: "SQLA", To: "SQLB", At: at(10, 5), Mode: report.ModeAutomatic, NoPrimary: 5, Trigger: "WSFC unavailable", IncidentID: 1},
			{AG: "AG2", From: "SQLB", To: "SQLC", At: at(30, 1), Mode: report.ModeManual, IncidentID: 2},
			{AG: "AG2", From: "SQLC", At: at(35, 0), Mode: report.ModeUnknown},
		},
		Connections: []report.ConnectionWindow{
			{AG: "AG1", Server: "SQLB", Partner: "SQLA", Start: at(10, 1), End: at(13, 0), Databases: []string{"SalesDB"}, Cause: "incident 1"},
			{AG: "AG2", Server: "SQLB", Partner: "SQLC", Start: at(36, 0)},
		},
		Roles: []report.RoleSpan{
			{AG: "AG1", Server: "SQLA", Role: report.RolePrimary, Start: at(0, 0), End: at(10, 1)},
			{AG: "AG1", Server: "SQLA", Role: report.RoleResolving, Start: at(10, 1), End: at(14, 0)},
			{AG: "AG1", Server: "SQLA", Role: report.RoleSecondary, Start: at(14, 0), End: at(40, 0)},
			{AG: "AG1", Server: "SQLB", Role: report.RoleDown, Start: at(1, 0), End: at(1, 30)},
			{AG: "AG1", Server: "SQLB", Role: report.RoleSecondary, Start: at(1, 30), End: at(10, 5)},
			{AG: "AG1", Server: "SQLB", Role: report.RolePrimary, Start: at(10, 5), End: at(39, 0)},
			{AG: "AG2", Server: "SQLB", Role: report.RolePrimary, Start: at(1, 30), End: at(30, 1)},
			{AG: "AG2", Server: "SQLB", Role: report.RoleSecondary, Start: at(30, 1), End: at(39, 0)},
			{AG: "AG2", Server: "SQLB", Role: "weird", Start: at(39, 0), End: at(39, 0)},
		},
		Timeline: []report.TimelineEntry{
			{Time: at(10, 0), Server: "SQLA", Kind: "cluster_unavailable", Error: 41048, Text: "Local WSFC service has become unavailable.", Position: "a/ERRORLOG:34", Incident: 1},
			{Time: at(10, 5), Server: "SQLB", Kind: "replica_state_change", Error: 19406, Text: "state change", Count: 3, Last: at(10, 9), Position: "b/x.xel@4096", Incident: 1, Local: true},
			{Time: at(13, 50), Server: "SQLA", Kind: "cluster_online", Error: 41051, Text: "Local WSFC service started.", Position: "a/ERRORLOG:50"},
			{Time: at(36, 0), Server: "SQLB", Kind: "quorum_lost", Text: "quorum lost", Position: "b/ERRORLOG:90"},
		},
		TimelineDropped: 5,
		Background:      map[string]int{"login_failed": 2},
		Gaps:            []string{"SQLC has no logs in the bundle"},
		Warnings:        []string{"clock of SQLB unknown"},
	}
}

// longReport generates a Report of five replicas over three weeks: the
// primary moves at each of a dozen failovers, instances restart, partners
// disconnect, a cluster outage comes and goes, and hundreds of events belong
// to the incidents. It is deterministic.
func longReport() *report.Report {
	rng := rand.New(rand.NewPCG(15, 2024))
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(21 * 24 * time.Hour)
	servers := []string{"SQLPROD01", "SQLPROD02", "SQLPROD03", "SQLDR04", "SQLDR05"}
	r := &report.Report{Tool: "agtriage test", Start: t0, End: t1, AGs: []string{"AGPROD"}, Databases: []string{"Orders", "Billing"}}
	for _, s := range servers {
		r.Servers = append(r.Servers, report.Server{Name: s, Clock: report.ClockErrorlog, UTCOffset: "+00:00", Start: t0, End: t1,
			Files: []string{s + "/ERRORLOG"}})
		r.Inputs = append(r.Inputs, report.Input{File: s + "/ERRORLOG", Format: "errorlog", Encoding: "utf-16le", Server: s, Events: 5000, Start: t0, End: t1})
	}
	primary := 0
	since := make([]time.Time, len(servers))
	roles := make([]report.Role, len(servers))
	for i := range servers {
		since[i] = t0
		roles[i] = report.RoleSecondary
	}
	roles[0] = report.RolePrimary
	setRole := func(i int, role report.Role, at time.Time) {
		if roles[i] == role {
			return
		}
		r.Roles = append(r.Roles, report.RoleSpan{AG: "AGPROD", Server: servers[i], Role: roles[i], Start: since[i], End: at})
		roles[i], since[i] = role, at
	}
	at := t0.Add(20 * time.Hour)
	id := 0
	for at.Before(t1.Add(-20 * time.Hour)) {
		id++
		next := (primary + 1 + rng.IntN(len(servers)-1)) % len(servers)
		start := at.Add(time.Duration(rng.IntN(3600)) * time.Second)
		length := time.Duration(30+rng.IntN(1800)) * time.Second
		fo := start.Add(time.Duration(5+rng.IntN(20)) * time.Second)
		mode := []report.Mode{report.ModeAutomatic, report.ModeManual, report.ModeAutomatic, report.ModeForced}[rng.IntN(4)]
		cat := report.CatLeaseExpiry
		if mode == report.ModeManual {
			cat = report.CatFailover
		}
		for i := range servers {
			setRole(i, report.RoleResolving, fo.Add(-2*time.Second))
		}
		for i := range servers {
			role := report.RoleSecondary
			if i == next {
				role = report.RolePrimary
			}
			setRole(i, role, fo.Add(time.Duration(1+i)*time.Second))
		}
		r.Failovers = append(r.Failovers, report.Failover{AG: "AGPROD", From: servers[primary], To: servers[next], At: fo, Mode: mode,
			NoPrimary: 3, Trigger: "lease expired", IncidentID: id})
		in := report.Incident{ID: id, Category: cat, Title: fmt.Sprintf("Failover of AGPROD from %s to %s", servers[primary], servers[next]),
			Start: start, End: start.Add(length), Duration: length.Seconds(), AGs: []string{"AGPROD"}, Servers: []string{servers[primary], servers[next]},
			RootCause: "The lease of AGPROD expired on " + servers[primary] + ".", Confidence: report.Likely, Severity: 40 + rng.IntN(50)}
		for k := 0; k < 30; k++ {
			tm := start.Add(time.Duration(k) * length / 30)
			srv := servers[rng.IntN(len(servers))]
			in.Chain = append(in.Chain, report.Step{Time: tm, Server: srv, Text: "step"})
			r.Timeline = append(r.Timeline, report.TimelineEntry{Time: tm, Server: srv, Kind: "connection_timeout", Error: 35206,
				Text: "A connection timeout has occurred on a previously established connection.", Position: srv + "/ERRORLOG:1", Incident: id})
		}
		r.Incidents = append(r.Incidents, in)
		for i := range servers {
			if i != next && rng.IntN(3) == 0 {
				r.Connections = append(r.Connections, report.ConnectionWindow{AG: "AGPROD", Server: servers[i], Partner: servers[next],
					Start: fo, End: fo.Add(time.Duration(10+rng.IntN(600)) * time.Second), Cause: "failover"})
			}
		}
		if rng.IntN(3) == 0 {
			dr := 3 + rng.IntN(2)
			down := fo.Add(time.Duration(2+rng.IntN(8)) * time.Hour)
			if roles[dr] != report.RolePrimary {
				setRole(dr, report.RoleDown, down)
				setRole(dr, report.RoleSecondary, down.Add(3*time.Minute))
			}
		}
		primary = next
		at = at.Add(time.Duration(30+rng.IntN(20)) * time.Hour)
	}
	out := t0.Add(9*24*time.Hour + 3*time.Hour)
	r.Timeline = append(r.Timeline,
		report.TimelineEntry{Time: out, Server: servers[1], Kind: "cluster_unavailable", Error: 41048, Text: "Local WSFC service has become unavailable.", Position: "x:1"},
		report.TimelineEntry{Time: out.Add(40 * time.Minute), Server: servers[1], Kind: "cluster_online", Error: 41051, Text: "Local WSFC service started.", Position: "x:2"})
	for i := range servers {
		setRole(i, "", t1)
	}
	slices.SortStableFunc(r.Timeline, func(a, b report.TimelineEntry) int { return a.Time.Compare(b.Time) })
	return r
}
