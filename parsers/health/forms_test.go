package health

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
	"github.com/agtriage/agtriage/parsers"
)

// The other health events, each written as a binary .xel (with xelwrite's
// SQLDIAG and system_health metadata) and as the XML export of the same
// event: both readers must give the same fields and interpretation.

const (
	msg17883 = "Process 0:0:0 (0x1a2c) Worker 0x000001EBBCA3D220 appears to be non-yielding on Scheduler 3. Thread creation time: 13154556723456. Approx Thread CPU Used: kernel 0 ms, user 59875 ms. Process Utilization 27%. System Idle 70%. Interval: 60012 ms."
	msg845   = "Time-out occurred while waiting for buffer latch type 2 for page (1:154), database ID 5."
	msg833   = "SQL Server has encountered 4 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [F:\\data\\Sales.mdf] in database [SalesDb] (5).  The OS file handle is 0x0000000000000F30.  The offset of the latest long I/O is: 0x00000000a30000"
)

type xmlField struct {
	action      bool
	name, value string
	text        string // map label
}

func renderEvent(name string, at time.Time, fields []xmlField) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<event name="%s" package="sqlserver" timestamp="%s">`, name, at.Format("2006-01-02T15:04:05.000Z"))
	for _, f := range fields {
		el := "data"
		if f.action {
			el = "action"
		}
		fmt.Fprintf(&b, `<%s name="%s"><value>%s</value>`, el, f.name, xmlEscape(f.value))
		if f.text != "" {
			fmt.Fprintf(&b, `<text>%s</text>`, f.text)
		}
		fmt.Fprintf(&b, `</%s>`, el)
	}
	b.WriteString("</event>\n")
	return b.String()
}

func TestHealthEventsBothForms(t *testing.T) {
	stack := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 0x7FFD34FBDFD4), 0x7FFD34F00010)
	stackText := "0x00007ffd34fbdfd4\n0x00007ffd34f00010"
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }

	sqldiag := &xelwrite.File{ID: make([]byte, 16), Stream: make([]byte, 16), ClockBase: xelwrite.Filetime(t0.Add(-time.Hour)), Packages: xelwrite.SQLDIAG()}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	leaseKey, _ := xelwrite.MapIsAliveReason.Key("LeaseExpired")
	must(sqldiag.Add(xelwrite.EvIsAliveFailure, at(0), leaseKey, "AGSALES", "INST1", "SQLNODE1"))
	sqldiagXMLDoc := renderEvent("availability_group_is_alive_failure", at(0), []xmlField{
		{false, "reason", fmt.Sprint(leaseKey), "LeaseExpired"}, {false, "availability_group_name", "AGSALES", ""},
		{false, "instance_name", "INST1", ""}, {false, "server_name", "SQLNODE1", ""}})

	sh := &xelwrite.File{ID: make([]byte, 16), Stream: make([]byte, 16), ClockBase: xelwrite.Filetime(t0.Add(-time.Hour)), Packages: xelwrite.SystemHealth()}
	var shXML strings.Builder
	must(sh.Add(xelwrite.EvCPURingBuffer, at(1), uint32(1201), uint64(889012345), uint32(88), uint32(2), uint64(5000), uint64(700), uint32(12), int64(-4096), uint32(100)))
	shXML.WriteString(renderEvent("scheduler_monitor_system_health_ring_buffer_recorded", at(1), []xmlField{
		{false, "id", "1201", ""}, {false, "timestamp", "889012345", ""}, {false, "process_utilization", "88", ""},
		{false, "system_idle", "2", ""}, {false, "user_mode_time", "5000", ""}, {false, "kernel_mode_time", "700", ""},
		{false, "page_faults", "12", ""}, {false, "working_set_delta", "-4096", ""}, {false, "memory_utilization", "100", ""}}))
	must(sh.Add(xelwrite.EvNonYieldRingBuffer, at(2), uint32(7), uint64(889022345), 0, uint32(0), uint32(3), uint64(0x1EBBCA3D220),
		uint32(1234), uint32(98), uint32(27), uint32(70), uint64(59875), uint64(0), uint32(0), int64(0), uint32(100), stack))
	shXML.WriteString(renderEvent("scheduler_monitor_non_yielding_ring_buffer_recorded", at(2), []xmlField{
		{false, "id", "7", ""}, {false, "timestamp", "889022345", ""}, {false, "opcode", "0", "Begin"}, {false, "node_id", "0", ""},
		{false, "scheduler", "3", ""}, {false, "worker", "0x000001ebbca3d220", ""}, {false, "yields", "1234", ""},
		{false, "worker_utilization", "98", ""}, {false, "process_utilization", "27", ""}, {false, "system_idle", "70", ""},
		{false, "user_mode_time", "59875", ""}, {false, "kernel_mode_time", "0", ""}, {false, "page_faults", "0", ""},
		{false, "working_set_delta", "0", ""}, {false, "memory_utilization", "100", ""}, {false, "call_stack", stackText, ""}}))
	waits := []struct {
		ev       xelwrite.Event
		waitType string
		ms       uint64
		long     bool
	}{
		{xelwrite.EvWaitInfo, "PAGEIOLATCH_EX", 41200, true},
		{xelwrite.EvWaitInfo, "LCK_M_X", 20000, false},
		{xelwrite.EvWaitInfoExternal, "PREEMPTIVE_OS_CLUSTEROPS", 46000, true},
	}
	for i, w := range waits {
		key, _ := xelwrite.MapWaitTypes.Key(w.waitType)
		fields := []xmlField{{false, "wait_type", fmt.Sprint(key), w.waitType}, {false, "opcode", "1", "End"}, {false, "duration", fmt.Sprint(w.ms), ""}}
		values := []any{key, 1, w.ms}
		if w.ev.Name == "wait_info" {
			fields = append(fields, xmlField{false, "signal_duration", "0", ""}, xmlField{false, "wait_resource", "0x0000000000000000", ""})
			values = append(values, uint64(0), uint64(0))
		}
		acts := []xelwrite.ActionValue{{Action: xelwrite.ActSessionID, Value: 53},
			{Action: xelwrite.ActSQLText, Value: "UPDATE dbo.Orders SET Status = 2"}, {Action: xelwrite.ActCallstack, Value: stack}}
		fields = append(fields, xmlField{true, "session_id", "53", ""}, xmlField{true, "sql_text", "UPDATE dbo.Orders SET Status = 2", ""},
			xmlField{true, "callstack", stackText, ""})
		must(sh.AddWithActions(w.ev, at(3+i), acts, values...))
		shXML.WriteString(renderEvent(w.ev.Name, at(3+i), fields))
	}
	for i, e := range []struct {
		num  int32
		msg  string
		want string
	}{{17883, msg17883, "non-yielding scheduler"}, {845, msg845, "latch timeout"}, {833, msg833, "long I/O"}} {
		must(sh.Add(xelwrite.EvErrorReported, at(6+i), e.num, int32(10), int32(1), false, 2, uint32(4), false, e.msg))
		shXML.WriteString(renderEvent("error_reported", at(6+i), []xmlField{
			{false, "error_number", fmt.Sprint(e.num), ""}, {false, "severity", "10", ""}, {false, "state", "1", ""},
			{false, "user_defined", "false", ""}, {false, "category", "2", "SERVER"}, {false, "destination", "0x00000004", "ERRORLOG"},
			{false, "is_intercepted", "false", ""}, {false, "message", e.msg, ""}}))
	}

	sqldiagBin, err := sqldiag.Bytes()
	must(err)
	shBin, err := sh.Bytes()
	must(err)
	pairs := [][2][]*parsers.Event{
		{readAll(t, []byte(sqldiagXMLDoc), false), readAll(t, sqldiagBin, true)},
		{readAll(t, []byte(shXML.String()), false), readAll(t, shBin, true)},
	}
	var all []*parsers.Event
	for _, p := range pairs {
		if len(p[0]) != len(p[1]) {
			t.Fatalf("%d XML events, %d .xel events", len(p[0]), len(p[1]))
		}
		for i, x := range p[0] {
			b := *p[1][i]
			b.Source, b.File, b.Offset, b.Line = x.Source, x.File, x.Offset, x.Line
			if !reflect.DeepEqual(*x, b) {
				t.Errorf("event %d %s differs:\n xml %+v\n xel %+v", i, x.Name, *x, b)
			}
		}
		all = append(all, p[1]...)
	}
	want := []struct {
		kind    parsers.Kind
		reason  string
		message string
	}{
		{parsers.KindIsAliveFailure, "LeaseExpired", "availability_group_is_alive_failure: AGSALES LeaseExpired"},
		{parsers.KindCPUSample, "", "CPU: SQL Server 88%, other processes 10%, idle 2%"},
		{parsers.KindStall, "non-yielding scheduler", "scheduler_monitor_non_yielding_ring_buffer_recorded: Begin scheduler 3 worker 0x000001ebbca3d220 process CPU 27% system idle 70%"},
		{parsers.KindLongWait, "PAGEIOLATCH_EX", "wait_info: PAGEIOLATCH_EX waited 41.2 s (session 53)"},
		{parsers.KindMessage, "LCK_M_X", "wait_info: LCK_M_X waited 20 s (session 53)"},
		{parsers.KindLongWait, "PREEMPTIVE_OS_CLUSTEROPS", "wait_info_external: PREEMPTIVE_OS_CLUSTEROPS waited 46 s (session 53)"},
		{parsers.KindStall, "non-yielding scheduler", msg17883},
		{parsers.KindStall, "latch timeout", msg845},
		{parsers.KindStall, "long I/O", msg833},
	}
	for i, w := range want {
		ev := all[i]
		if ev.Kind != w.kind || ev.Reason != w.reason || ev.Message != w.message {
			t.Errorf("event %d %s: kind %s reason %q message %q\nwant kind %s reason %q message %q", i, ev.Name, ev.Kind, ev.Reason, ev.Message, w.kind, w.reason, w.message)
		}
	}
	if all[0].Server != "SQLNODE1\\INST1" || all[0].AG != "AGSALES" {
		t.Errorf("is-alive server %q AG %q", all[0].Server, all[0].AG)
	}
	if all[3].Field("callstack") != stackText || all[3].Field("sql_text") == "" {
		t.Errorf("wait_info actions %+v", all[3].Fields)
	}
}
