package rule

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// Rule is one check over the normalized events, in the manner of go/analysis
// analyzers: a value with a name, documentation a user can read, the shared
// results it needs, how its findings relate to other rules' findings, and a
// function that reports findings with evidence and a suggested fix. The
// driver (package engine) knows nothing about a particular rule: it computes the
// results a rule requires, runs it, and correlates every finding through the
// rules' Links alone.
//
// # Writing a rule of one's own
//
// Declare a *Rule value and pass it in analyzer.Options.Rules (append it to
// rules.Default to keep the built-in ones):
//
//   - Name is a stable identifier; Category names the kind of problem and
//     becomes the incident category when the rule's finding is the root
//     cause. Use a category of your own unless your findings are the same
//     kind of problem as a built-in rule's.
//   - Requires lists the shared results the rule reads with Pass.ResultOf
//     (agstate.RolesResult, ConnectionsResult, LifecycleResult, or a Result
//     of your own); each is computed once per analysis, however many rules
//     need it.
//   - Rank places the category among the causes: when two findings could
//     explain each other, the lower rank is the cause (a cluster outage is 10,
//     a failover 60, a disconnection 100; see the built-in rules). Zero means
//     DefaultRank.
//   - Links say which findings explain which: a Link from category A to B
//     lets a finding of A be the cause of a finding of B when their times and
//     servers fit. Links may name categories of other rules, so a new rule can
//     declare both what it explains and what explains it.
//   - Run reads Pass.Events (every server's events on one UTC timeline, in
//     time order) and calls Pass.Report for each Finding. Give each finding
//     the servers it is about, its Partner for a problem between two replicas,
//     and a Key naming what else it is about (a login and a handshake state, a
//     database): findings of one rule with equal keys that overlap in time are
//     one problem, however many replicas or files saw it, and merge.
//
// See the package example.
type Rule struct {
	// Name is the stable identifier ("cluster-outage").
	Name string
	// Category is the incident category of the rule's findings.
	Category report.Category
	// Doc says what the rule detects, which messages it reads and what the fix is.
	Doc string
	// Rank orders causes (lower explains higher); 0 means DefaultRank.
	Rank int
	// Requires lists the shared results the rule reads through Pass.ResultOf.
	Requires []*Result
	// Links relate this rule's category to others (as cause or as effect).
	Links []Link
	// MergeGap is how far apart two findings of the rule with the same Key
	// may be and still be one problem; 0 means 2 minutes, negative never merges.
	MergeGap time.Duration
	// Action marks findings that need an action of their own even when
	// another finding explains them: their root cause is added to the
	// incident's as a consequence, and their fix is kept.
	Action bool
	// Headline marks findings that name their incident even when another
	// finding is their cause: an outcome that matters more than its trigger
	// (the cluster refusing to fail a role over again).
	Headline bool
	// Run examines the pass and calls pass.Report for each finding.
	Run func(pass *Pass)
}

// DefaultRank is the rank of a rule that sets none: after every built-in
// cause, before the built-in consequences (log full, not synchronizing).
const DefaultRank = 100

// EffectiveRank is Rank, or DefaultRank when Rank is 0.
func (r *Rule) EffectiveRank() int {
	if r.Rank == 0 {
		return DefaultRank
	}
	return r.Rank
}

// Result is a shared intermediate result that rules (and the report) need:
// computed once per analysis, on first use, like a go/analysis analyzer whose
// result other analyzers require.
type Result struct {
	// Name identifies the result in documentation and errors.
	Name string
	// Doc says what the result holds.
	Doc string
	// Requires lists the results Compute reads.
	Requires []*Result
	// Compute builds the value; Pass.ResultOf returns it.
	Compute func(pass *Pass) any
}

// Link says that a finding of category Cause can explain a finding of
// category Effect: the effect starts (or, with Overlap, runs) within
// [cause start - Before, cause end + After], the two share a server when
// SameServer is set, and Match, when set, agrees. An empty Cause matches
// every category of a lower rank.
type Link struct {
	// Cause and Effect are the categories of the explaining finding and
	// of the finding it explains.
	Cause, Effect report.Category
	// Before and After widen the cause's span into the window the
	// effect must start in.
	Before, After time.Duration
	// Overlap accepts an effect whose whole span overlaps the window, not
	// only its start.
	Overlap bool
	// SameServer requires the two findings to share a server (Servers or Partner).
	SameServer bool
	// Match is an extra condition; nil accepts.
	Match func(cause, effect *Finding) bool
	// Inferred, when set, says the link is an inference and not a logged
	// fact: an incident that holds it is at most Likely, for this reason.
	Inferred string
}

// Holds reports whether cause can explain effect under l.
func (l *Link) Holds(cause, effect *Finding) bool {
	from, to := cause.Start.Add(-l.Before), cause.End.Add(l.After)
	if l.Overlap {
		if effect.Start.After(to) || effect.End.Before(from) {
			return false
		}
	} else if effect.Start.Before(from) || effect.Start.After(to) {
		return false
	}
	if l.SameServer && !shareServer(cause, effect) {
		return false
	}
	return l.Match == nil || l.Match(cause, effect)
}

func shareServer(a, b *Finding) bool {
	for _, x := range a.AllServers() {
		for _, y := range b.AllServers() {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// Pass is what a rule sees: the AG-relevant events of every server, merged in
// time order on UTC, the servers, and the shared results.
type Pass struct {
	// Rule is the rule being run.
	Rule *Rule
	// Events are every server's events in time order.
	Events []*parsers.Event
	// End is the time of the last event of all inputs; EndOf gives a server's.
	End time.Time
	// Starts and Ends give, per server (its name in the report), when its
	// logs begin and end.
	Starts, Ends map[string]time.Time
	// Settings are the AG settings found in the collection's configuration
	// files (lease and health-check timeouts, failure condition level,
	// replica modes), when it had any.
	Settings []report.AGSettings
	// Servers are the servers of the analysis: their names, aliases,
	// service accounts and listening addresses.
	Servers []*report.Server
	// Canonical returns the report's name of a server for any name or alias
	// the logs use (a host name, an FQDN, a folder name); the name itself
	// when it is not one of the servers.
	Canonical func(name string) string

	results  map[*Result]any
	busy     map[*Result]bool
	findings []*Finding
}

// ResultOf returns the value of a shared result, computing it (and what it
// requires) on first use.
func (p *Pass) ResultOf(r *Result) any {
	if v, ok := p.results[r]; ok {
		return v
	}
	if p.busy[r] {
		return nil // a cycle in Requires; Compute sees nil
	}
	if p.busy == nil {
		p.busy = map[*Result]bool{}
	}
	p.busy[r] = true
	for _, dep := range r.Requires {
		p.ResultOf(dep)
	}
	v := r.Compute(p)
	if p.results == nil {
		p.results = map[*Result]any{}
	}
	p.results[r] = v
	delete(p.busy, r)
	return v
}

// Report records a finding of the running rule.
func (p *Pass) Report(f *Finding) {
	if f.Rule == "" && p.Rule != nil {
		f.Rule = p.Rule.Name
	}
	if f.Category == "" && p.Rule != nil {
		f.Category = p.Rule.Category
	}
	p.findings = append(p.findings, f)
}

// EndOf returns when server's logs end (the end of all logs when unknown).
func (p *Pass) EndOf(server string) time.Time {
	if t, ok := p.Ends[server]; ok {
		return t
	}
	return p.End
}

// ServerAt returns the server listening on ip, or nil.
func (p *Pass) ServerAt(ip string) *report.Server {
	for _, sv := range p.Servers {
		if slices.Contains(sv.Addresses, ip) {
			return sv
		}
	}
	return nil
}

// Findings returns what the rules run on this pass reported, in order.
func (p *Pass) Findings() []*Finding { return p.findings }

// SettingsOf returns the settings of ag (nil when none were collected).
func (p *Pass) SettingsOf(ag string) *report.AGSettings {
	for i := range p.Settings {
		if strings.EqualFold(p.Settings[i].AG, ag) {
			return &p.Settings[i]
		}
	}
	return nil
}

// Within returns the events whose time is in [from, to], in time order: a
// slice of Events found by binary search, for rules that look at a few
// minutes around a finding.
func (p *Pass) Within(from, to time.Time) []*parsers.Event {
	i := sort.Search(len(p.Events), func(i int) bool { return !p.Events[i].Time.Before(from) })
	j := sort.Search(len(p.Events), func(i int) bool { return p.Events[i].Time.After(to) })
	if j < i {
		j = i
	}
	return p.Events[i:j]
}

// Finding is one thing a rule found. The driver merges findings that are one
// problem (same rule, same Key, overlapping in time) and links each to the
// finding that explains it (see Link); a finding nothing explains is the root
// cause of an incident.
type Finding struct {
	// Rule is the name of the rule that reported the finding (set by
	// Pass.Report when empty).
	Rule string
	// Category is the kind of problem (the rule's category when empty).
	Category report.Category
	// Start and End bound the problem in time (UTC).
	Start, End time.Time
	// Ongoing is true when the logs end before the problem did.
	Ongoing bool
	// Servers are the replicas the problem happened on.
	Servers []string
	// AGs and Databases are the availability groups and databases concerned.
	AGs       []string
	Databases []string
	// Partner is the other replica of a problem between two replicas (the
	// replica that cannot connect, the partner that is unreachable).
	Partner string
	// Key names what the finding is about besides its servers (a login and a
	// handshake state, a database); see Rule.
	Key string
	// Title names the problem in a few words ("Lease expiry on SQL1").
	Title string
	// RootCause is one sentence a DBA can act on.
	RootCause string
	// Consequence, when set, is the sentence that stands for the finding in
	// the root cause of an incident that another finding explains: a
	// consequence that needs to be read even so (a disconnection that
	// outlasted its cause by far). Findings of Action rules use RootCause.
	Consequence string
	// Summary is one or two plain sentences for a manager.
	Summary string
	// Chain is the finding's part of the causal chain, with evidence.
	Chain []report.Step
	// Fix is the suggested remediation.
	Fix report.Fix
	// Confidence is how sure the rule is of RootCause.
	Confidence report.Confidence
	// ConfidenceReason says what the confidence rests on.
	ConfidenceReason string
	// Severity orders findings and incidents, higher first (0..100).
	Severity int
	// Failover is the change of primary a failover finding reports; the
	// report lists it under the finding's incident.
	Failover *report.Failover
	// Windows are the connection windows a disconnection finding stands
	// for; each names the finding's incident as its cause.
	Windows []*report.ConnectionWindow
	// SQLLogged is set when SQL Server itself logged the problem (not only a
	// cluster log): when findings merge, its confidence wins.
	SQLLogged bool
	// Detail is the rule's own data about the finding, for its Links' Match
	// functions (a handshake state, a suspend reason).
	Detail any
}

// AllServers returns Servers and, when set, Partner.
func (f *Finding) AllServers() []string {
	if f.Partner == "" {
		return f.Servers
	}
	return append(append([]string{}, f.Servers...), f.Partner)
}
