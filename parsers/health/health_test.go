package health

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

func conditions(s Summary) []Condition {
	var cs []Condition
	for _, f := range s.Findings {
		cs = append(cs, f.Condition)
	}
	return cs
}

// TestInterpret checks each component in each state: the conditions found,
// in order, and the sentence.
func TestInterpret(t *testing.T) {
	for _, c := range healthCases {
		for _, form := range []string{c.payload, xmlEscapeOnce(c.payload)} {
			s, err := Interpret(string(c.component), c.state, form)
			if err != nil {
				if form != c.payload {
					continue // escaped text is for FromEvent's reader, not a payload
				}
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if got := conditions(s); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: conditions %v, want %v", c.name, got, c.want)
			}
			if s.Text != c.text {
				t.Errorf("%s:\n text %q\n want %q", c.name, s.Text, c.text)
			}
			for _, f := range s.Findings {
				if len(f.Attrs) == 0 || Fix(f.Condition) == "" {
					t.Errorf("%s: finding %s without attributes or fix", c.name, f.Condition)
				}
			}
			break
		}
	}
}

func xmlEscapeOnce(s string) string { return xmlEscape(s) }

// TestBothForms reads every case as an XML export and as a binary .xel, for
// the SQLDIAG log and for system_health, and expects the same events and the
// same interpretation as the payload alone gives.
func TestBothForms(t *testing.T) {
	var sqldiag, sqldiagEsc, sysHealth strings.Builder
	sqldiag.WriteString("<events>\n")
	for i, c := range healthCases {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		sqldiag.WriteString(sqldiagXML(c, at, false))
		sqldiagEsc.WriteString(sqldiagXML(c, at, true))
		sysHealth.WriteString(systemHealthXML(c, at))
	}
	sqldiag.WriteString("</events>\n")
	forms := map[string][]*parsers.Event{
		"SQLDIAG xml":          readAll(t, []byte(sqldiag.String()), false),
		"SQLDIAG xml, escaped": readAll(t, []byte(sqldiagEsc.String()), false),
		"SQLDIAG .xel":         readAll(t, sqldiagXEL(t, healthCases, t0), true),
		"system_health xml":    readAll(t, []byte(sysHealth.String()), false),
		"system_health .xel":   readAll(t, systemHealthXEL(t, healthCases, t0), true),
	}
	for form, evs := range forms {
		if len(evs) != len(healthCases) {
			t.Fatalf("%s: %d events, want %d", form, len(evs), len(healthCases))
		}
		sqldiagForm := strings.HasPrefix(form, "SQLDIAG")
		for i, ev := range evs {
			c := healthCases[i]
			wantKind := parsers.KindHealthReport
			switch c.state {
			case StateError:
				wantKind = parsers.KindHealthFailure
			case StateWarning:
				wantKind = parsers.KindHealthWarning
			}
			if ev.Kind != wantKind || ev.Reason != string(c.component) || ev.To != c.state.String() {
				t.Errorf("%s %s: kind %s reason %q to %q", form, c.name, ev.Kind, ev.Reason, ev.To)
			}
			if !ev.Time.Equal(t0.Add(time.Duration(i) * 5 * time.Second)) {
				t.Errorf("%s %s: time %v", form, c.name, ev.Time)
			}
			if sqldiagForm && (ev.Server != "SQLNODE1" || ev.Field("failure_condition_level") != "3") {
				t.Errorf("%s %s: server %q, level %q", form, c.name, ev.Server, ev.Field("failure_condition_level"))
			}
			s, ok, err := FromEvent(ev)
			if !ok || err != nil {
				t.Errorf("%s %s: FromEvent ok %v err %v", form, c.name, ok, err)
				continue
			}
			if s.Component != c.component || s.State != c.state || s.Text != c.text || !reflect.DeepEqual(conditions(s), c.want) {
				t.Errorf("%s %s:\n got  %s %s %q %v\n want %s %s %q %v", form, c.name, s.Component, s.State, s.Text, conditions(s),
					c.component, c.state, c.text, c.want)
			}
		}
	}
	// The binary and XML forms give the same events but for the position
	// and the source.
	for _, pair := range [][2]string{{"SQLDIAG xml", "SQLDIAG .xel"}, {"system_health xml", "system_health .xel"}} {
		for i, a := range forms[pair[0]] {
			b := forms[pair[1]][i]
			if a.Kind != b.Kind || a.Reason != b.Reason || a.To != b.To || a.Server != b.Server || a.Message != b.Message || !a.Time.Equal(b.Time) {
				t.Errorf("%s vs %s, event %d:\n %+v\n %+v", pair[0], pair[1], i, *a, *b)
			}
		}
	}
}

// TestAvailabilityGroupRow reads an availability group's own row: no
// payload, the group's name and state.
func TestAvailabilityGroupRow(t *testing.T) {
	doc := `<event name="component_health_result" package="sqlserver" timestamp="2024-03-14T07:20:00.000Z">` +
		`<data name="state"><value>3</value></data><data name="failure_condition_level"><value>5</value></data>` +
		`<data name="component_type"><value>alwaysOn:AvailabilityGroup</value></data><data name="component"><value>AGSALES</value></data>` +
		`<data name="state_desc"><value>error</value></data><data name="data"><value></value></data>` +
		`<data name="node_name"><value>SQLNODE1</value></data><data name="instance_name"><value>INST1</value></data></event>`
	evs := readAll(t, []byte(doc), false)
	ev := evs[0]
	if ev.Kind != parsers.KindHealthFailure || ev.AG != "AGSALES" || ev.Server != `SQLNODE1\INST1` || ev.Reason != "AGSALES" {
		t.Errorf("event %+v", *ev)
	}
	s, ok, err := FromEvent(ev)
	if !ok || err != nil || s.Component != AvailabilityGroup || s.Name != "AGSALES" || s.Text != "AGSALES error" {
		t.Errorf("summary %+v ok %v err %v", s, ok, err)
	}
}

// TestLevels checks the failure_condition_level semantics of HEALTH.md
// section 4 (verified against sql-docs): cumulative levels, system at 3,
// resource at 4, query_processing at 5, never on warnings, io_subsystem or
// events.
func TestLevels(t *testing.T) {
	for level := 0; level <= 5; level++ {
		for _, c := range []Component{System, Resource, QueryProcessing, IOSubsystem, Events, AvailabilityGroup} {
			for _, st := range []State{StateUnknown, StateClean, StateWarning, StateError} {
				want := st == StateError && (c == System && level >= 3 || c == Resource && level >= 4 || c == QueryProcessing && level >= 5)
				if got := FailsOver(level, c, st); got != want {
					t.Errorf("FailsOver(%d, %s, %s) = %v", level, c, st, got)
				}
			}
		}
	}
	if LevelName(3) != "OnCriticalServerError" || LevelName(DefaultLevel) != "OnCriticalServerError" || LevelName(6) != "" {
		t.Error("level names")
	}
	qp, _ := Interpret("query_processing", StateError, healthCases[8].payload)
	at := time.Date(2024, 3, 14, 14, 2, 11, 0, time.UTC)
	if got, want := Verdict(&qp, 3, at), "query_processing reported deadlocked schedulers at 14:02:11 UTC; at failure_condition_level 3 this does not fail the availability group over (it takes level 5)"; got != want {
		t.Errorf("verdict\n got %q\nwant %q", got, want)
	}
	if got := Verdict(&qp, 5, at); !strings.HasSuffix(got, "at failure_condition_level 5 (OnAnyQualifiedFailureConditions) this fails the availability group over") {
		t.Errorf("verdict at 5: %q", got)
	}
	io, _ := Interpret("io_subsystem", StateWarning, healthCases[10].payload)
	if got := Verdict(&io, 5, time.Time{}); !strings.Contains(got, "a warning state never fails") {
		t.Errorf("io verdict %q", got)
	}
}

// TestFix names the detail the fix needs: the spinlock type, the file.
func TestFix(t *testing.T) {
	sys, _ := Interpret("system", StateError, healthCases[2].payload)
	if f := sys.Fix(); !strings.Contains(f, "SOS_CACHESTORE") || !strings.Contains(f, "spinlock") {
		t.Errorf("system fix %q", f)
	}
	io, _ := Interpret("io_subsystem", StateWarning, healthCases[10].payload)
	if io.Cause().Condition != IOLatchTimeouts {
		t.Fatalf("io cause %v", io.Cause())
	}
	if f := Fix(LongIO); !strings.Contains(f, "latency") {
		t.Errorf("long I/O fix %q", f)
	}
	if io.Findings[1].Detail != `F:\data\Sales.mdf` {
		t.Errorf("long I/O detail %q", io.Findings[1].Detail)
	}
	qp, _ := Interpret("query_processing", StateError, healthCases[8].payload)
	if f := qp.Fix(); !strings.Contains(f, "top wait THREADPOOL by duration") || !strings.Contains(f, "max worker threads") || !strings.Contains(f, "blocking chain") {
		t.Errorf("qp fix %q", f)
	}
	res, _ := Interpret("resource", StateError, healthCases[5].payload)
	if f := res.Fix(); !strings.Contains(f, "memory clerks") {
		t.Errorf("resource fix %q", f)
	}
	for c := range fixes {
		if Fix(c) == "" {
			t.Errorf("no fix for %s", c)
		}
	}
}

// TestChanges compares consecutive snapshots: counters that rose, and a
// restart when one fell.
func TestChanges(t *testing.T) {
	a, _ := Interpret("system", StateClean, `<system totalDumpRequests="140" nonYieldingTasksReported="0" latchWarnings="2"/>`)
	b, _ := Interpret("system", StateError, `<system totalDumpRequests="143" nonYieldingTasksReported="1" latchWarnings="2"/>`)
	rose, restarted := Changes(&a, &b)
	want := []Change{{"totalDumpRequests", 140, 143}, {"nonYieldingTasksReported", 0, 1}}
	if restarted || !reflect.DeepEqual(rose, want) {
		t.Errorf("changes %v restarted %v", rose, restarted)
	}
	if _, restarted := Changes(&b, &a); !restarted {
		t.Error("a falling counter is a restart")
	}
}

// TestBadPayloads: damaged, hostile or empty payloads give an error and a
// summary of the state alone, never a panic.
func TestBadPayloads(t *testing.T) {
	deep := `<queryProcessing><blockingTasks><blocked-process-report>` + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) +
		`</blocked-process-report></blockingTasks></queryProcessing>`
	for _, p := range []string{"", "<system", "not xml", "<resource a='1'/>", "<system a='1'/><x", "<system a='1'><x/>", strings.Repeat("x", MaxPayload+1), deep} {
		comp := "system"
		if p == deep {
			comp = "query_processing"
		}
		s, err := Interpret(comp, StateError, p)
		if err == nil {
			t.Errorf("payload %.40q: no error", p)
		}
		if s.Text != comp+" error: no known cause in the payload" {
			t.Errorf("payload %.40q: text %q", p, s.Text)
		}
	}
	// A payload whose component is not named takes it from its root.
	s, err := Interpret("", StateError, healthCases[8].payload)
	if err != nil || s.Component != QueryProcessing || !s.Has(DeadlockedSchedulers) {
		t.Errorf("unnamed component: %+v %v", s, err)
	}
	s, err = Interpret("", StateUnknown, healthCases[11].payload)
	if err != nil || s.Component != Events || !s.Has(ErrorsReported) {
		t.Errorf("unnamed events component: %+v %v", s, err)
	}
}

// TestRingBufferEvents reads the events payload as events.
func TestRingBufferEvents(t *testing.T) {
	evs, err := RingBufferEvents(healthCases[11].payload, "payload")
	if err != nil || len(evs) != 4 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	if evs[0].Error != 833 || evs[0].Kind != parsers.KindStall || evs[2].Error != 17883 || evs[3].Kind != parsers.KindCPUSample {
		t.Errorf("events %+v %+v %+v", *evs[0], *evs[2], *evs[3])
	}
}
