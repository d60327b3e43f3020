package eventtext

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/winevent"
)

// TestTemplates: the naming values come out of real-shaped messages, which
// carry more text than the table's template (1069 names the resource type,
// LogScout turns line breaks into spaces).
func TestTemplates(t *testing.T) {
	for _, tc := range []struct {
		provider string
		id       int
		msg      string
		kind     parsers.Kind
		want     map[string]string
	}{
		{"Microsoft-Windows-FailoverClustering", 1069,
			"Cluster resource 'AGSALES' of type 'SQL Server Availability Group' in clustered role 'AGSALES' failed.  Based on the failure policies for the resource and role, the cluster service may try to bring the resource online on this node or move the group to another node of the cluster and then restart it.",
			parsers.KindResourceFailed, map[string]string{"resource": "AGSALES", "role": "AGSALES"}},
		{"Microsoft-Windows-FailoverClustering", 1135,
			"Cluster node 'SQLNODE2' was removed from the active failover cluster membership. The Cluster service on this node may have stopped.\n\nRun the Validate a Configuration wizard to check your network configuration.",
			parsers.KindNodeRemoved, map[string]string{"node": "SQLNODE2"}},
		{"Service Control Manager", 7034, "The SQL Server (INST1) service terminated unexpectedly.  It has done this 1 time(s).",
			parsers.KindSQLServiceDown, map[string]string{"service": "SQL Server (INST1)"}},
		{"Service Control Manager", 7031, "The Cluster Service service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 60000 milliseconds: Restart the service.",
			parsers.KindClusterUnavailable, map[string]string{"service": "Cluster Service"}},
		{"Service Control Manager", 7034, "Le service SQL Server (MSSQLSERVER) s'est arrêté de façon inattendue.",
			parsers.KindServiceCrash, map[string]string{"service": ""}}, // localized: no value, still a crash
	} {
		rec := winevent.Record{Provider: tc.provider, EventID: itoa(tc.id), Rendered: tc.msg,
			Data: winevent.Inserts(tc.provider, tc.id, tc.msg)}
		var ev parsers.Event
		rec.Fill(&ev)
		if ev.Kind != tc.kind {
			t.Errorf("%d %q: kind %s, want %s", tc.id, tc.msg, ev.Kind, tc.kind)
		}
		for k, v := range tc.want {
			if got := field(&ev, k); got != v {
				t.Errorf("%d: %s = %q, want %q", tc.id, k, got, v)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestDateOrder: the day/month order is learned from the data; rows read
// before it are held and get the right date.
func TestDateOrder(t *testing.T) {
	head := `"EntryType","TimeGenerated","Source","EventID","Category","Message"` + "\r\n"
	row := func(date string) string {
		return `"Error","` + date + `","Service Control Manager","7034","None","The SQL Server (MSSQLSERVER) service terminated unexpectedly.  It has done this 1 time(s)."` + "\r\n"
	}
	for _, tc := range []struct {
		rows []string
		want []time.Time
		warn bool
	}{
		{[]string{"03/04/2024 10:00:00", "14/03/2024 02:17:41"}, []time.Time{date(2024, 4, 3, 10, 0, 0), date(2024, 3, 14, 2, 17, 41)}, false},
		{[]string{"3/4/2024 10:00:00 AM", "3/14/2024 2:17:41 PM"}, []time.Time{date(2024, 3, 4, 10, 0, 0), date(2024, 3, 14, 14, 17, 41)}, false},
		{[]string{"3/4/2024 12:00:00 AM"}, []time.Time{date(2024, 3, 4, 0, 0, 0)}, true},
		{[]string{"2024-03-14 02:17:41"}, []time.Time{date(2024, 3, 14, 2, 17, 41)}, false},
		{[]string{"14.03.2024 02:17:41"}, []time.Time{date(2024, 3, 14, 2, 17, 41)}, false},
	} {
		evs, r := read(t, []byte(head+strings.Join(func() []string {
			var s []string
			for _, d := range tc.rows {
				s = append(s, row(d))
			}
			return s
		}(), "")), "x.csv")
		if len(evs) != len(tc.want) {
			t.Fatalf("%v: %d events", tc.rows, len(evs))
		}
		for i, ev := range evs {
			if !ev.Local.Equal(tc.want[i]) || ev.Clock != parsers.ClockLocal || ev.Kind != parsers.KindSQLServiceDown {
				t.Errorf("%v: event %d local %v clock %v kind %s, want %v", tc.rows, i, ev.Local, ev.Clock, ev.Kind, tc.want[i])
			}
		}
		if got := r.Stats().TotalWarnings > 0; got != tc.warn {
			t.Errorf("%v: warnings %v", tc.rows, r.Stats().Warnings)
		}
	}
}

func date(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

// TestZone: a time with an offset is UTC.
func TestZone(t *testing.T) {
	data := "TimeCreated,Id,ProviderName,MachineName,Message\r\n2024-03-14T02:17:41.2304560-05:00,1177,Microsoft-Windows-FailoverClustering,SQLNODE1.contoso.local,\"The Cluster service is shutting down because quorum was lost.\"\r\n"
	evs, r := read(t, []byte(data), "z.csv")
	if len(evs) != 1 || evs[0].Clock != parsers.ClockUTC || !evs[0].Time.Equal(time.Date(2024, 3, 14, 7, 17, 41, 230456000, time.UTC)) ||
		evs[0].Server != "SQLNODE1" || evs[0].Kind != parsers.KindQuorumLost || r.Stats().Clock != parsers.ClockUTC {
		t.Fatalf("%+v", evs)
	}
}

// TestDamage: bad rows are counted and named; the rest is read.
func TestDamage(t *testing.T) {
	data := strings.Join([]string{
		"#TYPE System.Diagnostics.EventLogEntry",
		`"EventID","MachineName","EntryType","Message","Source","TimeGenerated"`,
		`"7034","N1","Error","The X service terminated unexpectedly.","Service Control Manager","not a date"`,
		`"abc","N1","Error","m","Service Control Manager","3/14/2024 2:17:41 AM"`,
		`"1135","N1","Error","Cluster node 'N2' was removed from the active failover cluster membership.","Microsoft-Windows-FailoverClustering","3/14/2024 2:17:41 AM"`,
		"\x00\x01garbage",
		`"6008","N1","Error","The previous system shutdown at 2:00:00 AM on 3/14/2024 was`,
	}, "\r\n")
	evs, r := read(t, []byte(data), "d.csv")
	st := r.Stats()
	if len(evs) != 1 || evs[0].Kind != parsers.KindNodeRemoved || field(evs[0], "node") != "N2" {
		t.Fatalf("events %+v", evs)
	}
	if st.Records != 5 || st.Unrecognized != 4 || st.TotalWarnings != 5 {
		t.Errorf("records %d unrecognized %d warnings %v", st.Records, st.Unrecognized, st.Warnings)
	}
	for _, w := range st.Warnings {
		if w.File != "d.csv" || w.Line < 3 {
			t.Errorf("warning without position: %+v", w)
		}
	}
	// A row longer than MaxRecord is skipped, the next one read.
	big := `"EventID","MachineName","EntryType","Message","Source","TimeGenerated"` + "\r\n" +
		`"7034","N1","Error","` + strings.Repeat("x\r\n", MaxRecord/2) + `","Service Control Manager","3/14/2024 2:17:41 AM"` + "\r\n" +
		`"1177","N1","Error","q","Microsoft-Windows-FailoverClustering","3/14/2024 2:17:42 AM"` + "\r\n"
	evs, r = read(t, []byte(big), "big.csv")
	if len(evs) != 1 || evs[0].Kind != parsers.KindQuorumLost || r.Stats().SkippedBytes < MaxRecord {
		t.Errorf("big: %d events, skipped %d, warnings %v", len(evs), r.Stats().SkippedBytes, r.Stats().Warnings)
	}
}

// TestDetect: the forms are told apart from the other CSV exports.
func TestDetect(t *testing.T) {
	for in, want := range map[string]parsers.Format{
		"#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n\"Message\",\"Id\",\"ProviderName\",\"TimeCreated\"\r\n": parsers.FormatEventCSV,
		"Level,Date and Time,Source,Event ID,Task Category\r\n":                                                              parsers.FormatEventCSV,
		"Date,Time,Type,Computer,EventID,Source,Category,User,Description\r\n":                                               parsers.FormatEventCSV,
		"#TYPE Selected.System.Management.Automation.PSCustomObject\r\n\"LogDate\",\"Source\",\"Text\"\r\n":                  parsers.FormatDbatoolsCSV,
		"Date,Source,Severity,Message\r\n":                                                                                   parsers.FormatSSMSExport,
	} {
		if got := parsers.Detect([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if got := parsers.Detect(bytes.Join([][]byte{{0xFF, 0xFE}, []byte("\"\x00E\x00n\x00t\x00r\x00y\x00T\x00y\x00p\x00e\x00\"\x00,\x00\"\x00T\x00i\x00m\x00e\x00G\x00e\x00n\x00e\x00r\x00a\x00t\x00e\x00d\x00\"\x00,\x00\"\x00S\x00o\x00u\x00r\x00c\x00e\x00\"\x00,\x00\"\x00E\x00v\x00e\x00n\x00t\x00I\x00D\x00\"\x00")}, nil)); got != parsers.FormatEventCSV {
		t.Errorf("UTF-16 LogScout header: %q", got)
	}
}

// TestWevtutilTextDamage: a block without a date is skipped with its line;
// text before the first block is counted; the next block is read.
func TestWevtutilTextDamage(t *testing.T) {
	data := strings.Join([]string{
		"Event[0]:",
		"  Log Name: System",
		"  Source: Microsoft-Windows-FailoverClustering",
		"  Event ID: 1135",
		"  Description: ",
		"Cluster node 'N2' was removed from the active failover cluster membership.",
		"Event[1]:",
		"  Log Name: System",
		"  Source: Microsoft-Windows-FailoverClustering",
		"  Date: 2024-03-14T02:17:41.230",
		"  Event ID: 1135",
		"  Level: Critical",
		"  Computer: SQLNODE1.contoso.local",
		"  Description: ",
		"Cluster node 'N3' was removed from the active failover cluster membership.",
		"",
		"Run the Validate a Configuration wizard.",
		"",
	}, "\r\n")
	if f := parsers.Detect([]byte(data)); f != parsers.FormatEventText {
		t.Fatalf("detected as %q", f)
	}
	evs, r := read(t, []byte(data), "w.txt")
	st := r.Stats()
	if len(evs) != 1 || field(evs[0], "node") != "N3" || evs[0].Server != "SQLNODE1" || evs[0].Line != 7 ||
		!evs[0].Local.Equal(time.Date(2024, 3, 14, 2, 17, 41, 230e6, time.UTC)) ||
		evs[0].Message != "Cluster node 'N3' was removed from the active failover cluster membership.\n\nRun the Validate a Configuration wizard." {
		t.Fatalf("events %+v", evs)
	}
	if st.Records != 2 || st.Unrecognized != 1 || st.TotalWarnings != 1 || st.Warnings[0].Line != 1 || st.Format != parsers.FormatEventText {
		t.Errorf("stats %+v", st)
	}
}
