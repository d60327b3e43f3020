package analyzer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/exportgen"
	"github.com/agtriage/agtriage/parsers"
)

// TestEventLogCSVChains: a node's SQL LogScout System-log CSV (UTF-16,
// local time, newest first, no computer column) next to its ERRORLOG
// (UTC adjustment -5:00): the events are put at their UTC time on the
// node's timeline, and the incidents' causal chains cite them.
func TestEventLogCSVChains(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "SQLNODE1")
	if err := os.MkdirAll(node, 0o755); err != nil {
		t.Fatal(err)
	}
	errorlog := strings.Join([]string{
		"2024-03-14 01:02:03.33 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) ",
		"2024-03-14 01:02:03.33 Server      UTC adjustment: -5:00",
		"2024-03-14 01:02:05.87 spid9s      Server name is 'SQLNODE1'. This is an informational message only. No user action is required.",
		"2024-03-14 02:17:42.10 spid29s     Always On: The availability replica manager is going offline because the local Windows Server Failover Clustering (WSFC) node has lost quorum. This is an informational message only. No user action is required.",
		"2024-03-14 02:17:43.03 Server      The state of the local availability replica in availability group 'AGSALES' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired.  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.",
		"",
	}, "\r\n")
	if err := os.WriteFile(filepath.Join(node, "ERRORLOG"), []byte(errorlog), 0o644); err != nil {
		t.Fatal(err)
	}
	// The replica that takes over.
	node3 := filepath.Join(dir, "SQLNODE3")
	if err := os.MkdirAll(node3, 0o755); err != nil {
		t.Fatal(err)
	}
	errorlog3 := strings.Join([]string{
		"2024-03-14 01:05:03.33 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) ",
		"2024-03-14 01:05:03.33 Server      UTC adjustment: -5:00",
		"2024-03-14 01:05:05.87 spid9s      Server name is 'SQLNODE3'. This is an informational message only. No user action is required.",
		"2024-03-14 02:17:47.52 spid31s     The state of the local availability replica in availability group 'AGSALES' has changed from 'SECONDARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the availability group is going offline.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.",
		"2024-03-14 02:17:48.52 spid31s     The state of the local availability replica in availability group 'AGSALES' has changed from 'RESOLVING_NORMAL' to 'PRIMARY_PENDING'.  The state changed because the availability group is coming online.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.",
		"2024-03-14 02:17:49.97 Server      The state of the local availability replica in availability group 'AGSALES' has changed from 'PRIMARY_PENDING' to 'PRIMARY_NORMAL'.  The state changed because the local replica has completed processing Online command from Windows Server Failover Clustering (WSFC).  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.",
		"",
	}, "\r\n")
	if err := os.WriteFile(filepath.Join(node3, "ERRORLOG"), exportgen.UTF16LE(errorlog3), 0o644); err != nil {
		t.Fatal(err)
	}
	// Newest first, en-US culture, as LogScout writes it.
	csv := strings.Join([]string{
		`"EntryType","TimeGenerated","Source","EventID","Category","Message"`,
		`"Error","3/14/2024 2:17:50 AM","Service Control Manager","7034","None","The SQL Server (MSSQLSERVER) service terminated unexpectedly.  It has done this 1 time(s)."`,
		`"Error","3/14/2024 2:17:42 AM","Microsoft-Windows-FailoverClustering","1069","Resource Control Manager","Cluster resource 'AGSALES' of type 'SQL Server Availability Group' in clustered role 'AGSALES' failed.  Based on the failure policies for the resource and role, the cluster service may try to bring the resource online on this node or move the group to another node of the cluster and then restart it.  Check the resource and group state using Failover Cluster Manager or the Get-ClusterResource Windows PowerShell cmdlet."`,
		`"Error","3/14/2024 2:17:41 AM","Microsoft-Windows-FailoverClustering","1177","Quorum Manager","The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk.  Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapter. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges."`,
		`"Critical","3/14/2024 2:17:39 AM","Microsoft-Windows-FailoverClustering","1135","Node Mgr","Cluster node 'SQLNODE2' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster. Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapter on this node. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges."`,
		"",
	}, "\r\n")
	const name = "SQLNODE1_20240314T0730123456_EventLog_System.csv"
	if err := os.WriteFile(filepath.Join(node, name), exportgen.UTF16LE(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var read bool
	for _, in := range rep.Inputs {
		if strings.HasSuffix(in.File, name) {
			read = in.Skipped == "" && in.Events == 4 && in.Server == "SQLNODE1"
			if !read {
				t.Fatalf("input %+v", in)
			}
		}
	}
	if !read {
		t.Fatalf("%s not listed: %+v", name, rep.Inputs)
	}
	utc := func(h, m, s int) time.Time { return time.Date(2024, 3, 14, h+5, m, s, 0, time.UTC) }
	want := map[string]time.Time{
		"Cluster node 'SQLNODE2' was removed":   utc(2, 17, 39),
		"quorum was lost":                       utc(2, 17, 41),
		"Cluster resource 'AGSALES'":            utc(2, 17, 42),
		"SQL Server (MSSQLSERVER) service term": utc(2, 17, 50),
	}
	cited := map[string]bool{}
	for _, inc := range rep.Incidents {
		for _, st := range inc.Chain {
			for _, ev := range st.Evidence {
				if !strings.HasSuffix(ev.File, name) {
					continue
				}
				for text, at := range want {
					if strings.Contains(ev.Text, text) {
						if !ev.Time.Equal(at) || ev.Line < 2 {
							t.Errorf("%s cited at %v (line %d), want %v", text, ev.Time, ev.Line, at)
						}
						cited[text] = true
					}
				}
			}
		}
	}
	// 1069 is a failover trigger candidate only: the failover rule names
	// the first trigger on the old primary (here 1135), so the resource
	// failure must be on the timeline at its UTC time rather than in a chain.
	for _, e := range rep.Timeline {
		if strings.Contains(e.Position, name) && e.Kind == string(parsers.KindResourceFailed) {
			if !e.Time.Equal(utc(2, 17, 42)) {
				t.Errorf("1069 on the timeline at %v", e.Time)
			}
			cited["Cluster resource 'AGSALES'"] = true
		}
	}
	for text := range want {
		if !cited[text] {
			t.Errorf("no causal chain (or timeline entry) cites %q", text)
		}
	}
	if t.Failed() {
		for _, inc := range rep.Incidents {
			t.Logf("incident %s: %s", inc.Category, inc.Summary)
			for _, st := range inc.Chain {
				t.Logf("  %v %s %s %+v", st.Time, st.Server, st.Text, st.Evidence)
			}
		}
	}
}
