package winevent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Table {
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

func TestLookup(t *testing.T) {
	param := func(v ...string) []parsers.Field {
		var fs []parsers.Field
		for i, s := range v {
			fs = append(fs, parsers.Field{Name: "param" + string(rune('1'+i)), Value: s})
		}
		return fs
	}
	cases := []struct {
		provider string
		id       int
		data     []parsers.Field
		want     parsers.Kind
	}{
		{"Microsoft-Windows-FailoverClustering", 1135, nil, parsers.KindNodeRemoved},
		{"microsoft-windows-failoverclustering", 1177, nil, parsers.KindQuorumLost},
		{"Service Control Manager", 7034, param("SQL Server (MSSQLSERVER)", "1"), parsers.KindSQLServiceDown},
		{"Service Control Manager", 7034, param("SQL Server (INST1)", "2"), parsers.KindSQLServiceDown},
		{"Service Control Manager", 7034, param("SQL Server Agent (MSSQLSERVER)", "1"), parsers.KindServiceCrash},
		{"Service Control Manager", 7031, param("Cluster Service", "1", "60000", "1", "Restart the service"), parsers.KindClusterUnavailable},
		{"Service Control Manager", 7036, param("SQL Server (MSSQLSERVER)", "stopped"), parsers.KindMessage},
		{"Service Control Manager", 7040, param("SQL Server (MSSQLSERVER)", "auto start", "demand start"), ""},
		{"storvsc", 129, []parsers.Field{{Name: "Data1", Value: `\Device\RaidPort0`}}, parsers.KindStorageIssue},
		{"Microsoft-Windows-Kernel-Processor-Power", 129, []parsers.Field{{Name: "Data1", Value: "7"}}, ""},
		{"e1rexpress", 27, nil, parsers.KindNetworkDown},
		{"e1iexpress", 32, nil, ""}, // link up
		{"Microsoft-Windows-Kernel-Boot", 153, nil, ""},
		{"disk", 153, nil, parsers.KindStorageIssue},
		{"Microsoft-Windows-Kernel-Power", 41, nil, parsers.KindOSCrash},
		{"EventLog", 6008, nil, parsers.KindOSCrash},
		{"User32", 1074, nil, parsers.KindOSShutdown},
	}
	for _, c := range cases {
		got := parsers.Kind("")
		if row := lookup(c.provider, c.id, c.data); row != nil {
			got = row.Kind
		}
		if got != c.want {
			t.Errorf("%s %d: %q, want %q", c.provider, c.id, got, c.want)
		}
	}
}

// TestClassifySQL checks the Application-log copies of SQL Server
// messages: the message rebuilt from the values is classified like the
// ERRORLOG line, and the instance is named.
func TestClassifySQL(t *testing.T) {
	data := func(v ...string) []parsers.Field {
		var fs []parsers.Field
		for i, s := range v {
			fs = append(fs, parsers.Field{Name: "Data" + string(rune('1'+i)), Value: s})
		}
		return fs
	}
	cases := []struct {
		provider string
		id       int
		data     []parsers.Field
		kind     parsers.Kind
		msg      string
		check    func(ev *parsers.Event) bool
	}{
		{"MSSQLSERVER", 19407, data("AG1"), parsers.KindLeaseExpired,
			"The lease between availability group 'AG1' and the Windows Server Failover Cluster has expired.",
			func(ev *parsers.Event) bool { return ev.AG == "AG1" && ev.Field("instance") == "MSSQLSERVER" }},
		{"MSSQL$INST1", 41144, data("AG1", "5"), parsers.KindClusterError, "The local availability replica of availability group 'AG1' is in a failed state.",
			func(ev *parsers.Event) bool { return ev.AG == "AG1" && ev.Field("instance") == "INST1" }},
		{"MSSQLSERVER", 1480, data("DB1", "SECONDARY", "PRIMARY", "a user initiated failover"), parsers.KindDatabaseRoleChange, `The availability group database "DB1" is changing roles from "SECONDARY" to "PRIMARY"`,
			func(ev *parsers.Event) bool {
				return ev.Database == "DB1" && ev.From == "SECONDARY" && ev.To == "PRIMARY"
			}},
		// The public 18456 sample (an Application log of 2019): values and
		// Binary with the error number, severity, state and server name.
		{"MSSQLSERVER", 18456, append(data(`DOMAIN\SERVER$`, " Reason: Failed to open the explicitly specified database 'SUSDB'.", " [CLIENT: fe80::442f:d8a1:6d2e:757%3]"),
			parsers.Field{Name: "Binary", Value: "184800000E000000090000004400430045002D0043004D00300032000000070000006D00610073007400650072000000"}),
			parsers.KindLoginFailed, `Login failed for user 'DOMAIN\SERVER$'. Reason: Failed to open the explicitly specified database 'SUSDB'. [CLIENT: fe80::442f:d8a1:6d2e:757%3]`,
			func(ev *parsers.Event) bool {
				return ev.Login == `DOMAIN\SERVER$` && ev.Severity == 14 && ev.State == 9 && ev.Field("server_name") == "DCE-CM02" &&
					strings.HasPrefix(ev.Client, "fe80::442f")
			}},
		// A number the table knows but whose values do not fit a pattern:
		// the kind comes from the number alone.
		{"MSSQLSERVER", 19407, nil, parsers.KindLeaseExpired, "", nil},
		// A number the table does not know: a plain message, with its error.
		{"MSSQLSERVER", 17137, data("tempdb"), parsers.KindMessage, "Data1=tempdb", func(ev *parsers.Event) bool { return ev.Error == 17137 }},
	}
	for _, c := range cases {
		ev := &parsers.Event{}
		Classify(ev, c.provider, c.id, c.data)
		if ev.Kind != c.kind || ev.Error != c.id || !strings.HasPrefix(ev.Message, c.msg) || c.check != nil && !c.check(ev) {
			t.Errorf("%s %d: kind %s error %d message %q %+v", c.provider, c.id, ev.Kind, ev.Error, ev.Message, ev)
		}
	}
}

func TestExpandInserts(t *testing.T) {
	data := []parsers.Field{{Name: "param1", Value: "A"}, {Name: "Binary", Value: "00"}, {Name: "param2", Value: "B"}}
	if got := expandInserts("x %1 y %2 z %3 100%", data); got != "x A y B z  100%" {
		t.Fatalf("%q", got)
	}
	if got := dataValue(data, "Missing|%2"); got != "B" {
		t.Fatalf("%q", got)
	}
}
