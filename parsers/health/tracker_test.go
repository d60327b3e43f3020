package health

import (
	"reflect"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

func resultEvent(server, comp, state, payload string) *parsers.Event {
	return &parsers.Event{Name: "component_health_result", Server: server, Fields: []parsers.Field{
		{Name: "component", Value: comp}, {Name: "state_desc", Value: state}, {Name: "data", Value: payload}}}
}

func ring(events ...string) string {
	return `<events><session><RingBufferTarget eventCount="` + string(rune('0'+len(events))) + `">` + strings.Join(events, "") + `</RingBufferTarget></session></events>`
}

func errEvent(ts, num string) string {
	return `<event name="error_reported" package="sqlserver" timestamp="` + ts + `"><data name="error_number"><value>` + num +
		`</value></data><data name="severity"><value>10</value></data></event>`
}

// TestTrackerRingBuffer: each ring-buffer event counts once across
// consecutive events results of a server, and servers are apart.
func TestTrackerRingBuffer(t *testing.T) {
	tr := NewTracker()
	e1 := errEvent("2024-03-14T07:16:58.021Z", "833")
	e2 := errEvent("2024-03-14T07:17:10.000Z", "17883")
	// A value in CDATA is read with XPath.
	e3 := `<event name="error_reported" package="sqlserver" timestamp="2024-03-14T07:17:30.500Z"><data name="error_number"><value><![CDATA[833]]></value></data><data name='severity'><value>10</value></data></event>`
	steps := []struct {
		server, payload, text string
	}{
		{"A", ring(e1, e2), "events unknown: errors in the ring buffer: 1x 833 (long I/O), 1x 17883 (non-yielding scheduler)"},
		{"A", ring(e1, e2), "events unknown"},
		{"B", ring(e1, e2), "events unknown: errors in the ring buffer: 1x 833 (long I/O), 1x 17883 (non-yielding scheduler)"},
		{"A", ring(e1, e2, e3), "events unknown: errors in the ring buffer: 1x 833 (long I/O)"},
		{"A", ring(e2, e3), "events unknown"},
	}
	for i, st := range steps {
		s, ok, err := tr.Interpret(resultEvent(st.server, "events", "unknown", st.payload))
		if !ok || err != nil || s.Text != st.text {
			t.Errorf("step %d: %q (ok %v, err %v), want %q", i, s.Text, ok, err, st.text)
		}
	}
}

// TestTrackerChanges: cumulative counters that rose, per server.
func TestTrackerChanges(t *testing.T) {
	tr := NewTracker()
	tr.Interpret(resultEvent("A", "system", "clean", `<system totalDumpRequests="140" latchWarnings="2"/>`))
	tr.Interpret(resultEvent("B", "system", "clean", `<system totalDumpRequests="900" latchWarnings="2"/>`))
	s, _, _ := tr.Interpret(resultEvent("A", "system", "error", `<system totalDumpRequests="143" intervalDumpRequests="3" latchWarnings="2"/>`))
	if want := []Change{{"totalDumpRequests", 140, 143}}; !reflect.DeepEqual(s.Changes, want) || s.Restarted {
		t.Errorf("changes %v restarted %v", s.Changes, s.Restarted)
	}
	s, _, _ = tr.Interpret(resultEvent("A", "system", "clean", `<system totalDumpRequests="0" latchWarnings="0"/>`))
	if !s.Restarted || s.Changes != nil {
		t.Errorf("after a restart: changes %v restarted %v", s.Changes, s.Restarted)
	}
	if _, ok, _ := tr.Interpret(&parsers.Event{Name: "error_reported"}); ok {
		t.Error("an error_reported event is no component result")
	}
}
