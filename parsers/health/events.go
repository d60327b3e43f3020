package health

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xevent"
	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// RingBufferEvents reads the events an events-component payload carries
// (<events><session><RingBufferTarget><event .../>...) with the Extended
// Events XML reader: the same parsers.Event values as any XML export, with
// file naming them. Warnings of the reader are returned joined; the events
// read are kept.
func RingBufferEvents(payload, file string) ([]*parsers.Event, error) {
	r := xevent.NewReader(strings.NewReader(payload), file)
	var evs []*parsers.Event
	var errs []error
	for ev, err := range r.Events() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		evs = append(evs, ev)
	}
	return evs, errors.Join(errs...)
}

// stallNames names the error numbers that report a stall.
var stallNames = map[int]string{
	17883: "non-yielding scheduler", 17884: "deadlocked schedulers", 17888: "deadlocked schedulers",
	845: "buffer latch timeout", 833: "long I/O", 701: "insufficient memory", 17890: "memory paged out",
}

var (
	errorNumber = xpath.MustCompile(`data[@name='error_number']/value`)
	severity    = xpath.MustCompile(`data[@name='severity']/value`)
	procUtil    = xpath.MustCompile(`data[@name='process_utilization']/value`)
	sysIdle     = xpath.MustCompile(`data[@name='system_idle']/value`)
)

// ringEvent is one <event> of a ring-buffer payload: its text, from its
// start tag to the next event (or the end of the ring buffer).
type ringEvent struct {
	name, text string
	doc        *xmlquery.Node // parsed on demand
	bad        bool
}

// value returns a numeric data value of the event. The common shape
// (<data name="x"><type .../><value>N</value>) is read directly; any other
// (CDATA, entities, single quotes) through XPath over the event parsed as a
// document of its own.
func (e *ringEvent) value(name string, expr *xpath.Expr) (int64, bool) {
	if v, ok := dataValue(e.text, name); ok {
		return parseNum(v)
	}
	if e.doc == nil && !e.bad {
		text := e.text
		if i := strings.Index(text, "</event>"); i >= 0 {
			text = text[:i+len("</event>")]
		}
		doc, err := xmlquery.Parse(strings.NewReader(text))
		if err != nil {
			e.bad = true
			return 0, false
		}
		e.doc = firstElement(doc)
	}
	if e.doc == nil {
		return 0, false
	}
	n := xmlquery.QuerySelector(e.doc, expr)
	if n == nil {
		return 0, false
	}
	return parseNum(strings.TrimSpace(n.InnerText()))
}

// dataValue finds <data name="name"> in an event's text and returns the
// plain text of its <value>, or false when the shape is another.
func dataValue(ev, name string) (string, bool) {
	i := strings.Index(ev, `<data name="`+name+`"`)
	if i < 0 {
		return "", false
	}
	rest := ev[i:]
	end := strings.Index(rest, "</data>")
	if end < 0 {
		return "", false
	}
	rest = rest[:end]
	j := strings.Index(rest, "<value>")
	if j < 0 {
		return "", false
	}
	v := rest[j+len("<value>"):]
	k := strings.IndexByte(v, '<')
	if k < 0 || strings.IndexByte(v[:k], '&') >= 0 || !strings.HasPrefix(v[k:], "</value>") {
		return "", false
	}
	return strings.TrimSpace(v[:k]), true
}

// readEvents reads an events payload: the errors the ring buffer kept, the
// CPU samples and the non-yield records. Ring-buffer events are cut at
// their start tags; their values are read as the common shape or with XPath.
func (s *Summary) readEvents(payload string) error {
	if !strings.Contains(payload, "<event ") {
		return nil // an empty ring buffer
	}
	if d := depth(payload); d > MaxDepth {
		return fmt.Errorf("events payload nests %d elements deep, more than %d", d, MaxDepth)
	}
	if !strings.HasPrefix(strings.TrimSpace(payload), "<") {
		return errors.New("events payload is not XML")
	}
	counts := map[int]int{}
	var cpuMax, idleMin, samples, nonYield int64
	idleMin = 101
	for pos := strings.Index(payload, "<event "); pos >= 0; {
		next := strings.Index(payload[pos+1:], "<event ")
		text := payload[pos:]
		if next >= 0 {
			text = payload[pos : pos+1+next]
			pos += 1 + next
		} else {
			pos = -1
		}
		ev := &ringEvent{name: startTagAttr(text, "name"), text: text}
		switch {
		case ev.name == "error_reported":
			num, _ := ev.value("error_number", errorNumber)
			sev, _ := ev.value("severity", severity)
			if num != 0 && (stallNames[int(num)] != "" || sev >= 17) {
				counts[int(num)]++
			}
		case ev.name == "scheduler_monitor_system_health_ring_buffer_recorded":
			if p, ok := ev.value("process_utilization", procUtil); ok {
				samples++
				cpuMax = max(cpuMax, p)
			}
			if i, ok := ev.value("system_idle", sysIdle); ok {
				idleMin = min(idleMin, i)
			}
		case strings.HasPrefix(ev.name, "scheduler_monitor_non_yielding"):
			nonYield++
		}
	}
	if len(counts) > 0 {
		nums := make([]int, 0, len(counts))
		for n := range counts {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		parts := make([]string, 0, len(nums))
		attrs := make([]string, 0, len(nums))
		for _, n := range nums {
			t := strconv.Itoa(counts[n]) + "x " + strconv.Itoa(n)
			if name := stallNames[n]; name != "" {
				t += " (" + name + ")"
			}
			parts = append(parts, t)
			attrs = append(attrs, attr("error_reported/"+strconv.Itoa(n), counts[n]))
		}
		s.add(ErrorsReported, "errors in the ring buffer: "+strings.Join(parts, ", "), "", attrs...)
	}
	if nonYield > 0 {
		s.add(NonYielding, plural(nonYield, "non-yielding scheduler record", "non-yielding scheduler records")+" in the ring buffer", "",
			attr("scheduler_monitor_non_yielding_ring_buffer_recorded", nonYield))
	}
	if samples > 0 && (cpuMax >= highCPU || idleMin <= 100-highCPU) {
		s.add(HighCPU, fmt.Sprintf("SQL Server CPU up to %d%%, idle down to %d%% in %d samples", cpuMax, idleMin, samples), "",
			attr("process_utilization", cpuMax), attr("system_idle", idleMin))
	}
	return nil
}
