package analyzer

import (
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// timelineKinds are the kinds shown in the merged timeline; the others
// (server facts, sync-state chatter) stay in the counts.
var timelineSkip = map[parsers.Kind]bool{
	parsers.KindServerInfo: true,
	parsers.KindSyncState:  true,
}

// timeline merges the AG-relevant events of all servers. Repeats of the same
// message on the same server within a minute fold into one entry with a count.
// At most limit entries are kept (0 means 2000); the number left out is returned.
func timeline(events []*parsers.Event, incidents []Incident, limit int) ([]TimelineEntry, int) {
	if limit <= 0 {
		limit = 2000
	}
	var out []TimelineEntry
	dropped := 0
	last := map[string]int{} // server+normalized message -> index in out
	for _, ev := range events {
		if timelineSkip[ev.Kind] {
			continue
		}
		text := firstLine(ev.Message)
		if text == "" {
			text = ev.Name
		}
		k := ev.Server + "\x00" + normalizeMessage(text)
		if i, ok := last[k]; ok && ev.Time.Sub(out[i].Time) <= time.Minute {
			out[i].Count += 1 + ev.Repeats
			continue
		}
		if len(out) >= limit {
			dropped++
			continue
		}
		e := TimelineEntry{
			Time: ev.Time, Local: ev.Clock == parsers.ClockLocal, Server: ev.Server, Kind: string(ev.Kind),
			Error: ev.Error, Text: strings.TrimSpace(text), Position: ev.Position(), Count: 1 + ev.Repeats,
		}
		for _, inc := range incidents {
			if !ev.Time.Before(inc.Start) && !ev.Time.After(inc.End) && contains(inc.Servers, ev.Server) {
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
	}
	return out, dropped
}
