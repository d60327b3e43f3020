package rules

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/agstate"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// FailoverRule reports each change of an AG's primary replica and classifies it.
var FailoverRule = &rule.Rule{
	Name:     "failover",
	Category: report.CatFailover,
	Rank:     60,
	Requires: []*rule.Result{agstate.RolesResult},
	MergeGap: -1,
	Links:    failoverLinks(),
	Doc:      failoverDoc,
	Run:      runFailover,
}

// failoverLinks are the links of FailoverRule.
func failoverLinks() []rule.Link {
	return append(causedFailover(report.CatClusterOutage, report.CatLeaseExpiry, report.CatHealthCheck, report.CatCrash, report.CatRestart),
		// A failback: a failover that undoes an earlier one belongs to its incident.
		rule.Link{Cause: report.CatFailover, Effect: report.CatFailover, After: 4 * time.Hour, Match: undoes})
}

const failoverDoc = `Assembles each replica's state changes (19406 text and availability_replica_state_change) into
role changes and reports every change of primary: manual when an alwayson_ddl_executed
ALTER AVAILABILITY GROUP ... FAILOVER precedes it, forced for FORCE_FAILOVER_ALLOW_DATA_LOSS,
automatic when the cluster moved the role (after a WSFC outage, lease expiry, health failure or
shutdown of the old primary). Failovers and back and flapping (3 or more in 30 minutes) are noted.`

func runFailover(p *rule.Pass) {
	fos := agstate.RolesOf(p).Records()
	for i, fo := range fos {
		ddl, move := fo.DDL, fo.Move
		var chain []report.Step
		if move != nil {
			text := fmt.Sprintf("The cluster moved role %s from %s to %s", fo.AG, move.From, move.To)
			if mt := move.Field("move_type"); mt != "" {
				text += " (MoveType::" + mt + ")"
			}
			chain = append(chain, rule.Step(text+".", move))
		}
		if fo.FromChange != nil {
			chain = append(chain, rule.Step(fmt.Sprintf("%s left the primary role (%s → %s).", fo.From, fo.FromChange.From, fo.FromChange.To),
				append([]*parsers.Event{fo.FromChange.Event}, fo.FromChange.Dups...)...))
		}
		if ddl != nil {
			chain = append(chain, rule.Step(fmt.Sprintf("A DBA ran %s on %s.", strings.TrimSpace(words.FirstLine(ddl.Message)), ddl.Server), ddl))
		}
		to := fo.To
		switch {
		case fo.ToChange != nil:
			toEvs := append([]*parsers.Event{fo.ToChange.Event}, fo.ToChange.Dups...)
			text := fmt.Sprintf("%s became the primary replica of %s (%s → PRIMARY_NORMAL).", fo.To, fo.AG, fo.ToChange.From)
			if fo.NoPrimary > 0 {
				text += fmt.Sprintf(" The AG had no primary for %s.", report.FormatDuration(time.Duration(fo.NoPrimary*float64(time.Second))))
			}
			chain = append(chain, rule.Step(text, toEvs...))
		case fo.ToHint != nil:
			chain = append(chain, rule.Step(fmt.Sprintf("%s then connected to %s as its primary; the logs of %s are not in the bundle.", fo.From, fo.To, fo.To), fo.ToHint))
		case fo.To != "":
			to = fo.To + " (its logs are not in the bundle)"
		default:
			to = "a replica whose logs are not in the bundle"
			chain = append(chain, report.Step{Time: fo.At, Server: fo.From, Text: fmt.Sprintf("No log in the bundle shows which replica became the primary of %s.", fo.AG)})
		}

		from := words.OrUnknown(fo.From)
		f := &rule.Finding{
			Start: fo.At, End: fo.At, AGs: []string{fo.AG},
			Servers:  words.NonEmpty(fo.From, fo.To),
			Key:      fmt.Sprintf("%s|%s", fo.AG, fo.At.Format(time.RFC3339Nano)),
			Title:    fmt.Sprintf("%s failover of %s from %s to %s", words.UpperFirst(string(fo.Mode)), fo.AG, from, cmp.Or(fo.To, "an unknown replica")),
			Chain:    chain,
			Failover: &fo.Failover,
		}
		if fo.Mode == report.ModeUnknown || fo.To == "" {
			f.Title = fmt.Sprintf("%s lost the primary role of %s", fo.From, fo.AG)
		}
		if fo.FromChange != nil && fo.FromChange.Event.Time.Before(f.Start) {
			f.Start = fo.FromChange.Event.Time
		}
		// Flapping and failback notes.
		// fos is in time order: look at the 30 minutes and 24 hours
		// before fo only, not at every failover (a flapping AG has
		// thousands).
		n := 0
		for _, o := range fos[sort.Search(len(fos), func(k int) bool { return !fos[k].At.Before(fo.At.Add(-30 * time.Minute)) }):] {
			if o.At.After(fo.At) {
				break
			}
			if o.AG == fo.AG {
				n++
			}
		}
		for j := i - 1; j >= 0 && fo.At.Sub(fos[j].At) <= 24*time.Hour; j-- {
			if fos[j].AG == fo.AG && fo.From != "" && fos[j].From == fo.To && fos[j].To == fo.From {
				f.Summary = fmt.Sprintf("%s failed back from %s to %s at %s, %s after the failover.", fo.AG, from, fo.To, words.HMS(fo.At), report.FormatDuration(fo.At.Sub(fos[j].At)))
				break
			}
		}
		switch fo.Mode {
		case report.ModeManual:
			f.Severity = 30
			f.RootCause = fmt.Sprintf("A DBA failed %s over manually from %s to %s (%s).", fo.AG, from, to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = report.Certain, "The FAILOVER statement is recorded by alwayson_ddl_executed."
			if ddl == nil {
				f.ConfidenceReason = "The cluster log records the move as MoveType::Manual."
			}
		case report.ModeForced:
			f.Severity = 80
			f.RootCause = fmt.Sprintf("A DBA forced %s to fail over from %s to %s with possible data loss (%s).", fo.AG, from, to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = report.Certain, "The FORCE_FAILOVER_ALLOW_DATA_LOSS statement is recorded by alwayson_ddl_executed."
			f.Fix = report.Fix{
				Steps: []string{
					"Check every former primary and secondary: their databases are suspended (SUSPEND_FROM_PARTNER) after a forced failover and must be resumed, or reseeded if they diverged.",
					"Compare the data lost: transactions committed on the old primary after the last hardened LSN on " + to + " are gone.",
				},
				SQL: []string{"-- On each secondary: suspended databases and why\nSELECT DB_NAME(database_id) AS database_name, is_suspended, suspend_reason_desc, synchronization_state_desc\nFROM sys.dm_hadr_database_replica_states WHERE is_local = 1;"},
			}
		case report.ModeUnknown:
			f.Severity = 60
			f.RootCause = fmt.Sprintf("%s left the primary role of %s at %s and did not get it back; %s took over (%s).", fo.From, fo.AG, words.HMS(fo.At), to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = report.Possible, "Only the old primary's state changes are logged; the new primary's logs would show whether the failover was manual or automatic, and why."
			f.Fix = report.Fix{
				Steps: []string{"Collect the ERRORLOG and AlwaysOn_health files of the other replicas of " + fo.AG + " for this time: the new primary's logs tell who or what moved the role."},
				SQL:   []string{"-- Which replica is primary now, and the failover settings\nSELECT ar.replica_server_name, rs.role_desc, ar.availability_mode_desc, ar.failover_mode_desc\nFROM sys.availability_replicas AS ar\nJOIN sys.dm_hadr_availability_replica_states AS rs ON rs.replica_id = ar.replica_id;"},
			}
		default:
			f.Severity = 50
			f.RootCause = fmt.Sprintf("The cluster failed %s over automatically from %s to %s (%s).", fo.AG, from, to, fo.Trigger)
			f.Confidence, f.ConfidenceReason = report.Possible, "No FAILOVER statement precedes the role change, so the cluster moved the role; the trigger is taken from the events just before it."
		}
		if n >= 3 {
			f.Summary = strings.TrimSpace(f.Summary + fmt.Sprintf(" %s changed primary %d times within 30 minutes (flapping).", fo.AG, n))
			f.Severity = max(f.Severity, 70)
		}
		if f.Summary == "" {
			f.Summary = fmt.Sprintf("%s failed over from %s to %s at %s (%s).", fo.AG, from, to, words.HMS(fo.At), fo.Mode)
			switch {
			case fo.To == "":
				f.Summary = fmt.Sprintf("%s lost the primary role of %s at %s; no log in the bundle shows a new primary.", from, fo.AG, words.HMS(fo.At))
			case fo.Mode == report.ModeUnknown:
				f.Summary = fmt.Sprintf("%s failed over from %s to %s at %s; the logs of %s are not in the bundle.", fo.AG, from, fo.To, words.HMS(fo.At), fo.To)
			}
		}
		p.Report(f)
	}
}

// FailedFailoverRule finds failover attempts that did not complete.
var FailedFailoverRule = &rule.Rule{
	Name:     "failed-failover",
	Category: report.CatFailedFailover,
	Rank:     80,
	Action:   true,
	Links:    failedFailoverLinks(),
	Doc:      failedFailoverDoc,
	Run:      runFailedFailover,
}

// failedFailoverLinks are the links of FailedFailoverRule.
func failedFailoverLinks() []rule.Link {
	return linksFrom([]report.Category{report.CatClusterOutage, report.CatLeaseExpiry, report.CatHealthCheck, report.CatCrash, report.CatRestart}, rule.Link{Effect: report.CatFailedFailover, Before: time.Minute, After: 10 * time.Minute})
}

const failedFailoverDoc = `Finds failovers that could not happen: 41142 (target not synchronized), 41104, 41131, 41134,
41125, 41160, and availability_replica_automatic_failover_validation events whose flags invalidate
the failover (joined_and_synchronized FALSE, forced_quorum TRUE, previous_primary_or_automatic_failover_target
FALSE). Fix: make the target synchronous and synchronized, or force the failover with data loss.`

func runFailedFailover(p *rule.Pass) {
	var evs []*parsers.Event
	for _, ev := range p.Events {
		if ev.Kind == parsers.KindFailoverFailed || ev.Kind == parsers.KindFailoverValidation && ev.Reason != "" {
			evs = append(evs, ev)
		}
	}
	for sv, grp := range rule.Episodes(evs, 5*time.Minute) {
		ags := rule.Collect(grp, agOf)
		reasons := rule.Collect(grp, func(e *parsers.Event) string {
			if e.Kind == parsers.KindFailoverValidation {
				return e.Reason
			}
			return ""
		})
		why := rule.ErrorNumbers(grp)
		if len(reasons) > 0 {
			why = strings.TrimPrefix(strings.Join(append([]string{why}, reasons...), "; "), "; ")
		}
		p.Report(&rule.Finding{
			Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, AGs: ags, Key: strings.ToUpper(sv),
			Title:      "Failover to " + sv + " failed",
			Severity:   85,
			RootCause:  fmt.Sprintf("%s could not become the primary replica of %s (%s).", sv, strings.Join(ags, ", "), why),
			Summary:    fmt.Sprintf("A failover of %s to %s failed at %s.", strings.Join(ags, ", "), sv, words.HMS(grp[0].Time)),
			Chain:      []report.Step{rule.Step("The failover to "+sv+" was refused or failed.", grp...)},
			Confidence: report.Certain, ConfidenceReason: "SQL Server logged the failed or invalid failover.",
			Fix: report.Fix{
				Steps: []string{"Check that the target replica is SYNCHRONOUS_COMMIT with AUTOMATIC failover and that its databases are SYNCHRONIZED before failing over; if the primary is lost for good, a forced failover (with possible data loss) is the only way."},
				SQL:   []string{"SELECT ar.replica_server_name, ar.availability_mode_desc, ar.failover_mode_desc, drs.database_id, drs.synchronization_state_desc, drs.is_failover_ready\nFROM sys.availability_replicas AS ar\nJOIN sys.dm_hadr_database_replica_cluster_states AS drs ON drs.replica_id = ar.replica_id;"},
			},
		})
	}
}

// FailoverLimitRule finds failovers the cluster refused because the role
// failed too often.
var FailoverLimitRule = &rule.Rule{
	Name:     "failover-limit",
	Category: report.CatFailedFailover,
	Rank:     80,
	Action:   true,
	Headline: true,
	// The limit is reached by the failures before it.,
	Links: failoverLimitLinks(),
	Doc:   failoverLimitDoc,
	Run:   runFailoverLimit,
}

// failoverLimitLinks are the links of FailoverLimitRule.
func failoverLimitLinks() []rule.Link {
	return linksFrom([]report.Category{report.CatClusterOutage, report.CatLeaseExpiry, report.CatHealthCheck, report.CatCrash, report.CatRestart}, rule.Link{Effect: report.CatFailedFailover, Before: time.Minute, After: time.Hour,
		Match: func(_, e *rule.Finding) bool { return e.Rule == "failover-limit" }})
}

const failoverLimitDoc = `Finds the cluster refusing to fail a role over again because it exceeded its failover
threshold: cluster log "Not failing over group <AG>, failoverCount N, failoverThresholdSetting M"
and System event 1254. The AG then stays offline (RESOLVING) until someone acts. Fix: bring the
role online by hand, investigate why it failed repeatedly, and only then raise the role's
Maximum Failures in the Specified Period.`

func runFailoverLimit(p *rule.Pass) {
	for sv, grp := range rule.Episodes(p.Filter(parsers.KindFailoverLimit), 10*time.Minute) {
		ags := rule.Collect(grp, agOf)
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
		p.Report(&rule.Finding{
			Start: grp[0].Time, End: grp[len(grp)-1].Time, Servers: []string{sv}, AGs: ags, Key: strings.ToUpper(ag),
			Title:    "The cluster refused to fail " + ag + " over again",
			Severity: 88,
			RootCause: fmt.Sprintf("The cluster refused another failover of %s because the role exceeded its failover threshold%s: %s stayed offline. Raise Maximum Failures in the Specified Period or investigate the repeated failures.",
				ag, detail, ag),
			Summary:    fmt.Sprintf("The cluster stopped failing %s over at %s: too many failures within the period.", ag, words.HMS(grp[0].Time)),
			Chain:      []report.Step{rule.Step("The cluster reached the role's failover limit and left it failed.", grp...)},
			Confidence: report.Certain, ConfidenceReason: "The cluster log records the refused failover and its counters.",
			Fix: report.Fix{
				Steps: []string{
					"Find and fix why the role failed repeatedly (the earlier incidents of this report).",
					"Bring the role online by hand in Failover Cluster Manager, or Start-ClusterGroup -Name '" + ag + "'.",
					"Only if the failures were expected (tests, patching), raise the role's Maximum Failures in the Specified Period: (Get-ClusterGroup -Name '" + ag + "').FailoverThreshold = <n> and .FailoverPeriod = <hours>.",
				},
			},
		})
	}
}

// causedFailover links the given causes to the automatic failover of their
// server that follows within 5 minutes.
func causedFailover(causes ...report.Category) []rule.Link {
	return linksFrom(causes, rule.Link{Effect: report.CatFailover, Before: time.Minute, After: 5 * time.Minute,
		Match: func(c, e *rule.Finding) bool {
			fo := e.Failover
			return fo != nil && (fo.Mode == report.ModeAutomatic || fo.Mode == report.ModeUnknown) &&
				(fo.From == "" || words.ContainsHost(c.AllServers(), fo.From))
		}})
}

// undoes reports whether failover e moves its AG back where failover c took it from.
func undoes(c, e *rule.Finding) bool {
	a, b := c.Failover, e.Failover
	return a != nil && b != nil && b.Mode == report.ModeManual && strings.EqualFold(a.AG, b.AG) &&
		a.From != "" && strings.EqualFold(a.From, b.To) && strings.EqualFold(a.To, b.From)
}
