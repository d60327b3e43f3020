package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/agstate"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// ClusterOutageRule finds periods during which a node's WSFC service or node
// membership was gone.
var ClusterOutageRule = &rule.Rule{
	Name:     "cluster-outage",
	Category: report.CatClusterOutage,
	Rank:     10,
	Doc:      clusterOutageDoc,
	Run:      runClusterOutage,
}

const clusterOutageDoc = `Finds WSFC outages as SQL Server saw them, per node: 41048 (local WSFC service unavailable),
41049 (node no longer online) and 41092 (replica manager offline because the node lost quorum) open
an outage; 41050-41054 show recovery progress and 41055 (node online) closes it. Storms of the same
message (a real log has 141 lost-quorum lines in one second) are one outage. Cluster API errors
(41005, 41022, 41034 ...) inside the window are evidence. Fix: read the cluster log and System event
log of the node for the window (node removed 1135, quorum lost 1177), check heartbeat networks and
the quorum witness.`

// concerns returns the server an outage event is about: a node-removal
// message (1135) is logged by the surviving nodes about the removed one.
func concerns(p *rule.Pass, ev *parsers.Event) string {
	if ev.Kind == parsers.KindNodeRemoved {
		if n := ev.Field("node"); n != "" {
			return p.Canonical(n)
		}
		if ev.Replica != "" {
			return p.Canonical(ev.Replica)
		}
	}
	return ev.Server
}

func runClusterOutage(p *rule.Pass) {
	evs := p.Filter(parsers.KindClusterUnavailable, parsers.KindQuorumLost, parsers.KindClusterWaiting,
		parsers.KindClusterOnline, parsers.KindClusterError, parsers.KindNodeRemoved, parsers.KindRHSTerminated)
	m := map[string][]*parsers.Event{}
	var servers []string
	for _, ev := range evs {
		sv := concerns(p, ev)
		if _, ok := m[sv]; !ok {
			servers = append(servers, sv)
		}
		m[sv] = append(m[sv], ev)
	}
	sort.Strings(servers)
	normal := p.Filter(parsers.KindReplicaStateChange)
	for _, sv := range servers {
		var cur []*parsers.Event
		open := false
		var onlineAt time.Time // when 41055 (node online) was last seen in the open outage
		// flush ends the open episode. An episode ends at the event that
		// ends it (41055); a silence or the end of the logs ends it with an
		// unknown end, unless SQL Server shows the node back (41051/41053,
		// or a replica of this server NORMAL again), and it is ongoing only
		// when the logs end with nothing of the kind.
		flush := func(atEnd bool) {
			if !open {
				return
			}
			end := episodeEnd{}
			switch {
			case !onlineAt.IsZero():
				end.at = onlineAt
			default:
				last := cur[len(cur)-1].Time
				for _, ev := range m[sv] {
					if ev.Kind == parsers.KindClusterOnline && ev.Time.After(last) && ev.Time.Sub(last) <= 30*time.Minute {
						end.at, end.by = ev.Time, ev
						break
					}
				}
				if end.at.IsZero() {
					for _, ev := range normal {
						if ev.Server == sv && ev.Time.After(last) && strings.HasSuffix(strings.ToUpper(ev.To), "_NORMAL") {
							end.at, end.by = ev.Time, ev
							break
						}
					}
				}
				if end.at.IsZero() {
					// Only SQL Server logs the node coming back; a cluster
					// log alone ends the outage at its last line on it.
					end.ongoing = atEnd && anySQL(cur)
					end.unknown = !end.ongoing && anySQL(cur)
				}
			}
			reportOutage(p, sv, cur, end)
			cur, open, onlineAt = nil, false, time.Time{}
		}
		for _, ev := range m[sv] {
			isDown := ev.Kind == parsers.KindClusterUnavailable || ev.Kind == parsers.KindQuorumLost || ev.Kind == parsers.KindNodeRemoved
			if open && !onlineAt.IsZero() && ev.Time.Sub(onlineAt) > stormGap {
				// The node came back and stayed up: that outage is over.
				flush(false)
			}
			if open && ev.Time.Sub(cur[len(cur)-1].Time) > 30*time.Minute {
				flush(false) // a silence: that episode is over, its end unknown
			}
			if open && ev.Time.Sub(cur[len(cur)-1].Time) > 2*time.Minute && !anySQL(cur) {
				// Only the cluster logs (often another node's view: 1135)
				// said the node was gone, and nothing followed: that episode
				// is over.
				flush(false)
			}
			if !open && !isDown {
				continue // recovery chatter or API errors outside an outage
			}
			open = true
			cur = append(cur, ev)
			switch {
			case ev.Kind == parsers.KindClusterOnline && ev.Error == 41055:
				onlineAt = ev.Time
			case isDown:
				onlineAt = time.Time{} // a storm: down again right after coming back
			}
		}
		flush(true)
	}
}

// episodeEnd is how an outage episode ended: at a time (an event that ends
// it), still going on when the logs end, or unknown (the logs fall silent).
type episodeEnd struct {
	at      time.Time
	by      *parsers.Event // the event that ended it, when not in the episode
	ongoing bool
	unknown bool
}

// anySQL reports whether SQL Server itself logged one of evs.
func anySQL(evs []*parsers.Event) bool {
	for _, ev := range evs {
		if ev.Source != parsers.SourceClusterlog {
			return true
		}
	}
	return false
}

// stormGap is how long a node must stay online (41055) before its outage is
// over: quorum-loss storms cycle offline/online hundreds of times a second.
const stormGap = time.Minute

func reportOutage(p *rule.Pass, server string, evs []*parsers.Event, how episodeEnd) {
	ongoing := how.ongoing
	start, end := evs[0].Time, rule.Until(evs)
	var down, quorum, waiting, online, apiErr, removed, rhs []*parsers.Event
	// The cluster log's view just before: lost heartbeats on this node.
	var heartbeats []*parsers.Event
	for _, ev := range p.Filter(parsers.KindHeartbeatLost, parsers.KindNetworkDown) {
		if ev.Server == server && !ev.Time.Before(start.Add(-2*time.Minute)) && !ev.Time.After(end) {
			heartbeats = append(heartbeats, ev)
		}
	}
	for _, ev := range evs {
		switch ev.Kind {
		case parsers.KindNodeRemoved:
			removed = append(removed, ev)
		case parsers.KindRHSTerminated:
			rhs = append(rhs, ev)
		case parsers.KindClusterUnavailable:
			down = append(down, ev)
		case parsers.KindQuorumLost:
			quorum = append(quorum, ev)
		case parsers.KindClusterWaiting:
			waiting = append(waiting, ev)
		case parsers.KindClusterOnline:
			online = append(online, ev)
		case parsers.KindClusterError:
			apiErr = append(apiErr, ev)
		}
	}
	if !ongoing && len(online) > 0 {
		end = online[len(online)-1].Time
	}
	if !how.at.IsZero() && how.at.After(end) {
		end = how.at
	}
	if ongoing {
		end = p.EndOf(server)
		if end.Before(evs[len(evs)-1].Time) {
			end = evs[len(evs)-1].Time
		}
	}
	what := "the WSFC service on " + server + " became unavailable"
	if len(quorum) > 0 && len(down) == 0 {
		what = "the WSFC node " + server + " lost quorum"
	} else if len(quorum) > 0 {
		what = "the WSFC service on " + server + " became unavailable and the node lost quorum"
	}
	if len(heartbeats) > 0 || len(removed) > 0 {
		// The cluster log says why.
		var why []string
		if len(heartbeats) > 0 {
			why = append(why, fmt.Sprintf("%s lost its cluster heartbeats with the other nodes (%s)", server, words.Plural(len(heartbeats), "cluster-log line", "cluster-log lines")))
		}
		if len(removed) > 0 {
			subject := ""
			if len(heartbeats) == 0 {
				subject = server + " "
			}
			why = append(why, fmt.Sprintf("%swas removed from the active cluster membership (1135, logged by %s)", subject, strings.Join(rule.Collect(removed, func(e *parsers.Event) string { return e.Server }), ", ")))
		}
		what = strings.Join(why, " and ") + "; " + what
	}
	f := &rule.Finding{
		Start:            start,
		End:              end,
		Ongoing:          ongoing,
		Servers:          []string{server},
		Title:            "WSFC outage on " + server,
		Severity:         90,
		RootCause:        words.UpperFirst(what) + ".",
		SQLLogged:        anySQL(evs),
		Confidence:       report.Certain,
		ConfidenceReason: outageConfidence(server, down, quorum, removed, heartbeats),
	}
	if len(heartbeats) > 0 {
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The cluster log of %s shows lost heartbeats and broken connections to the other nodes.", server), heartbeats...))
	}
	if len(removed) > 0 {
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The cluster removed %s from the active membership.", server), removed...))
	}
	if len(down) > 0 {
		f.Chain = append(f.Chain, rule.Step("The local WSFC service or node became unavailable to SQL Server.", down...))
	}
	if len(rhs) > 0 {
		f.Chain = append(f.Chain, rule.Step("The cluster's resource hosting subsystem (RHS) terminated with the cluster service.", rhs...))
	}
	var sqlQuorum, clusterQuorum, systemQuorum []*parsers.Event
	for _, ev := range quorum {
		switch ev.Source {
		case parsers.SourceClusterlog:
			clusterQuorum = append(clusterQuorum, ev)
		case parsers.SourceEventLog:
			systemQuorum = append(systemQuorum, ev)
		default:
			sqlQuorum = append(sqlQuorum, ev)
		}
	}
	if len(clusterQuorum) > 0 {
		f.Chain = append(f.Chain, rule.Step("The cluster service shut down because quorum was lost (cluster log).", clusterQuorum...))
	}
	if len(systemQuorum) > 0 {
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The cluster service shut down because quorum was lost (System log %s).", eventIDs(systemQuorum)), systemQuorum...))
	}
	if len(sqlQuorum) > 0 {
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The availability replica manager went offline because the node lost quorum (%s).",
			words.Plural(len(sqlQuorum), "message", "messages")), sqlQuorum...))
	}
	if len(apiErr) > 0 {
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("Cluster API calls failed while the cluster was unavailable (%s).", rule.ErrorNumbers(apiErr)), apiErr...))
	}
	if len(waiting) > 0 {
		f.Chain = append(f.Chain, rule.Step("SQL Server waited for the WSFC service and node to come back.", waiting...))
	}
	switch {
	case how.by != nil:
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("SQL Server on %s saw its WSFC node back after %s.", server, report.FormatDuration(end.Sub(start))), how.by))
	case len(online) > 0 && !ongoing:
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The WSFC node was online again after %s.", report.FormatDuration(end.Sub(start))), online...))
	case how.unknown:
		f.Chain = append(f.Chain, report.Step{Time: end, Server: server, Text: fmt.Sprintf("The logs say nothing more of the WSFC node %s after %s: when it came back is not logged.", server, words.HMS(end))})
	case ongoing:
		f.Chain = append(f.Chain, report.Step{Time: end, Server: server, Text: "The logs end before SQL Server reported the WSFC node online again."})
	}
	f.Summary = fmt.Sprintf("The cluster service on %s was unavailable for %s from %s.", server, report.FormatDuration(end.Sub(start)), words.HMS(start))
	if how.unknown {
		f.Summary = fmt.Sprintf("The cluster service on %s was unavailable for at least %s from %s.", server, report.FormatDuration(end.Sub(start)), words.HMS(start))
	}
	if end.Sub(start) < time.Second {
		f.Summary = fmt.Sprintf("The cluster service on %s failed at %s.", server, words.HMS(start))
	}
	f.Fix = report.Fix{
		Steps: []string{
			fmt.Sprintf("Collect the cluster log of every node for the window: Get-ClusterLog -Destination C:\\Temp -TimeSpan %d (run as administrator); look for [NODE]/[IM] lost heartbeats and [QUORUM] lines around %s.",
				int(end.Sub(start).Minutes())+60, words.HMS(start)),
			"Check the System event log of " + server + " for FailoverClustering events 1135 (node removed), 1177 (quorum lost), 1146 (RHS terminated).",
			"Check the heartbeat network between the nodes and the quorum witness (disk, file share or cloud witness); run Test-Cluster to validate the configuration.",
		},
		SQL: []string{
			"-- Cluster membership and quorum as SQL Server sees it\nSELECT member_name, member_type_desc, member_state_desc, number_of_quorum_votes\nFROM sys.dm_hadr_cluster_members;\nSELECT cluster_name, quorum_type_desc, quorum_state_desc FROM sys.dm_hadr_cluster;",
		},
	}
	p.Report(f)
}

func outageConfidence(server string, down, quorum, removed, heartbeats []*parsers.Event) string {
	var parts []string
	if nums := rule.ErrorNumbers(append(append([]*parsers.Event{}, down...), quorum...)); nums != "" {
		parts = append(parts, fmt.Sprintf("SQL Server on %s logged the loss of its cluster itself (%s)", server, nums))
	}
	var sys, clog bool
	for _, ev := range append(append(append([]*parsers.Event{}, down...), quorum...), append(removed, heartbeats...)...) {
		sys = sys || ev.Source == parsers.SourceEventLog
		clog = clog || ev.Source == parsers.SourceClusterlog
	}
	if clog || len(parts) == 0 && !sys {
		parts = append(parts, "the cluster log records it")
	}
	if sys {
		parts = append(parts, "the Windows System log records it")
	}
	return words.UpperFirst(strings.Join(parts, "; ")) + "."
}

// LeaseExpiryRule finds AG lease expiries and the stalls that explain them.
var LeaseExpiryRule = &rule.Rule{
	Name:     "lease-expiry",
	Category: report.CatLeaseExpiry,
	Rank:     20,
	Links:    leaseExpiryLinks(),
	Doc:      leaseExpiryDoc,
	Run:      runLeaseExpiry,
}

// leaseExpiryLinks are the links of LeaseExpiryRule.
func leaseExpiryLinks() []rule.Link {
	return []rule.Link{
		{Cause: report.CatClusterOutage, Effect: report.CatLeaseExpiry, Before: time.Minute, After: time.Minute, SameServer: true},
	}
}

const leaseExpiryDoc = `Finds expiries of the lease between an AG and the WSFC: 19407, 19419 (SQL Server did not signal
the cluster in time: SQL side stalled), 19421 (the cluster did not signal SQL Server), 19422, 19423,
41091, 41195 and the XEvent availability_group_lease_expired. Non-yielding schedulers, stack dumps,
long I/O (833), memory pressure and paging in the 10 minutes before are reported as the likely cause.
Fix: remove the stall (dumps, I/O, CPU or memory pressure, VM pauses); only then consider a longer
LeaseTimeout.`

func runLeaseExpiry(p *rule.Pass) {
	leases := p.Filter(parsers.KindLeaseExpired)
	stalls := p.Filter(parsers.KindStall, parsers.KindNetworkDown, parsers.KindStorageIssue)
	for sv, grp := range rule.Episodes(leases, 2*time.Minute) {
		start, end := grp[0].Time, grp[len(grp)-1].Time
		var before []*parsers.Event
		for _, s := range stalls {
			if s.Server == sv && !s.Time.Before(start.Add(-10*time.Minute)) && !s.Time.After(start.Add(30*time.Second)) {
				before = append(before, s)
			}
		}
		ags := rule.Collect(grp, agOf)
		agText := strings.Join(ags, ", ")
		if agText == "" {
			agText = "its AG"
		}
		side := ""
		for _, ev := range grp {
			switch ev.Error {
			case 19419:
				side = "SQL Server did not signal the cluster within the lease timeout (19419), so SQL Server itself was not scheduled in time"
			case 19421:
				if side == "" {
					side = "SQL Server did not receive a signal from the cluster (19421), so the cluster side (RHS) was not responding"
				}
			}
		}
		f := &rule.Finding{
			Start:    start,
			End:      end,
			Servers:  []string{sv},
			AGs:      ags,
			Title:    fmt.Sprintf("AG lease expired on %s", sv),
			Severity: 80,
		}
		f.RootCause = fmt.Sprintf("The lease between %s and the WSFC expired on %s", agText, sv)
		for _, ag := range ags {
			if s := p.SettingsOf(ag); s != nil && s.LeaseTimeoutMs > 0 {
				// The collection's cluster parameters give the timeout.
				f.RootCause += fmt.Sprintf(" (LeaseTimeout %s)", report.FormatDuration(time.Duration(s.LeaseTimeoutMs)*time.Millisecond))
				break
			}
		}
		if side != "" {
			f.RootCause += ": " + side
		}
		perf, perfEv := leasePerf(grp)
		if perf != "" {
			f.RootCause += "; the cluster log's performance data at the timeout shows " + perf
			f.Chain = append(f.Chain, rule.Step("The cluster's resource DLL detected the lease timeout and logged the last seconds of performance data: "+perf+".", perfEv))
		}
		if len(before) > 0 {
			labels := rule.Collect(before, stallLabel)
			if len(labels) == 0 {
				labels = []string{"a stall"}
			}
			f.RootCause += fmt.Sprintf(", after %s on %s starting at %s", strings.Join(labels, ", "), sv, words.HMS(before[0].Time))
			var sqlStalls, host []*parsers.Event
			for _, ev := range before {
				if ev.Kind == parsers.KindStall {
					sqlStalls = append(sqlStalls, ev)
				} else {
					host = append(host, ev)
				}
			}
			if len(host) > 0 {
				f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The System log of %s shows %s.", sv, strings.Join(rule.Collect(host, stallLabel), ", ")), host...))
			}
			if len(sqlStalls) > 0 {
				f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("SQL Server on %s stalled: %s.", sv, strings.Join(rule.Collect(sqlStalls, stallLabel), ", ")), sqlStalls...))
			}
			f.Confidence = report.Likely
			f.ConfidenceReason = fmt.Sprintf("The lease expiry is logged (%s); the stall %s before it is the usual cause, but the cluster log's performance rows would confirm it.",
				rule.ErrorNumbers(grp), report.FormatDuration(start.Sub(before[0].Time)))
		} else if perf != "" {
			f.Confidence = report.Likely
			f.ConfidenceReason = "The lease expiry is logged, and the cluster log's performance rows at the timeout show the resource starvation that explains it."
		} else {
			f.Confidence = report.Possible
			f.ConfidenceReason = fmt.Sprintf("The lease expiry is logged (%s), but no stall, dump or I/O warning precedes it in the SQL logs; the cause is outside them (CPU, memory, VM pause, cluster).", rule.ErrorNumbers(grp))
		}
		if hc := healthCause(p, sv, start); hc != "" {
			// What sp_server_diagnostics saw in the minutes before (the
			// health-check finding holds its steps).
			f.RootCause += "; " + hc
			if f.Confidence == report.Possible {
				f.Confidence = report.Likely
				f.ConfidenceReason = fmt.Sprintf("The lease expiry is logged (%s); the health results just before it show the instance in trouble.", rule.ErrorNumbers(grp))
			}
		}
		f.RootCause += "."
		f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The AG lease expired (%s); the replica went offline (RESOLVING).", rule.ErrorNumbers(grp)), grp...))
		f.Summary = fmt.Sprintf("The availability group lease expired on %s at %s.", sv, words.HMS(start))
		f.Fix = report.Fix{
			Steps: []string{
				"Find what froze SQL Server or the node at " + words.HMS(start) + ": stack dumps (SQLDump*.txt in the LOG folder), non-yielding scheduler reports, I/O warnings, CPU or memory pressure, VM snapshots or host migrations.",
				"Read the cluster log for the window: after '[hadrag] Lease timeout detected' it lists CPU %, available memory and disk latency of the last seconds.",
				"Only once the stall is explained, consider raising the AG resource's LeaseTimeout (default 20000 ms) with Get-ClusterResource -Name '<AG>' | Set-ClusterParameter LeaseTimeout <ms>.",
			},
			SQL: []string{
				"-- Health and lease settings of the availability groups\nSELECT ag.name, ag.failure_condition_level, ag.health_check_timeout\nFROM sys.availability_groups AS ag;",
			},
		}
		p.Report(f)
	}
}

// leasePerf summarizes the performance rows that the AG resource DLL logs in
// the cluster log when it detects a lease timeout: high CPU, low available
// memory, slow disks. It returns "" when there are none or nothing stands out.
func leasePerf(grp []*parsers.Event) (string, *parsers.Event) {
	for _, ev := range grp {
		if ev.Field("perf_rows") == "" {
			continue
		}
		var parts []string
		if v, err := strconv.ParseFloat(ev.Field("cpu_max"), 64); err == nil {
			parts = append(parts, fmt.Sprintf("CPU at %.0f %%", v))
		}
		if v, err := strconv.ParseFloat(ev.Field("mem_min_bytes"), 64); err == nil {
			parts = append(parts, fmt.Sprintf("%.0f MB of memory available", v/(1<<20)))
		}
		for _, k := range []string{"disk_read_max", "disk_write_max"} {
			if v, err := strconv.ParseFloat(ev.Field(k), 64); err == nil && v >= 0.1 {
				parts = append(parts, fmt.Sprintf("disk %s latency %.0f ms", strings.TrimSuffix(strings.TrimPrefix(k, "disk_"), "_max"), v*1000))
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, ", "), ev
		}
	}
	return "", nil
}

// RestartRule finds shutdowns of an instance while it was a primary replica.
var RestartRule = &rule.Rule{
	Name:     "restart",
	Category: report.CatRestart,
	Rank:     40,
	Requires: []*rule.Result{agstate.RolesResult},
	Links:    restartLinks(),
	Doc:      restartDoc,
	Run:      runRestart,
}

// restartLinks are the links of RestartRule.
func restartLinks() []rule.Link {
	return []rule.Link{
		// An instance stopped by a cluster outage, a lease expiry or a
		// failed health check.
		{Effect: report.CatRestart, Before: time.Minute, After: 2 * time.Minute, SameServer: true},
	}
}

const restartDoc = `Finds shutdowns and restarts of an instance that held a primary replica at the time
("SQL Server is terminating ...", shutdown initiated, a startup banner without a logged shutdown).
A restart of a secondary is normal maintenance and is not reported. Fix: find who or what stopped
the service (System event log 7036/7034, patching, a planned failover that should have come first).`

func runRestart(p *rule.Pass) {
	for _, ev := range p.Filter(parsers.KindShutdown) {
		var ags []string
		for _, sp := range agstate.RolesOf(p).Spans() {
			if sp.Server == ev.Server && sp.Role == report.RolePrimary && !sp.Start.After(ev.Time) && !sp.End.Before(ev.Time.Add(-time.Second)) {
				ags = append(ags, sp.AG)
			}
		}
		if len(ags) == 0 {
			continue
		}
		f := &rule.Finding{
			Start: ev.Time, End: ev.Time, Servers: []string{ev.Server}, AGs: ags,
			Title:      "Primary replica " + ev.Server + " shut down",
			Severity:   60,
			RootCause:  fmt.Sprintf("SQL Server on %s, the primary replica of %s, was shut down: %s", ev.Server, strings.Join(ags, ", "), strings.TrimSpace(words.FirstLine(ev.Message))),
			Summary:    fmt.Sprintf("The primary replica %s was shut down at %s.", ev.Server, words.HMS(ev.Time)),
			Chain:      []report.Step{rule.Step("SQL Server shut down while primary.", ev)},
			Confidence: report.Certain, ConfidenceReason: "The shutdown is logged by SQL Server while it held the primary role.",
			Fix: report.Fix{Steps: []string{
				"Check the System event log of " + ev.Server + " (7036, 7034, 1074) for who or what stopped the service.",
				"For planned maintenance, fail the AG over manually to a synchronized secondary first.",
			}},
		}
		if pr := plannedRestart(p, ev.Server, ev.Time); pr != nil {
			// The System log says who restarted the machine, and why.
			f.RootCause = strings.TrimSuffix(f.RootCause, ".") + "; the System log records a planned restart of the machine: " + strings.TrimSpace(words.FirstLine(pr.Message))
			f.Chain = append([]report.Step{rule.Step("The System log records who restarted the machine, and why (User32 1074).", pr)}, f.Chain...)
			f.Fix.Steps[0] = "Ask the user named in the 1074 event (or the tool it names: Windows Update, a patching agent) to fail the AG over to a synchronized secondary before restarting a primary."
		}
		p.Report(f)
	}
}

// stallLabel names what froze or cut off an instance: the stall's reason,
// or the host's own trouble from the System log.
func stallLabel(ev *parsers.Event) string {
	switch ev.Kind {
	case parsers.KindNetworkDown:
		return "a network link or cluster network down (System log " + strconv.Itoa(eventID(ev)) + ")"
	case parsers.KindStorageIssue:
		return "storage requests timed out and were reset or retried (System log " + strconv.Itoa(eventID(ev)) + ")"
	}
	return ev.Reason
}

// eventID is the Windows event id of an event-log event (0 for others).
func eventID(ev *parsers.Event) int {
	n, _ := strconv.Atoi(ev.Field("EventID"))
	return n
}
