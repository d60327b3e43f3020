package agstate

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// RolesResult is every AG's role history (*Roles): role spans for the chart
// and the changes of primary, each classified as manual, forced or
// automatic with its trigger. The report always has it, whichever rules ran.
var RolesResult = &rule.Result{
	Name: "roles",
	Doc:  "replica role spans and classified failovers (*Roles)",
	Compute: func(p *rule.Pass) any {
		m := buildRoles(p.Events, p.Starts, p.Ends)
		classifyFailovers(p, m)
		return m
	},
}

// ConnectionsResult is the list of connection windows ([]*Window, read with
// Windows): periods during which a replica could not reach a partner while
// one of the two was primary.
var ConnectionsResult = &rule.Result{
	Name:     "connections",
	Doc:      "connection windows between replicas ([]*Window; see Windows)",
	Requires: []*rule.Result{RolesResult},
	Compute:  func(p *rule.Pass) any { return buildWindows(p) },
}

// LifecycleResult is the startups and shutdowns of every instance
// ([]*parsers.Event in time order).
var LifecycleResult = &rule.Result{
	Name: "lifecycle",
	Doc:  "instance startups and shutdowns ([]*parsers.Event)",
	Compute: func(p *rule.Pass) any {
		return p.Filter(parsers.KindStartup, parsers.KindShutdown)
	},
}

// RolesOf returns the role history of the pass (RolesResult).
func RolesOf(p *rule.Pass) *Roles { return p.ResultOf(RolesResult).(*Roles) }

// Windows returns the connection windows of the pass (ConnectionsResult),
// with the events behind them.
func Windows(p *rule.Pass) []*Window { return p.ResultOf(ConnectionsResult).([]*Window) }

// Lifecycle returns the startups and shutdowns of every instance
// (LifecycleResult), in time order.
func Lifecycle(p *rule.Pass) []*parsers.Event {
	return p.ResultOf(LifecycleResult).([]*parsers.Event)
}

// classifyFailovers gives each change of primary its mode and trigger: the
// FAILOVER statement before it, the cluster log's move type, or the health
// event on the old primary just before.
func classifyFailovers(p *rule.Pass, m *Roles) {
	ddls := p.Filter(parsers.KindDDL)
	triggers := p.Filter(parsers.KindClusterUnavailable, parsers.KindQuorumLost, parsers.KindLeaseExpired,
		parsers.KindHealthFailure, parsers.KindShutdown, parsers.KindSQLServiceDown,
		parsers.KindResourceFailed, parsers.KindNodeRemoved)
	moves := p.Filter(parsers.KindRoleMove)
	for _, fo := range m.failovers {
		for _, d := range ddls {
			if a := ddlAction(d); a != "" && (d.AG == "" || strings.EqualFold(d.AG, fo.AG)) &&
				!d.Time.Before(fo.At.Add(-5*time.Minute)) && !d.Time.After(fo.At.Add(30*time.Second)) {
				if fo.DDL == nil || strings.EqualFold(d.Field("ddl_phase"), "commit") {
					fo.DDL = d
				}
			}
		}
		for _, mv := range moves {
			if strings.EqualFold(mv.AG, fo.AG) && (fo.To == "" || words.SameHost(mv.To, fo.To)) && (fo.From == "" || words.SameHost(mv.From, fo.From)) &&
				!mv.Time.Before(fo.At.Add(-2*time.Minute)) && !mv.Time.After(fo.At.Add(5*time.Second)) {
				if fo.Move == nil || mv.Field("move_type") != "" {
					fo.Move = mv
				}
			}
		}
		if fo.To == "" && fo.Move != nil && fo.Move.To != "" {
			fo.To = p.Canonical(fo.Move.To)
		}
		switch {
		case fo.DDL != nil && ddlAction(fo.DDL) == "FORCE_FAILOVER_ALLOW_DATA_LOSS":
			fo.Mode = report.ModeForced
			fo.Trigger = strings.TrimSpace(words.FirstLine(fo.DDL.Message))
		case fo.DDL != nil:
			fo.Mode = report.ModeManual
			fo.Trigger = strings.TrimSpace(words.FirstLine(fo.DDL.Message))
		case fo.Move != nil && strings.EqualFold(fo.Move.Field("move_type"), "Manual"):
			fo.Mode = report.ModeManual
			fo.Trigger = "moved by an administrator in the cluster (Move-ClusterGroup or Failover Cluster Manager, MoveType::Manual)"
		default:
			fo.Mode = report.ModeAutomatic
			if fo.From != "" {
				for _, t := range triggers {
					if triggerServer(p, t) == fo.From && !t.Time.Before(fo.At.Add(-5*time.Minute)) && !t.Time.After(fo.At) {
						fo.Trigger = fmt.Sprintf("%s on %s at %s", triggerLabel(t), t.Server, words.HMS(t.Time))
						if t.Kind == parsers.KindNodeRemoved {
							fo.Trigger = fmt.Sprintf("node of %s removed from the cluster at %s (logged by %s)", fo.From, words.HMS(t.Time), t.Server)
						}
						break
					}
				}
			}
			if fo.Trigger == "" && fo.ToChange == nil {
				// Only the old primary's side is logged: a manual failover
				// would be recorded on the new primary, whose logs are missing.
				fo.Mode = report.ModeUnknown
				fo.Trigger = "the new primary's logs are not in the bundle, so whether a DBA or the cluster moved the role is not known"
			}
			if fo.Trigger == "" {
				fo.Trigger = "moved by the cluster; no trigger found in the SQL logs"
			}
		}
		if fo.ToChange != nil {
			fo.Evidence = []report.Evidence{rule.Evidence(fo.ToChange.Event)}
		} else if fo.FromChange != nil {
			fo.Evidence = []report.Evidence{rule.Evidence(fo.FromChange.Event)}
		}
		if fo.DDL != nil {
			fo.Evidence = append([]report.Evidence{rule.Evidence(fo.DDL)}, fo.Evidence...)
		}
		if fo.FromChange != nil && fo.ToChange != nil && fo.At.Sub(fo.FromChange.Event.Time) < time.Hour {
			fo.NoPrimary = fo.At.Sub(fo.FromChange.Event.Time).Seconds()
		}
	}
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

// triggerServer returns the server a trigger event is about: its own, or
// for a node removal (1135), which the surviving nodes log, the removed
// node.
func triggerServer(p *rule.Pass, ev *parsers.Event) string {
	if ev.Kind == parsers.KindNodeRemoved {
		if n := cmp.Or(ev.Field("node"), ev.Replica); n != "" {
			return p.Canonical(n)
		}
	}
	return ev.Server
}

// triggerLabel names the event that triggered a failover, for the
// Failover.Trigger sentence.
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
