package health

import (
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// Tracker interprets the component results of one or more instances in time
// order and remembers, per server and component, the previous result:
//
//   - Summary.Changes lists the cumulative counters that rose since the
//     previous result of the same component (Changes), and
//     Summary.Restarted says the instance restarted in between;
//   - an events payload is read from the first ring-buffer event newer than
//     those of the previous events result: consecutive results repeat most of
//     the ring buffer, so each ring-buffer event is counted once, and a day
//     of results costs about one read of its distinct events.
//
// The zero Tracker is not usable; call NewTracker. A Tracker holds one
// Summary per server and component, whatever the number of results.
type Tracker struct {
	prev     map[trackKey]*Summary
	lastRing map[string]string // newest ring-buffer event timestamp by server
}

type trackKey struct {
	server string
	comp   Component
}

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker {
	return &Tracker{prev: map[trackKey]*Summary{}, lastRing: map[string]string{}}
}

// Interpret interprets a component result event like FromEvent, with the
// changes since the previous result of the same server and component.
func (t *Tracker) Interpret(ev *parsers.Event) (Summary, bool, error) {
	if ev.Name != "component_health_result" && ev.Name != "sp_server_diagnostics_component_result" {
		return Summary{}, false, nil
	}
	comp, name, state, payload := resultOf(ev)
	if comp == Events {
		var newest string
		payload, newest = t.newRingEvents(ev.Server, payload)
		if newest != "" {
			t.lastRing[ev.Server] = newest
		}
	}
	s, err := interpret(comp, name, state, payload)
	k := trackKey{ev.Server, s.Component}
	if p := t.prev[k]; p != nil {
		s.Changes, s.Restarted = Changes(p, &s)
	}
	if s.Values != nil || t.prev[k] == nil {
		c := s
		c.Findings = nil // only the values are compared
		t.prev[k] = &c
	}
	return s, true, err
}

// newRingEvents returns the part of an events payload that holds the
// ring-buffer events newer than the last ones seen for server (all of them
// the first time), and the timestamp of the payload's newest event.
func (t *Tracker) newRingEvents(server, payload string) (string, string) {
	last := t.lastRing[server]
	end := strings.Index(payload, "</RingBufferTarget>")
	if end < 0 {
		end = len(payload)
	}
	first, lastPos := -1, -1
	for pos := 0; ; pos += len("<event ") {
		i := strings.Index(payload[pos:end], "<event ")
		if i < 0 {
			break
		}
		pos += i
		lastPos = pos
		if first < 0 && last != "" {
			if ts := startTagAttr(payload[pos:end], "timestamp"); ts == "" || laterTimestamp(ts, last) {
				first = pos
			}
		}
	}
	newest := ""
	if lastPos >= 0 {
		newest = startTagAttr(payload[lastPos:end], "timestamp")
	}
	switch {
	case last == "":
		return payload, newest
	case first < 0:
		return "<events/>", newest // nothing new
	}
	return "<events>" + payload[first:end] + "</events>", newest
}

// startTagAttr returns the value of attribute name in the start tag that
// begins s, or "".
func startTagAttr(s, name string) string {
	gt := strings.IndexByte(s, '>')
	if gt < 0 {
		return ""
	}
	tag := s[:gt]
	for i := 0; ; {
		j := strings.Index(tag[i:], name+"=")
		if j < 0 {
			return ""
		}
		i += j
		if i > 0 && tag[i-1] != ' ' && tag[i-1] != '\t' && tag[i-1] != '\n' && tag[i-1] != '\r' {
			i += len(name)
			continue
		}
		v := tag[i+len(name)+1:]
		if len(v) < 2 || v[0] != '"' && v[0] != '\'' {
			return ""
		}
		if k := strings.IndexByte(v[1:], v[0]); k >= 0 {
			return v[1 : 1+k]
		}
		return ""
	}
}

// laterTimestamp reports whether XML timestamp a is after b. Timestamps of
// one source share their format (UTC, "2024-03-14T07:16:58.021Z"), so they
// compare as strings when their lengths agree; otherwise a is taken as new.
func laterTimestamp(a, b string) bool {
	if len(a) != len(b) {
		return true
	}
	return a > b
}

// resultOf returns the component, its name, the state and the payload of a
// component result event.
func resultOf(ev *parsers.Event) (Component, string, State, string) {
	name := ev.Field("component")
	if name == "" {
		name = ev.Field("component_name")
	}
	state := ev.Field("state_desc")
	if state == "" {
		state = ev.Field("state")
	}
	comp := ParseComponent(name)
	if strings.Contains(strings.ToLower(ev.Field("component_type")), "availabilitygroup") {
		comp = AvailabilityGroup
	}
	return comp, name, ParseState(state), ev.Field("data")
}
