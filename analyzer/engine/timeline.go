package engine

import (
	"slices"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// relevance says whether events of a kind belong on the AG timeline.
type relevance int

const (
	relevantAlways relevance = iota // the default: every classified kind is about the AG
	relevantNever                   // facts and chatter: only counted
	relevantIfAG                    // only when they concern the AG (see concernsAG)
)

// timelineRelevance is the one table that says which kinds of event the AG
// timeline shows. Kinds not listed are always shown.
var timelineRelevance = map[parsers.Kind]relevance{
	parsers.KindServerInfo:   relevantNever, // server name, service account, UTC adjustment
	parsers.KindSyncState:    relevantNever, // synchronization-state chatter
	parsers.KindLoginFailed:  relevantIfAG,  // most are applications with a wrong password
	parsers.KindHealthReport: relevantNever, // sp_server_diagnostics saying "clean" every 10 s
	parsers.KindCPUSample:    relevantNever, // a scheduler-monitor sample every minute
}

// concernsAG reports whether an event of a relevantIfAG kind concerns the
// AG: a login failure counts when clients were refused because a database
// was not available (976, 983) or the instance was not ready (17187), when
// the login is a replica's service account or the endpoint is named, or when
// it happened during an incident on that server.
func concernsAG(ev *parsers.Event, accounts map[string]bool, incidents []report.Incident) bool {
	switch ev.Error {
	case 976, 983, 17187:
		return true
	}
	if ev.Login != "" && accounts[strings.ToUpper(ev.Login)] {
		return true
	}
	text := strings.ToLower(ev.Reason + " " + ev.Message)
	if strings.Contains(text, "endpoint") || strings.Contains(text, "mirroring") {
		return true
	}
	for _, inc := range incidents {
		if !ev.Until().Before(inc.Start) && !ev.Time.After(inc.End) && slices.Contains(inc.Servers, ev.Server) {
			return true
		}
	}
	return false
}

// timeline merges the AG-relevant events of all servers. Repeats of the same
// message on the same server fold into one entry with a count and the time of
// the last repeat, as long as no more than a minute passes between two of
// them (a storm of hours stays one entry that says how long it lasted). At
// most limit entries are kept (0 means 2000); the number left out is
// returned, and the events the timeline does not show (see
// timelineRelevance) are counted by kind.
func timeline(events []*parsers.Event, incidents []report.Incident, limit int, accounts map[string]bool) ([]report.TimelineEntry, int, map[string]int) {
	if limit <= 0 {
		limit = 2000
	}
	var out []report.TimelineEntry
	dropped := 0
	background := map[string]int{}
	last := map[string]int{} // server+normalized message -> index in out
	for _, ev := range events {
		switch timelineRelevance[ev.Kind] {
		case relevantNever:
			continue
		case relevantIfAG:
			if !concernsAG(ev, accounts, incidents) {
				background[string(ev.Kind)] += 1 + ev.Repeats
				continue
			}
		}
		text := words.FirstLine(ev.Message)
		if text == "" {
			text = ev.Name
		}
		k := ev.Server + "\x00" + parsers.MessageShape(text)
		if i, ok := last[k]; ok && ev.Time.Sub(entryUntil(&out[i])) <= time.Minute {
			out[i].Count += 1 + ev.Repeats
			if u := ev.Until(); u.After(entryUntil(&out[i])) {
				out[i].Last = u
			}
			continue
		}
		if len(out) >= limit {
			dropped++
			continue
		}
		e := report.TimelineEntry{
			Time: ev.Time, Local: ev.Clock == parsers.ClockLocal, Server: ev.Server, Kind: string(ev.Kind),
			Error: ev.Error, Text: strings.TrimSpace(text), Position: ev.Position(), Count: 1 + ev.Repeats,
		}
		if ev.Repeats > 0 {
			e.Last = ev.Until()
		}
		for _, inc := range incidents {
			if !ev.Time.Before(inc.Start) && !ev.Time.After(inc.End) && slices.Contains(inc.Servers, ev.Server) {
				e.Incident = inc.ID
				break
			}
		}
		last[k] = len(out)
		out = append(out, e)
	}
	for i := range out {
		if out[i].Count == 1 {
			out[i].Count = 0
		}
		if out[i].Last.Equal(out[i].Time) {
			out[i].Last = time.Time{}
		}
	}
	if len(background) == 0 {
		background = nil
	}
	return out, dropped, background
}

func entryUntil(e *report.TimelineEntry) time.Time {
	if e.Last.After(e.Time) {
		return e.Last
	}
	return e.Time
}
