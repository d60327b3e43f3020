package analyzer

import (
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// roleOf maps a replica state (19406 / XEvent label) to a chart role.
func roleOf(state string) string {
	s := strings.ToUpper(state)
	switch {
	case s == "PRIMARY_NORMAL" || s == "GLOBAL_PRIMARY":
		return RolePrimary
	case s == "SECONDARY_NORMAL" || s == "FORWARDER":
		return RoleSecondary
	case s == "NOT_AVAILABLE":
		return RoleDown
	default: // RESOLVING_*, PRIMARY_PENDING
		return RoleResolving
	}
}

// stateChange is one deduplicated replica state change.
type stateChange struct {
	ev       *parsers.Event
	server   string
	ag       string
	from, to string
	dups     []*parsers.Event // the same change from another source
}

// stateChanges returns the replica state changes in time order, with the
// copies that the same server logged in both ERRORLOG and XEvent data folded
// into one.
func stateChanges(events []*parsers.Event) []*stateChange {
	var out []*stateChange
	for _, ev := range events {
		if ev.Kind != parsers.KindReplicaStateChange || ev.To == "" {
			continue
		}
		from, to := strings.ToUpper(ev.From), strings.ToUpper(ev.To)
		dup := false
		for i := len(out) - 1; i >= 0 && ev.Time.Sub(out[i].ev.Time) <= 2*time.Second; i-- {
			c := out[i]
			if c.server == ev.Server && strings.EqualFold(c.ag, ev.AG) && c.from == from && c.to == to && c.ev.Source != ev.Source {
				c.dups = append(c.dups, ev)
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, &stateChange{ev: ev, server: ev.Server, ag: ev.AG, from: from, to: to})
		}
	}
	return out
}

// Roles is each AG's history of replica roles: the spans of the role chart
// and the changes of primary (failovers), classified. It is the value of
// RolesResult.
type Roles struct {
	changes   []*stateChange
	spans     []RoleSpan
	failovers []*failoverRec
}

// Spans returns each replica's role spans, by AG, server and time.
func (m *Roles) Spans() []RoleSpan { return m.spans }

// Failovers returns the changes of primary in time order.
func (m *Roles) Failovers() []Failover {
	out := make([]Failover, len(m.failovers))
	for i, fo := range m.failovers {
		out[i] = fo.Failover
	}
	return out
}

// RoleAt returns the role of server in ag at t ("" when the logs do not
// show it); an empty ag means any.
func (m *Roles) RoleAt(ag, server string, t time.Time) string { return m.roleAt(ag, server, t) }

type failoverRec struct {
	Failover
	fromChange *stateChange   // old primary leaving PRIMARY_NORMAL (may be nil)
	toChange   *stateChange   // new primary reaching PRIMARY_NORMAL (nil when its logs are missing)
	ddl        *parsers.Event // the FAILOVER statement, when logged
	move       *parsers.Event // the cluster log's record of the move
	toHint     *parsers.Event // what named the new primary when its logs are missing
}

// buildRoles assembles role spans and primary changes. starts and ends give,
// per server, when its logs begin and end (spans stop there). A change of
// primary is seen from either side: the new primary reaching PRIMARY_NORMAL,
// or the old one leaving it for good (its successor's logs may be missing).
func buildRoles(events []*parsers.Event, starts, ends map[string]time.Time) *Roles {
	m := &Roles{changes: stateChanges(events)}
	type key struct{ ag, server string }
	cur := map[key]*RoleSpan{}
	var keys []key
	lastPrimary := map[string]string{}   // AG -> server last seen PRIMARY_NORMAL
	pending := map[string]*stateChange{} // AG -> the old primary leaving PRIMARY_NORMAL, no successor seen yet
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
	secondaryAfter := map[*stateChange]bool{} // a pending departure whose server then became a secondary
	departed := func(c *stateChange) {
		if !secondaryAfter[c] {
			// It went offline (RESOLVING) and stayed there. When another
			// replica of the AG is in the bundle and none became primary,
			// the AG had no primary (the cluster did not fail it over):
			// no failover. Otherwise the successor's logs may be missing.
			for _, o := range m.changes {
				if strings.EqualFold(o.ag, c.ag) && o.server != c.server && ends[o.server].After(c.ev.Time) {
					return
				}
			}
		}
		for _, fo := range m.failovers {
			if fo.fromChange == c || strings.EqualFold(fo.AG, c.ag) && fo.From == c.server && fo.At.Sub(c.ev.Time).Abs() <= 2*time.Minute {
				return // already paired with its successor (clocks a little apart)
			}
		}
		f := &failoverRec{Failover: Failover{AG: c.ag, From: c.server, At: c.ev.Time}, fromChange: c}
		// The replica it then connected to as its primary names the successor.
		for _, ev := range hints {
			if ev.Server == c.server && (ev.AG == "" || strings.EqualFold(ev.AG, c.ag)) && !strings.EqualFold(ev.Replica, c.server) &&
				!ev.Time.Before(c.ev.Time) && ev.Time.Sub(c.ev.Time) <= 30*time.Minute {
				f.To, f.toHint = ev.Replica, ev
				break
			}
		}
		m.failovers = append(m.failovers, f)
	}
	for _, c := range m.changes {
		k := key{c.ag, c.server}
		switch sp := cur[k]; {
		case sp != nil && sp.Role == roleOf(c.to):
			// RESOLVING_NORMAL -> PRIMARY_PENDING stays one resolving span.
		case sp != nil:
			sp.End = c.ev.Time
			m.spans = append(m.spans, *sp)
			cur[k] = &RoleSpan{AG: c.ag, Server: c.server, Role: roleOf(c.to), Start: c.ev.Time}
		default:
			keys = append(keys, k)
			// Before its first logged change the replica held the role of
			// the change's previous state, since its logs began.
			if st, ok := starts[c.server]; ok && st.Before(c.ev.Time) && c.from != "" {
				m.spans = append(m.spans, RoleSpan{AG: c.ag, Server: c.server, Role: roleOf(c.from), Start: st, End: c.ev.Time})
			}
			if c.from == "SECONDARY_NORMAL" {
				wasSecondary[k] = true
			}
			cur[k] = &RoleSpan{AG: c.ag, Server: c.server, Role: roleOf(c.to), Start: c.ev.Time}
		}
		agKey := strings.ToUpper(c.ag)
		if c.from == "PRIMARY_NORMAL" && c.to != "PRIMARY_NORMAL" {
			if p := pending[agKey]; p != nil && p.server != c.server {
				departed(p)
			}
			pending[agKey] = c
			// A server leaving PRIMARY_NORMAL was the primary, even when the
			// logs begin after it became one.
			lastPrimary[agKey] = c.server
		}
		if c.to == "SECONDARY_NORMAL" {
			wasSecondary[k] = true
			if p := pending[agKey]; p != nil && p.server == c.server {
				secondaryAfter[p] = true
			}
		}
		if c.to == "PRIMARY_NORMAL" {
			prev := lastPrimary[agKey]
			if prev == "" {
				prev = hintAt(c.ag, c.ev.Time, c.server)
			}
			isFailover := prev != "" && prev != c.server || prev == "" && wasSecondary[k]
			if isFailover {
				f := &failoverRec{Failover: Failover{AG: c.ag, From: prev, To: c.server, At: c.ev.Time}, toChange: c}
				if lp := pending[agKey]; lp != nil && lp.server == prev {
					f.fromChange = lp
				}
				m.failovers = append(m.failovers, f)
			}
			delete(pending, agKey)
			lastPrimary[agKey] = c.server
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

// roleAt returns the role of server in ag at t ("" when unknown).
func (m *Roles) roleAt(ag, server string, t time.Time) string {
	role := ""
	for _, sp := range m.spans {
		if sp.Server == server && (ag == "" || strings.EqualFold(sp.AG, ag)) && !sp.Start.After(t) {
			role = sp.Role
		}
	}
	return role
}
