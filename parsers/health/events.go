package health

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xevent"
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

// readEvents reads an events payload: the errors the ring buffer kept, the
// CPU samples and the non-yield records.
func (s *Summary) readEvents(payload string) error {
	// Only the reader's fatal errors matter: a payload whose ring buffer
	// has no event is normal.
	r := xevent.NewReader(bytes.NewReader([]byte(payload)), "events")
	counts := map[int]int{}
	var cpuMax, idleMin, samples, nonYield int64
	idleMin = 101
	var fatal error
	for ev, err := range r.Events() {
		if err != nil {
			var w *parsers.Warning
			if !errors.As(err, &w) {
				fatal = err
			}
			continue
		}
		switch ev.Name {
		case "error_reported":
			if ev.Error != 0 && (stallNames[ev.Error] != "" || ev.Severity >= 17) {
				counts[ev.Error]++
			}
		case "scheduler_monitor_system_health_ring_buffer_recorded":
			if p, ok := parseNum(ev.Field("process_utilization")); ok {
				samples++
				cpuMax = max(cpuMax, p)
			}
			if i, ok := parseNum(ev.Field("system_idle")); ok {
				idleMin = min(idleMin, i)
			}
		default:
			if strings.HasPrefix(ev.Name, "scheduler_monitor_non_yielding") {
				nonYield++
			}
		}
	}
	if fatal != nil && len(counts) == 0 && samples == 0 {
		return fmt.Errorf("events payload: %w", fatal)
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
