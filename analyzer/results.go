package analyzer

import (
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// RolesResult is every AG's role history (*Roles): role spans for the chart
// and the changes of primary, each classified as manual, forced or
// automatic with its trigger. The report always has it, whichever rules ran.
var RolesResult = &Result{
	Name: "roles",
	Doc:  "replica role spans and classified failovers (*Roles)",
	Compute: func(p *Pass) any {
		m := buildRoles(p.Events, p.starts, p.ends)
		classifyFailovers(p, m)
		return m
	},
}

// ConnectionsResult is the list of connection windows ([]ConnectionWindow
// behind the scenes, read with Pass.Connections): periods during which a
// replica could not reach a partner while one of the two was primary.
var ConnectionsResult = &Result{
	Name:     "connections",
	Doc:      "connection windows between replicas ([]*connWindow; Pass.Connections)",
	Requires: []*Result{RolesResult},
	Compute:  func(p *Pass) any { return buildWindows(p) },
}

// LifecycleResult is the startups and shutdowns of every instance
// ([]*parsers.Event in time order).
var LifecycleResult = &Result{
	Name: "lifecycle",
	Doc:  "instance startups and shutdowns ([]*parsers.Event)",
	Compute: func(p *Pass) any {
		return p.filter(parsers.KindStartup, parsers.KindShutdown)
	},
}

// Roles returns the role history (RolesResult).
func (p *Pass) Roles() *Roles { return p.ResultOf(RolesResult).(*Roles) }

// Connections returns the connection windows (ConnectionsResult).
func (p *Pass) Connections() []ConnectionWindow {
	wins := p.windows()
	out := make([]ConnectionWindow, len(wins))
	for i, w := range wins {
		out[i] = w.ConnectionWindow
	}
	return out
}

func (p *Pass) windows() []*connWindow { return p.ResultOf(ConnectionsResult).([]*connWindow) }

func (p *Pass) lifecycle() []*parsers.Event { return p.ResultOf(LifecycleResult).([]*parsers.Event) }

// classifyFailovers gives each change of primary its mode and trigger: the
// FAILOVER statement before it, the cluster log's move type, or the health
// event on the old primary just before.
func classifyFailovers(p *Pass, m *Roles) {
	ddls := p.filter(parsers.KindDDL)
	triggers := p.filter(parsers.KindClusterUnavailable, parsers.KindQuorumLost, parsers.KindLeaseExpired,
		parsers.KindHealthFailure, parsers.KindShutdown, parsers.KindSQLServiceDown,
		parsers.KindResourceFailed, parsers.KindNodeRemoved)
	moves := p.filter(parsers.KindRoleMove)
	for _, fo := range m.failovers {
		for _, d := range ddls {
			if a := ddlAction(d); a != "" && (d.AG == "" || strings.EqualFold(d.AG, fo.AG)) &&
				!d.Time.Before(fo.At.Add(-5*time.Minute)) && !d.Time.After(fo.At.Add(30*time.Second)) {
				if fo.ddl == nil || strings.EqualFold(d.Field("ddl_phase"), "commit") {
					fo.ddl = d
				}
			}
		}
		for _, mv := range moves {
			if strings.EqualFold(mv.AG, fo.AG) && (fo.To == "" || sameHost(mv.To, fo.To)) && (fo.From == "" || sameHost(mv.From, fo.From)) &&
				!mv.Time.Before(fo.At.Add(-2*time.Minute)) && !mv.Time.After(fo.At.Add(5*time.Second)) {
				if fo.move == nil || mv.Field("move_type") != "" {
					fo.move = mv
				}
			}
		}
		if fo.To == "" && fo.move != nil && fo.move.To != "" {
			fo.To = p.Canonical(fo.move.To)
		}
		switch {
		case fo.ddl != nil && ddlAction(fo.ddl) == "FORCE_FAILOVER_ALLOW_DATA_LOSS":
			fo.Mode = ModeForced
			fo.Trigger = strings.TrimSpace(firstLine(fo.ddl.Message))
		case fo.ddl != nil:
			fo.Mode = ModeManual
			fo.Trigger = strings.TrimSpace(firstLine(fo.ddl.Message))
		case fo.move != nil && strings.EqualFold(fo.move.Field("move_type"), "Manual"):
			fo.Mode = ModeManual
			fo.Trigger = "moved by an administrator in the cluster (Move-ClusterGroup or Failover Cluster Manager, MoveType::Manual)"
		default:
			fo.Mode = ModeAutomatic
			if fo.From != "" {
				for _, t := range triggers {
					if t.Server == fo.From && !t.Time.Before(fo.At.Add(-5*time.Minute)) && !t.Time.After(fo.At) {
						fo.Trigger = fmt.Sprintf("%s on %s at %s", triggerLabel(t), t.Server, hms(t.Time))
						break
					}
				}
			}
			if fo.Trigger == "" && fo.toChange == nil {
				// Only the old primary's side is logged: a manual failover
				// would be recorded on the new primary, whose logs are missing.
				fo.Mode = ModeUnknown
				fo.Trigger = "the new primary's logs are not in the bundle, so whether a DBA or the cluster moved the role is not known"
			}
			if fo.Trigger == "" {
				fo.Trigger = "moved by the cluster; no trigger found in the SQL logs"
			}
		}
		if fo.toChange != nil {
			fo.Evidence = []Evidence{evidence(fo.toChange.ev)}
		} else if fo.fromChange != nil {
			fo.Evidence = []Evidence{evidence(fo.fromChange.ev)}
		}
		if fo.ddl != nil {
			fo.Evidence = append([]Evidence{evidence(fo.ddl)}, fo.Evidence...)
		}
		if fo.fromChange != nil && fo.toChange != nil && fo.At.Sub(fo.fromChange.ev.Time) < time.Hour {
			fo.NoPrimary = fo.At.Sub(fo.fromChange.ev.Time).Seconds()
		}
	}
}
