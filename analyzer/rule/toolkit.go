package rule

import (
	"fmt"
	"iter"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// Helpers for writing rules: evidence quoted from events, causal-chain
// steps, and the usual ways of grouping events.

// Evidence quotes one event.
func Evidence(ev *parsers.Event) report.Evidence {
	return report.Evidence{File: ev.File, Line: ev.Line, Offset: offsetIfNoLine(ev), Server: ev.Server, Time: ev.Time, Text: quote(ev)}
}

func offsetIfNoLine(ev *parsers.Event) int64 {
	if ev.Line > 0 {
		return 0
	}
	return ev.Offset
}

// quote renders the record as it appeared, for evidence blocks.
func quote(ev *parsers.Event) string {
	msg := ev.Message
	if ev.Source == parsers.SourceErrorlog {
		t := ev.Local
		if t.IsZero() {
			t = ev.Time
		}
		head := ""
		if ev.Error != 0 && ev.Severity != 0 {
			head = fmt.Sprintf("%s %-11s Error: %d, Severity: %d, State: %d.\n",
				t.Format("2006-01-02 15:04:05.00"), ev.Process, ev.Error, ev.Severity, ev.State)
		}
		return head + fmt.Sprintf("%s %-11s %s", t.Format("2006-01-02 15:04:05.00"), ev.Process, msg)
	}
	if msg == "" {
		msg = ev.Name
	}
	at := ev.Time.UTC().Format(parsers.TimeLayout)
	switch {
	case ev.Name != "":
		return fmt.Sprintf("%s %s: %s", at, ev.Name, msg) // an Extended Event
	case ev.Source == parsers.SourceEventLog && ev.Process != "":
		// A Windows event: its provider and id, as Event Viewer lists them.
		if id := ev.Field("EventID"); id != "" {
			return fmt.Sprintf("%s %s %s: %s", at, ev.Process, id, msg)
		}
		return fmt.Sprintf("%s %s: %s", at, ev.Process, msg)
	case ev.Source == parsers.SourceClusterlog && ev.Process != "":
		return fmt.Sprintf("%s [%s] %s", at, ev.Process, msg) // the cluster log's component
	}
	return at + " " + msg
}

// foldEvidence quotes events, folding repeats of the same message (a storm of
// 141 identical lines is one evidence block with a count).
func foldEvidence(evs []*parsers.Event, max int) []report.Evidence {
	var out []report.Evidence
	idx := map[string]int{}
	for _, ev := range evs {
		k := ev.Server + "\x00" + ev.File + "\x00" + parsers.MessageShape(ev.Message)
		if i, ok := idx[k]; ok {
			out[i].Count += 1 + ev.Repeats
			if ev.Until().After(out[i].Last) {
				out[i].Last = ev.Until()
			}
			continue
		}
		if len(out) >= max {
			continue
		}
		idx[k] = len(out)
		e := Evidence(ev)
		e.Count = 1 + ev.Repeats
		e.Last = ev.Until()
		out = append(out, e)
	}
	for i := range out {
		if out[i].Count == 1 {
			out[i].Count, out[i].Last = 0, time.Time{}
		}
	}
	return out
}

// Total counts events, with the repeats folded into them.
func Total(evs []*parsers.Event) int {
	n := 0
	for _, ev := range evs {
		n += 1 + ev.Repeats
	}
	return n
}

// Until returns the time of the last of evs, folded repeats included.
func Until(evs []*parsers.Event) time.Time {
	var t time.Time
	for _, ev := range evs {
		if u := ev.Until(); u.After(t) {
			t = u
		}
	}
	return t
}

// Step builds a causal-chain step from events.
func Step(text string, evs ...*parsers.Event) report.Step {
	s := report.Step{Text: text}
	if len(evs) > 0 {
		s.Time = evs[0].Time
		s.Server = evs[0].Server
		s.Evidence = foldEvidence(evs, 4)
	}
	return s
}

// GroupByGap splits events (time ordered) into runs where consecutive events
// are at most gap apart.
func GroupByGap(evs []*parsers.Event, gap time.Duration) [][]*parsers.Event {
	var out [][]*parsers.Event
	var last time.Time // end of the current run, folded repeats included
	for _, ev := range evs {
		if n := len(out); n > 0 && ev.Time.Sub(last) <= gap {
			out[n-1] = append(out[n-1], ev)
			if u := ev.Until(); u.After(last) {
				last = u
			}
			continue
		}
		out = append(out, []*parsers.Event{ev})
		last = ev.Until()
	}
	return out
}

// byServer splits events by server, keeping time order.
func byServer(evs []*parsers.Event) (servers []string, m map[string][]*parsers.Event) {
	m = map[string][]*parsers.Event{}
	for _, ev := range evs {
		if _, ok := m[ev.Server]; !ok {
			servers = append(servers, ev.Server)
		}
		m[ev.Server] = append(m[ev.Server], ev)
	}
	sort.Strings(servers)
	return servers, m
}

// Filter returns the events of the given kinds.
func (p *Pass) Filter(kinds ...parsers.Kind) []*parsers.Event {
	var out []*parsers.Event
	for _, ev := range p.Events {
		for _, k := range kinds {
			if ev.Kind == k {
				out = append(out, ev)
				break
			}
		}
	}
	return out
}

// Collect returns the distinct non-empty values of f over evs, sorted.
func Collect(evs []*parsers.Event, f func(*parsers.Event) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, ev := range evs {
		if v := f(ev); v != "" && !seen[strings.ToUpper(v)] {
			seen[strings.ToUpper(v)] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// ErrorNumbers lists the distinct error numbers of evs ("41048, 41092").
func ErrorNumbers(evs []*parsers.Event) string {
	var nums []int
	seen := map[int]bool{}
	for _, ev := range evs {
		if ev.Error != 0 && !seen[ev.Error] {
			seen[ev.Error] = true
			nums = append(nums, ev.Error)
		}
	}
	sort.Ints(nums)
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

// Episodes splits evs (in time order) by server, in server order, and each
// server's events into runs at most gap apart (GroupByGap): the episodes a
// rule usually reports one finding each for.
//
//	for server, episode := range rule.Episodes(p.Filter(parsers.KindLeaseExpired), 2*time.Minute) { ... }
func Episodes(evs []*parsers.Event, gap time.Duration) iter.Seq2[string, []*parsers.Event] {
	return func(yield func(string, []*parsers.Event) bool) {
		servers, m := byServer(evs)
		for _, sv := range servers {
			for _, grp := range GroupByGap(m[sv], gap) {
				if !yield(sv, grp) {
					return
				}
			}
		}
	}
}
