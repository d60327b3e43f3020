package agstate

import (
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// roleOf maps a replica state (19406 / XEvent label) to a chart role.
func roleOf(state string) report.Role {
	s := strings.ToUpper(state)
	switch {
	case s == "PRIMARY_NORMAL" || s == "GLOBAL_PRIMARY":
		return report.RolePrimary
	case s == "SECONDARY_NORMAL" || s == "FORWARDER":
		return report.RoleSecondary
	case s == "NOT_AVAILABLE":
		return report.RoleDown
	default: // RESOLVING_*, PRIMARY_PENDING
		return report.RoleResolving
	}
}

// Change is one deduplicated replica state change.
type Change struct {
	// Event is the record of the change (19406, or an XEvent).
	Event *parsers.Event
	// Server and AG are the replica and its availability group.
	Server, AG string
	// From and To are the replica states, upper case (PRIMARY_NORMAL).
	From, To string
	// Dups are the same change recorded by another source (ERRORLOG and XEvent).
	Dups []*parsers.Event
}

// stateChanges returns the replica state changes in time order, with the
// copies that the same server logged in both ERRORLOG and XEvent data folded
// into one.
func stateChanges(events []*parsers.Event) []*Change {
	var out []*Change
	for _, ev := range events {
		if ev.Kind != parsers.KindReplicaStateChange || ev.To == "" {
			continue
		}
		from, to := strings.ToUpper(ev.From), strings.ToUpper(ev.To)
		dup := false
		for i := len(out) - 1; i >= 0 && ev.Time.Sub(out[i].Event.Time) <= 2*time.Second; i-- {
			c := out[i]
			if c.Server == ev.Server && strings.EqualFold(c.AG, ev.AG) && c.From == from && c.To == to && c.Event.Source != ev.Source {
				c.Dups = append(c.Dups, ev)
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, &Change{Event: ev, Server: ev.Server, AG: ev.AG, From: from, To: to})
		}
	}
	return out
}

// Roles is each AG's history of replica roles: the spans of the role chart
// and the changes of primary (failovers), classified. It is the value of
// RolesResult.
type Roles struct {
	changes   []*Change
	spans     []report.RoleSpan
	failovers []*Failover
}

// Spans returns each replica's role spans, by AG, server and time.
func (m *Roles) Spans() []report.RoleSpan { return m.spans }

// Records returns the changes of primary in time order, with the events
// behind them.
func (m *Roles) Records() []*Failover { return m.failovers }

// Failovers returns the changes of primary in time order.
func (m *Roles) Failovers() []report.Failover {
	out := make([]report.Failover, len(m.failovers))
	for i, fo := range m.failovers {
		out[i] = fo.Failover
	}
	return out
}

// Failover is a change of primary (report.Failover) with the events behind it.
type Failover struct {
	report.Failover
	// FromChange is the old primary leaving PRIMARY_NORMAL (may be nil).
	FromChange *Change
	// ToChange is the new primary reaching PRIMARY_NORMAL (nil when its logs
	// are missing).
	ToChange *Change
	// DDL is the FAILOVER statement, when logged.
	DDL *parsers.Event
	// Move is the cluster log's record of the move.
	Move *parsers.Event
	// ToHint is what named the new primary when its logs are missing.
	ToHint *parsers.Event
}

// buildRoles assembles role spans and primary changes. starts and ends give,
// per server, when its logs begin and end (spans stop there). A change of
// primary is seen from either side: the new primary reaching PRIMARY_NORMAL,
// or the old one leaving it for good (its successor's logs may be missing).
func buildRoles(events []*parsers.Event, starts, ends map[string]time.Time) *Roles {
	m := &Roles{changes: stateChanges(events)}
	type key struct{ ag, server string }
	cur := map[key]*report.RoleSpan{}
	var keys []key
	lastPrimary := map[string]string{} // AG -> server last seen PRIMARY_NORMAL
	pending := map[string]*Change{}    // AG -> the old primary leaving PRIMARY_NORMAL, no successor seen yet
	wasSecondary := map[key]bool{}
	// Hints of who was primary: a replica logs 35266/35267 "connection with
	// primary database" naming its primary.
	hints := make([]*parsers.Event, 0)
	for _, ev := range events {
		if (ev.Kind == parsers.KindDatabaseConnected || ev.Kind == parsers.KindDatabaseDisconnected) &&
			strings.EqualFold(ev.Field("partner_role"), "primary") && ev.Replica != "" {
			hints = append(hints, ev)
		}
	}
	hintAt := func(ag string, t time.Time, not string) string {
		h := ""
		for _, ev := range hints {
			if ev.Time.After(t) {
				break
			}
			if (ev.AG == "" || strings.EqualFold(ev.AG, ag)) && !strings.EqualFold(ev.Replica, not) {
				h = ev.Replica
			}
		}
		return h
	}
	// departed records a primary that left its role with no successor in
	// the logs: a failover to a replica whose logs are missing.
	secondaryAfter := map[*Change]bool{} // a pending departure whose server then became a secondary
	departed := func(c *Change) {
		if !secondaryAfter[c] {
			// It went offline (RESOLVING) and stayed there. When another
			// replica of the AG is in the bundle and none became primary,
			// the AG had no primary (the cluster did not fail it over):
			// no failover. Otherwise the successor's logs may be missing.
			for _, o := range m.changes {
				if strings.EqualFold(o.AG, c.AG) && o.Server != c.Server && ends[o.Server].After(c.Event.Time) {
					return
				}
			}
		}
		for _, fo := range m.failovers {
			if fo.FromChange == c || strings.EqualFold(fo.AG, c.AG) && fo.From == c.Server && fo.At.Sub(c.Event.Time).Abs() <= 2*time.Minute {
				return // already paired with its successor (clocks a little apart)
			}
		}
		f := &Failover{Failover: report.Failover{AG: c.AG, From: c.Server, At: c.Event.Time}, FromChange: c}
		// The replica it then connected to as its primary names the successor.
		for _, ev := range hints {
			if ev.Server == c.Server && (ev.AG == "" || strings.EqualFold(ev.AG, c.AG)) && !strings.EqualFold(ev.Replica, c.Server) &&
				!ev.Time.Before(c.Event.Time) && ev.Time.Sub(c.Event.Time) <= 30*time.Minute {
				f.To, f.ToHint = ev.Replica, ev
				break
			}
		}
		m.failovers = append(m.failovers, f)
	}
	for _, c := range m.changes {
		k := key{c.AG, c.Server}
		switch sp := cur[k]; {
		case sp != nil && sp.Role == roleOf(c.To):
			// RESOLVING_NORMAL -> PRIMARY_PENDING stays one resolving span.
		case sp != nil:
			sp.End = c.Event.Time
			m.spans = append(m.spans, *sp)
			cur[k] = &report.RoleSpan{AG: c.AG, Server: c.Server, Role: roleOf(c.To), Start: c.Event.Time}
		default:
			keys = append(keys, k)
			// Before its first logged change the replica held the role of
			// the change's previous state, since its logs began.
			if st, ok := starts[c.Server]; ok && st.Before(c.Event.Time) && c.From != "" {
				m.spans = append(m.spans, report.RoleSpan{AG: c.AG, Server: c.Server, Role: roleOf(c.From), Start: st, End: c.Event.Time})
			}
			if c.From == "SECONDARY_NORMAL" {
				wasSecondary[k] = true
			}
			cur[k] = &report.RoleSpan{AG: c.AG, Server: c.Server, Role: roleOf(c.To), Start: c.Event.Time}
		}
		agKey := strings.ToUpper(c.AG)
		if c.From == "PRIMARY_NORMAL" && c.To != "PRIMARY_NORMAL" {
			if p := pending[agKey]; p != nil && p.Server != c.Server {
				departed(p)
			}
			pending[agKey] = c
			// A server leaving PRIMARY_NORMAL was the primary, even when the
			// logs begin after it became one.
			lastPrimary[agKey] = c.Server
		}
		if c.To == "SECONDARY_NORMAL" {
			wasSecondary[k] = true
			if p := pending[agKey]; p != nil && p.Server == c.Server {
				secondaryAfter[p] = true
			}
		}
		if c.To == "PRIMARY_NORMAL" {
			prev := lastPrimary[agKey]
			if prev == "" {
				prev = hintAt(c.AG, c.Event.Time, c.Server)
			}
			isFailover := prev != "" && prev != c.Server || prev == "" && wasSecondary[k]
			if isFailover {
				f := &Failover{Failover: report.Failover{AG: c.AG, From: prev, To: c.Server, At: c.Event.Time}, ToChange: c}
				if lp := pending[agKey]; lp != nil && lp.Server == prev {
					f.FromChange = lp
				}
				m.failovers = append(m.failovers, f)
			}
			delete(pending, agKey)
			lastPrimary[agKey] = c.Server
		}
	}
	for _, c := range pending {
		departed(c)
	}
	sort.SliceStable(m.failovers, func(i, j int) bool { return m.failovers[i].At.Before(m.failovers[j].At) })
	for _, k := range keys {
		sp := cur[k]
		sp.End = ends[k.server]
		if sp.End.Before(sp.Start) {
			sp.End = sp.Start
		}
		m.spans = append(m.spans, *sp)
	}
	sort.SliceStable(m.spans, func(i, j int) bool {
		a, b := m.spans[i], m.spans[j]
		if a.AG != b.AG {
			return a.AG < b.AG
		}
		if a.Server != b.Server {
			return a.Server < b.Server
		}
		return a.Start.Before(b.Start)
	})
	return m
}

// RoleAt returns the role of server in ag at t ("" when the logs do not
// show it); an empty ag means any.
func (m *Roles) RoleAt(ag, server string, t time.Time) report.Role {
	var role report.Role
	for _, sp := range m.spans {
		if sp.Server == server && (ag == "" || strings.EqualFold(sp.AG, ag)) && !sp.Start.After(t) {
			role = sp.Role
		}
	}
	return role
}
