package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/agstate"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// CrashRule finds crashes of SQL Server or of its host in the Windows event
// logs.
var CrashRule = &rule.Rule{
	Name:     "crash",
	Category: report.CatCrash,
	Rank:     35,
	Doc:      crashDoc,
	Requires: []*rule.Result{agstate.RolesResult},
	Run:      runCrash,
}

const crashDoc = `Finds crashes the Windows System log records: the SQL Server service terminated unexpectedly
(Service Control Manager 7031, 7034), the machine rebooted without a clean shutdown (Kernel-Power 41:
power loss, a hang or a bug check) or found at boot that its previous shutdown was unexpected
(EventLog 6008, which gives the local time the host went down: the crash starts there, not at
the boot that logged it; without it, the crash starts when another replica lost sight of the
host: a connection loss, a node removal or a failover away from it after its last own event). A crash of the primary explains the automatic failover, the restart and the
disconnections that follow. Fix: the memory dump (SQLDump*.mdmp in the LOG folder for SQL Server,
MEMORY.DMP for Windows), the System log before the crash, the power and the hardware.`

func runCrash(p *rule.Pass) {
	var evs []*parsers.Event
	for _, ev := range p.Events {
		if ev.Source == parsers.SourceEventLog && (ev.Kind == parsers.KindSQLServiceDown || ev.Kind == parsers.KindOSCrash) {
			evs = append(evs, ev)
		}
	}
	for sv, grp := range rule.Episodes(evs, 10*time.Minute) {
		var sql, host []*parsers.Event
		for _, ev := range grp {
			if ev.Kind == parsers.KindSQLServiceDown {
				sql = append(sql, ev)
			} else {
				host = append(host, ev)
			}
		}
		var what []string
		f := &rule.Finding{
			Start: grp[0].Time, End: rule.Until(grp), Servers: []string{sv}, AGs: rule.Collect(grp, agOf),
			Key: strings.ToUpper(sv), Severity: 85, SQLLogged: true,
			Confidence: report.Certain,
		}
		if len(host) > 0 {
			what = append(what, fmt.Sprintf("%s restarted without a clean shutdown (System log %s: a power loss, a hang or a bug check)", sv, eventIDs(host)))
			// Kernel-Power 41 and EventLog 6008 are written at the next
			// boot; 6008 says when the host went down, on local time.
			down := time.Time{}
			for _, ev := range host {
				if t, ok := crashTime(ev, serverOffset(p, sv)); ok {
					down = t
					st := rule.Step(fmt.Sprintf("%s went down at %s without a clean shutdown, as its System log found at the next boot.", sv, words.HMS(t)), ev)
					st.Time = t
					f.Chain = append(f.Chain, st)
					break
				}
			}
			if down.IsZero() {
				// Kernel-Power 41 alone (an export of critical events only,
				// or no offset to read 6008 with): the other replicas saw
				// the host go.
				if at, how := lostSight(p, sv, grp[0].Time); how != "" {
					down = at
					st := rule.Step(fmt.Sprintf("%s went down by %s, %s; its System log records the crash (Kernel-Power 41) only at the next boot, without its time.", sv, words.HMS(at), how), host...)
					st.Time = at
					f.Chain = append(f.Chain, st)
					f.ConfidenceReason = "The Windows System log records the crash; when it began is inferred from what the other replicas saw."
				}
			}
			if !down.IsZero() && down.Before(f.Start) {
				f.Start = down
			}
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The System log of %s records an unexpected shutdown.", sv), host...))
			f.Fix.Steps = append(f.Fix.Steps,
				"Read the System log of "+sv+" before the crash (hardware, driver, storage and power events) and the bug check in the Kernel-Power 41 data (BugcheckCode 0 means power loss or a hard reset).",
				"If Windows wrote a memory dump (C:\\Windows\\MEMORY.DMP, Minidump folder), have it analyzed; check the host or hypervisor logs for a VM reset.")
		}
		if len(sql) > 0 {
			what = append(what, fmt.Sprintf("the SQL Server service on %s terminated unexpectedly (System log %s)", sv, eventIDs(sql)))
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The SQL Server service on %s terminated unexpectedly.", sv), sql...))
			f.Fix.Steps = append(f.Fix.Steps,
				"Read the end of the ERRORLOG of "+sv+" before the crash and the SQLDump*.txt / .mdmp files in its LOG folder: the exception, its module and the stack.",
				"Check the build against the latest cumulative update; a repeated crash with the same stack is usually a known fixed issue.")
		}
		// The cluster's view of the crash: the AG resource on this node
		// failed right after it (1069, or the cluster log's record).
		var failed []*parsers.Event
		for _, ev := range p.Within(f.Start, f.End.Add(2*time.Minute)) {
			if ev.Kind == parsers.KindResourceFailed && ev.Server == sv {
				failed = append(failed, ev)
			}
		}
		if len(failed) > 0 {
			what := "the resource"
			if ags := rule.Collect(failed, agOf); len(ags) > 0 {
				what = "the resource of " + strings.Join(ags, ", ")
			}
			src := "cluster log"
			if failed[0].Source == parsers.SourceEventLog {
				src = "System log " + eventIDs(failed)
			}
			f.Chain = append(f.Chain, rule.Step(fmt.Sprintf("The cluster saw %s fail (%s).", what, src), failed...))
		}
		f.Title = "Crash on " + sv
		if len(sql) > 0 && len(host) == 0 {
			f.Title = "SQL Server crashed on " + sv
		}
		f.RootCause = words.UpperFirst(strings.Join(what, "; ")) + "."
		f.Summary = fmt.Sprintf("%s at %s.", words.UpperFirst(strings.Join(what, "; ")), words.HMS(f.Start))
		if f.ConfidenceReason == "" {
			f.ConfidenceReason = "The Windows System log records the crash."
		}
		p.Report(f)
	}
}

// sightWindow bounds how far before a boot lostSight looks.
const sightWindow = 12 * time.Hour

// lostSight finds when the other servers lost sight of server, whose host
// crashed and booted at boot: the first connection loss that lasted until
// the boot, node removal or failover away from it after the last event
// server itself logged (within sightWindow). It returns that time and how
// it was seen ("when SQLB lost its connection to it"), or "" when no other
// server noticed anything.
func lostSight(p *rule.Pass, server string, boot time.Time) (time.Time, string) {
	evs := p.Within(boot.Add(-sightWindow), boot)
	var last time.Time // server's own last event: it was up then
	for _, ev := range evs {
		if u := ev.Until(); ev.Server == server && ev.Kind != parsers.KindOSCrash && ev.Kind != parsers.KindOSStart && u.After(last) {
			last = u
		}
	}
	about := func(ev *parsers.Event) string {
		switch ev.Kind {
		case parsers.KindConnectionTimeout, parsers.KindConnectionError, parsers.KindDatabaseDisconnected,
			parsers.KindConnectionEstablished, parsers.KindDatabaseConnected:
			return p.Canonical(agstate.PartnerOf(ev))
		case parsers.KindNodeRemoved:
			return p.Canonical(cmp.Or(ev.Field("node"), ev.Replica))
		}
		return ""
	}
	// reconnected reports whether ev's server reached server again before
	// the boot: then ev was a blip, not the crash.
	reconnected := func(ev *parsers.Event) bool {
		for _, later := range p.Within(ev.Time, boot) {
			if later.Server == ev.Server && (later.Kind == parsers.KindConnectionEstablished || later.Kind == parsers.KindDatabaseConnected) && about(later) == server {
				return true
			}
		}
		return false
	}
	var at time.Time
	how := ""
	for _, ev := range evs {
		if ev.Server == server || !ev.Time.After(last) || about(ev) != server {
			continue
		}
		switch ev.Kind {
		case parsers.KindNodeRemoved:
			at, how = ev.Time, fmt.Sprintf("when the cluster removed it from the membership (logged by %s)", ev.Server)
		case parsers.KindConnectionEstablished, parsers.KindDatabaseConnected:
			continue
		default:
			if reconnected(ev) {
				continue
			}
			at, how = ev.Time, fmt.Sprintf("when %s lost its connection to it", ev.Server)
		}
		break
	}
	for _, fo := range agstate.RolesOf(p).Records() {
		if fo.From == server && fo.At.After(last) && fo.At.Before(boot) && (how == "" || fo.At.Before(at)) {
			at, how = fo.At, fmt.Sprintf("when %s failed over from it to %s", fo.AG, fo.To)
		}
	}
	return at, how
}

// eventIDs lists the distinct Windows event ids of evs ("41, 6008").
func eventIDs(evs []*parsers.Event) string {
	var ids []string
	for _, ev := range evs {
		if id := ev.Field("EventID"); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, ", ")
}

// plannedRestart returns the System log's record of a planned restart or
// shutdown of server's machine (User32 1074) in the 15 minutes before t.
func plannedRestart(p *rule.Pass, server string, t time.Time) *parsers.Event {
	var found *parsers.Event
	for _, ev := range p.Within(t.Add(-15*time.Minute), t.Add(time.Minute)) {
		if ev.Kind == parsers.KindOSShutdown && ev.Source == parsers.SourceEventLog && ev.Field("EventID") == "1074" && ev.Server == server {
			found = ev
		}
	}
	return found
}
