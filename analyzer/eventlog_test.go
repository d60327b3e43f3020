package analyzer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/internal/evtxwrite"
	"github.com/agtriage/agtriage/parsers"
)

// TestEventLogServer puts a node's native System log next to its SQL Server
// instance's ERRORLOG: the event log's computer (SQLNODE1.contoso.local)
// and the instance (SQLNODE1\PROD) are one server, the event log's times
// are UTC and its events are on the timeline at their UTC time.
func TestEventLogServer(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "bundle", "n1")
	if err := os.MkdirAll(node, 0o755); err != nil {
		t.Fatal(err)
	}
	errorlog := strings.Join([]string{
		"2024-03-12 08:14:02.33 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) ",
		"2024-03-12 08:14:02.33 Server      UTC adjustment: -7:00",
		"2024-03-12 08:14:04.87 spid9s      Server name is 'SQLNODE1\\PROD'. This is an informational message only. No user action is required.",
		"2024-03-12 08:20:00.00 spid29s     Always On: The availability replica manager is going offline because the local Windows Server Failover Clustering (WSFC) node has lost quorum. This is an informational message only. No user action is required.",
		"",
	}, "\r\n")
	if err := os.WriteFile(filepath.Join(node, "ERRORLOG"), []byte(errorlog), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &evtxwrite.Writer{Dirty: true}
	at := time.Date(2024, 3, 12, 15, 19, 58, 0, time.UTC) // 08:19:58 local
	w.Add(evtxwrite.Event{
		Provider: "Microsoft-Windows-FailoverClustering", ProviderGUID: "{BAF908EA-3421-4CA9-9B84-6689B8C6F85F}",
		EventID: 1177, Qualifiers: -1, Level: 1, Time: at, Channel: "System", Computer: "SQLNODE1.contoso.local", UserID: "S-1-5-18",
	})
	w.Add(evtxwrite.Event{
		Provider: "Service Control Manager", EventID: 7034, Qualifiers: 49152, Level: 2, Time: at.Add(time.Minute),
		Channel: "System", Computer: "SQLNODE1.contoso.local",
		Data: []evtxwrite.Data{{Value: evtxwrite.String("SQL Server (PROD)")}, {Value: evtxwrite.String("1")}},
	})
	if err := os.WriteFile(filepath.Join(node, "System.evtx"), w.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{filepath.Join(dir, "bundle")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Servers) != 1 || rep.Servers[0].Name != `SQLNODE1\PROD` || len(rep.Servers[0].Files) != 2 {
		t.Fatalf("servers: %+v", rep.Servers)
	}
	var evtxInput *report.Input
	for i := range rep.Inputs {
		if strings.HasSuffix(rep.Inputs[i].File, "System.evtx") {
			evtxInput = &rep.Inputs[i]
		}
	}
	if evtxInput == nil || evtxInput.Format != string(parsers.FormatEVTX) || evtxInput.Events != 2 || evtxInput.Server != `SQLNODE1\PROD` {
		t.Fatalf("input: %+v", evtxInput)
	}
	found := map[string]time.Time{}
	for _, e := range rep.Timeline {
		if strings.Contains(e.Position, "System.evtx@") {
			found[e.Kind] = e.Time
		}
	}
	if !found[string(parsers.KindQuorumLost)].Equal(at) || !found[string(parsers.KindSQLServiceDown)].Equal(at.Add(time.Minute)) {
		t.Errorf("timeline: %+v", rep.Timeline)
	}
}

// TestApplicationLogCopies: SQL Server writes its messages to the
// ERRORLOG and to the Application log; the copy counts once.
func TestApplicationLogCopies(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "SQLNODE1")
	if err := os.MkdirAll(node, 0o755); err != nil {
		t.Fatal(err)
	}
	errorlog := strings.Join([]string{
		"2024-03-12 08:14:02.33 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) ",
		"2024-03-12 08:14:02.33 Server      UTC adjustment: -7:00",
		"2024-03-12 08:14:04.87 spid9s      Server name is 'SQLNODE1'. This is an informational message only. No user action is required.",
		"2024-03-12 09:20:00.00 Server      Error: 19407, Severity: 16, State: 1.",
		"2024-03-12 09:20:00.00 Server      The lease between availability group 'AG1' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster.",
		"",
	}, "\r\n")
	if err := os.WriteFile(filepath.Join(node, "ERRORLOG"), []byte(errorlog), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &evtxwrite.Writer{}
	w.Add(evtxwrite.SQLServer(time.Date(2024, 3, 12, 16, 20, 0, 300e6, time.UTC), "SQLNODE1.contoso.local", "MSSQLSERVER", 19407, 16, 1, "AG1"))
	if err := os.WriteFile(filepath.Join(node, "Application.evtx"), w.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range rep.Timeline {
		if e.Error == 19407 {
			n += max(e.Count, 1)
		}
	}
	if n != 1 {
		t.Errorf("19407 counted %d times, want 1 (ERRORLOG and Application log are one record): %+v", n, rep.Timeline)
	}
}
