package evtx

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// read returns the events and the warnings of data.
func read(t *testing.T, data []byte) ([]*parsers.Event, []*parsers.Warning, *Reader) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), "System.evtx")
	var evs []*parsers.Event
	var ws []*parsers.Warning
	for ev, err := range r.Events() {
		var w *parsers.Warning
		switch {
		case errors.As(err, &w):
			ws = append(ws, w)
		case err != nil:
			t.Fatalf("fatal error: %v", err)
		default:
			evs = append(evs, ev)
		}
	}
	return evs, ws, r
}

func byID(evs []*parsers.Event, provider, id string) *parsers.Event {
	for _, ev := range evs {
		if ev.Process == provider && ev.Field("EventID") == id {
			return ev
		}
	}
	return nil
}

// TestSampleEvents reads the synthetic log and checks what every event
// becomes: time, server, provider, fields, kind, message.
func TestSampleEvents(t *testing.T) {
	evs, ws, r := read(t, sampleFile())
	if len(ws) != 0 {
		t.Fatalf("warnings: %v", ws)
	}
	if len(evs) != len(sampleEvents())+400 || r.chunks < 2 {
		t.Fatalf("%d events in %d chunks", len(evs), r.chunks)
	}
	if st := r.Stats(); st.Server != "SQLNODE1" || st.Events != len(evs) || st.Records != len(evs) || st.Bytes != int64(len(sampleFile())) {
		t.Errorf("stats %+v", st)
	}
	for i, ev := range evs {
		if ev.Server != "SQLNODE1" || ev.Source != parsers.SourceEventLog || ev.Clock != parsers.ClockUTC || ev.Line != 0 || ev.Offset < FileHeaderSize+chunkHeaderSize {
			t.Fatalf("event %d: %+v", i, ev)
		}
		if ev.Field("RecordID") != strconv.Itoa(i+1) {
			t.Fatalf("event %d has record id %s", i, ev.Field("RecordID"))
		}
	}
	cases := []struct {
		provider, id string
		kind         parsers.Kind
		at           time.Duration
		msg          string
		fields       map[string]string
	}{
		{"Microsoft-Windows-FailoverClustering", "1135", parsers.KindNodeRemoved, 0,
			"Cluster node 'SQLNODE2' was removed from the active failover cluster membership.", map[string]string{"node": "SQLNODE2", "Level": "Critical"}},
		{"Microsoft-Windows-FailoverClustering", "1177", parsers.KindQuorumLost, 2 * time.Second, "The Cluster service is shutting down because quorum was lost.", nil},
		{"Microsoft-Windows-FailoverClustering", "1069", parsers.KindResourceFailed, 3 * time.Second,
			"Cluster resource 'AGSALES' in clustered role 'AGSALES' failed.", map[string]string{"resource": "AGSALES", "role": "AGSALES", "Level": "Error"}},
		{"Microsoft-Windows-FailoverClustering", "1205", parsers.KindResourceFailed, 4 * time.Second, "The Cluster service failed to bring clustered role 'AGSALES' completely online or offline.", map[string]string{"role": "AGSALES"}},
		{"Microsoft-Windows-FailoverClustering", "1254", parsers.KindFailoverLimit, 5 * time.Second, "Clustered role 'AGSALES' has exceeded its failover threshold.", map[string]string{"role": "AGSALES"}},
		{"Microsoft-Windows-FailoverClustering", "1146", parsers.KindRHSTerminated, 6 * time.Second, "The cluster Resource Hosting Subsystem (RHS) process was terminated", nil},
		{"Microsoft-Windows-FailoverClustering", "1006", parsers.KindClusterUnavailable, 7 * time.Second, "Cluster service was halted", nil},
		{"Service Control Manager", "7034", parsers.KindSQLServiceDown, 8 * time.Second,
			"The SQL Server (MSSQLSERVER) service terminated unexpectedly. It has done this 1 time(s).", map[string]string{"service": "SQL Server (MSSQLSERVER)", "Data2": "1"}},
		{"Service Control Manager", "7031", parsers.KindClusterUnavailable, 9 * time.Second,
			"The Cluster Service service terminated unexpectedly. It has done this 1 time(s). The following corrective action will be taken in 60000 milliseconds: Restart the service.", map[string]string{"service": "Cluster Service"}},
		{"EventLog", "6008", parsers.KindOSCrash, 11 * time.Second, "The previous system shutdown at 2:17:41 AM on 3/14/2024 was unexpected.", nil},
		{"User32", "1074", parsers.KindOSShutdown, 12 * time.Second, `The process C:\Windows\system32\shutdown.exe (SQLNODE1) has initiated the restart of computer SQLNODE1 on behalf of user CONTOSO\dba1 for the following reason: Operating System: Upgrade (Planned)`, nil},
		{"Microsoft-Windows-Kernel-Power", "41", parsers.KindOSCrash, 13 * time.Second, "The system has rebooted without cleanly shutting down first.", map[string]string{"BugcheckCode": "0", "UserID": "S-1-5-18"}},
		{"disk", "153", parsers.KindStorageIssue, 14 * time.Second, `An I/O to a disk was retried after the storage driver timed it out (Data1=\Device\Harddisk2\DR2, Data2=0x3a40c00, Data3=2, Data4=4).`, nil},
		{"storvsc", "129", parsers.KindStorageIssue, 15 * time.Second, `Reset to device, \Device\RaidPort1, was issued.`, nil},
		{"e1iexpress", "27", parsers.KindNetworkDown, 16 * time.Second, "Intel(R) 82574L Gigabit Network Connection Network link is disconnected.", nil},
		{"MSSQLSERVER", "19407", parsers.KindLeaseExpired, 17 * time.Second, "The lease between availability group 'AGSALES' and the Windows Server Failover Cluster has expired.", map[string]string{"instance": "MSSQLSERVER", "Channel": "Application"}},
		{"MSSQL$INST1", "35206", parsers.KindConnectionTimeout, 18 * time.Second, `A connection timeout has occurred on a previously established connection to availability replica 'SQLNODE2\INST1'`, map[string]string{"instance": "INST1"}},
		{"MSSQLSERVER", "19406", parsers.KindReplicaStateChange, 19 * time.Second, "The state of the local availability replica in availability group 'AGSALES' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.", nil},
		{"MSSQLSERVER", "18456", parsers.KindLoginFailed, 20 * time.Second, "Login failed for user 'app'.", nil},
	}
	for _, c := range cases {
		ev := byID(evs, c.provider, c.id)
		if ev == nil {
			t.Errorf("%s %s not read", c.provider, c.id)
			continue
		}
		if ev.Kind != c.kind || !ev.Time.Equal(t0.Add(c.at)) || !strings.HasPrefix(ev.Message, c.msg) {
			t.Errorf("%s %s: kind %s time %v message %q", c.provider, c.id, ev.Kind, ev.Time, ev.Message)
		}
		for k, v := range c.fields {
			if ev.Field(k) != v {
				t.Errorf("%s %s: field %s = %q, want %q", c.provider, c.id, k, ev.Field(k), v)
			}
		}
	}
	// The node, role and SQL Server fields in the Event's own fields.
	if ev := byID(evs, "Microsoft-Windows-FailoverClustering", "1135"); ev.Replica != "SQLNODE2" {
		t.Errorf("1135 replica %q", ev.Replica)
	}
	if ev := byID(evs, "Microsoft-Windows-FailoverClustering", "1069"); ev.AG != "AGSALES" {
		t.Errorf("1069 AG %q", ev.AG)
	}
	if ev := byID(evs, "MSSQLSERVER", "19406"); ev.Error != 19406 || ev.AG != "AGSALES" || ev.From != "PRIMARY_NORMAL" || ev.To != "RESOLVING_NORMAL" {
		t.Errorf("19406: %+v", ev)
	}
	if ev := byID(evs, "MSSQLSERVER", "18456"); ev.Login != "app" || ev.Client != "10.0.0.7" {
		t.Errorf("18456: login %q client %q", ev.Login, ev.Client)
	}
	// A service other than SQL Server or the cluster: its own kind.
	for _, ev := range evs {
		if ev.Field("EventID") == "7034" && ev.Field("Data1") == "Windows Update" && ev.Kind != parsers.KindServiceCrash {
			t.Errorf("Windows Update 7034: kind %s", ev.Kind)
		}
	}
	// Every value type.
	types := byID(evs, "Agtriage-Test-Types", "100")
	want := map[string]string{
		"Int8": "-5", "Uint8": "250", "Int16": "-300", "Uint16": "65000", "Int32": "-70000", "Uint32": "4000000000",
		"Int64": "-5000000000", "Uint64": "18000000000000000000", "Hex32": "0xc0000005", "Hex64": "0x8000000000000000",
		"Bool": "true", "Real64": "0.5", "GUID": "{5F3C0B6E-1234-4C1A-9A3B-0123456789AB}",
		"SID": "S-1-5-21-3463664321-2923530833-3546627382-1000", "FileTime": "2024-03-14T07:17:20.123456700Z",
		"SysTime": "2024-03-14T07:17:20.123Z", "Bytes": "DEADBEEF", "Binary": "010203", "Ansi": "café", "Unicode": "Grüße, 東京 <&>", "Empty": "",
	}
	for k, v := range want {
		if got := types.Field(k); got != v {
			t.Errorf("type %s: %q, want %q", k, got, v)
		}
	}
	var strs []string
	for _, f := range types.Fields {
		if f.Name == "Strings" || f.Name == "Numbers" {
			strs = append(strs, f.Value)
		}
		if f.Name == "Absent" {
			t.Error("a NULL optional value produced a field")
		}
	}
	if strings.Join(strs, ",") != "one,two,three,1,2,3" {
		t.Errorf("arrays: %v", strs)
	}
	user := byID(evs, "Microsoft-Windows-Eventlog", "104")
	if user.Field("SubjectUserName") != "dba1" || user.Field("SubjectDomainName") != "CONTOSO" || user.Field("Channel") != "System" {
		t.Errorf("UserData: %v", user.Fields)
	}
}
