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

// roleModel is each AG's history of replica roles.
type roleModel struct {
	changes   []*stateChange
	spans     []RoleSpan
	failovers []*failoverRec
}

type failoverRec struct {
	Failover
	fromChange *stateChange // old primary leaving PRIMARY_NORMAL (may be nil)
	toChange   *stateChange // new primary reaching PRIMARY_NORMAL
}

// buildRoles assembles role spans and primary changes. starts and ends give,
// per server, when its logs begin and end (spans stop there).
func buildRoles(events []*parsers.Event, starts, ends map[string]time.Time) *roleModel {
	m := &roleModel{changes: stateChanges(events)}
	type key struct{ ag, server string }
	cur := map[key]*RoleSpan{}
	var keys []key
	lastPrimary := map[string]string{}       // AG -> server last seen PRIMARY_NORMAL
	leftPrimary := map[string]*stateChange{} // AG -> the old primary leaving PRIMARY_NORMAL
	wasSecondary := map[key]bool{}
	// Hints of who was primary before the first logged change: a replica
	// logs 35266/35267 "connection with primary database" naming its primary.
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
		if c.from == "PRIMARY_NORMAL" && c.to != "PRIMARY_NORMAL" {
			leftPrimary[c.ag] = c
			// A server leaving PRIMARY_NORMAL was the primary, even when the
			// logs begin after it became one.
			lastPrimary[c.ag] = c.server
		}
		if c.to == "SECONDARY_NORMAL" {
			wasSecondary[k] = true
		}
		if c.to == "PRIMARY_NORMAL" {
			prev := lastPrimary[c.ag]
			if prev == "" {
				prev = hintAt(c.ag, c.ev.Time, c.server)
			}
			isFailover := prev != "" && prev != c.server || prev == "" && wasSecondary[k]
			if isFailover {
				f := &failoverRec{Failover: Failover{AG: c.ag, From: prev, To: c.server, At: c.ev.Time}, toChange: c}
				if lp := leftPrimary[c.ag]; lp != nil && lp.server == prev {
					f.fromChange = lp
				}
				m.failovers = append(m.failovers, f)
			}
			lastPrimary[c.ag] = c.server
		}
	}
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
func (m *roleModel) roleAt(ag, server string, t time.Time) string {
	role := ""
	for _, sp := range m.spans {
		if sp.Server == server && (ag == "" || strings.EqualFold(sp.AG, ag)) && !sp.Start.After(t) {
			role = sp.Role
		}
	}
	return role
}
