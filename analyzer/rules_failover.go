package analyzer

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// FailoverRule reports each change of an AG's primary replica and classifies it.
var FailoverRule = &Rule{
	Name:     "failover",
	Category: CatFailover,
	Rank:     60,
	Requires: []*Result{RolesResult},
	MergeGap: -1,
	Links: append(causedFailover(CatClusterOutage, CatLeaseExpiry, CatHealthCheck, CatCrash, CatRestart),
		// A failback: a failover that undoes an earlier one belongs to its incident.
		Link{Cause: CatFailover, Effect: CatFailover, After: 4 * time.Hour, Match: undoes}),
	Doc: `Assembles each replica's state changes (19406 text and availability_replica_state_change) into
role changes and reports every change of primary: manual when an alwayson_ddl_executed
ALTER AVAILABILITY GROUP ... FAILOVER precedes it, forced for FORCE_FAILOVER_ALLOW_DATA_LOSS,
automatic when the cluster moved the role (after a WSFC outage, lease expiry, health failure or
shutdown of the old primary). Failovers and back and flapping (3 or more in 30 minutes) are noted.`,
	Run: runFailover,
}

// ddlAction classifies a DDL event: "FAILOVER", "FORCE_FAILOVER_ALLOW_DATA_LOSS" or "".
func ddlAction(ev *parsers.Event) string {
	r := strings.ToUpper(ev.Reason)
	if strings.Contains(r, "FORCE_FAILOVER_ALLOW_DATA_LOSS") {
		return "FORCE_FAILOVER_ALLOW_DATA_LOSS"
	}
	if strings.Contains(r, "FAILOVER") {
		return "FAILOVER"
	}
	st := strings.ToUpper(strings.Join(strings.Fields(ev.Field("statement")+" "+ev.Message), " "))
	if strings.Contains(st, "FORCE_FAILOVER_ALLOW_DATA_LOSS") {
		return "FORCE_FAILOVER_ALLOW_DATA_LOSS"
	}
	if strings.Contains(st, "ALTER AVAILABILITY GROUP") && strings.Contains(st, " FAILOVER") {
		return "FAILOVER"
	}
	return ""
}

func runFailover(p *Pass) {
	fos := p.Roles().failovers
	for i, fo := range fos {
		ddl, move := fo.ddl, fo.move
		var chain []Step
		if move != nil {
			text := fmt.Sprintf("The cluster moved role %s from %s to %s", fo.AG, move.From, move.To)
			if mt := move.Field("move_type"); mt != "" {
				text += " (MoveType::" + mt + ")"
			}
			chain = append(chain, step(text+".", move))
		}
		if fo.fromChange != nil {
			chain = append(chain, step(fmt.Sprintf("%s left the primary role (%s → %s).", fo.From, fo.fromChange.from, fo.fromChange.to),
				append([]*parsers.Event{fo.fromChange.ev}, fo.fromChange.dups...)...))
		}
		if ddl != nil {
			chain = append(chain, step(fmt.Sprintf("A DBA ran %s on %s.", strings.TrimSpace(firstLine(ddl.Message)), ddl.Server), ddl))
		}
		to := fo.To
		switch {
		case fo.toChange != nil:
			toEvs := append([]*parsers.Event{fo.toChange.ev}, fo.toChange.dups...)
			text := fmt.Sprintf("%s became the primary replica of %s (%s → PRIMARY_NORMAL).", fo.To, fo.AG, fo.toChange.from)
			if fo.NoPrimary > 0 {
				text += fmt.Sprintf(" The AG had no primary for %s.", durationText(time.Duration(fo.NoPrimary*float64(time.Second))))
			}
			chain = append(chain, step(text, toEvs...))
		case fo.toHint != nil:
			chain = append(chain, step(fmt.Sprintf("%s then connected to %s as its primary; the logs of %s are not in the bundle.", fo.From, fo.To, fo.To), fo.toHint))
		case fo.To != "":
			to = fo.To + " (its logs are not in the bundle)"
		default:
			to = "a replica whose logs are not in the bundle"
			chain = append(chain, Step{Time: fo.At, Server: fo.From, Text: fmt.Sprintf("No log in the bundle shows which replica became the primary of %s.", fo.AG)})
		}

		from := orUnknown(fo.From)
		f := &Finding{
			Start: fo.At, End: fo.At, AGs: []string{fo.AG},
			Servers:  nonEmpty(fo.From, fo.To),
			Key:      fmt.Sprintf("%s|%s", fo.AG, fo.At.Format(time.RFC3339Nano)),
			Title:    fmt.Sprintf("%s failover of %s from %s to %s", upperFirst(fo.Mode), fo.AG, from, cmp.Or(fo.To, "an unknown replica")),
			Chain:    chain,
			failover: fo,
		}
		if fo.Mode == ModeUnknown || fo.To == "" {
			f.Title = fmt.Sprintf("%s lost the primary role of %s", fo.From, fo.AG)
		}
		if fo.fromChange != nil && fo.fromChange.ev.Time.Before(f.Start) {
			f.Start = fo.fromChange.ev.Time
		}
		// Flapping and failback notes.
		n := 0
		for _, o := range fos {
			if o.AG == fo.AG && !o.At.Before(fo.At.Add(-30*time.Minute)) && !o.At.After(fo.At) {
				n++
			}
		}
		for j := i - 1; j >= 0; j-- {
			if fos[j].AG == fo.AG && fo.From != "" && fos[j].From == fo.To && fos[j].To == fo.From && fo.At.Sub(fos[j].At) <= 24*time.Hour {
				f.Summary = fmt.Sprintf("%s failed back from %s to %s at %s, %s after the failover.", fo.AG, from, fo.To, hms(fo.At), durationText(fo.At.Sub(fos[j].At)))
				break
			}
		}
		switch fo.Mode {
		case ModeManual:
			f.Severity = 30
			f.RootCause = fmt.Sprintf("A DBA failed %s over manually from %s to %s (%s).", fo.AG, from, to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Certain, "The FAILOVER statement is recorded by alwayson_ddl_executed."
			if ddl == nil {
				f.ConfidenceReason = "The cluster log records the move as MoveType::Manual."
			}
		case ModeForced:
			f.Severity = 80
			f.RootCause = fmt.Sprintf("A DBA forced %s to fail over from %s to %s with possible data loss (%s).", fo.AG, from, to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Certain, "The FORCE_FAILOVER_ALLOW_DATA_LOSS statement is recorded by alwayson_ddl_executed."
			f.Fix = Fix{
				Steps: []string{
					"Check every former primary and secondary: their databases are suspended (SUSPEND_FROM_PARTNER) after a forced failover and must be resumed, or reseeded if they diverged.",
					"Compare the data lost: transactions committed on the old primary after the last hardened LSN on " + to + " are gone.",
				},
				SQL: []string{"-- On each secondary: suspended databases and why\nSELECT DB_NAME(database_id) AS database_name, is_suspended, suspend_reason_desc, synchronization_state_desc\nFROM sys.dm_hadr_database_replica_states WHERE is_local = 1;"},
			}
		case ModeUnknown:
			f.Severity = 60
			f.RootCause = fmt.Sprintf("%s left the primary role of %s at %s and did not get it back; %s took over (%s).", fo.From, fo.AG, hms(fo.At), to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Possible, "Only the old primary's state changes are logged; the new primary's logs would show whether the failover was manual or automatic, and why."
			f.Fix = Fix{
				Steps: []string{"Collect the ERRORLOG and AlwaysOn_health files of the other replicas of " + fo.AG + " for this time: the new primary's logs tell who or what moved the role."},
				SQL:   []string{"-- Which replica is primary now, and the failover settings\nSELECT ar.replica_server_name, rs.role_desc, ar.availability_mode_desc, ar.failover_mode_desc\nFROM sys.availability_replicas AS ar\nJOIN sys.dm_hadr_availability_replica_states AS rs ON rs.replica_id = ar.replica_id;"},
			}
		default:
			f.Severity = 50
			f.RootCause = fmt.Sprintf("The cluster failed %s over automatically from %s to %s (%s).", fo.AG, from, to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Possible, "No FAILOVER statement precedes the role change, so the cluster moved the role; the trigger is taken from the events just before it."
		}
		if n >= 3 {
			f.Summary = strings.TrimSpace(f.Summary + fmt.Sprintf(" %s changed primary %d times within 30 minutes (flapping).", fo.AG, n))
			f.Severity = max(f.Severity, 70)
		}
		if f.Summary == "" {
			f.Summary = fmt.Sprintf("%s failed over from %s to %s at %s (%s).", fo.AG, from, to, hms(fo.At), fo.Mode)
			switch {
			case fo.To == "":
				f.Summary = fmt.Sprintf("%s lost the primary role of %s at %s; no log in the bundle shows a new primary.", from, fo.AG, hms(fo.At))
			case fo.Mode == ModeUnknown:
				f.Summary = fmt.Sprintf("%s failed over from %s to %s at %s; the logs of %s are not in the bundle.", fo.AG, from, fo.To, hms(fo.At), fo.To)
			}
		}
		p.Report(f)
	}
}

func triggerLabel(ev *parsers.Event) string {
	switch ev.Kind {
	case parsers.KindClusterUnavailable:
		return "WSFC service unavailable"
	case parsers.KindQuorumLost:
		return "quorum lost"
	case parsers.KindLeaseExpired:
		return "lease expired"
	case parsers.KindHealthFailure:
		return "health check failed"
	case parsers.KindShutdown:
		return "instance shut down"
	case parsers.KindSQLServiceDown:
		if ev.Source == parsers.SourceEventLog {
			return "SQL Server service terminated (System log " + ev.Field("EventID") + ")"
		}
		return "SQL Server service not alive (cluster log)"
	case parsers.KindResourceFailed:
		return "AG resource failed in the cluster"
	case parsers.KindNodeRemoved:
		return "node removed from the cluster"
	}
	return string(ev.Kind)
}

// sameHost reports whether a cluster node name and a server name denote the
// same machine ("SQLAG01" and "SQLAG01\\INST").
func sameHost(node, server string) bool {
	return node != "" && strings.EqualFold(hostPart(node), hostPart(server))
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// FailedFailoverRule finds failover attempts that did not complete.
var FailedFailoverRule = &Rule{
	Name:     "failed-failover",
	Category: CatFailedFailover,
	Rank:     80,
	Action:   true,
	Links:    linksFrom([]string{CatClusterOutage, CatLeaseExpiry, CatHealthCheck, CatCrash, CatRestart}, Link{Effect: CatFailedFailover, Before: time.Minute, After: 10 * time.Minute}),
	Doc: `Finds failovers that could not happen: 41142 (target not synchronized), 41104, 41131, 41134,
41125, 41160, and availability_replica_automatic_failover_validation events whose flags invalidate
the failover (joined_and_synchronized FALSE, forced_quorum TRUE, previous_primary_or_automatic_failover_target
FALSE). Fix: make the target synchronous and synchronized, or force the failover with data loss.`,
	Run: func(p *Pass) {
		var evs []*parsers.Event
		for _, ev := range p.Events {
			if ev.Kind == parsers.KindFailoverFailed || ev.Kind == parsers.KindFailoverValidation && ev.Reason != "" {
				evs = append(evs, ev)
			}
		}
		servers, m := byServer(evs)
		for _, sv := range servers {
			for _, grp := range groupByGap(m[sv], 5*time.Minute) {
				ags := collect(grp, agOf)
				reasons := collect(grp, func(e *parsers.Event) string {
					if e.Kind == parsers.KindFailoverValidation {
						return e.Reason
					}
					return ""
				})
				why := errorNumbers(grp)
				if len(reasons) > 0 {
					why = strings.TrimPrefix(strings.Join(append([]string{why}, reasons...), "; "), "; ")
				}
				p.Report(&Finding{
					Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, AGs: ags, Key: strings.ToUpper(sv),
					Title:      "Failover to " + sv + " failed",
					Severity:   85,
					RootCause:  fmt.Sprintf("%s could not become the primary replica of %s (%s).", sv, strings.Join(ags, ", "), why),
					Summary:    fmt.Sprintf("A failover of %s to %s failed at %s.", strings.Join(ags, ", "), sv, hms(grp[0].Time)),
					Chain:      []Step{step("The failover to "+sv+" was refused or failed.", grp...)},
					Confidence: Certain, ConfidenceReason: "SQL Server logged the failed or invalid failover.",
					Fix: Fix{
						Steps: []string{"Check that the target replica is SYNCHRONOUS_COMMIT with AUTOMATIC failover and that its databases are SYNCHRONIZED before failing over; if the primary is lost for good, a forced failover (with possible data loss) is the only way."},
						SQL:   []string{"SELECT ar.replica_server_name, ar.availability_mode_desc, ar.failover_mode_desc, drs.database_id, drs.synchronization_state_desc, drs.is_failover_ready\nFROM sys.availability_replicas AS ar\nJOIN sys.dm_hadr_database_replica_cluster_states AS drs ON drs.replica_id = ar.replica_id;"},
					},
				})
			}
		}
	},
}

// FailoverLimitRule finds failovers the cluster refused because the role
// failed too often.
var FailoverLimitRule = &Rule{
	Name:     "failover-limit",
	Category: CatFailedFailover,
	Rank:     80,
	Action:   true,
	Headline: true,
	// The limit is reached by the failures before it.
	Links: linksFrom([]string{CatClusterOutage, CatLeaseExpiry, CatHealthCheck, CatCrash, CatRestart}, Link{Effect: CatFailedFailover, Before: time.Minute, After: time.Hour,
		Match: func(_, e *Finding) bool { return e.Rule == "failover-limit" }}),
	Doc: `Finds the cluster refusing to fail a role over again because it exceeded its failover
threshold: cluster log "Not failing over group <AG>, failoverCount N, failoverThresholdSetting M"
and System event 1254. The AG then stays offline (RESOLVING) until someone acts. Fix: bring the
role online by hand, investigate why it failed repeatedly, and only then raise the role's
Maximum Failures in the Specified Period.`,
	Run: func(p *Pass) {
		servers, m := byServer(p.filter(parsers.KindFailoverLimit))
		for _, sv := range servers {
			for _, grp := range groupByGap(m[sv], 10*time.Minute) {
				ags := collect(grp, agOf)
				count, limit := "", ""
				for _, ev := range grp {
					if v := ev.Field("failover_count"); v != "" {
						count = v
					}
					if v := ev.Field("failover_threshold_setting"); v != "" {
						limit = v
					}
				}
				detail := ""
				if count != "" && limit != "" {
					detail = fmt.Sprintf(" (failoverCount %s over a threshold of %s)", count, limit)
				}
				ag := strings.Join(ags, ", ")
				if ag == "" {
					ag = "the clustered role"
				}
				p.Report(&Finding{
					Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, AGs: ags, Key: strings.ToUpper(ag),
					Title:    "The cluster refused to fail " + ag + " over again",
					Severity: 88,
					RootCause: fmt.Sprintf("The cluster refused another failover of %s because the role exceeded its failover threshold%s: %s stayed offline. Raise Maximum Failures in the Specified Period or investigate the repeated failures.",
						ag, detail, ag),
					Summary:    fmt.Sprintf("The cluster stopped failing %s over at %s: too many failures within the period.", ag, hms(grp[0].Time)),
					Chain:      []Step{step("The cluster reached the role's failover limit and left it failed.", grp...)},
					Confidence: Certain, ConfidenceReason: "The cluster log records the refused failover and its counters.",
					Fix: Fix{
						Steps: []string{
							"Find and fix why the role failed repeatedly (the earlier incidents of this report).",
							"Bring the role online by hand in Failover Cluster Manager, or Start-ClusterGroup -Name '" + ag + "'.",
							"Only if the failures were expected (tests, patching), raise the role's Maximum Failures in the Specified Period: (Get-ClusterGroup -Name '" + ag + "').FailoverThreshold = <n> and .FailoverPeriod = <hours>.",
						},
					},
				})
			}
		}
	},
}

// causedFailover links the given causes to the automatic failover of their
// server that follows within 5 minutes.
func causedFailover(causes ...string) []Link {
	return linksFrom(causes, Link{Effect: CatFailover, Before: time.Minute, After: 5 * time.Minute,
		Match: func(c, e *Finding) bool {
			fo := e.failover
			return fo != nil && (fo.Mode == ModeAutomatic || fo.Mode == ModeUnknown) &&
				(fo.From == "" || containsHost(c.servers(), fo.From))
		}})
}

// undoes reports whether failover e moves its AG back where failover c took it from.
func undoes(c, e *Finding) bool {
	a, b := c.failover, e.failover
	return a != nil && b != nil && b.Mode == ModeManual && strings.EqualFold(a.AG, b.AG) &&
		a.From != "" && strings.EqualFold(a.From, b.To) && strings.EqualFold(a.To, b.From)
}

// containsHost reports whether list names server (or its host).
func containsHost(list []string, server string) bool {
	for _, s := range list {
		if strings.EqualFold(s, server) || sameHost(s, server) {
			return true
		}
	}
	return false
}
