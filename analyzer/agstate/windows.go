package agstate

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// Window is a ConnectionWindow with the events behind it.
type Window struct {
	report.ConnectionWindow
	// Opened are the events that lost the connection (the first opened
	// the window).
	Opened []*parsers.Event
	// Closed is the re-connection, when logged (nil when the window was
	// closed by a failover or never).
	Closed *parsers.Event
}

// PartnerOf returns the other replica of a connection event logged on ev.Server.
func PartnerOf(ev *parsers.Event) string {
	if ev.Replica != "" && !strings.EqualFold(ev.Replica, ev.Server) {
		return ev.Replica
	}
	if f := ev.Field("from_replica"); f != "" && !strings.EqualFold(f, ev.Server) {
		return f
	}
	return ev.Replica
}

// buildWindows pairs connection losses (35201, 35206, 35267, connection
// errors) with the next re-connection (35202, 35266) of the same server and
// partner (ConnectionsResult).
func buildWindows(p *rule.Pass) []*Window {
	type key struct{ server, partner string }
	open := map[key]*Window{}
	var out []*Window
	for _, ev := range p.Events {
		switch ev.Kind {
		case parsers.KindConnectionTimeout, parsers.KindDatabaseDisconnected, parsers.KindConnectionError,
			parsers.KindConnectionEstablished, parsers.KindDatabaseConnected:
		default:
			continue
		}
		partner := p.Canonical(PartnerOf(ev))
		if partner == "" {
			continue
		}
		k := key{ev.Server, partner}
		switch ev.Kind {
		case parsers.KindConnectionEstablished, parsers.KindDatabaseConnected:
			if w := open[k]; w != nil {
				w.End = ev.Time
				w.Closed = ev
				delete(open, k)
			}
		default:
			w := open[k]
			if w == nil {
				w = &Window{ConnectionWindow: report.ConnectionWindow{AG: ev.AG, Server: ev.Server, Partner: partner, Start: ev.Time}}
				open[k] = w
				out = append(out, w)
			}
			if w.AG == "" {
				w.AG = ev.AG
			}
			if ev.Database != "" && !slices.Contains(w.Databases, ev.Database) {
				w.Databases = append(w.Databases, ev.Database)
			}
			w.Opened = append(w.Opened, ev)
		}
	}
	for _, w := range out {
		sort.Strings(w.Databases)
		closeWhenNoPrimary(p, w)
	}
	return out
}

// closeWhenNoPrimary fits a window to the time a connection mattered:
// replicas only keep connections to and from the primary, so a window starts
// when one of the two is primary (a secondary that loses its old primary in a
// failover is no disconnection until the new primary expects it) and ends
// when neither is any more. A replica whose role is unknown counts as a
// possible primary.
func closeWhenNoPrimary(p *rule.Pass, w *Window) {
	end := w.End
	if end.IsZero() {
		end = p.EndOf(w.Server)
	}
	roles := RolesOf(p)
	times := []time.Time{w.Start}
	for _, sp := range roles.spans {
		if (sp.Server == w.Server || strings.EqualFold(sp.Server, w.Partner)) && sp.Start.After(w.Start) && sp.Start.Before(end) {
			times = append(times, sp.Start)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	started := false
	for _, t := range times {
		a, b := roles.RoleAt(w.AG, w.Server, t), roles.RoleAt(w.AG, w.Partner, t)
		// A replica whose role the logs do not show (its log was cycled
		// since its last change) may be the primary.
		mattered := a == report.RolePrimary || b == report.RolePrimary || a == "" || b == ""
		if !started {
			if mattered {
				started = true
				w.Start = t
			}
			continue
		}
		if !mattered {
			w.End = t
			w.Cause = "failover: neither replica was the primary any more"
			w.Closed = nil
			return
		}
	}
	if !started {
		w.End = w.Start
		w.Cause = "failover: neither replica was the primary any more"
		w.Closed = nil
	}
}

// RestartedNear reports whether server started or shut down in [from, to].
func RestartedNear(p *rule.Pass, server string, from, to time.Time) bool {
	return RestartAt(p, server, from, to) != nil
}

// RestartAt returns the first startup or shutdown of server in [from, to].
func RestartAt(p *rule.Pass, server string, from, to time.Time) *parsers.Event {
	for _, ev := range Lifecycle(p) {
		if strings.EqualFold(ev.Server, server) && !ev.Time.Before(from) && !ev.Time.After(to) {
			return ev
		}
	}
	return nil
}
