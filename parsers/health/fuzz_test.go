package health

import (
	"strings"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// FuzzInterpret feeds arbitrary payloads, component names and states to
// Interpret: it must not panic, must give a sentence that starts with the
// component and state, findings with attributes and a fix, and must bound
// what it accepts. (A payload damaged after its root tag keeps the root's
// findings and reports the damage.)
func FuzzInterpret(f *testing.F) {
	for _, c := range healthCases {
		f.Add(string(c.component), int(c.state), c.payload)
		f.Add(string(c.component), int(c.state), c.payload[:len(c.payload)/2])
		f.Add("", int(c.state), xmlEscape(c.payload))
	}
	f.Add("QUERY_PROCESSING", 3, `<queryProcessing maxWorkers="-1" workersCreated="9223372036854775807" workersIdle="-9223372036854775808" pendingTasks="1e308" oldestPendingTaskWaitingTime="0x" trackingNonYieldingScheduler="0xffffffffffffffffff"/>`)
	f.Add("io_subsystem", 2, `<!DOCTYPE x [<!ENTITY a "aaaa">]><ioSubsystem ioLatchTimeouts="&a;"><longestPendingRequests><pendingRequest duration="x"/></longestPendingRequests></ioSubsystem>`)
	f.Fuzz(func(t *testing.T, component string, state int, payload string) {
		st := State(state)
		s, err := Interpret(component, st, payload)
		if len(payload) > MaxPayload && err == nil {
			t.Fatalf("payload of %d bytes accepted", len(payload))
		}
		if !strings.HasPrefix(s.Text, s.Name+" "+s.State.String()) {
			t.Fatalf("text %q for %s %s", s.Text, s.Name, s.State)
		}
		if err == nil && strings.TrimSpace(payload) == "" && s.Component != AvailabilityGroup {
			t.Fatal("an empty payload without error")
		}
		for _, fd := range s.Findings {
			if len(fd.Attrs) == 0 || Fix(fd.Condition) == "" || fd.Text == "" {
				t.Fatalf("finding %+v", fd)
			}
		}
		_ = Verdict(&s, state%7, parsers.Event{}.Time)
		_ = s.Fix()
	})
}

// FuzzTracker feeds two consecutive events payloads of one server to a
// Tracker: no panic, and the second never counts more ring-buffer errors
// than it holds.
func FuzzTracker(f *testing.F) {
	f.Add(healthCases[11].payload, healthCases[11].payload)
	f.Add(ring(errEvent("2024-03-14T07:16:58.021Z", "833")), ring(errEvent("2024-03-14T07:16:58.021Z", "833"), errEvent("2024-03-14T07:17:58.021Z", "845")))
	f.Add("<events><event timestamp='x' name=\"error_reported\"><data name=\"error_number\"><value>833", "<event ")
	f.Fuzz(func(t *testing.T, a, b string) {
		tr := NewTracker()
		for _, p := range []string{a, b} {
			s, ok, _ := tr.Interpret(resultEvent("A", "events", "unknown", p))
			if !ok || !strings.HasPrefix(s.Text, "events unknown") {
				t.Fatalf("summary %+v", s)
			}
			if n := strings.Count(p, "<event "); s.Has(ErrorsReported) && n == 0 {
				t.Fatalf("errors counted in a payload without events: %q", s.Text)
			}
		}
	})
}
