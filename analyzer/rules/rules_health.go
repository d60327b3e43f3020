package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/health"
)

// HealthCheckRule finds failed health checks and says what the
// sp_server_diagnostics results showed.
var HealthCheckRule = &rule.Rule{
	Name:     "health-check",
	Category: report.CatHealthCheck,
	Rank:     30,
	Links:    healthCheckLinks(),
	Doc:      healthCheckDoc,
	Run:      runHealthCheck,
}

// healthCheckLinks are the links of HealthCheckRule.
func healthCheckLinks() []rule.Link {
	return []rule.Link{
		{Cause: report.CatClusterOutage, Effect: report.CatHealthCheck, Before: time.Minute, After: time.Minute, SameServer: true},
		// The same stall seen by the health check and the lease.
		{Cause: report.CatLeaseExpiry, Effect: report.CatHealthCheck, Before: 2 * time.Minute, After: 2 * time.Minute, SameServer: true},
	}
}

const healthCheckDoc = `Finds health-check failures: 41653 (database-level health detection failed the AG), the cluster
log's "[hadrag] Failure detected" lines and sp_server_diagnostics component results in error
(component_health_result in the SQLDIAG log, sp_server_diagnostics_component_result in
system_health). The component's payload names the trouble (deadlocked schedulers, workers
exhausted, dumps, a sick spinlock, out of memory, long I/O); the warnings before the error are one
step with their count. With the AG's failure_condition_level (from the SQLDIAG event or the
collection) the rule says whether that condition fails the AG over (levels are cumulative: 3 fails
over on a system error, 4 adds resource errors, 5 adds query_processing errors); an error the level
does not act on is reported as a warning of its own, or as the cause behind a lease expiry. Fix:
what the condition calls for (the blocking chain and max worker threads, the spinlock type, the
memory clerks, the file and its latency).`

// componentResult is one interpreted sp_server_diagnostics result.
type componentResult struct {
	ev      *parsers.Event
	summary health.Summary
}

// componentResults interprets the component results of server in [from, to]
// whose state is warning or error and whose payload says something.
func componentResults(p *rule.Pass, server string, from, to time.Time) []componentResult {
	var out []componentResult
	for _, ev := range p.Within(from, to) {
		if ev.Kind != parsers.KindHealthFailure && ev.Kind != parsers.KindHealthWarning {
			continue
		}
		if ev.Server != server {
			continue
		}
		s, ok, err := health.FromEvent(ev)
		if !ok || err != nil || s.State < health.StateWarning {
			continue
		}
		out = append(out, componentResult{ev, s})
	}
	return out
}

// failureConditionLevel returns the level the events (the SQLDIAG log
// records it with every result) or the collection's settings give for the
// AGs of evs, 0 when unknown.
func failureConditionLevel(p *rule.Pass, evs []*parsers.Event) int {
	for _, ev := range evs {
		if v := ev.Field("failure_condition_level"); v != "" {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 5 {
				return n
			}
		}
	}
	for _, ev := range evs {
		if s := p.SettingsOf(ev.AG); ev.AG != "" && s != nil && s.FailureConditionLevel > 0 {
			return s.FailureConditionLevel
		}
	}
	if len(p.Settings) == 1 && p.Settings[0].FailureConditionLevel > 0 {
		return p.Settings[0].FailureConditionLevel // the collection's only AG
	}
	return 0
}

// worst returns the first result in error (else the last warning) that has a
// finding.
func worst(results []componentResult) *componentResult {
	var best *componentResult
	for i := range results {
		r := &results[i]
		if len(r.summary.Findings) == 0 {
			continue
		}
		if r.summary.State == health.StateError {
			return r
		}
		best = r
	}
	return best
}

// warningStep folds the warnings of a component before its error into one
// causal step with their count and time range.
func warningStep(results []componentResult, comp health.Component, before time.Time) (report.Step, bool) {
	var evs []*parsers.Event
	var last health.Summary
	for _, r := range results {
		if r.summary.Component == comp && r.summary.State == health.StateWarning && r.ev.Time.Before(before) {
			evs = append(evs, r.ev)
			last = r.summary
		}
	}
	if len(evs) == 0 {
		return report.Step{}, false
	}
	text := fmt.Sprintf("%s was in warning %s %s", comp, words.Plural(rule.Total(evs), "time", "times"), words.Between(evs[0].Time, rule.Until(evs)))
	if last.Text != "" {
		text += "; the last: " + strings.TrimSuffix(strings.TrimPrefix(last.Text, string(comp)+" warning: "), ".")
	}
	return rule.Step(text+".", evs...), true
}

func runHealthCheck(p *rule.Pass) {
	alive := p.Filter(parsers.KindIsAliveFailure)
	stalls := p.Filter(parsers.KindStall)
	for sv, grp := range rule.Episodes(p.Filter(parsers.KindHealthFailure), 2*time.Minute) {
		start, end := grp[0].Time, rule.Until(grp)
		results := componentResults(p, sv, start.Add(-10*time.Minute), end)
		level := failureConditionLevel(p, grp)
		comps := rule.Collect(grp, func(e *parsers.Event) string { return e.Field("component") })
		text := ""
		for _, ev := range grp {
			text += strings.ToLower(ev.Message) + "\n"
		}
		what := "a health check failed"
		timedOut := strings.Contains(text, "diagnostics heartbeat is lost") || strings.Contains(text, "did not receive healthinformation") ||
			strings.Contains(text, "did not receive health information")
		switch {
		case len(comps) > 0:
			what = "the sp_server_diagnostics component " + strings.Join(comps, ", ") + " reported an error"
		case timedOut:
			what = "SQL Server did not answer the cluster's health check (sp_server_diagnostics) within HealthCheckTimeout"
		}
		if strings.Contains(text, "failureconditionlevel") {
			what += ", so the cluster declared the AG unhealthy for its FailureConditionLevel"
		}
		for _, ev := range grp {
			if ev.Error == 41653 {
				what = "database-level health detection failed the AG (41653)"
				if ev.Reason != "" {
					what += ": " + ev.Reason
				}
			}
		}
		f := &rule.Finding{
			Start: start, End: end,
			Servers: []string{sv}, AGs: rule.Collect(grp, agOf), Databases: rule.Collect(grp, databaseOf),
			Title: "Health check failed on " + sv, Severity: 75,
			Confidence:       report.Likely,
			ConfidenceReason: "The failure is logged; what made the component unhealthy is in its diagnostic data.",
			Fix:              healthFix(sv, rule.Collect(grp, agOf), timedOut),
		}
		// What the component's own payload says.
		var verdict string
		notActed := false
		if w := worst(results); w != nil && w.summary.State == health.StateError {
			s := &w.summary
			what = fmt.Sprintf("the %s component of sp_server_diagnostics reported an error: %s", s.Component, strings.TrimSuffix(strings.TrimPrefix(s.Text, string(s.Component)+" error: "), "."))
			f.Confidence, f.ConfidenceReason = report.Certain, fmt.Sprintf("The %s result's payload names the condition (%s).", s.Component, strings.Join(s.Cause().Attrs, ", "))
			if level > 0 {
				verdict = levelSentence(level, s.Component)
				notActed = !health.FailsOver(level, s.Component, s.State)
			}
			if st, ok := warningStep(results, s.Component, w.ev.Time); ok {
				f.Chain = append(f.Chain, st)
			}
			if fix := s.Fix(); fix != "" {
				f.Fix.Steps = append([]string{fix}, f.Fix.Steps[1:]...)
			}
			f.Title = fmt.Sprintf("%s error on %s", s.Component, sv)
		}
		f.RootCause = fmt.Sprintf("On %s %s.", sv, what)
		if verdict != "" {
			f.RootCause = strings.TrimSuffix(f.RootCause, ".") + "; " + verdict + "."
		}
		f.Chain = append(f.Chain, rule.Step(words.UpperFirst(what)+".", grp...))
		// SQL Server's own reports of the same trouble (17884, dumps).
		var st []*parsers.Event
		for _, ev := range stalls {
			if ev.Server == sv && !ev.Time.Before(start.Add(-5*time.Minute)) && !ev.Time.After(end) {
				st = append(st, ev)
			}
		}
		if len(st) > 0 {
			labels := rule.Collect(st, func(e *parsers.Event) string { return e.Reason })
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("SQL Server on %s reported %s.", sv, strings.Join(labels, ", ")), st...))
		}
		var isAlive []*parsers.Event
		for _, ev := range alive {
			if ev.Server == sv && !ev.Time.Before(start.Add(-time.Minute)) && !ev.Time.After(end.Add(time.Minute)) {
				isAlive = append(isAlive, ev)
			}
		}
		if len(isAlive) > 0 {
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The AG resource's IsAlive check failed (%s).", strings.Join(rule.Collect(isAlive, func(e *parsers.Event) string { return e.Reason }), ", ")), isAlive...))
		}
		f.Summary = fmt.Sprintf("A health check failed on %s at %s.", sv, words.HMS(start))
		if notActed {
			// The level does not fail the AG over on this condition: a
			// warning of its own unless something else (a lease expiry)
			// took the AG down, which then names it as its cause.
			f.Title = fmt.Sprintf("%s error on %s (no failover at failure_condition_level %d)", worst(results).summary.Component, sv, level)
			f.Summary = fmt.Sprintf("%s reported an error on %s at %s; %s, and it did not.", worst(results).summary.Component, sv, words.HMS(start), verdict)
			f.Severity = 60
		}
		p.Report(f)
	}
}

// levelSentence says whether an error of comp fails the AG over at level.
func levelSentence(level int, comp health.Component) string {
	if health.FailsOver(level, comp, health.StateError) {
		return fmt.Sprintf("at failure_condition_level %d a %s error fails the availability group over", level, comp)
	}
	return fmt.Sprintf("at failure_condition_level %d a %s error does not fail the availability group over (it takes level %d)", level, comp, health.MinLevel(comp))
}

// healthCause returns, for a lease expiry on server at t, what the
// component results in the minutes before it showed and, when the AG's
// failure_condition_level is known, why they did not fail it over ("" when
// the results show nothing).
func healthCause(p *rule.Pass, server string, t time.Time) string {
	w := worst(componentResults(p, server, t.Add(-5*time.Minute), t))
	if w == nil {
		return ""
	}
	s := &w.summary
	what := strings.TrimSuffix(strings.TrimPrefix(s.Text, string(s.Component)+" "+s.State.String()+": "), ".")
	text := fmt.Sprintf("sp_server_diagnostics reported a %s %s at %s (%s)", s.Component, s.State, words.HMS(w.ev.Time), what)
	if level := failureConditionLevel(p, []*parsers.Event{w.ev}); level > 0 && s.State == health.StateError {
		text += "; " + levelSentence(level, s.Component)
		if !health.FailsOver(level, s.Component, s.State) {
			text += ": the lease expiry did"
		}
	}
	return text
}

func healthFix(server string, ags []string, timedOut bool) report.Fix {
	f := report.Fix{
		Steps: []string{"Open the system_health and SQLDIAG XEvent files (sp_server_diagnostics_component_result, component_health_result) of " + server + " for the window and read the failing component's data: dumps and spinlocks (system), out-of-memory (resource), worker exhaustion or deadlocked schedulers (query_processing)."},
		SQL:   []string{"SELECT name, failure_condition_level, health_check_timeout, db_failover FROM sys.availability_groups;"},
	}
	if timedOut {
		f.Steps = append(f.Steps,
			"Find what kept SQL Server from answering: CPU saturation, a non-yielding scheduler, memory pressure or paging, an I/O stall, a VM pause.",
			"Only once that is explained, consider a longer health-check timeout (default 30000 ms).")
		for _, ag := range ags {
			f.SQL = append(f.SQL, fmt.Sprintf("-- Only after the cause is understood\nALTER AVAILABILITY GROUP %s SET (HEALTH_CHECK_TIMEOUT = 60000);", words.QuoteIdent(ag)))
		}
	}
	return f
}
