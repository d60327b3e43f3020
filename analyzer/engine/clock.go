package engine

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

type clockInfo struct {
	method report.ClockSource
	offset time.Duration // local - UTC
	known  bool
	detail string
}

// minPairs is how many ERRORLOG/XEvent event pairs must agree on an offset
// before it is trusted.
const minPairs = 3

// alignClocks puts every server's ERRORLOG events on UTC: a user override
// first, then the files' own "UTC adjustment" lines, then an offset inferred
// from events found in both the server's ERRORLOG and its XEvent data. Events
// whose server's offset stays unknown keep their local time (ClockLocal).
func alignClocks(results []inputs.Result, set *serverSet, overrides map[string]time.Duration) (warnings []string) {
	byServer := map[string][]int{} // the results of each server: linear in files and servers
	for i := range results {
		byServer[results[i].Input.Server] = append(byServer[results[i].Input.Server], i)
	}
	for _, sv := range set.list {
		var local, utc []*parsers.Event // events on local time (ERRORLOG, cluster log); UTC-source events
		var localErrorlog []*parsers.Event
		var offsets []time.Duration
		hasErrorlog, localCluster, localFile := false, false, false
		for _, i := range byServer[sv.Name] {
			r := &results[i]
			if r.Input.Server != sv.Name || !r.Read() {
				continue
			}
			if r.Summary.Clock == parsers.ClockLocal {
				// A file on local time, even if none of its events was
				// kept (a log without AG events still sets the scope).
				localFile = true
			}
			if r.Format() == parsers.FormatErrorlog {
				hasErrorlog = true
				if r.Summary.HasUTCOffset {
					offsets = append(offsets, r.Summary.UTCOffset)
				}
			}
			for _, ev := range r.Events {
				switch {
				case ev.Clock == parsers.ClockLocal:
					local = append(local, ev)
					if ev.Source == parsers.SourceErrorlog {
						localErrorlog = append(localErrorlog, ev)
					} else if ev.Source == parsers.SourceClusterlog {
						localCluster = true
					}
				case ev.Source != parsers.SourceErrorlog && ev.Clock == parsers.ClockUTC:
					utc = append(utc, ev)
				}
			}
		}
		c := &sv.clock
		if off, ok := lookupOffset(overrides, sv); ok {
			c.method, c.offset, c.known = report.ClockOverride, off, true
			c.detail = "set by the user"
			for _, i := range byServer[sv.Name] {
				if results[i].Input.Server == sv.Name {
					for _, ev := range results[i].Events {
						if overridable(ev) {
							retime(ev, off)
						}
					}
					results[i].Input.LocalClock = false
				}
			}
		} else if len(offsets) > 0 {
			c.method, c.offset, c.known = report.ClockErrorlog, offsets[0], true
			c.detail = ""
			for _, o := range offsets[1:] {
				if o != offsets[0] {
					c.detail += fmt.Sprintf("files disagree: %s and %s, e.g. a daylight-saving change; each file uses its own",
						fmtOffset(offsets[0]), fmtOffset(o))
					break
				}
			}
			for _, ev := range local {
				retime(ev, c.offset)
			}
		} else if len(local) > 0 || localFile {
			if off, n, ok := inferOffset(localErrorlog, utc); ok {
				c.method, c.offset, c.known = report.ClockInferred, off, true
				c.detail = fmt.Sprintf("from %d events found in both its ERRORLOG and its XEvent data", n)
				for _, ev := range local {
					retime(ev, off)
				}
			} else {
				c.method = report.ClockUnknown
				c.detail = "no UTC adjustment line, no override, and too few events shared by its ERRORLOG and XEvent data"
				what := "its ERRORLOG"
				switch {
				case localCluster && len(localErrorlog) > 0:
					what = "its ERRORLOG and its cluster log (written with -UseLocalTime)"
				case localCluster:
					what = "its cluster log (written with -UseLocalTime, without the time zone line)"
				}
				warnings = append(warnings, fmt.Sprintf("%s: the UTC offset of %s is unknown, so its events stay on local time and their order against other servers is uncertain; pass --utc-offset %s=±hh:mm", sv.Name, what, sv.Name))
			}
		} else if hasErrorlog {
			c.method, c.detail = report.ClockErrorlog, "ERRORLOG times already converted"
		} else {
			c.method, c.detail = report.ClockUTC, "their times are UTC"
		}
		sv.Clock = c.method
		sv.ClockDetail = c.detail
		if c.known && c.offset != 0 {
			// A cluster log that does not say whether its times are UTC
			// was taken as UTC; if it was written on local time, all its
			// events are off by the server's offset.
			for _, i := range byServer[sv.Name] {
				if r := &results[i]; r.Read() && r.Summary.ClockAssumed {
					warnings = append(warnings, fmt.Sprintf("%s: its first lines do not say whether its times are UTC or local; they are taken as UTC (Get-ClusterLog's default). %s runs at UTC%s: if the log was written with -UseLocalTime, every event in it is %s off. Collect it again, or put the header line \"The logs were generated using local time\" back.",
						r.Input.File, sv.Name, fmtOffset(c.offset), report.FormatDuration(c.offset.Abs())))
				}
			}
		}
		if c.known {
			sv.UTCOffset = fmtOffset(c.offset)
		}
	}
	for i := range results {
		r := &results[i]
		if r.Read() && r.Summary.Clock == parsers.ClockLocal {
			// What the file covers stays on local time too (fileRange).
			if sv := set.byKey[canonKey(r.Input.Server)]; sv == nil || !sv.clock.known {
				r.Input.LocalClock = true
				continue
			}
		}
		for _, ev := range r.Events {
			if ev.Clock == parsers.ClockLocal {
				r.Input.LocalClock = true
				break
			}
		}
	}
	return warnings
}

func lookupOffset(overrides map[string]time.Duration, sv *serverInfo) (time.Duration, bool) {
	for name, off := range overrides {
		k := canonKey(name)
		if k == sv.key || k == canonKey(words.HostPart(sv.Name)) || sv.aliases[name] {
			return off, true
		}
		for a := range sv.aliases {
			if canonKey(a) == k {
				return off, true
			}
		}
	}
	return 0, false
}

// overridable reports whether a user's --utc-offset applies to ev: every
// ERRORLOG event (its own UTC adjustment line may be wrong) and every event
// still on local time (a cluster log written with -UseLocalTime).
func overridable(ev *parsers.Event) bool {
	return ev.Source == parsers.SourceErrorlog || ev.Clock == parsers.ClockLocal
}

// retime converts an event's local time with offset (local - UTC).
func retime(ev *parsers.Event, offset time.Duration) {
	if ev.Local.IsZero() {
		return
	}
	ev.Time = ev.Local.Add(-offset)
	ev.Clock = parsers.ClockUTC
}

// pairKey identifies "the same event" in an ERRORLOG and an XEvent file.
func pairKey(ev *parsers.Event) string {
	if ev.Kind == parsers.KindMessage || ev.Kind == "" {
		return ""
	}
	if ev.Kind == parsers.KindReplicaStateChange {
		// 19406 carries an error number and no replica name; the XEvent
		// carries the replica name and no number.
		return strings.ToUpper(strings.Join([]string{string(ev.Kind), ev.AG, ev.From, ev.To}, "|"))
	}
	return strings.Join([]string{string(ev.Kind), fmt.Sprint(ev.Error), ev.AG, ev.From, ev.To,
		strings.ToUpper(ev.Database), strings.ToUpper(ev.Replica), ev.Login}, "|")
}

// inferOffset finds the offset (local - UTC) on which most pairs of the same
// event in ERRORLOG (local) and XEvent (UTC) data agree. Offsets are whole
// quarter hours; the pair's residue must be under 5 s; at least minPairs pairs
// must agree and twice as many as on any other offset.
func inferOffset(local, utc []*parsers.Event) (time.Duration, int, bool) {
	byKey := map[string][]*parsers.Event{}
	for _, ev := range local {
		if k := pairKey(ev); k != "" && len(byKey[k]) < 500 {
			byKey[k] = append(byKey[k], ev)
		}
	}
	votes := map[int]int{}
	for _, x := range utc {
		k := pairKey(x)
		if k == "" {
			continue
		}
		seen := map[int]bool{}
		for _, l := range byKey[k] {
			d := l.Local.Sub(x.Time)
			q := int((d + sign(d)*quarter/2) / quarter)
			if q < -14*4 || q > 14*4 {
				continue
			}
			res := d - time.Duration(q)*quarter
			if res < 0 {
				res = -res
			}
			if res <= 5*time.Second && !seen[q] {
				seen[q] = true
				votes[q]++
			}
		}
	}
	type cand struct{ q, n int }
	var cands []cand
	for q, n := range votes {
		cands = append(cands, cand{q, n})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].n != cands[j].n {
			return cands[i].n > cands[j].n
		}
		return cands[i].q < cands[j].q
	})
	if len(cands) == 0 || cands[0].n < minPairs {
		return 0, 0, false
	}
	if len(cands) > 1 && cands[0].n < 2*cands[1].n {
		return 0, 0, false
	}
	return time.Duration(cands[0].q) * quarter, cands[0].n, true
}

const quarter = 15 * time.Minute

func sign(d time.Duration) time.Duration {
	if d < 0 {
		return -1
	}
	return 1
}

// fmtOffset formats an offset as "+02:00" / "-07:00".
func fmtOffset(d time.Duration) string {
	s := "+"
	if d < 0 {
		s, d = "-", -d
	}
	return fmt.Sprintf("%s%02d:%02d", s, int(d.Hours()), int(d.Minutes())%60)
}
