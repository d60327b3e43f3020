package analyzer

import (
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// FailoverRule reports each change of an AG's primary replica and classifies it.
var FailoverRule = &Rule{
	Name:     "failover",
	Category: CatFailover,
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
	ddls := p.filter(parsers.KindDDL)
	triggers := p.filter(parsers.KindClusterUnavailable, parsers.KindQuorumLost, parsers.KindLeaseExpired,
		parsers.KindHealthFailure, parsers.KindShutdown, parsers.KindRoleTransition, parsers.KindSQLServiceDown,
		parsers.KindResourceFailed, parsers.KindNodeRemoved)
	moves := p.filter(parsers.KindRoleMove)
	fos := p.roles.failovers
	for i, fo := range fos {
		var ddl *parsers.Event
		for _, d := range ddls {
			if a := ddlAction(d); a != "" && (d.AG == "" || strings.EqualFold(d.AG, fo.AG)) &&
				!d.Time.Before(fo.At.Add(-5*time.Minute)) && !d.Time.After(fo.At.Add(30*time.Second)) {
				if ddl == nil || strings.EqualFold(d.Field("ddl_phase"), "commit") {
					ddl = d
				}
			}
		}
		// The cluster log's record of the move, when given.
		var move *parsers.Event
		for _, mv := range moves {
			if strings.EqualFold(mv.AG, fo.AG) && sameHost(mv.To, fo.To) && (fo.From == "" || sameHost(mv.From, fo.From)) &&
				!mv.Time.Before(fo.At.Add(-2*time.Minute)) && !mv.Time.After(fo.At.Add(5*time.Second)) {
				if move == nil || mv.Field("move_type") != "" {
					move = mv
				}
			}
		}
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
		fo.Evidence = []Evidence{evidence(fo.toChange.ev)}
		switch {
		case ddl != nil && ddlAction(ddl) == "FORCE_FAILOVER_ALLOW_DATA_LOSS":
			fo.Mode = ModeForced
			fo.Trigger = strings.TrimSpace(firstLine(ddl.Message))
		case ddl != nil:
			fo.Mode = ModeManual
			fo.Trigger = strings.TrimSpace(firstLine(ddl.Message))
		case move != nil && strings.EqualFold(move.Field("move_type"), "Manual"):
			fo.Mode = ModeManual
			fo.Trigger = "moved by an administrator in the cluster (Move-ClusterGroup or Failover Cluster Manager, MoveType::Manual)"
		default:
			fo.Mode = ModeAutomatic
			if fo.From != "" {
				for _, t := range triggers {
					if t.Server == fo.From && !t.Time.Before(fo.At.Add(-5*time.Minute)) && !t.Time.After(fo.At) &&
						t.Kind != parsers.KindRoleTransition {
						fo.Trigger = fmt.Sprintf("%s on %s at %s", triggerLabel(t), t.Server, hms(t.Time))
						break
					}
				}
			}
			if fo.Trigger == "" {
				fo.Trigger = "moved by the cluster; no trigger found in the SQL logs"
			}
		}
		if ddl != nil {
			chain = append(chain, step(fmt.Sprintf("A DBA ran %s on %s.", strings.TrimSpace(firstLine(ddl.Message)), ddl.Server), ddl))
			fo.Evidence = append([]Evidence{evidence(ddl)}, fo.Evidence...)
		}
		toEvs := append([]*parsers.Event{fo.toChange.ev}, fo.toChange.dups...)
		chain = append(chain, step(fmt.Sprintf("%s became the primary replica of %s (%s → PRIMARY_NORMAL).", fo.To, fo.AG, fo.toChange.from), toEvs...))

		from := fo.From
		if from == "" {
			from = "an unknown replica"
		}
		f := &Finding{
			Start: fo.At, End: fo.At, AGs: []string{fo.AG},
			Servers:  nonEmpty(fo.From, fo.To),
			Title:    fmt.Sprintf("%s failover of %s from %s to %s", upperFirst(fo.Mode), fo.AG, from, fo.To),
			Chain:    chain,
			failover: fo,
		}
		if fo.fromChange != nil && fo.fromChange.ev.Time.Before(f.Start) {
			f.Start = fo.fromChange.ev.Time
		}
		if fo.fromChange != nil && fo.At.Sub(fo.fromChange.ev.Time) < time.Hour {
			fo.NoPrimary = fo.At.Sub(fo.fromChange.ev.Time).Seconds()
			chain[len(chain)-1].Text += fmt.Sprintf(" The AG had no primary for %s.", durationText(fo.At.Sub(fo.fromChange.ev.Time)))
		}
		// Flapping and failback notes.
		n := 0
		for _, o := range fos {
			if o.AG == fo.AG && !o.At.Before(fo.At.Add(-30*time.Minute)) && !o.At.After(fo.At) {
				n++
			}
		}
		for j := i - 1; j >= 0; j-- {
			if fos[j].AG == fo.AG && fos[j].From == fo.To && fos[j].To == fo.From && fo.At.Sub(fos[j].At) <= 24*time.Hour {
				f.Summary = fmt.Sprintf("%s failed back from %s to %s at %s, %s after the failover.", fo.AG, from, fo.To, hms(fo.At), durationText(fo.At.Sub(fos[j].At)))
				break
			}
		}
		switch fo.Mode {
		case ModeManual:
			f.Cause, f.Severity = true, 30
			f.RootCause = fmt.Sprintf("A DBA failed %s over manually from %s to %s (%s).", fo.AG, from, fo.To, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Certain, "The FAILOVER statement is recorded by alwayson_ddl_executed."
			if ddl == nil {
				f.ConfidenceReason = "The cluster log records the move as MoveType::Manual."
			}
		case ModeForced:
			f.Cause, f.Severity = true, 80
			f.RootCause = fmt.Sprintf("A DBA forced %s to fail over from %s to %s with possible data loss (%s).", fo.AG, from, fo.To, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Certain, "The FORCE_FAILOVER_ALLOW_DATA_LOSS statement is recorded by alwayson_ddl_executed."
			f.Fix = Fix{
				Steps: []string{
					"Check every former primary and secondary: their databases are suspended (SUSPEND_FROM_PARTNER) after a forced failover and must be resumed, or reseeded if they diverged.",
					"Compare the data lost: transactions committed on the old primary after the last hardened LSN on " + fo.To + " are gone.",
				},
				SQL: []string{"-- On each secondary: suspended databases and why\nSELECT DB_NAME(database_id) AS database_name, is_suspended, suspend_reason_desc, synchronization_state_desc\nFROM sys.dm_hadr_database_replica_states WHERE is_local = 1;"},
			}
		default:
			f.Severity = 50
			f.RootCause = fmt.Sprintf("The cluster failed %s over automatically from %s to %s (%s).", fo.AG, from, fo.To, fo.Trigger)
			f.Confidence, f.ConfidenceReason = Possible, "No FAILOVER statement precedes the role change, so the cluster moved the role; the trigger is taken from the events just before it."
		}
		if n >= 3 {
			f.Summary = strings.TrimSpace(f.Summary + fmt.Sprintf(" %s changed primary %d times within 30 minutes (flapping).", fo.AG, n))
			f.Cause = true
			f.Severity = max(f.Severity, 70)
		}
		if f.Summary == "" {
			f.Summary = fmt.Sprintf("%s failed over from %s to %s at %s (%s).", fo.AG, from, fo.To, hms(fo.At), fo.Mode)
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
					Cause: true, Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, AGs: ags,
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
					Cause: true, Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, AGs: ags,
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
