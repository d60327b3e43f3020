package evtx

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/evtxwrite"
	"github.com/agtriage/agtriage/parsers"
)

// TestEventConstructors reads the events of evtxwrite's constructors (the
// fixtures of scenario bundles): each gets its kind and naming fields, and
// evtxexport reads them the same.
func TestEventConstructors(t *testing.T) {
	at := time.Date(2024, 3, 14, 7, 17, 20, 0, time.UTC)
	const c = "SQLNODE1.contoso.local"
	cases := []struct {
		ev    evtxwrite.Event
		kind  parsers.Kind
		field string
		value string
	}{
		{evtxwrite.NodeRemoved(at, c, "SQLNODE2"), parsers.KindNodeRemoved, "node", "SQLNODE2"},
		{evtxwrite.QuorumLost(at, c), parsers.KindQuorumLost, "", ""},
		{evtxwrite.ClusterHalted(at, c), parsers.KindClusterUnavailable, "", ""},
		{evtxwrite.ResourceFailed(at, c, "AGSALES", "AGSALES", "SQL Server Availability Group"), parsers.KindResourceFailed, "resource", "AGSALES"},
		{evtxwrite.RoleFailed(at, c, "AGSALES"), parsers.KindResourceFailed, "role", "AGSALES"},
		{evtxwrite.FailoverThreshold(at, c, "AGSALES"), parsers.KindFailoverLimit, "role", "AGSALES"},
		{evtxwrite.RHSTerminated(at, c), parsers.KindRHSTerminated, "", ""},
		{evtxwrite.ServiceTerminated(at, c, "SQL Server (MSSQLSERVER)", 1), parsers.KindSQLServiceDown, "service", "SQL Server (MSSQLSERVER)"},
		{evtxwrite.UnexpectedShutdown(at, c, "2:17:41 AM", "3/14/2024"), parsers.KindOSCrash, "Data1", "2:17:41 AM"},
		{evtxwrite.PlannedRestart(at, c, `C:\Windows\system32\shutdown.exe (SQLNODE1)`, `CONTOSO\dba1`, "Operating System: Upgrade (Planned)", "0x80020003", "patching"), parsers.KindOSShutdown, "param7", `CONTOSO\dba1`},
		{evtxwrite.KernelPower41(at, c, 0), parsers.KindOSCrash, "BugcheckCode", "0"},
		{evtxwrite.SQLServer(at, c, "MSSQLSERVER", 19407, 10, 1, "AGSALES"), parsers.KindLeaseExpired, "server_name", "SQLNODE1"},
		{evtxwrite.SQLServer(at, c, "INST1", 35206, 10, 1, `SQLNODE2\INST1`, "5F3C0B6E-1234-4C1A-9A3B-0123456789AB"), parsers.KindConnectionTimeout, "instance", "INST1"},
	}
	w := &evtxwrite.Writer{}
	for _, c := range cases {
		w.Add(c.ev)
	}
	data := w.Bytes()
	evs, ws, _ := read(t, data)
	if len(ws) != 0 || len(evs) != len(cases) {
		t.Fatalf("%d events, warnings %v", len(evs), ws)
	}
	for i, c := range cases {
		ev := evs[i]
		if ev.Kind != c.kind || c.field != "" && ev.Field(c.field) != c.value || !ev.Time.Equal(at) || ev.Server != "SQLNODE1" {
			t.Errorf("%s %s: kind %s, %s=%q, fields %v", ev.Process, ev.Field("EventID"), ev.Kind, c.field, ev.Field(c.field), ev.Fields)
		}
	}
	if evs[11].Severity != 10 || evs[11].State != 1 || evs[11].Error != 19407 {
		t.Errorf("19407: error %d severity %d state %d", evs[11].Error, evs[11].Severity, evs[11].State)
	}
	if _, err := exec.LookPath("evtxexport"); err != nil {
		t.Log("evtxexport not installed: XML not compared")
		return
	}
	file := filepath.Join(t.TempDir(), "System.evtx")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := evtxexportTrees(t, file)
	got, _ := ourTrees(t, data, file)
	if len(got) != len(want) {
		t.Fatalf("%d records, evtxexport %d", len(got), len(want))
	}
	for i := range got {
		if g, w := got[i].String(), want[i].String(); g != w {
			t.Errorf("record %d differs:\n--- ours\n%s--- evtxexport\n%s", i, g, w)
		}
	}
}
