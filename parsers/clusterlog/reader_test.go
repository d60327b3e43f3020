package clusterlog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// fixtureDir holds the cluster.log fixtures (see its gen.sh).
var fixtureDir = filepath.Join("..", "..", "testdata", "clusterlog")

// readAll reads every event of data and checks the invariants that hold for
// any input: line accounting, event counts, byte count, warnings naming the file.
func readAll(t testing.TB, data []byte, file string, maxLine int) ([]*parsers.Event, []*parsers.Warning, *Reader) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), file)
	r.MaxLineBytes = maxLine
	var evs []*parsers.Event
	var warns []*parsers.Warning
	for ev, err := range r.Events() {
		if err != nil {
			var w *parsers.Warning
			if !errors.As(err, &w) {
				t.Fatalf("%s: fatal error: %v", file, err)
			}
			if w.File != file || !strings.HasPrefix(w.Error(), file) {
				t.Errorf("warning does not name the file: %v", w)
			}
			warns = append(warns, w)
			continue
		}
		if ev == nil {
			t.Fatalf("%s: nil event with nil error", file)
		}
		evs = append(evs, ev)
	}
	checkInvariants(t, r, data, evs, warns)
	return evs, warns, r
}

func checkInvariants(t testing.TB, r *Reader, data []byte, evs []*parsers.Event, warns []*parsers.Warning) {
	t.Helper()
	s := r.Stats()
	if got := s.Records + s.Continuations + s.Unrecognized + s.Header + r.Sections() + r.SkippedLines(); got != s.Lines {
		t.Errorf("line accounting: records %d + continuations %d + unrecognized %d + sections %d + skipped %d = %d, want Lines %d",
			s.Records, s.Continuations, s.Unrecognized+s.Header, r.Sections(), r.SkippedLines(), got, s.Lines)
	}
	if s.Events != len(evs) {
		t.Errorf("Stats.Events = %d, yielded %d", s.Events, len(evs))
	}
	if s.Events > s.Records {
		t.Errorf("%d events from %d records", s.Events, s.Records)
	}
	if s.Bytes != int64(len(data)) {
		t.Errorf("Stats.Bytes = %d, input has %d", s.Bytes, len(data))
	}
	if s.SkippedBytes < 0 || s.SkippedBytes > s.Bytes {
		t.Errorf("SkippedBytes = %d of %d", s.SkippedBytes, s.Bytes)
	}
	if s.TotalWarnings != len(warns) {
		t.Errorf("TotalWarnings = %d, yielded %d", s.TotalWarnings, len(warns))
	}
	if s.Format != parsers.FormatClusterlog {
		t.Errorf("Format = %q", s.Format)
	}
	kinds := 0
	for _, n := range s.ByKind {
		kinds += n
	}
	if kinds != s.Events {
		t.Errorf("ByKind sums to %d, want %d", kinds, s.Events)
	}
	last := 0
	for _, ev := range evs {
		if ev.Source != parsers.SourceClusterlog || ev.File != s.File || ev.Kind == "" {
			t.Errorf("event %s: source %q kind %q", ev.Position(), ev.Source, ev.Kind)
		}
		if ev.Line <= last || ev.Line > s.Lines {
			t.Errorf("event line %d after %d (of %d): not in file order", ev.Line, last, s.Lines)
		}
		last = ev.Line
		if ev.Time.IsZero() {
			t.Errorf("%s: zero time", ev.Position())
		}
		if ev.Field("pid") == "" || ev.Field("tid") == "" {
			t.Errorf("%s: no pid/tid fields: %v", ev.Position(), ev.Fields)
		}
	}
}

func readFixture(t *testing.T, name string) ([]*parsers.Event, []*parsers.Warning, *Reader) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, data, name, 0)
}

// byLine indexes events by their first line.
func byLine(evs []*parsers.Event) map[int]*parsers.Event {
	m := make(map[int]*parsers.Event, len(evs))
	for _, ev := range evs {
		m[ev.Line] = ev
	}
	return m
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t
}

// want describes the expected event of one fixture line.
type want struct {
	line      int
	kind      parsers.Kind
	process   string
	time      string // UTC, "2006-01-02 15:04:05.000"
	ag        string
	replica   string
	from, to  string
	fields    map[string]string
	msgPrefix string
}

func checkEvent(t *testing.T, evs map[int]*parsers.Event, w want) {
	t.Helper()
	ev := evs[w.line]
	if ev == nil {
		t.Errorf("line %d: no event", w.line)
		return
	}
	if ev.Kind != w.kind {
		t.Errorf("line %d: Kind = %q, want %q (%q)", w.line, ev.Kind, w.kind, ev.Message)
	}
	if w.process != "" && ev.Process != w.process {
		t.Errorf("line %d: Process = %q, want %q", w.line, ev.Process, w.process)
	}
	if w.time != "" && !ev.Time.Equal(utc(w.time)) {
		t.Errorf("line %d: Time = %v, want %s", w.line, ev.Time, w.time)
	}
	if ev.AG != w.ag || ev.Replica != w.replica || ev.From != w.from || ev.To != w.to {
		t.Errorf("line %d: AG %q Replica %q From %q To %q, want %q %q %q %q",
			w.line, ev.AG, ev.Replica, ev.From, ev.To, w.ag, w.replica, w.from, w.to)
	}
	for name, v := range w.fields {
		if got := ev.Field(name); got != v {
			t.Errorf("line %d: field %s = %q, want %q", w.line, name, got, v)
		}
	}
	if !strings.HasPrefix(ev.Message, w.msgPrefix) {
		t.Errorf("line %d: Message = %q, want prefix %q", w.line, ev.Message, w.msgPrefix)
	}
}

// TestNode1 reads the UTF-16LE Get-ClusterLog output of a node through a
// quorum loss, a lease timeout and a failed failover.
func TestNode1(t *testing.T) {
	evs, warns, r := readFixture(t, "sqlnode1_cluster.utf16le.log")
	s := r.Stats()
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if s.Encoding != "UTF-16LE" || s.Server != "SQLNODE1" {
		t.Errorf("Encoding %q Server %q", s.Encoding, s.Server)
	}
	// UTC log: the header's offset (UTC = local + 300 min) is recorded, times are not shifted.
	if !s.HasUTCOffset || s.UTCOffset != -5*time.Hour || s.Clock != parsers.ClockUTC {
		t.Errorf("offset %v/%v clock %v", s.UTCOffset, s.HasUTCOffset, s.Clock)
	}
	if r.Sections() != 6 || s.Lines != 79 || s.Records != 48 || s.Continuations != 8 || s.Unrecognized != 0 || s.Header != 17 {
		t.Errorf("sections %d lines %d records %d continuations %d unrecognized %d header %d",
			r.Sections(), s.Lines, s.Records, s.Continuations, s.Unrecognized, s.Header)
	}
	for _, ev := range evs {
		if ev.Clock != parsers.ClockUTC || !ev.Local.IsZero() {
			t.Errorf("%s: clock %v local %v", ev.Position(), ev.Clock, ev.Local)
		}
	}
	m := byLine(evs)
	for _, w := range []want{
		{line: 22, kind: parsers.KindNodeRemoved, process: "System", time: "2024-03-12 15:02:11.125", replica: "SQLNODE2",
			fields:    map[string]string{"node": "SQLNODE2", "event_id": "1135", "channel": "System", "level": "DBG", "pid": "00000d1c", "tid": "00001a2c"},
			msgPrefix: "Cluster node 'SQLNODE2' was removed"},
		{line: 23, kind: parsers.KindQuorumLost, process: "System", fields: map[string]string{"event_id": "1177"},
			msgPrefix: "The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk.\nRun the Validate"},
		{line: 25, kind: parsers.KindRHSTerminated, fields: map[string]string{"event_id": "1146"}, msgPrefix: "The cluster Resource Hosting Subsystem"},
		{line: 26, kind: parsers.KindResourceFailed, ag: "AG1", fields: map[string]string{"event_id": "1069", "resource": "AG1", "role": "AG1"},
			msgPrefix: "Cluster resource 'AG1' of type 'SQL Server Availability Group' in clustered role 'AG1' failed.\nBased on the failure policies"},
		{line: 29, kind: parsers.KindResourceFailed, ag: "AG1", fields: map[string]string{"event_id": "1205"}, msgPrefix: "The Cluster service failed to bring"},
		{line: 30, kind: parsers.KindFailoverLimit, ag: "AG1", fields: map[string]string{"event_id": "1254"}, msgPrefix: "Clustered role 'AG1' has exceeded"},
		{line: 33, kind: parsers.KindHeartbeatLost, process: "Operational", fields: map[string]string{"channel": "Operational"},
			msgPrefix: "Microsoft Failover Cluster Virtual Adapter (NetFT) has missed more than 40 percent of consecutive heartbeats.\nLocal endpoint: 10.10.1.11:~3343~\nRemote endpoint: 10.10.1.12:~3343~"},
		{line: 37, kind: parsers.KindHeartbeatLost, msgPrefix: "Cluster has lost the UDP connection"},
		{line: 38, kind: parsers.KindMessage, ag: "AG1", msgPrefix: "The Cluster service is attempting to fail over"},
		{line: 39, kind: parsers.KindRoleMove, ag: "AG1", from: "SQLNODE1", to: "SQLNODE3", time: "2024-03-12 15:20:46.019",
			fields: map[string]string{"role": "AG1"}, msgPrefix: "Clustered role 'AG1' is moving"},
		{line: 42, kind: parsers.KindMessage, process: "", msgPrefix: "-----------------------------+ LOG BEGIN +"},
		{line: 43, kind: parsers.KindMessage, process: "CS", msgPrefix: "Starting clussvc as a service"},
		{line: 44, kind: parsers.KindHeartbeatLost, process: "IM", msgPrefix: "got event: LocalEndpoint"},
		{line: 45, kind: parsers.KindHeartbeatLost, process: "NETFTAPI", msgPrefix: "Signaled NetftRemoteUnreachable"},
		{line: 46, kind: parsers.KindHeartbeatLost, process: "IM", fields: map[string]string{"remote_endpoint": "10.10.1.12:~3343~"}, msgPrefix: "got event: Remote endpoint"},
		{line: 47, kind: parsers.KindHeartbeatLost, process: "NDP", msgPrefix: "All routes for route"},
		{line: 48, kind: parsers.KindHeartbeatLost, process: "NODE", fields: map[string]string{"remote_node": "2"}, msgPrefix: "Node 1: Connection to Node 2 is broken"},
		{line: 49, kind: parsers.KindQuorumLost, process: "QUORUM", fields: map[string]string{"level": "ERR"}, msgPrefix: "Node 1: Lost quorum (1)"},
		{line: 50, kind: parsers.KindMessage, process: "QUORUM", msgPrefix: "Node 1: goingAway"},
		{line: 51, kind: parsers.KindQuorumLost, process: "", msgPrefix: "lost quorum (status = 5925)"},
		{line: 53, kind: parsers.KindRHSTerminated, process: "RHS", fields: map[string]string{"level": "WARN"}, msgPrefix: "Cluster service has terminated"},
		{line: 55, kind: parsers.KindMessage, process: "RES", ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Lease Thread terminated"},
		{line: 58, kind: parsers.KindRoleMove, process: "RCM", ag: "AG1", from: "SQLNODE1", to: "SQLNODE3",
			fields: map[string]string{"move_type": "Manual", "failover_count": "1", "role": "AG1"}, msgPrefix: "move of group AG1"},
		// 'clean' to 'warning' is no failure.
		{line: 59, kind: parsers.KindMessage, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] SQL Server component 'query_processing'"},
		{line: 60, kind: parsers.KindHealthFailure, ag: "AG1", from: "warning", to: "error", fields: map[string]string{"component": "system"}, msgPrefix: "SQL Server Availability Group <AG1>"},
		{line: 61, kind: parsers.KindHealthFailure, ag: "AG1", fields: map[string]string{"component": "system"}, msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Failure detected, the state"},
		{line: 62, kind: parsers.KindHealthFailure, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Availability Group is not healthy"},
		{line: 63, kind: parsers.KindMessage, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Resource Alive result 0."},
		{line: 64, kind: parsers.KindResourceFailed, process: "RHS", fields: map[string]string{"resource": "AG1"}, msgPrefix: "Resource AG1 IsAlive"},
		{line: 65, kind: parsers.KindResourceFailed, process: "RCM", fields: map[string]string{"resource": "AG1"}, msgPrefix: "HandleMonitorReply: FAILURENOTIFICATION"},
		// The lease timeout with its performance rows (lines 67, 68, 70, 71;
		// line 69 of another thread comes between them).
		{line: 66, kind: parsers.KindLeaseExpired, process: "RES", ag: "AG1", time: "2024-03-12 15:20:44.101",
			fields: map[string]string{
				"perf_rows": "3", "cpu_max": "99.102564", "cpu_avg": "96.3", "mem_min_bytes": "301989888",
				"disk_read_max": "0.035", "disk_write_max": "0.12",
				"perf_from": "3/12/2024 15:19:44.0", "perf_to": "3/12/2024 15:20:4.0",
			},
			msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Lease timeout detected, logging perf counter data collected so far\n" +
				"Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)\n" +
				"3/12/2024 15:19:44.0, 91.204819, 812646400.000000, 0.004000, 0.012000\n" +
				"3/12/2024 15:19:54.0, 98.461538, 402653184.000000, 0.021000, 0.044000\n"},
		{line: 69, kind: parsers.KindMessage, process: "RCM", msgPrefix: "TransitionToState(AG1)"},
		{line: 72, kind: parsers.KindLeaseExpired, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Availability Group lease is no longer valid"},
		{line: 73, kind: parsers.KindHealthFailure, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Failure detected, diagnostics heartbeat is lost"},
		{line: 74, kind: parsers.KindHealthFailure, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] SQL Server Availability Group did not receive"},
		{line: 75, kind: parsers.KindSQLServiceDown, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] QueryServiceStatusEx"},
		{line: 76, kind: parsers.KindSQLServiceDown, ag: "AG1", msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] SQL server service is not alive"},
		{line: 77, kind: parsers.KindResourceFailed, process: "RHS", fields: map[string]string{"resource": "AG1"}, msgPrefix: "Online for resource AG1 failed."},
		{line: 78, kind: parsers.KindFailoverLimit, process: "RCM", ag: "AG1", time: "2024-03-12 15:31:40.550",
			fields:    map[string]string{"role": "AG1", "failover_count": "3", "failover_threshold_setting": "2", "computed_failover_threshold": "2"},
			msgPrefix: "Not failing over group AG1"},
	} {
		checkEvent(t, m, w)
	}
	// The performance rows are part of the lease event, not events of their own.
	for _, line := range []int{67, 68, 70, 71} {
		if m[line] != nil {
			t.Errorf("line %d (performance row) became an event: %q", line, m[line].Message)
		}
	}
	if n := s.ByKind[parsers.KindLeaseExpired]; n != 2 {
		t.Errorf("%d lease events, want 2", n)
	}
}

// TestLocalTime reads an 8-bit -UseLocalTime log whose header gives the
// offset: times are converted to UTC and the wall clock kept in Local.
func TestLocalTime(t *testing.T) {
	evs, warns, r := readFixture(t, "sqlnode2_localtime.utf8.log")
	s := r.Stats()
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if s.Server != "SQLNODE2" || !s.HasUTCOffset || s.UTCOffset != -7*time.Hour || s.Clock != parsers.ClockUTC {
		t.Errorf("server %q offset %v/%v clock %v", s.Server, s.UTCOffset, s.HasUTCOffset, s.Clock)
	}
	if s.Encoding != string(parsers.Windows125) {
		t.Errorf("Encoding = %q, want Windows-1252 (one line has byte 0xE9)", s.Encoding)
	}
	m := byLine(evs)
	lease := m[7]
	if lease == nil || lease.Kind != parsers.KindLeaseExpired {
		t.Fatalf("line 7: %+v", lease)
	}
	if !lease.Time.Equal(utc("2024-03-12 15:20:44.101")) || !lease.Local.Equal(utc("2024-03-12 08:20:44.101")) || lease.Clock != parsers.ClockUTC {
		t.Errorf("lease time %v local %v clock %v", lease.Time, lease.Local, lease.Clock)
	}
	// Rows as continuation lines; plain integers and three-decimal latencies.
	for name, v := range map[string]string{"perf_rows": "2", "cpu_max": "37.5", "cpu_avg": "25.0",
		"mem_min_bytes": "4194304000", "disk_read_max": "0.25", "disk_write_max": "0.3"} {
		if got := lease.Field(name); got != v {
			t.Errorf("lease field %s = %q, want %q", name, got, v)
		}
	}
	if s.Continuations != 3 {
		t.Errorf("Continuations = %d, want 3 (header row and two rows)", s.Continuations)
	}
	checkEvent(t, m, want{line: 11, kind: parsers.KindLeaseExpired, ag: "AG1", time: "2024-03-12 15:20:44.200",
		msgPrefix: "SQL Server Availability Group <AG1>: [hadrag] Lease renewal failed"})
	checkEvent(t, m, want{line: 12, kind: parsers.KindRoleMove, ag: "AG1", from: "SQLNODE1", to: "SQLNODE2",
		fields: map[string]string{"move_type": "Failover", "failover_count": "2"}, msgPrefix: "move of group AG1"})
	if ev := m[13]; ev == nil || !strings.Contains(ev.Message, "Café") {
		t.Errorf("line 13: Windows-1252 not decoded: %+v", ev)
	}
}

// TestLocalTimeWithoutOffset: a -UseLocalTime log without the offset line
// keeps the wall clock with ClockLocal.
func TestLocalTimeWithoutOffset(t *testing.T) {
	evs, _, r := readFixture(t, "localtime_nooffset.log")
	s := r.Stats()
	if s.Clock != parsers.ClockLocal || s.HasUTCOffset || len(evs) != 2 {
		t.Fatalf("clock %v offset %v, %d events", s.Clock, s.HasUTCOffset, len(evs))
	}
	ev := evs[0]
	if ev.Kind != parsers.KindQuorumLost || ev.Clock != parsers.ClockLocal ||
		!ev.Time.Equal(utc("2024-03-12 10:02:11.623")) || !ev.Local.Equal(ev.Time) {
		t.Errorf("event %+v", ev)
	}
}

// TestDamaged: malformed timestamps are warned about and counted, the lines
// after a broken record do not join the record before it.
func TestDamaged(t *testing.T) {
	evs, warns, r := readFixture(t, "damaged.utf8.log")
	s := r.Stats()
	if len(warns) != 2 || warns[0].Line != 2 || warns[1].Line != 5 {
		t.Fatalf("warnings %v", warns)
	}
	if !strings.Contains(warns[0].Msg, "out of range") || !strings.Contains(warns[1].Msg, "'-'") {
		t.Errorf("warning texts: %v", warns)
	}
	// The garbage before the first record is taken for a preamble; the lines
	// after broken records are unrecognized.
	if s.Unrecognized != 4 || s.Header != 1 || s.Records != 3 || r.Sections() != 1 || s.Continuations != 0 {
		t.Errorf("unrecognized %d header %d records %d sections %d continuations %d", s.Unrecognized, s.Header, s.Records, r.Sections(), s.Continuations)
	}
	if len(evs) != 3 || evs[0].Line != 4 || evs[0].Message != "" || evs[0].Field("level") != "" {
		t.Errorf("record without level: %+v", evs[0])
	}
	if ev := evs[1]; !ev.Time.Equal(utc("2024-02-29 10:02:11.623")) {
		t.Errorf("leap day: %v", ev.Time)
	}
	if ev := evs[2]; ev.Message != "no newline at the end" {
		t.Errorf("last line: %q", ev.Message)
	}
}

// TestLines covers single-line shapes from a table.
func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		kind       parsers.Kind
		process    string
		fields     map[string]string
		ag, from   string
		to         string
	}{
		{"one blank after level", "00002cc4.00003384::2011/08/05-13:47:42.558 ERR [RES] SQL Server Availability Group <ag>: [hadrag] Lease timeout detected, logging perf counter data collected so far",
			parsers.KindLeaseExpired, "RES", map[string]string{"level": "ERR"}, "ag", "", ""},
		{"tabs and uppercase hex", "00002CC4.00003384::2011/08/05-13:47:42.558\tWARN\t[QUORUM] Quorum witness has better epoch than local node",
			parsers.KindQuorumLost, "QUORUM", map[string]string{"pid": "00002CC4", "level": "WARN"}, "", "", ""},
		{"excerpt line number", "261846 00001214.00001884::2017/10/23-21:52:25.229 INFO  [RCM] move of group ag1023 from ze-2016-v2(1) to ze-2016-v1(2) of type MoveType::Manual is about to succeed, failoverCount=2, lastFailoverTime=2017/10/23-14:01:11.621 targeted=false",
			parsers.KindRoleMove, "RCM", map[string]string{"log_line": "261846", "failover_count": "2", "move_type": "Manual"}, "ag1023", "ze-2016-v2", "ze-2016-v1"},
		{"verbose channel with component", "[Verbose] 00001084.00001b48::2017/10/23-21:53:54.602 ERR   [RES] SQL Server Availability Group <ag1023>: [hadrag] The lease is expired. The lease should have been renewed",
			parsers.KindLeaseExpired, "RES", map[string]string{"channel": "Verbose"}, "ag1023", "", ""},
		{"FCI lease", "00000a10.00000b20::2020/01/02-03:04:05.006 ERR   [RES] SQL Server <SQL Server (INST1)>: [sqsrvres] Lease timeout detected, logging perf counter data collected so far",
			parsers.KindLeaseExpired, "RES", nil, "", "", ""},
		{"renewal with error", "00000a10.00000b20::2020/01/02-03:04:05.006 ERR   [RES] SQL Server Availability Group <AG9>: [hadrag] Lease renewal failed with error 1460",
			parsers.KindLeaseExpired, "RES", nil, "AG9", "", ""},
		{"1069 without type", "[System] 00000844.00001278::2017/10/23-21:01:11.623 ERR   Cluster resource 'AG9' in clustered role 'AG9' failed.",
			parsers.KindResourceFailed, "System", map[string]string{"event_id": "1069", "resource": "AG9"}, "AG9", "", ""},
		{"resource state change is no failure", "[Operational] 00001214.00000e8c::2017/10/23-21:32:48.505 INFO  Cluster resource 'Cluster IP Address' in clustered role 'Cluster Group' has transitioned from state Offline to state OnlineCallIssued.",
			parsers.KindMessage, "Operational", nil, "Cluster Group", "", ""},
		{"witness epoch status", "000008c8.00000c80::2017/10/23-21:53:54.600 ERR   [QUORUM] Quorum lost because failed to update witness epoch after node failure (status = 5925)",
			parsers.KindQuorumLost, "QUORUM", nil, "", "", ""},
		{"missed without heartbeat", "000008c8.00000c80::2017/10/23-21:53:54.600 INFO  [GUM] Node 2 has missed the update",
			parsers.KindMessage, "GUM", nil, "", "", ""},
		{"channel component with address", "000008c8.00000c80::2017/10/23-21:53:54.600 INFO  [CHANNEL 10.0.0.2:~3343~] Close().",
			parsers.KindMessage, "CHANNEL 10.0.0.2:~3343~", nil, "", "", ""},
		{"health warning only", "00000a10.00000b20::2020/01/02-03:04:05.006 WARN  [RES] SQL Server Availability Group <AG9>: [hadrag] SQL Server component 'io_subsystem' health state has been changed from 'clean' to 'warning' at 2020-01-02 03:04:05.000",
			parsers.KindMessage, "RES", nil, "AG9", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, warns, _ := readAll(t, []byte(tc.line+"\r\n"), "t.log", 0)
			if len(evs) != 1 || len(warns) != 0 {
				t.Fatalf("%d events, warnings %v", len(evs), warns)
			}
			ev := evs[0]
			if ev.Kind != tc.kind || ev.Process != tc.process || ev.AG != tc.ag || ev.From != tc.from || ev.To != tc.to {
				t.Errorf("kind %q process %q ag %q from %q to %q", ev.Kind, ev.Process, ev.AG, ev.From, ev.To)
			}
			for name, v := range tc.fields {
				if got := ev.Field(name); got != v {
					t.Errorf("field %s = %q, want %q", name, got, v)
				}
			}
		})
	}
}

// TestLongLines: a line over MaxLineBytes is skipped with a warning and its
// bytes counted, in UTF-16 as well; continuation text beyond the bound of a
// record is dropped.
func TestLongLines(t *testing.T) {
	rec := "00000844.00001278::2017/10/23-21:01:11.623 INFO  [RCM] "
	long := rec + strings.Repeat("x", 200)
	text := rec + "first\n" + long + "\n" + rec + "after\n" + strings.Repeat("y", 50) + "\n" + strings.Repeat("z", 50) + "\n"
	for _, enc := range []string{"utf8", "utf16"} {
		t.Run(enc, func(t *testing.T) {
			data := []byte(text)
			per := int64(1)
			if enc == "utf16" {
				data = utf16le(text)
				per = 2
			}
			evs, warns, r := readAll(t, data, "long.log", 100)
			s := r.Stats()
			if r.SkippedLines() != 1 || len(evs) != 2 || evs[1].Line != 3 {
				t.Fatalf("skipped %d, %d events", r.SkippedLines(), len(evs))
			}
			if len(warns) != 2 || warns[0].Line != 2 || warns[1].Line != 5 {
				t.Errorf("warnings %v", warns)
			}
			// The long line with its "\n", and the "z" continuation that no longer fits.
			if want := per * int64(len(long)+1+50); s.SkippedBytes != want {
				t.Errorf("SkippedBytes = %d, want %d", s.SkippedBytes, want)
			}
			if evs[1].Message != "after\n"+strings.Repeat("y", 50) {
				t.Errorf("message %q", evs[1].Message)
			}
		})
	}
}

// TestStopEarly: the consumer may stop at any event; Stats stay consistent.
func TestStopEarly(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "sqlnode1_cluster.utf16le.log"))
	if err != nil {
		t.Fatal(err)
	}
	for stop := 1; stop < 10; stop++ {
		r := NewReader(bytes.NewReader(data), "f")
		n := 0
		for ev, err := range r.Events() {
			if err != nil || ev == nil {
				t.Fatal(err)
			}
			n++
			if n == stop {
				break
			}
		}
		if r.Stats().Events != stop {
			t.Errorf("stop at %d: Stats.Events = %d", stop, r.Stats().Events)
		}
		for range r.Events() {
			t.Fatal("second iteration yielded")
		}
	}
}

// TestLeaseWindowBound: performance rows are only looked for within
// LeaseWindowRecords records of other threads; the held events come out in
// file order.
func TestLeaseWindowBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Lease timeout detected, logging perf counter data collected so far\n")
	for i := 0; i < LeaseWindowRecords+1; i++ {
		b.WriteString("00000e40.000012f4::2024/03/12-15:20:44.102 INFO  [RCM] other thread\n")
	}
	b.WriteString("00000b10.00001d0c::2024/03/12-15:20:44.103 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] 3/12/2024 15:19:44.0, 91.2, 812646400.0, 0.004, 0.012\n")
	evs, _, _ := readAll(t, []byte(b.String()), "w.log", 0)
	if len(evs) != LeaseWindowRecords+3 {
		t.Fatalf("%d events", len(evs))
	}
	if evs[0].Kind != parsers.KindLeaseExpired || evs[0].Field("perf_rows") != "" {
		t.Errorf("lease event took a row beyond the window: %v", evs[0].Fields)
	}
	if last := evs[len(evs)-1]; last.Kind != parsers.KindMessage || !strings.Contains(last.Message, "91.2") {
		t.Errorf("late row: %+v", last)
	}
}

func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			out = append(out, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// TestIndex compares index with bytes.Index.
func TestIndex(t *testing.T) {
	hay := []string{"", "a", "ab", "abc", "xxabcabc", "aab", "lost quorum", "Lost quorum (1)", "ab\xffc"}
	pats := []string{"", "a", "b", "ab", "abc", "c", "quorum", "\xff", "zzzzzzzzzzzzzz"}
	for _, h := range hay {
		for _, p := range pats {
			if got, want := index([]byte(h), p), bytes.Index([]byte(h), []byte(p)); got != want {
				t.Errorf("index(%q, %q) = %d, want %d", h, p, got, want)
			}
		}
	}
}
