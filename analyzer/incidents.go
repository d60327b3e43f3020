package analyzer

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// precedence ranks root causes: when two findings could explain each other,
// the lower number is the cause.
var precedence = map[string]int{
	CatClusterOutage:       1,
	CatLeaseExpiry:         2,
	CatHealthCheck:         3,
	CatRestart:             4,
	CatEndpointOwnership:   5,
	CatFailover:            6, // manual and forced failovers: a DBA's action
	CatEndpointHandshake:   7,
	CatFailedFailover:      8,
	CatDataMovement:        9,
	CatReplicaDisconnected: 10,
	CatLogFull:             11, // after the disconnections that explain it
	CatNotSynchronizing:    12,
}

// explainable lists the categories of causes that a higher cause may explain
// (a lease expiry during a cluster outage): they are placed after the
// incidents of pass 1 exist.
var explainable = map[string]bool{
	CatLeaseExpiry:       true,
	CatHealthCheck:       true,
	CatRestart:           true,
	CatEndpointHandshake: true,
	CatFailedFailover:    true,
	CatDataMovement:      true,
	CatLogFull:           true,
	CatNotSynchronizing:  true,
}

// incidentBuilder holds an incident while it is assembled.
type incidentBuilder struct {
	root     *Finding
	members  []*Finding
	start    time.Time
	end      time.Time
	servers  map[string]bool
	failback bool
}

func (b *incidentBuilder) add(f *Finding) {
	b.members = append(b.members, f)
	if f.Start.Before(b.start) {
		b.start = f.Start
	}
	if f.End.After(b.end) {
		b.end = f.End
	}
	for _, s := range f.Servers {
		b.servers[strings.ToUpper(s)] = true
	}
}

func (b *incidentBuilder) hasServer(s string) bool { return s != "" && b.servers[strings.ToUpper(s)] }

// explains reports whether incident b (by its root cause) explains finding f.
func (b *incidentBuilder) explains(f *Finding) bool {
	r := b.root
	near := func(before, after time.Duration) bool {
		return !f.Start.Before(b.start.Add(-before)) && !f.Start.After(b.end.Add(after))
	}
	switch f.Category {
	case CatFailover:
		fo := f.failover
		if fo == nil {
			return false
		}
		switch fo.Mode {
		case ModeAutomatic:
			if precedence[r.Category] <= precedence[CatRestart] && near(time.Minute, 5*time.Minute) &&
				(fo.From == "" || b.hasServer(fo.From)) {
				return true
			}
		case ModeManual:
			// A manual failback after an incident that moved the AG away.
			for _, m := range b.members {
				if m.failover != nil && m.failover.AG == fo.AG && m.failover.From == fo.To && m.failover.To == fo.From &&
					f.Start.After(m.Start) && f.Start.Sub(b.end) <= 4*time.Hour {
					b.failback = true
					return true
				}
			}
		}
		return false
	case CatLeaseExpiry, CatRestart, CatHealthCheck:
		if (f.Category == CatHealthCheck || f.Category == CatLeaseExpiry) && (r.Category == CatLeaseExpiry || r.Category == CatHealthCheck) &&
			near(2*time.Minute, 2*time.Minute) && b.hasServer(f.Servers[0]) {
			return true // the same stall seen by the health check and the lease
		}
		return r.Category == CatClusterOutage && near(time.Minute, time.Minute) && b.hasServer(f.Servers[0]) ||
			f.Category == CatRestart && precedence[r.Category] < precedence[CatRestart] && near(time.Minute, 2*time.Minute) && b.hasServer(f.Servers[0])
	case CatFailedFailover:
		after := 10 * time.Minute
		if f.Rule == FailoverLimitRule.Name {
			after = time.Hour // the limit is reached by the failures before it
		}
		return precedence[r.Category] <= precedence[CatRestart] && near(time.Minute, after)
	case CatEndpointHandshake:
		return r.Category == CatEndpointOwnership && f.state == 84 && f.Start.After(r.Start) && f.Start.Sub(r.Start) <= 30*24*time.Hour
	case CatDataMovement:
		if strings.Contains(f.reason, "SUSPEND_FROM_PARTNER") {
			return r.failover != nil && r.failover.Mode == ModeForced && f.Start.After(r.Start) && f.Start.Sub(r.Start) <= 7*24*time.Hour ||
				precedence[r.Category] <= precedence[CatRestart] && near(time.Minute, 30*time.Minute)
		}
		return false
	case CatLogFull, CatNotSynchronizing:
		// A secondary that cannot receive log holds the primary's log (9002
		// AVAILABILITY_REPLICA) or leaves its databases behind: the
		// disconnection (or what caused it) explains it, even hours later.
		if r.Category == CatReplicaDisconnected || r.Category == CatEndpointHandshake || r.Category == CatClusterOutage ||
			r.Category == CatLeaseExpiry || r.Category == CatFailover || r.Category == CatRestart {
			for _, s := range f.Servers {
				if b.hasServer(s) && !f.Start.Before(b.start) && !f.Start.After(b.end.Add(time.Hour)) {
					return true
				}
			}
		}
		return false
	case CatReplicaDisconnected:
		if r.Category == CatEndpointHandshake {
			return (strings.EqualFold(f.partner, r.Servers[0]) || b.hasServer(f.partner)) && f.Start.Before(b.end.Add(time.Minute)) && !f.End.Before(b.start.Add(-time.Minute))
		}
		for _, s := range f.Servers {
			if b.hasServer(s) && near(2*time.Minute, 5*time.Minute) {
				return true
			}
		}
		return false
	}
	return false
}

// buildIncidents groups findings into incidents: root causes first (by
// precedence, then time), then every other finding attaches to the first
// incident that explains it; what nothing explains becomes an incident of
// its own.
func buildIncidents(findings []*Finding) []Incident {
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].Start.Before(findings[j].Start) })
	var bs []*incidentBuilder
	attached := make([]bool, len(findings))
	newBuilder := func(f *Finding) *incidentBuilder {
		b := &incidentBuilder{root: f, start: f.Start, end: f.End, servers: map[string]bool{}}
		b.add(f)
		bs = append(bs, b)
		return b
	}
	// Pass 1: root causes; the same cause on several servers at the same time
	// (a cluster outage seen by two nodes) is one incident.
	for i, f := range findings {
		if !f.Cause || f.Category == CatFailover && f.failover != nil && f.failover.Mode == ModeManual {
			continue
		}
		if explainable[f.Category] {
			continue // pass 2: a higher cause may explain it
		}
		merged := false
		for _, b := range bs {
			if b.root.Category == f.Category && f.Category == CatClusterOutage && !f.Start.After(b.end.Add(2*time.Minute)) {
				if f.sqlSide && !b.root.sqlSide {
					// SQL Server's own record of losing its cluster is a
					// better root than another node's view of it.
					b.root = f
				}
				b.add(f)
				merged = true
				break
			}
		}
		if !merged {
			newBuilder(f)
		}
		attached[i] = true
	}
	// Pass 2: everything else, in precedence order so that lease expiries and
	// restarts can open incidents that explain failovers.
	order := make([]int, 0, len(findings))
	for i := range findings {
		if !attached[i] {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		return precedence[findings[order[a]].Category] < precedence[findings[order[b]].Category]
	})
	for _, i := range order {
		f := findings[i]
		var best *incidentBuilder
		if f.Category == CatReplicaDisconnected {
			// A handshake failure is the most specific explanation of a
			// disconnection: prefer it over an incident that merely overlaps.
			for _, b := range bs {
				if b.root.Category == CatEndpointHandshake && b.explains(f) {
					best = b
					break
				}
			}
		}
		if best == nil {
			// The nearest explanation: the latest incident that began
			// before the finding and explains it.
			for _, b := range bs {
				if b.explains(f) && (best == nil || b.start.After(best.start) && !b.start.After(f.Start.Add(time.Minute))) {
					best = b
				}
			}
		}
		if best != nil {
			best.add(f)
			continue
		}
		if f.Category == CatLeaseExpiry || f.Category == CatRestart || f.Category == CatHealthCheck {
			// The same cause on another server at the same time: one incident.
			merged := false
			for _, b := range bs {
				if b.root.Category == f.Category && !f.Start.After(b.end.Add(2*time.Minute)) && !f.End.Before(b.start.Add(-2*time.Minute)) {
					b.add(f)
					merged = true
					break
				}
			}
			if merged {
				continue
			}
		}
		newBuilder(f)
	}
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].start.Before(bs[j].start) })
	out := make([]Incident, 0, len(bs))
	for i, b := range bs {
		out = append(out, b.incident(i+1))
	}
	return out
}

// incident renders the builder as an Incident.
func (b *incidentBuilder) incident(id int) Incident {
	r := b.root
	inc := Incident{
		ID: id, Category: r.Category, Title: r.Title, Start: b.start, End: b.end,
		Duration:   b.end.Sub(b.start).Seconds(),
		RootCause:  r.RootCause,
		Confidence: r.Confidence, ConfidenceReason: r.ConfidenceReason,
		Severity: r.Severity,
	}
	var rules []string
	var failovers []string
	ags, servers, dbs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var consequences []string
	fixSeen := map[string]bool{}
	for _, m := range b.members {
		inc.Ongoing = inc.Ongoing || m.Ongoing && m.End.Equal(b.end)
		if !contains(rules, m.Rule) {
			rules = append(rules, m.Rule)
		}
		for _, a := range m.AGs {
			ags[a] = true
		}
		for _, s := range m.Servers {
			servers[s] = true
		}
		for _, d := range m.Databases {
			dbs[d] = true
		}
		inc.Chain = append(inc.Chain, m.Chain...)
		if m == r || consequence[m.Category] {
			// A disconnection explained by the root needs no fix of its own.
			mergeFix(&inc.Fix, m.Fix, fixSeen)
		}
		if m != r && consequence[m.Category] && m.RootCause != "" {
			consequences = append(consequences, lowerFirst(strings.TrimSuffix(m.RootCause, ".")))
		}
		if m != r && m.failover != nil {
			fo := m.failover
			fo.IncidentID = id
			failovers = append(failovers, fmt.Sprintf("%s failed over (%s) from %s to %s at %s", fo.AG, fo.Mode, orUnknown(fo.From), fo.To, hms(fo.At)))
		}
		if m.Severity > inc.Severity {
			inc.Severity = m.Severity
		}
	}
	if r.failover != nil {
		r.failover.IncidentID = id
	}
	sort.SliceStable(inc.Chain, func(i, j int) bool { return inc.Chain[i].Time.Before(inc.Chain[j].Time) })
	inc.AGs, inc.Servers, inc.Databases = keys(ags), keys(servers), keys(dbs)
	inc.Rules = rules
	if len(failovers) > 0 {
		inc.RootCause = strings.TrimSuffix(inc.RootCause, ".") + "; " + strings.Join(failovers, ", then ") + "."
		if b.failback {
			inc.Title += ", failover and failback"
		} else {
			inc.Title += " and failover"
		}
	}
	// The cluster refusing to fail over again leaves the AG offline: that
	// outcome names the incident, and the failure that used up the last
	// attempt is its trigger.
	var limit *Finding
	for _, m := range b.members {
		if m != r && m.Rule == FailoverLimitRule.Name {
			inc.Category, inc.Title = m.Category, m.Title
			inc.RootCause = strings.TrimSuffix(m.RootCause, ".") + ". The last failure: " + lowerFirst(r.RootCause)
			inc.Confidence, inc.ConfidenceReason = m.Confidence, m.ConfidenceReason
			limit = m
			consequences = removeString(consequences, lowerFirst(strings.TrimSuffix(m.RootCause, ".")))
		}
	}
	if len(consequences) > 0 {
		inc.RootCause = strings.TrimSuffix(inc.RootCause, ".") + "; as a consequence, " + strings.Join(consequences, "; ") + "."
		if r.Category == CatEndpointOwnership {
			inc.Confidence = Likely
			inc.ConfidenceReason = "The refused DROP LOGIN is logged; that the ownership change removed the CONNECT permission is inferred from the handshake failures (State 84) that follow it."
		}
	}
	// One or two sentences: the root finding's, and the first failover's.
	inc.Summary = r.Summary
	for _, m := range b.members {
		if m != r && m.failover != nil && m.Summary != "" {
			inc.Summary += " " + m.Summary
			break
		}
	}
	if limit != nil {
		inc.Summary = limit.Summary + " " + r.Summary
	}
	if inc.Ongoing {
		inc.Summary += " It was still going on when the logs end."
	}
	return inc
}

// consequence lists the categories whose root-cause sentence is added to the
// incident's when they are explained by another finding: they need their own
// action.
var consequence = map[string]bool{
	CatEndpointHandshake: true,
	CatDataMovement:      true,
	CatFailedFailover:    true,
	CatLogFull:           true,
	CatNotSynchronizing:  true,
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'a' && s[1] <= 'z' {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// mergeFix appends the SQL batches and steps of f not seen yet.
func mergeFix(dst *Fix, f Fix, seen map[string]bool) {
	for _, s := range f.SQL {
		if !seen[s] {
			seen[s] = true
			dst.SQL = append(dst.SQL, s)
		}
	}
	for _, s := range f.Steps {
		if !seen[s] {
			seen[s] = true
			dst.Steps = append(dst.Steps, s)
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown replica"
	}
	return s
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
