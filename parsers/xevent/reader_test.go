package xevent

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/agtriage/agtriage/parsers"
)

const fixtures = "../../testdata/xevent"

// result is everything one pass over an input produced.
type result struct {
	events   []*parsers.Event
	warnings []*parsers.Warning
	fatal    error
	stats    *parsers.FileStats
}

func read(t testing.TB, data []byte, file string) result {
	t.Helper()
	r := NewReader(bytes.NewReader(data), file)
	var res result
	for ev, err := range r.Events() {
		switch {
		case err == nil:
			if ev == nil {
				t.Fatalf("%s: nil event with nil error", file)
			}
			res.events = append(res.events, ev)
		default:
			var w *parsers.Warning
			if errors.As(err, &w) {
				res.warnings = append(res.warnings, w)
				continue
			}
			if res.fatal != nil {
				t.Fatalf("%s: two fatal errors: %v, %v", file, res.fatal, err)
			}
			res.fatal = err
		}
	}
	res.stats = r.Stats()
	return res
}

func readFixture(t *testing.T, name string) ([]byte, result) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return data, read(t, data, name)
}

// want is an expected event; empty fields are not checked, except that Kind
// and Name always are.
type want struct {
	name, kind                    string
	time                          string
	server, ag, replica, replicaI string
	from, to, reason, database    string
	errNum, severity, state       int
	msgPrefix                     string
	fields                        map[string]string
}

func check(t *testing.T, i int, ev *parsers.Event, w want) {
	t.Helper()
	if ev.Name != w.name || string(ev.Kind) != w.kind {
		t.Errorf("event %d: name/kind = %q/%q, want %q/%q", i, ev.Name, ev.Kind, w.name, w.kind)
	}
	if w.time != "" {
		if got := ev.Time.UTC().Format(parsers.TimeLayout); got != w.time {
			t.Errorf("event %d: time %s, want %s", i, got, w.time)
		}
	}
	for _, c := range []struct{ what, got, want string }{
		{"server", ev.Server, w.server}, {"ag", ev.AG, w.ag}, {"replica", ev.Replica, w.replica},
		{"replica id", ev.ReplicaID, w.replicaI}, {"from", ev.From, w.from}, {"to", ev.To, w.to},
		{"reason", ev.Reason, w.reason}, {"database", ev.Database, w.database},
	} {
		if c.want != "" && c.got != c.want {
			t.Errorf("event %d (%s): %s = %q, want %q", i, ev.Name, c.what, c.got, c.want)
		}
	}
	if w.errNum != 0 && (ev.Error != w.errNum || ev.Severity != w.severity || ev.State != w.state) {
		t.Errorf("event %d: error %d sev %d state %d, want %d %d %d", i, ev.Error, ev.Severity, ev.State, w.errNum, w.severity, w.state)
	}
	if !strings.HasPrefix(ev.Message, w.msgPrefix) {
		t.Errorf("event %d: message %q, want prefix %q", i, ev.Message, w.msgPrefix)
	}
	for k, v := range w.fields {
		if got := ev.Field(k); got != v {
			t.Errorf("event %d (%s): field %s = %q, want %q", i, ev.Name, k, got, v)
		}
	}
	if ev.Source != parsers.SourceXEvent || ev.Clock != parsers.ClockUTC {
		t.Errorf("event %d: source %q clock %d", i, ev.Source, ev.Clock)
	}
}

const (
	agID   = "5f0c2a71-3d44-4c3e-9a55-0b7d6e2c9f10"
	rep1ID = "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01"
	rep2ID = "a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02"
)

// alwaysOn is what the 16 events of generate.sh's events() must yield.
var alwaysOn = []want{
	{name: "availability_replica_manager_state_change", kind: "manager_state", time: "2024-03-11T08:14:02.117Z", to: "ONLINE",
		msgPrefix: "availability_replica_manager_state_change: ONLINE", fields: map[string]string{"current_state": "ONLINE", "current_state_value": "1"}},
	{name: "availability_replica_state", kind: "replica_state", to: "Starting", ag: "agOrders", replicaI: rep1ID,
		fields: map[string]string{"availability_group_id": agID}},
	{name: "availability_group_lease_expired", kind: "lease_expired", ag: "agOrders", reason: "LeaseExpired",
		fields: map[string]string{"lease_interval": "20000", "new_timeout": "1421793830", "current_time": "1421794114", "state_value": "2"}},
	{name: "error_reported", kind: "lease_expired", errNum: 19407, severity: 16, state: 1, ag: "agOrders",
		msgPrefix: "The lease between availability group 'agOrders' and the Windows Server Failover Cluster has expired.",
		fields:    map[string]string{"category": "SERVER", "category_value": "2", "destination": "USER", "destination_value": "0x00000002", "user_defined": "false"}},
	{name: "availability_replica_state_change", kind: "replica_state_change", time: "2024-03-11T09:02:41.545Z",
		from: "PRIMARY_NORMAL", to: "RESOLVING_NORMAL", ag: "agOrders", replica: `SQLNODE1\PROD`, replicaI: rep1ID, server: `SQLNODE1\PROD`,
		msgPrefix: `availability_replica_state_change: agOrders replica 'SQLNODE1\PROD' PRIMARY_NORMAL -> RESOLVING_NORMAL`,
		fields:    map[string]string{"previous_state_value": "3", "current_state_value": "0"}},
	{name: "error_reported", kind: "connection_timeout", errNum: 35206, severity: 10, state: 1,
		msgPrefix: "A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE2\\PROD'"},
	{name: "availability_replica_automatic_failover_validation", kind: "failover_validation", ag: "agOrders",
		replica: `SQLNODE2\PROD`, replicaI: rep2ID, reason: "joined_and_synchronized FALSE",
		fields: map[string]string{"forced_quorum": "FALSE", "forced_quorum_value": "false", "previous_primary_or_automatic_failover_target": "TRUE"}},
	{name: "alwayson_ddl_executed", kind: "ddl", ag: "agOrders", reason: "FORCE_FAILOVER_ALLOW_DATA_LOSS", server: `SQLNODE2\PROD`,
		msgPrefix: "ALTER AVAILABILITY GROUP [agOrders]\n    FORCE_FAILOVER_ALLOW_DATA_LOSS;",
		fields: map[string]string{"ddl_action": "alter", "ddl_phase": "commit", "client_hostname": "ADMIN-WS07",
			"nt_username": `CORP\dba.jones`, "client_app_name": "Microsoft SQL Server Management Studio - Query",
			"statement": "ALTER AVAILABILITY GROUP [agOrders]\n    FORCE_FAILOVER_ALLOW_DATA_LOSS;"}},
	{name: "hadr_db_partner_set_sync_state", kind: "sync_state", replicaI: rep1ID,
		msgPrefix: "hadr_db_partner_set_sync_state: database_id=7, commit_policy=WaitForHarden",
		fields:    map[string]string{"sync_state": "LOG", "sync_log_block": "38654705664", "commit_policy_target": "Delay", "group_id": agID}},
	{name: "lock_redo_blocked", kind: "redo_blocked", database: "OrdersDB",
		fields: map[string]string{"mode": "SCH_M", "duration": "30000000", "resource_description": "", "object_id": "581577110"}},
	{name: "error_reported", kind: "handshake_failure", errNum: 28048, severity: 10, state: 1,
		msgPrefix: "Database Mirroring login attempt by user 'CORP\\svc_sql.' failed with error: 'Connection handshake failed.",
		fields:    map[string]string{"category": "LOGON"}},
	{name: "data_movement_suspend_resume", kind: "data_movement_suspended", ag: "agOrders", database: "OrdersDB", reason: "SUSPEND_FROM_PARTNER"},
	{name: "error_reported", kind: "connection_established", errNum: 35202, severity: 10, state: 1},
	{name: "ucs_connection_setup", kind: "message",
		msgPrefix: "ucs_connection_setup: stream_status=Connected, stream_status_value=0, transport_address=TCP://sqlnode1.corp.example:5022, is_initiator=true",
		fields:    map[string]string{"transport_address": "TCP://sqlnode1.corp.example:5022"}},
	{name: "alwayson_ddl_executed", kind: "ddl", ag: "agOrders", reason: "FAILOVER", time: "2024-03-11T09:30:00.000Z",
		msgPrefix: "alter availability group agOrders failover", fields: map[string]string{"ddl_phase": "begin"}},
}

func TestFixtures(t *testing.T) {
	utf16Extra := []want{
		{name: "availability_replica_state_change", kind: "replica_state_change", from: "SECONDARY_NORMAL", to: "RESOLVING_NORMAL",
			ag: "agÜberweisung", replica: "SQLNÖDE3", server: "SQLNÖDE3"},
		{name: "error_reported", kind: "message", errNum: 50000, severity: 16, state: 1, msgPrefix: "Nachricht 😀 für Überwachung"},
		{name: "availability_replica_manager_state_change", kind: "manager_state", to: "OFFLINE"},
	}
	tests := []struct {
		file     string
		encoding string
		want     []want
		server   string
		missingZ int
	}{
		{"alwayson_lines.xml", "UTF-8", alwaysOn, `SQLNODE1\PROD`, 0},
		{"alwayson_backtoback.xml", "UTF-8", alwaysOn, `SQLNODE1\PROD`, 0},
		{"alwayson_utf16le_crlf.xml", "UTF-16LE", append(append([]want{}, alwaysOn...), utf16Extra...), `SQLNODE1\PROD`, 0},
		{"alwayson_utf8bom.xml", "UTF-8 (BOM)", []want{alwaysOn[0], alwaysOn[4], alwaysOn[10]}, `SQLNODE1\PROD`, 0},
		{"alwayson_events_root.xml", "UTF-8", []want{
			{name: "availability_replica_state_change", kind: "replica_state_change", time: "2024-03-11T09:02:49.012Z",
				from: "RESOLVING_NORMAL", to: "PRIMARY_PENDING", ag: "agOrders", replica: `SQLNODE2\PROD`, replicaI: rep2ID, server: `SQLNODE2\PROD`,
				fields: map[string]string{"previous_state_value": "0", "availability_group_id": agID}},
			{name: "availability_replica_state_change", kind: "replica_state_change", time: "2024-03-11T09:02:50.300Z",
				from: "PRIMARY_PENDING", to: "PRIMARY_NORMAL", server: `SQLNODE2\PROD`, fields: map[string]string{"server_instance_name": `SQLNODE2\PROD`}},
			{name: "error_reported", kind: "database_role_change", errNum: 1480, severity: 10, state: 1,
				msgPrefix: `The availability group database "OrdersDB" is changing roles from "RESOLVING" to "PRIMARY"`},
		}, `SQLNODE2\PROD`, 2},
		{"ringbuffer.xml", "UTF-8", []want{
			{name: "error_reported", kind: "connection_timeout", errNum: 35206, severity: 10, state: 1,
				fields: map[string]string{"error": "35206", "user_defined": "false"}},
			{name: "availability_replica_state_change", kind: "replica_state_change", from: "SECONDARY_NORMAL", to: "RESOLVING_NORMAL",
				server: `SQLNODE2\PROD`, replicaI: rep2ID, fields: map[string]string{"previous_state": "SECONDARY_NORMAL", "previous_state_value": "4"}},
			{name: "availability_group_lease_expired", kind: "lease_expired", ag: "agOrders", reason: "LeaseExpired"},
		}, `SQLNODE2\PROD`, 0},
		{"system_health.xml", "UTF-8", []want{
			{name: "sp_server_diagnostics_component_result", kind: "health_failure", reason: "system",
				msgPrefix: "sp_server_diagnostics_component_result: component system state error",
				fields: map[string]string{"component": "SYSTEM", "state": "ERROR", "state_value": "3",
					"data": `<system spinlockBackoffs="0" sickSpinlockType="none" sickSpinlockTypeAfterAv="none" latchWarnings="0" isAccessViolationOccurred="0" writeAccessViolationCount="0" totalDumpRequests="186" intervalDumpRequests="3" nonYieldingTasksReported="0" pageFaults="0" systemCpuUtilization="12" sqlCpuUtilization="3" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0"></system>`}},
			{name: "sp_server_diagnostics_component_result", kind: "health_report", reason: "resource",
				fields: map[string]string{"state": "CLEAN",
					"data": `<resource lastNotification="RESOURCE_MEMPHYSICAL_HIGH" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0"><memoryReport name="Process/System Counts" unit="Value"><entry description="Available Physical Memory" value="8412131328"></entry><entry description="Working Set" value="2214526976"></entry></memoryReport></resource>`}},
			{name: "component_health_result", kind: "health_failure", reason: "query_processing",
				msgPrefix: "component_health_result: component query_processing state error",
				fields:    map[string]string{"state": "3", "state_desc": "error"}},
		}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, res := readFixture(t, tc.file)
			if res.fatal != nil || len(res.warnings) > 0 {
				t.Fatalf("fatal %v, warnings %v", res.fatal, res.warnings)
			}
			if len(res.events) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(res.events), len(tc.want))
			}
			for i, w := range tc.want {
				check(t, i, res.events[i], w)
			}
			st := res.stats
			if st.Encoding != tc.encoding || st.Server != tc.server || st.MissingZone != tc.missingZ {
				t.Errorf("stats encoding %q server %q missing zone %d, want %q %q %d", st.Encoding, st.Server, st.MissingZone, tc.encoding, tc.server, tc.missingZ)
			}
			if st.Events != len(tc.want) || st.Records != len(tc.want) || st.Bytes != int64(len(data)) || st.SkippedBytes != 0 {
				t.Errorf("stats events %d records %d bytes %d skipped %d", st.Events, st.Records, st.Bytes, st.SkippedBytes)
			}
			if st.Format != parsers.FormatXEventXML || st.Clock != parsers.ClockUTC || st.File != tc.file {
				t.Errorf("stats format %q clock %d file %q", st.Format, st.Clock, st.File)
			}
			checkPositions(t, data, res.events)
		})
	}
}

// checkPositions asserts that each event's Offset is the byte offset of its
// "<event" in the raw file and Line the line it is on.
func checkPositions(t *testing.T, raw []byte, events []*parsers.Event) {
	t.Helper()
	wide := len(raw) >= 2 && raw[0] == 0xFF && raw[1] == 0xFE
	tag, nl := []byte("<event "), []byte("\n")
	if wide {
		tag, nl = utf16le("<event "), utf16le("\n")
	}
	for i, ev := range events {
		if ev.Offset < 0 || ev.Offset > int64(len(raw)) || !bytes.HasPrefix(raw[ev.Offset:], tag) {
			t.Errorf("event %d: offset %d does not point at <event", i, ev.Offset)
			continue
		}
		line := 1 + bytes.Count(raw[:ev.Offset], nl)
		if wide {
			line = 1
			for j := 0; j+1 < int(ev.Offset); j += 2 {
				if raw[j] == '\n' && raw[j+1] == 0 {
					line++
				}
			}
		}
		if ev.Line != line {
			t.Errorf("event %d: line %d, want %d", i, ev.Line, line)
		}
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// TestWrappersAgree reads the same events saved one per line, back to back,
// as UTF-16LE with CRLF and inside an <events> root: all yield the same events.
func TestWrappersAgree(t *testing.T) {
	_, lines := readFixture(t, "alwayson_lines.xml")
	_, b2b := readFixture(t, "alwayson_backtoback.xml")
	_, wide := readFixture(t, "alwayson_utf16le_crlf.xml")
	data, _ := os.ReadFile(filepath.Join(fixtures, "alwayson_backtoback.xml"))
	rooted := append(append([]byte("<?xml version=\"1.0\"?>\n<events>"), data...), "</events>\n"...)
	root := read(t, rooted, "rooted.xml")
	for name, other := range map[string]result{"backtoback": b2b, "utf16": wide, "root": root} {
		if len(other.warnings) > 0 || other.fatal != nil {
			t.Errorf("%s: warnings %v fatal %v", name, other.warnings, other.fatal)
		}
		if len(other.events) < len(lines.events) {
			t.Fatalf("%s: %d events, want at least %d", name, len(other.events), len(lines.events))
		}
		for i, ev := range lines.events {
			a, b := *ev, *other.events[i]
			a.File, a.Line, a.Offset = "", 0, 0
			b.File, b.Line, b.Offset = "", 0, 0
			aj, _ := a.MarshalJSON()
			bj, _ := b.MarshalJSON()
			if !bytes.Equal(aj, bj) {
				t.Errorf("%s event %d differs:\n%s\n%s", name, i, aj, bj)
			}
		}
	}
}

// TestClassifyShared checks that error_reported messages go through the same
// template table as ERRORLOG records.
func TestClassifyShared(t *testing.T) {
	_, res := readFixture(t, "alwayson_lines.xml")
	n := 0
	for _, ev := range res.events {
		if ev.Name != "error_reported" {
			continue
		}
		n++
		direct := &parsers.Event{Error: ev.Error, Severity: ev.Severity, State: ev.State, Message: ev.Message}
		parsers.ClassifyMessage(direct)
		if direct.Kind != ev.Kind || direct.Login != ev.Login || direct.Client != ev.Client ||
			direct.HandshakeState != ev.HandshakeState || direct.AG != ev.AG {
			t.Errorf("error %d: reader gave %q %q %q %d %q, ClassifyMessage %q %q %q %d %q", ev.Error,
				ev.Kind, ev.Login, ev.Client, ev.HandshakeState, ev.AG,
				direct.Kind, direct.Login, direct.Client, direct.HandshakeState, direct.AG)
		}
	}
	if n != 4 {
		t.Errorf("%d error_reported events, want 4", n)
	}
}

func TestDetectFixtures(t *testing.T) {
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(fixtures, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if f := parsers.Detect(data[:min(len(data), parsers.SniffLen)]); f != parsers.FormatXEventXML {
			t.Errorf("%s detected as %q", e.Name(), f)
		}
	}
}

func TestTimestamps(t *testing.T) {
	tests := []struct {
		in   string
		want string
		zone bool
		ok   bool
	}{
		{"2017-10-23T18:53:08.014Z", "2017-10-23T18:53:08.014Z", true, true},
		{"2017-10-23T18:53:08.0140000Z", "2017-10-23T18:53:08.014Z", true, true},
		{"2017-10-23T18:53:08Z", "2017-10-23T18:53:08.000Z", true, true},
		{"2017-10-23T11:53:08.014-07:00", "2017-10-23T18:53:08.014Z", true, true},
		{"2017-10-23T18:53:08.014", "2017-10-23T18:53:08.014Z", false, true},
		{"2017-10-23 18:53:08.014", "2017-10-23T18:53:08.014Z", false, true},
		{"yesterday", "", false, false},
		{"", "", false, false},
	}
	for _, tc := range tests {
		tm, zone, ok := parseTimestamp(tc.in)
		if ok != tc.ok || zone != tc.zone {
			t.Errorf("%q: zone %v ok %v, want %v %v", tc.in, zone, ok, tc.zone, tc.ok)
			continue
		}
		if ok && tm.Format(parsers.TimeLayout) != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, tm.Format(parsers.TimeLayout), tc.want)
		}
		if ok && tm.Location() != time.UTC {
			t.Errorf("%q: location %v", tc.in, tm.Location())
		}
	}
}

func TestEventsTwiceAndEarlyStop(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join(fixtures, "alwayson_lines.xml"))
	r := NewReader(bytes.NewReader(data), "x.xml")
	n := 0
	for _, err := range r.Events() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	if r.Stats().Events != 3 {
		t.Errorf("events counted after early stop: %d", r.Stats().Events)
	}
	for ev, err := range r.Events() {
		if ev != nil || err == nil || !strings.Contains(err.Error(), "x.xml") {
			t.Errorf("second Events: %v %v", ev, err)
		}
	}
}
