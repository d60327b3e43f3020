package engine

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/agstate"
	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// Options tune an analysis. The zero value analyzes everything with the
// default rules.
type Options struct {
	// Servers attributes files under a path to a server (--server NAME=PATH).
	Servers []ServerOverride
	// UTCOffsets sets a server's UTC offset (local - UTC), overriding what its
	// logs say (--utc-offset SERVER=±hh:mm).
	UTCOffsets map[string]time.Duration
	// Since and Until limit the events analyzed (UTC); zero means unbounded.
	Since, Until time.Time
	// AG keeps only events of this availability group (and events without one).
	AG string
	// Rules to run (the façade's default set when nil there; none here).
	Rules []*rule.Rule
	// Workers is how many files are read in parallel; 0 means one per CPU.
	Workers int
	// TimelineLimit bounds Report.Timeline (0 means 2000 entries).
	TimelineLimit int
	// Progress, when set, is called after each file with the number of files
	// done and the bytes read so far (never concurrently).
	Progress func(done int, bytes int64)
	// Skipped are inputs that could not be listed or opened (Collect's
	// second result): the report lists them first, before the files read.
	Skipped []report.Input
}

// Analyze reads files and returns the report. It fails only when no input
// could be read at all; problems with single files are listed in the report.
func Analyze(files []inputs.File, opt Options) (*report.Report, error) {
	results, ins := inputs.Read(files, opt.Skipped, opt.Workers, nil, opt.Progress)
	set, events, warnings := prepare(files, results, opt)
	rep := &report.Report{Tool: "agtriage", Warnings: warnings, Inputs: ins, Since: opt.Since, Until: opt.Until}
	readable := 0
	var settings []inputs.Setting
	for i := range results {
		r := &results[i]
		if r.Settings != nil {
			settings = append(settings, *r.Settings...)
		}
		if n := r.Input.MissingZone; n > 0 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: %d event timestamps had no time zone (no \"Z\") and were taken as UTC (Extended Events record UTC)", r.Input.File, n))
		}
		if r.Read() {
			readable++
			// What each server's logs cover: the files' ranges (their
			// first and last records, folded repeats included), not the
			// first and last event the analysis kept.
			sv := set.byKey[canonKey(r.Input.Server)]
			r.Input.Start, r.Input.End = fileRange(r, sv)
			if sv != nil && !r.Input.Start.IsZero() {
				if sv.Start.IsZero() || r.Input.Start.Before(sv.Start) {
					sv.Start = r.Input.Start
				}
				if r.Input.End.After(sv.End) {
					sv.End = r.Input.End
				}
			}
		}
		// The result no longer needs its events (merged into events) or
		// settings; its Input is already the report's.
		r.Events, r.Settings = nil, nil
	}
	rep.Settings = inputs.MergeSettings(settings)
	if readable == 0 {
		return rep, fmt.Errorf("no readable log among %d file(s): give ERRORLOG files, AlwaysOn_health .xel or XML files, or cluster logs", len(files))
	}

	starts, ends := map[string]time.Time{}, map[string]time.Time{}
	for _, sv := range set.list {
		// With --since/--until the analysis covers the window only: a
		// server's logs, its role spans and the report's scope are cut
		// there (what the files themselves cover stays in Inputs).
		sv.Start, sv.End = clip(sv.Start, sv.End, opt.Since, opt.Until)
		starts[sv.Name], ends[sv.Name] = sv.Start, sv.End
		if !sv.Start.IsZero() && (rep.Start.IsZero() || sv.Start.Before(rep.Start)) {
			rep.Start = sv.Start
		}
		if sv.End.After(rep.End) {
			rep.End = sv.End
		}
	}
	if len(events) > 0 {
		if rep.Start.IsZero() || events[0].Time.Before(rep.Start) {
			rep.Start = events[0].Time
		}
		if u := rule.Until(events[len(events)-1:]); u.After(rep.End) {
			rep.End = u
		}
	}

	rules := opt.Rules
	servers := make([]*report.Server, len(set.list))
	for i, sv := range set.list {
		servers[i] = &sv.Server
	}
	pass := &rule.Pass{Events: events, End: rep.End, Starts: starts, Ends: ends, Settings: rep.Settings,
		Servers: servers, Canonical: set.canonical}
	for _, r := range rules {
		pass.Rule = r
		for _, dep := range r.Requires {
			pass.ResultOf(dep)
		}
		if r.Run != nil {
			r.Run(pass)
		}
	}
	pass.Rule = nil
	// The report's own needs do not depend on which rules ran.
	roles := agstate.RolesOf(pass)
	owner := map[*report.ConnectionWindow]string{}
	rep.Incidents = buildIncidents(pass.Findings(), rules, owner)
	clientImpact(rep.Incidents, events)
	rep.Failovers = roles.Failovers()
	rep.Roles = roles.Spans()
	for _, w := range agstate.Windows(pass) {
		if !w.End.IsZero() && w.End.Sub(w.Start) < time.Second {
			continue // closed by a failover at once: no disconnection
		}
		if w.AG == "" {
			w.AG = sharedAG(roles, w.Server, w.Partner)
		}
		if w.Cause == "" && owner[&w.ConnectionWindow] != "" {
			// The incident the window's own finding belongs to.
			w.Cause = owner[&w.ConnectionWindow]
		}
		if w.Cause == "" {
			// A window no rule reported (short, or explained by a
			// restart): the incident that explains it, a handshake
			// failure between the two first, else the latest one that
			// began before.
			var best *report.Incident
			for i := range rep.Incidents {
				inc := &rep.Incidents[i]
				if !slices.Contains(inc.Servers, w.Server) || !slices.Contains(inc.Servers, w.Partner) ||
					w.Start.Before(inc.Start.Add(-time.Minute)) || w.Start.After(inc.End) {
					continue
				}
				switch {
				case best == nil,
					inc.Category == report.CatEndpointHandshake && best.Category != report.CatEndpointHandshake,
					(inc.Category == report.CatEndpointHandshake) == (best.Category == report.CatEndpointHandshake) && inc.Start.After(best.Start):
					best = inc
				}
			}
			if best != nil {
				w.Cause = fmt.Sprintf("incident %d: %s", best.ID, best.Title)
			}
		}
		if w.Cause == "" {
			for _, fo := range rep.Failovers {
				if (w.AG == "" || strings.EqualFold(fo.AG, w.AG)) && fo.At.Sub(w.Start).Abs() <= time.Minute {
					w.Cause = fmt.Sprintf("failover of %s at %s: reconnecting to the new primary", fo.AG, words.HMS(fo.At))
					break
				}
			}
		}
		if w.Cause == "" && agstate.RestartedNear(pass, w.Partner, w.Start.Add(-2*time.Minute), w.Start.Add(10*time.Minute)) {
			w.Cause = "partner restarted"
		}
		rep.Connections = append(rep.Connections, w.ConnectionWindow)
	}
	accounts := map[string]bool{}
	for _, sv := range set.list {
		if sv.ServiceAccount != "" {
			accounts[strings.ToUpper(sv.ServiceAccount)] = true
		}
	}
	rep.Timeline, rep.TimelineDropped, rep.Background = timeline(events, rep.Incidents, opt.TimelineLimit, accounts)
	rep.AGs = rule.Collect(events, func(ev *parsers.Event) string { return ev.AG })
	rep.Databases = rule.Collect(events, func(ev *parsers.Event) string { return ev.Database })
	for _, sv := range set.list {
		sort.Strings(sv.Files)
		rep.Servers = append(rep.Servers, sv.Server)
	}
	sort.Slice(rep.Servers, func(i, j int) bool { return rep.Servers[i].Name < rep.Servers[j].Name })
	rep.Gaps = coverageGaps(rep, set)
	return rep, nil
}

// clip cuts [start, end] to the window [since, until] (zero bounds are
// open). A range wholly outside the window becomes zero: the server's logs
// do not cover any of it.
func clip(start, end, since, until time.Time) (time.Time, time.Time) {
	if start.IsZero() {
		return start, end
	}
	if !since.IsZero() && start.Before(since) {
		start = since
	}
	if !until.IsZero() && end.After(until) {
		end = until
	}
	if end.Before(start) {
		return time.Time{}, time.Time{}
	}
	return start, end
}

// sharedAG returns the availability group both servers have a role in, when
// there is exactly one.
func sharedAG(m *agstate.Roles, a, b string) string {
	agsOf := func(server string) map[string]bool {
		out := map[string]bool{}
		for _, sp := range m.Spans() {
			if strings.EqualFold(sp.Server, server) {
				out[sp.AG] = true
			}
		}
		return out
	}
	x, y := agsOf(a), agsOf(b)
	found := ""
	for ag := range x {
		if y[ag] {
			if found != "" {
				return ""
			}
			found = ag
		}
	}
	return found
}

// clientImpact counts, per incident, the connections clients were refused
// because an availability database was not accessible (983: not in the
// PRIMARY or SECONDARY role; 976: not readable), on the incident's servers
// from its start to a minute after its end: what the applications saw.
func clientImpact(incidents []report.Incident, events []*parsers.Event) {
	var refused []*parsers.Event // in time order, as events are
	for _, ev := range events {
		if ev.Kind == parsers.KindLoginFailed && (ev.Error == 983 || ev.Error == 976) {
			refused = append(refused, ev)
		}
	}
	for i := range incidents {
		inc := &incidents[i]
		var first, last *parsers.Event
		from := sort.Search(len(refused), func(k int) bool { return !refused[k].Time.Before(inc.Start) })
		for _, ev := range refused[from:] {
			if ev.Time.After(inc.End.Add(time.Minute)) {
				break
			}
			if !slices.Contains(inc.Servers, ev.Server) {
				continue
			}
			inc.ClientErrors += 1 + ev.Repeats
			if first == nil {
				first = ev
			}
			last = ev
		}
		if inc.ClientErrors == 0 {
			continue
		}
		text := fmt.Sprintf("Clients were refused %s because an availability database was not accessible (error %d).",
			words.Plural(inc.ClientErrors, "connection", "connections"), first.Error)
		st := rule.Step(text, first)
		if inc.ClientErrors > 1 {
			st.Evidence[0].Count, st.Evidence[0].Last = inc.ClientErrors, last.Until()
		}
		inc.Chain = append(inc.Chain, st)
		sort.SliceStable(inc.Chain, func(a, b int) bool { return inc.Chain[a].Time.Before(inc.Chain[b].Time) })
		inc.Summary += " " + text
	}
}

// prepare attributes servers, aligns clocks, filters and sorts the events.
func prepare(files []inputs.File, results []inputs.Result, opt Options) (*serverSet, []*parsers.Event, []string) {
	set := attribute(files, results, opt.Servers)
	warnings := alignClocks(results, set, opt.UTCOffsets)
	var events []*parsers.Event
	agSeen := map[string]bool{}
	for i := range results {
		for _, ev := range results[i].Events {
			if ev.AG != "" {
				agSeen[ev.AG] = true
			}
			if !opt.Since.IsZero() && ev.Time.Before(opt.Since) || !opt.Until.IsZero() && ev.Time.After(opt.Until) {
				continue
			}
			if opt.AG != "" && ev.AG != "" && !strings.EqualFold(ev.AG, opt.AG) {
				continue
			}
			events = append(events, ev)
		}
	}
	if opt.AG != "" {
		found := false
		for ag := range agSeen {
			found = found || strings.EqualFold(ag, opt.AG)
		}
		if !found {
			warnings = append(warnings, fmt.Sprintf("--ag %s: no event names this availability group; the logs name: %s", opt.AG, strings.Join(slices.Sorted(maps.Keys(agSeen)), ", ")))
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	events = dropCopies(events)
	events = dropOtherRoles(events)
	set.collectFacts(events)
	return set, events, warnings
}

// dropOtherRoles removes cluster-log events about clustered roles that are not
// availability groups ("Cluster Group", "Available Storage", file servers) once
// the SQL logs name the AGs.
func dropOtherRoles(events []*parsers.Event) []*parsers.Event {
	ags := map[string]bool{}
	for _, ev := range events {
		if ev.Source != parsers.SourceClusterlog && ev.AG != "" {
			ags[strings.ToUpper(ev.AG)] = true
		}
	}
	if len(ags) == 0 {
		return events
	}
	out := events[:0]
	for _, ev := range events {
		if ev.Source == parsers.SourceClusterlog && ev.AG != "" && !ags[strings.ToUpper(ev.AG)] &&
			(ev.Kind == parsers.KindRoleMove || ev.Kind == parsers.KindResourceFailed || ev.Kind == parsers.KindFailoverLimit) {
			continue
		}
		out = append(out, ev)
	}
	return out
}

// copyKey identifies an event that a server writes both to its ERRORLOG and to
// its AlwaysOn_health session (error_reported, state changes). The client
// address that the ERRORLOG appends to login and handshake messages is left
// out: error_reported does not always carry it.
func copyKey(ev *parsers.Event) string {
	if ev.Kind == parsers.KindReplicaStateChange {
		return ev.Server + "|sc|" + strings.ToUpper(ev.AG+"|"+ev.From+"|"+ev.To)
	}
	if ev.Error == 0 {
		return ""
	}
	msg := words.FirstLine(ev.Message)
	if i := strings.LastIndex(msg, "[CLIENT:"); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Sprintf("%s|%d|%s", ev.Server, ev.Error, parsers.MessageShape(strings.Join(strings.Fields(msg), " ")))
}

// numberKey identifies a SQL Server message by its number, AG and database,
// for the Application log's copies of ERRORLOG messages.
func numberKey(ev *parsers.Event) string {
	if ev.Error == 0 {
		return ""
	}
	return fmt.Sprintf("%s|#%d|%s|%s", ev.Server, ev.Error, strings.ToUpper(ev.AG), strings.ToUpper(ev.Database))
}

// dropCopies removes events that repeat another file's record of the same
// thing, so that counts are not doubled: XEvent events that repeat an
// ERRORLOG event of the same server within 2 seconds (or fall inside a
// folded ERRORLOG storm of the same message), and identical XEvent events
// read from two files (a .xel file and its XML export, overlapping rolled-
// over files). The ERRORLOG copy is kept because it has a line number and
// the text as written.
func dropCopies(events []*parsers.Event) []*parsers.Event {
	type span struct{ from, to time.Time }
	spans := map[string][]span{}
	appLog := false // an Application log's copies of SQL messages to match
	for _, ev := range events {
		if ev.Source == parsers.SourceEventLog && ev.Error != 0 {
			appLog = true
			break
		}
	}
	for _, ev := range events {
		if ev.Source == parsers.SourceErrorlog && ev.Clock == parsers.ClockUTC {
			if k := copyKey(ev); k != "" {
				spans[k] = append(spans[k], span{ev.Time.Add(-2 * time.Second), ev.Until().Add(2 * time.Second)})
			}
			if k := numberKey(ev); appLog && k != "" {
				spans[k] = append(spans[k], span{ev.Time.Add(-2 * time.Second), ev.Until().Add(2 * time.Second)})
			}
		}
	}
	// Spans are in order of their start (the events are sorted); a running
	// maximum of their ends tells whether any span before a time covers it.
	for _, list := range spans {
		for i := 1; i < len(list); i++ {
			if list[i].to.Before(list[i-1].to) {
				list[i].to = list[i-1].to
			}
		}
	}
	type record struct {
		server, name, kind, msg string
		at                      int64
		repeats                 int
	}
	seen := map[record]string{} // exact XEvent record -> first file
	out := events[:0]
	for _, ev := range events {
		if ev.Source != parsers.SourceErrorlog {
			k := copyKey(ev)
			if ev.Source == parsers.SourceEventLog {
				// The Application log holds a message's values, not its
				// text as written: the number, AG and database tell.
				k = numberKey(ev)
			}
			if k != "" {
				list := spans[k]
				j := sort.Search(len(list), func(i int) bool { return list[i].from.After(ev.Time) }) - 1
				if j >= 0 && !list[j].to.Before(ev.Time) {
					continue
				}
			}
			x := record{ev.Server, ev.Name, string(ev.Kind), ev.Message, ev.Time.UnixNano(), ev.Repeats}
			if f, ok := seen[x]; ok && f != ev.File {
				continue
			}
			seen[x] = ev.File
		}
		out = append(out, ev)
	}
	return out
}

// fileRange is the time range a file covers on UTC: its events, folded
// repeats included, and the reader's first and last record times, shifted by
// the server's offset when they are local.
func fileRange(r *inputs.Result, sv *serverInfo) (time.Time, time.Time) {
	var a, b time.Time
	for _, ev := range r.Events {
		if a.IsZero() || ev.Time.Before(a) {
			a = ev.Time
		}
		if u := ev.Until(); u.After(b) {
			b = u
		}
	}
	// Read left the file's first and last records in Input.Start and End,
	// on the file's own clock.
	if r.Read() && !r.Input.Start.IsZero() {
		first, last := r.Input.Start, r.Input.End
		if r.Summary.Clock != parsers.ClockUTC && sv != nil && sv.clock.known {
			first, last = first.Add(-sv.clock.offset), last.Add(-sv.clock.offset)
		}
		// (A server whose clock is unknown keeps its events on local time,
		// and so what its files cover.)
		if a.IsZero() || first.Before(a) {
			a = first
		}
		if last.After(b) {
			b = last
		}
	}
	return a, b
}

// keepBudget bounds the input bytes whose events Events keeps from its
// first pass instead of reading the files again.
var keepBudget int64 = 16 << 20

// Events reads files like Analyze (server attribution and clock alignment
// included) and calls fn for every event, file by file in input order. It is
// the debugging view behind `agtriage --format events`. Memory stays flat: a
// first pass keeps only what attribution and clock alignment need, then each
// large file is read again and streamed (small files, up to 16 MB of input in
// all, and standard input, which cannot be read twice, are kept whole from the
// first pass). Each call of fn gets an event of its own, which fn may keep.
func Events(files []inputs.File, opt Options, fn func(*parsers.Event) error) ([]report.Input, error) {
	// Small files are read once: their events are kept from the first pass,
	// up to keepBudget bytes of input in all.
	whole := map[string]bool{}
	budget := keepBudget
	for _, f := range files {
		if f.Root == "-" || f.Size > 0 && f.Size <= budget {
			whole[f.Name] = true
			budget -= max(f.Size, 0)
		}
	}
	results, ins := inputs.Read(files, opt.Skipped, opt.Workers, func(f inputs.File) bool { return whole[f.Name] }, opt.Progress)
	set := attribute(files, results, opt.Servers)
	alignClocks(results, set, opt.UTCOffsets)
	for i := range results {
		if r := &results[i]; r.Read() {
			r.Input.Start, r.Input.End = fileRange(r, set.byKey[canonKey(r.Input.Server)])
		}
	}
	emit := func(ev *parsers.Event) error {
		if !opt.Since.IsZero() && ev.Time.Before(opt.Since) || !opt.Until.IsZero() && ev.Time.After(opt.Until) {
			return nil
		}
		if opt.AG != "" && ev.AG != "" && !strings.EqualFold(ev.AG, opt.AG) {
			return nil
		}
		return fn(ev)
	}
	for i := range results {
		r := &results[i]
		if !r.Read() {
			continue
		}
		if whole[files[i].Name] {
			for _, ev := range r.Events {
				if err := emit(ev); err != nil {
					return ins, err
				}
			}
			continue
		}
		sv := set.byKey[canonKey(r.Input.Server)]
		err := inputs.Stream(files[i], func(ev *parsers.Event) error {
			ev.Server = r.Input.Server
			if sv != nil && sv.clock.known && (sv.clock.method == report.ClockOverride && overridable(ev) || ev.Clock == parsers.ClockLocal) {
				retime(ev, sv.clock.offset)
			}
			// The readers may reuse their event: the caller gets its own.
			own := *ev
			own.Fields = append([]parsers.Field(nil), ev.Fields...)
			return emit(&own)
		})
		if err != nil {
			return ins, err
		}
	}
	return ins, nil
}

// coverageGaps lists what the inputs do not cover.
func coverageGaps(rep *report.Report, set *serverSet) []string {
	var gaps []string
	// Replicas named in events but without logs of their own.
	named := map[string]bool{}
	for _, inc := range rep.Incidents {
		for _, s := range inc.Servers {
			named[s] = true
		}
	}
	for _, w := range rep.Connections {
		named[w.Partner] = true
	}
	for _, f := range rep.Failovers {
		named[f.From], named[f.To] = true, true
		if f.To == "" {
			gaps = append(gaps, fmt.Sprintf("No log in the bundle shows which replica became the primary of %s after %s left the role at %s: the logs of its other replicas are missing.", f.AG, words.OrUnknown(f.From), words.HMS(f.At)))
		}
	}
	for _, n := range slices.Sorted(maps.Keys(named)) {
		if n != "" && set.lookup(n) == nil {
			gaps = append(gaps, fmt.Sprintf("%s is named in the logs but none of its logs were given: its side of the story is missing.", n))
		}
	}
	// Incident windows a server's logs do not cover.
	for _, inc := range rep.Incidents {
		for _, s := range inc.Servers {
			sv := set.lookup(s)
			if sv == nil || sv.Start.IsZero() {
				continue
			}
			if sv.Start.After(inc.Start) || sv.End.Before(inc.Start) {
				gaps = append(gaps, fmt.Sprintf("Incident %d starts at %s, outside the logs of %s (%s to %s).",
					inc.ID, words.HMS(inc.Start), sv.Name, sv.Start.UTC().Format(time.RFC3339), sv.End.UTC().Format(time.RFC3339)))
			}
		}
	}
	// Head-and-tail copies of large logs: the middle was not collected.
	for _, in := range rep.Inputs {
		if m := in.MissingMiddle; m != nil {
			gaps = append(gaps, fmt.Sprintf("%s holds only the first and last lines of a large log: nothing is known of %s between %s and %s.",
				in.File, words.OrUnknown(in.Server), m.From.UTC().Format(time.RFC3339), m.To.UTC().Format(time.RFC3339)))
		}
	}
	// XEvent files that start after an incident.
	for _, in := range rep.Inputs {
		if in.Format != string(parsers.FormatXEventXML) || in.Start.IsZero() {
			continue
		}
		for _, inc := range rep.Incidents {
			if slices.Contains(inc.Servers, in.Server) && in.Start.After(inc.Start) && !in.Start.After(inc.End.Add(24*time.Hour)) {
				gaps = append(gaps, fmt.Sprintf("%s starts at %s, after incident %d began: the XEvent files of that time were probably rolled over.",
					in.File, in.Start.UTC().Format(time.RFC3339), inc.ID))
			}
		}
	}
	return gaps
}
