package parsers

import (
	"fmt"
	"strings"
	"testing"
)

func TestDetectEVTX(t *testing.T) {
	head := append([]byte("ElfFile\x00"), make([]byte, 120)...)
	if f := Detect(head); f != FormatEVTX {
		t.Fatalf("Detect = %q", f)
	}
	if f := Detect([]byte("ElfFil")); f == FormatEVTX {
		t.Fatal("a prefix of the signature is not an .evtx file")
	}
}

func TestEventLogTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range EventLogTable {
		if c.Kind == "" || c.Meaning == "" || c.Message == "" || c.Provider == "" || c.ID <= 0 {
			t.Errorf("incomplete row %+v", c)
		}
		// Rows of one provider and id must be told apart by Match, and the
		// catch-all (no Match) must come last.
		key := fmt.Sprintf("%s/%d", strings.ToLower(c.Provider), c.ID)
		if seen[key] {
			t.Errorf("%s %d: a row without Match before this one hides it", c.Provider, c.ID)
		}
		if c.Match == nil {
			seen[key] = true
		}
	}
}

func TestLookupEventLog(t *testing.T) {
	param := func(v ...string) []Field {
		var fs []Field
		for i, s := range v {
			fs = append(fs, Field{Name: "param" + string(rune('1'+i)), Value: s})
		}
		return fs
	}
	cases := []struct {
		provider string
		id       int
		data     []Field
		want     Kind
	}{
		{"Microsoft-Windows-FailoverClustering", 1135, nil, KindNodeRemoved},
		{"microsoft-windows-failoverclustering", 1177, nil, KindQuorumLost},
		{"Service Control Manager", 7034, param("SQL Server (MSSQLSERVER)", "1"), KindSQLServiceDown},
		{"Service Control Manager", 7034, param("SQL Server (INST1)", "2"), KindSQLServiceDown},
		{"Service Control Manager", 7034, param("SQL Server Agent (MSSQLSERVER)", "1"), KindServiceCrash},
		{"Service Control Manager", 7031, param("Cluster Service", "1", "60000", "1", "Restart the service"), KindClusterUnavailable},
		{"Service Control Manager", 7036, param("SQL Server (MSSQLSERVER)", "stopped"), KindMessage},
		{"Service Control Manager", 7040, param("SQL Server (MSSQLSERVER)", "auto start", "demand start"), ""},
		{"storvsc", 129, []Field{{Name: "Data1", Value: `\Device\RaidPort0`}}, KindStorageIssue},
		{"Microsoft-Windows-Kernel-Processor-Power", 129, []Field{{Name: "Data1", Value: "7"}}, ""},
		{"e1rexpress", 27, nil, KindNetworkDown},
		{"e1iexpress", 32, nil, ""}, // link up
		{"Microsoft-Windows-Kernel-Boot", 153, nil, ""},
		{"disk", 153, nil, KindStorageIssue},
		{"Microsoft-Windows-Kernel-Power", 41, nil, KindOSCrash},
		{"EventLog", 6008, nil, KindOSCrash},
		{"User32", 1074, nil, KindOSShutdown},
	}
	for _, c := range cases {
		got := Kind("")
		if row := LookupEventLog(c.provider, c.id, c.data); row != nil {
			got = row.Kind
		}
		if got != c.want {
			t.Errorf("%s %d: %q, want %q", c.provider, c.id, got, c.want)
		}
	}
}

// TestClassifyEventLogSQL checks the Application-log copies of SQL Server
// messages: the message rebuilt from the values is classified like the
// ERRORLOG line, and the instance is named.
func TestClassifyEventLogSQL(t *testing.T) {
	data := func(v ...string) []Field {
		var fs []Field
		for i, s := range v {
			fs = append(fs, Field{Name: "Data" + string(rune('1'+i)), Value: s})
		}
		return fs
	}
	cases := []struct {
		provider string
		id       int
		data     []Field
		kind     Kind
		msg      string
		check    func(ev *Event) bool
	}{
		{"MSSQLSERVER", 19407, data("AG1"), KindLeaseExpired,
			"The lease between availability group 'AG1' and the Windows Server Failover Cluster has expired.",
			func(ev *Event) bool { return ev.AG == "AG1" && ev.Field("instance") == "MSSQLSERVER" }},
		{"MSSQL$INST1", 41144, data("AG1", "5"), KindClusterError, "The local availability replica of availability group 'AG1' is in a failed state.",
			func(ev *Event) bool { return ev.AG == "AG1" && ev.Field("instance") == "INST1" }},
		{"MSSQLSERVER", 1480, data("DB1", "SECONDARY", "PRIMARY", "a user initiated failover"), KindDatabaseRoleChange, `The availability group database "DB1" is changing roles from "SECONDARY" to "PRIMARY"`,
			func(ev *Event) bool { return ev.Database == "DB1" && ev.From == "SECONDARY" && ev.To == "PRIMARY" }},
		// The public 18456 sample (an Application log of 2019): values and
		// Binary with the error number, severity, state and server name.
		{"MSSQLSERVER", 18456, append(data(`DOMAIN\SERVER$`, " Reason: Failed to open the explicitly specified database 'SUSDB'.", " [CLIENT: fe80::442f:d8a1:6d2e:757%3]"),
			Field{Name: "Binary", Value: "184800000E000000090000004400430045002D0043004D00300032000000070000006D00610073007400650072000000"}),
			KindLoginFailed, `Login failed for user 'DOMAIN\SERVER$'. Reason: Failed to open the explicitly specified database 'SUSDB'. [CLIENT: fe80::442f:d8a1:6d2e:757%3]`,
			func(ev *Event) bool {
				return ev.Login == `DOMAIN\SERVER$` && ev.Severity == 14 && ev.State == 9 && ev.Field("server_name") == "DCE-CM02" &&
					strings.HasPrefix(ev.Client, "fe80::442f")
			}},
		// A number the table knows but whose values do not fit a pattern:
		// the kind comes from the number alone.
		{"MSSQLSERVER", 19407, nil, KindLeaseExpired, "", nil},
		// A number the table does not know: a plain message, with its error.
		{"MSSQLSERVER", 17137, data("tempdb"), KindMessage, "Data1=tempdb", func(ev *Event) bool { return ev.Error == 17137 }},
	}
	for _, c := range cases {
		ev := &Event{}
		ClassifyEventLog(ev, c.provider, c.id, c.data)
		if ev.Kind != c.kind || ev.Error != c.id || !strings.HasPrefix(ev.Message, c.msg) || c.check != nil && !c.check(ev) {
			t.Errorf("%s %d: kind %s error %d message %q %+v", c.provider, c.id, ev.Kind, ev.Error, ev.Message, ev)
		}
	}
}

func TestExpandInserts(t *testing.T) {
	data := []Field{{Name: "param1", Value: "A"}, {Name: "Binary", Value: "00"}, {Name: "param2", Value: "B"}}
	if got := expandInserts("x %1 y %2 z %3 100%", data); got != "x A y B z  100%" {
		t.Fatalf("%q", got)
	}
	if got := dataValue(data, "Missing|%2"); got != "B" {
		t.Fatalf("%q", got)
	}
}
