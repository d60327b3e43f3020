package engine

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
)

// correlation is the incident builder's view of the rules: their ranks,
// links and properties by category and name, so that it never names a rule
// or a category itself.
type correlation struct {
	byName map[string]*rule.Rule
	rank   map[report.Category]int // category -> lowest rank of a rule of that category
	links  []rule.Link
	// linksTo holds the links by the category they explain, in the order
	// of links.
	linksTo map[report.Category][]*rule.Link
	// long are the findings that last longFinding or more, in start order
	// (candidates).
	long []*rule.Finding
}

func newCorrelation(rules []*rule.Rule) *correlation {
	c := &correlation{byName: map[string]*rule.Rule{}, rank: map[report.Category]int{}}
	for _, r := range rules {
		c.byName[r.Name] = r
		if rk, ok := c.rank[r.Category]; !ok || r.EffectiveRank() < rk {
			c.rank[r.Category] = r.EffectiveRank()
		}
		c.links = append(c.links, r.Links...)
	}
	c.linksTo = map[report.Category][]*rule.Link{}
	for i := range c.links {
		l := &c.links[i]
		c.linksTo[l.Effect] = append(c.linksTo[l.Effect], l)
	}
	return c
}

func (c *correlation) rankOf(f *rule.Finding) int {
	if r := c.byName[f.Rule]; r != nil {
		return r.EffectiveRank()
	}
	if rk, ok := c.rank[f.Category]; ok {
		return rk
	}
	return rule.DefaultRank
}

func (c *correlation) rule(f *rule.Finding) *rule.Rule {
	if r := c.byName[f.Rule]; r != nil {
		return r
	}
	return &rule.Rule{Name: f.Rule, Category: f.Category}
}

// mergeFindings folds findings that are one problem: the same rule, the same
// Key, overlapping in time (within the rule's MergeGap), whichever replica or
// file saw them.
func (c *correlation) mergeFindings(findings []*rule.Finding) []*rule.Finding {
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].Start.Before(findings[j].Start) })
	var out []*rule.Finding
	// The findings each may still merge into, by rule and key, in the
	// order of out: one that ended more than the gap before a finding
	// starts can take none of the later ones (they start later still).
	type ruleKey struct{ rule, key string }
	open := map[ruleKey][]*rule.Finding{}
next:
	for _, f := range findings {
		gap := c.rule(f).MergeGap
		if gap == 0 {
			gap = 2 * time.Minute
		}
		k := ruleKey{f.Rule, f.Key}
		if gap > 0 && f.Failover == nil {
			list := slices.DeleteFunc(open[k], func(g *rule.Finding) bool { return f.Start.After(g.End.Add(gap)) })
			open[k] = list
			for _, g := range list {
				if !f.End.Before(g.Start.Add(-gap)) {
					mergeInto(g, f)
					continue next
				}
			}
			open[k] = append(list, f)
		}
		out = append(out, f)
	}
	return out
}

// mergeInto adds f to g: one problem seen twice.
func mergeInto(g, f *rule.Finding) {
	if f.SQLLogged && !g.SQLLogged {
		// SQL Server's own record of a problem is a better root than
		// another node's view of it in a cluster log.
		g.Title, g.RootCause, g.Summary = f.Title, f.RootCause, f.Summary
		g.Confidence, g.ConfidenceReason, g.SQLLogged = f.Confidence, f.ConfidenceReason, true
	}
	if f.End.After(g.End) {
		g.End, g.Ongoing = f.End, f.Ongoing
	} else if f.End.Equal(g.End) {
		g.Ongoing = g.Ongoing || f.Ongoing
	}
	if f.Start.Before(g.Start) {
		g.Start = f.Start
	}
	g.Servers = union(g.Servers, f.Servers)
	g.AGs = union(g.AGs, f.AGs)
	g.Databases = union(g.Databases, f.Databases)
	if g.Partner == "" {
		g.Partner = f.Partner
	}
	g.Chain = append(g.Chain, f.Chain...)
	sort.SliceStable(g.Chain, func(i, j int) bool { return g.Chain[i].Time.Before(g.Chain[j].Time) })
	mergeFix(&g.Fix, f.Fix, fixSet(g.Fix))
	g.Severity = max(g.Severity, f.Severity)
	g.Windows = append(g.Windows, f.Windows...)
}

func union(a, b []string) []string {
	for _, s := range b {
		if !words.ContainsFold(a, s) {
			a = append(a, s)
		}
	}
	return a
}

func fixSet(f report.Fix) map[string]bool {
	seen := map[string]bool{}
	for _, s := range f.SQL {
		seen[s] = true
	}
	for _, s := range f.Steps {
		seen[s] = true
	}
	return seen
}

// explainer returns the finding that best explains f, and the link used:
// among the findings a Link allows as its cause (of a lower rank, or of the
// same rank and earlier), the most specific one (the highest rank), then
// the latest that began by f's start, then the nearest.
func (c *correlation) explainer(f *rule.Finding, all []*rule.Finding, idx map[*rule.Finding]int) (*rule.Finding, *rule.Link) {
	return c.explainerAmong(f, c.candidates(f, all, idx), idx)
}

// explainerAmong is explainer over the findings cands only.
func (c *correlation) explainerAmong(f *rule.Finding, cands []*rule.Finding, idx map[*rule.Finding]int) (*rule.Finding, *rule.Link) {
	var best *rule.Finding
	var bestLink *rule.Link
	rf := c.rankOf(f)
	better := func(a, b *rule.Finding) bool { // a better than b
		ra, rb := c.rankOf(a), c.rankOf(b)
		if ra != rb {
			return ra > rb
		}
		limit := f.Start.Add(time.Minute)
		ia, ib := !a.Start.After(limit), !b.Start.After(limit)
		if ia != ib {
			return ia
		}
		if ia {
			return a.Start.After(b.Start)
		}
		return a.Start.Sub(f.Start).Abs() < b.Start.Sub(f.Start).Abs()
	}
	for _, g := range cands {
		if g == f {
			continue
		}
		rg := c.rankOf(g)
		// Causes come first in (rank, start, order): no cycles.
		if rg > rf || rg == rf && (g.Start.After(f.Start) || g.Start.Equal(f.Start) && idx[g] > idx[f]) {
			continue
		}
		for _, l := range c.linksTo[f.Category] {
			if l.Cause != "" && l.Cause != g.Category || l.Cause == "" && rg >= rf {
				continue
			}
			if !l.Holds(g, f) {
				continue
			}
			if best == nil || better(g, best) {
				best, bestLink = g, l
			}
			break
		}
	}
	return best, bestLink
}

// longFinding is the duration from which a finding is always a candidate
// cause (candidates); shorter ones are found by their start.
const longFinding = time.Hour

// candidates returns, in the order of all (sorted by start), the findings
// that a link of f's category could accept as f's cause: those that start
// no later than f's end plus the links' widest Before and end no earlier
// than f's start minus their widest After. A storm of 20,000 failovers
// then costs what its neighbours cost, not 20,000 times all of them.
func (c *correlation) candidates(f *rule.Finding, all []*rule.Finding, idx map[*rule.Finding]int) []*rule.Finding {
	var before, after time.Duration
	for _, l := range c.linksTo[f.Category] {
		before, after = max(before, l.Before), max(after, l.After)
	}
	if len(c.linksTo[f.Category]) == 0 {
		return nil
	}
	hi, lo := f.End.Add(before), f.Start.Add(-after)
	if f.Start.After(f.End) {
		hi = f.Start.Add(before)
	}
	a := sort.Search(len(all), func(i int) bool { return !all[i].Start.Before(lo.Add(-longFinding)) })
	b := sort.Search(len(all), func(i int) bool { return all[i].Start.After(hi) })
	var out []*rule.Finding
	for _, g := range c.long {
		if idx[g] < a && !g.End.Before(lo) {
			out = append(out, g) // long, started before the window
		}
	}
	if a < b {
		out = append(out, all[a:b]...)
	}
	return out
}

// incidentBuilder holds an incident while it is assembled: a root finding
// and every finding it explains, directly or through others.
type incidentBuilder struct {
	root     *rule.Finding
	parent   map[*rule.Finding]*rule.Finding // what explains each member
	members  []*rule.Finding
	inferred []string // reasons of inferred links
	start    time.Time
	end      time.Time
}

// buildIncidents groups findings into incidents: findings that are one
// problem merge; each finding hangs under the finding that best explains it
// (see Link); every finding nothing explains is the root of an incident.
// owner receives, for each connection window a finding stands for, the
// incident that finding belongs to ("incident 3: title").
func buildIncidents(findings []*rule.Finding, rules []*rule.Rule, owner map[*report.ConnectionWindow]string) []report.Incident {
	c := newCorrelation(rules)
	fs := c.mergeFindings(findings)
	idx := map[*rule.Finding]int{}
	for i, f := range fs {
		idx[f] = i
		if f.End.Sub(f.Start) >= longFinding {
			c.long = append(c.long, f)
		}
	}
	parent := map[*rule.Finding]*rule.Finding{}
	via := map[*rule.Finding]*rule.Link{}
	children := map[*rule.Finding][]*rule.Finding{}
	for _, f := range fs {
		if p, l := c.explainer(f, fs, idx); p != nil {
			parent[f], via[f] = p, l
			children[p] = append(children[p], f)
		}
	}
	var bs []*incidentBuilder
	for _, f := range fs {
		if parent[f] != nil {
			continue
		}
		b := &incidentBuilder{root: f, start: f.Start, end: f.End, parent: parent}
		queue := []*rule.Finding{f}
		for len(queue) > 0 {
			m := queue[0]
			queue = queue[1:]
			b.members = append(b.members, m)
			if m.Start.Before(b.start) {
				b.start = m.Start
			}
			if m.End.After(b.end) {
				b.end = m.End
			}
			if l := via[m]; l != nil && l.Inferred != "" && !slices.Contains(b.inferred, l.Inferred) {
				b.inferred = append(b.inferred, l.Inferred)
			}
			queue = append(queue, children[m]...)
		}
		bs = append(bs, b)
	}
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].start.Before(bs[j].start) })
	out := make([]report.Incident, 0, len(bs))
	for i, b := range bs {
		out = append(out, b.incident(i+1, c, owner))
	}
	return out
}

// incident renders the builder as an Incident.
func (b *incidentBuilder) incident(id int, c *correlation, owner map[*report.ConnectionWindow]string) report.Incident {
	r := b.root
	inc := report.Incident{
		ID: id, Category: r.Category, Title: r.Title, Start: b.start, End: b.end,
		Duration:   b.end.Sub(b.start).Seconds(),
		RootCause:  r.RootCause,
		Confidence: r.Confidence, ConfidenceReason: r.ConfidenceReason,
		Severity: r.Severity,
		// Whether the problem was still going on is the root's to say: a
		// consequence left open (a disconnection never closed in the logs)
		// does not keep a resolved outage going.
		Ongoing: r.Ongoing,
	}
	var rules []string
	var failovers []string
	var fos []*report.Failover
	ags, servers, dbs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var consequences []string
	fixSeen := map[string]bool{}
	var headline *rule.Finding
	for _, m := range b.members {
		if !slices.Contains(rules, m.Rule) {
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
		rule := c.rule(m)
		if m == r || rule.Action {
			// A disconnection explained by the root needs no fix of its own.
			mergeFix(&inc.Fix, m.Fix, fixSeen)
		}
		if m != r && rule.Headline && headline == nil {
			headline = m
		} else if m != r && m.Consequence != "" && b.outlasts(m) {
			consequences = append(consequences, words.LowerFirst(strings.TrimSuffix(m.Consequence, ".")))
		} else if m != r && rule.Action && m.RootCause != "" {
			consequences = append(consequences, words.LowerFirst(strings.TrimSuffix(m.RootCause, ".")))
		}
		if m.Failover != nil {
			m.Failover.IncidentID = id
			fos = append(fos, m.Failover)
		}
		if m != r && m.Failover != nil {
			fo := m.Failover
			if fo.To == "" {
				failovers = append(failovers, fmt.Sprintf("%s lost the primary role of %s at %s and no log in the bundle shows a new primary", words.OrUnknown(fo.From), fo.AG, words.HMS(fo.At)))
			} else {
				failovers = append(failovers, fmt.Sprintf("%s failed over (%s) from %s to %s at %s", fo.AG, fo.Mode, words.OrUnknown(fo.From), fo.To, words.HMS(fo.At)))
			}
		}
		if m.Severity > inc.Severity {
			inc.Severity = m.Severity
		}
	}
	sort.SliceStable(inc.Chain, func(i, j int) bool { return inc.Chain[i].Time.Before(inc.Chain[j].Time) })
	inc.Chain = dedupeSteps(inc.Chain)
	inc.AGs, inc.Servers, inc.Databases = slices.Sorted(maps.Keys(ags)), slices.Sorted(maps.Keys(servers)), slices.Sorted(maps.Keys(dbs))
	inc.Rules = rules
	if len(failovers) > 0 {
		inc.RootCause = strings.TrimSuffix(inc.RootCause, ".") + "; " + strings.Join(failovers, ", then ") + "."
		switch {
		case failback(fos):
			inc.Title += ", failover and failback"
		case r.Failover != nil:
		case knownTarget(fos):
			inc.Title += " and failover"
		default:
			inc.Title += " and loss of the primary role"
		}
	}
	// An outcome that matters more than its trigger (the cluster refusing to
	// fail over again leaves the AG offline) names the incident; the root
	// is what used up the last attempt.
	if headline != nil {
		inc.Category, inc.Title = headline.Category, headline.Title
		inc.RootCause = strings.TrimSuffix(headline.RootCause, ".") + ". The last failure: " + words.LowerFirst(inc.RootCause)
		inc.Confidence, inc.ConfidenceReason = headline.Confidence, headline.ConfidenceReason
	}
	if len(consequences) > 0 {
		inc.RootCause = strings.TrimSuffix(inc.RootCause, ".") + "; as a consequence, " + strings.Join(consequences, "; ") + "."
	}
	if len(b.inferred) > 0 && inc.Confidence == report.Certain {
		inc.Confidence = report.Likely
		inc.ConfidenceReason = strings.Join(b.inferred, " ")
	}
	// One or two sentences: the root finding's, and the first failover's.
	inc.Summary = r.Summary
	for _, m := range b.members {
		if m != r && m.Failover != nil && m.Summary != "" {
			inc.Summary += " " + m.Summary
			break
		}
	}
	if headline != nil {
		inc.Summary = headline.Summary + " " + r.Summary
	}
	if inc.Ongoing {
		inc.Summary += " It was still going on when the logs end."
	}
	for _, m := range b.members {
		for _, w := range m.Windows {
			owner[w] = fmt.Sprintf("incident %d: %s", id, inc.Title)
		}
	}
	return inc
}

// outlasts reports whether a consequence went on long after everything that
// explains it: 10 minutes past their end, or into the end of the logs.
func (b *incidentBuilder) outlasts(m *rule.Finding) bool {
	var end time.Time
	ongoing := false
	for c := b.parent[m]; c != nil; c = b.parent[c] {
		if c.End.After(end) {
			end = c.End
		}
		ongoing = ongoing || c.Ongoing
	}
	return m.Ongoing && !ongoing || m.End.After(end.Add(10*time.Minute))
}

// dedupeSteps drops a step that cites only records an earlier step already
// cites (two findings telling of the same reconnection).
func dedupeSteps(chain []report.Step) []report.Step {
	cited := map[string]bool{}
	out := chain[:0]
	for _, st := range chain {
		fresh := len(st.Evidence) == 0
		for _, e := range st.Evidence {
			if !cited[e.Position()] {
				fresh = true
			}
		}
		if !fresh {
			continue
		}
		for _, e := range st.Evidence {
			cited[e.Position()] = true
		}
		out = append(out, st)
	}
	return out
}

// knownTarget reports whether one of the failovers names its new primary.
func knownTarget(fos []*report.Failover) bool {
	for _, fo := range fos {
		if fo.To != "" {
			return true
		}
	}
	return false
}

// failback reports whether one of the failovers undoes an earlier one.
func failback(fos []*report.Failover) bool {
	for _, a := range fos {
		for _, b := range fos {
			if b.At.After(a.At) && strings.EqualFold(a.AG, b.AG) && a.From != "" && a.From == b.To && a.To == b.From {
				return true
			}
		}
	}
	return false
}

// mergeFix appends the SQL batches and steps of f not seen yet.
func mergeFix(dst *report.Fix, f report.Fix, seen map[string]bool) {
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
