package analyzer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/internal/exportgen"
	"github.com/agtriage/agtriage/parsers"
)

// replicaFiles returns the files of each replica folder of a scenario.
func replicaFiles(t *testing.T, scenario string) map[string]map[string][]byte {
	t.Helper()
	dir := filepath.Join("..", "testdata", "scenarios", scenario)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]byte{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(dir, e.Name()))
		out[e.Name()] = map[string][]byte{}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, e.Name(), f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()][f.Name()] = data
		}
	}
	return out
}

// alwaysOnDiag is the start of SQL LogScout's AlwaysOnDiagScript.out
// (sqlcmd -w8000 Results to Text, sections marked by PRINT).
const alwaysOnDiag = "-- AG_hadr_ag_states --\r\n" +
	"group_id                             name resource_id                          failure_condition_level health_check_timeout automated_backup_preference_desc\r\n" +
	"------------------------------------ ---- ------------------------------------ ----------------------- -------------------- --------------------------------\r\n" +
	"5E3C2A10-8B1D-4F5E-9A77-2C1D0E4B6A11 AG1  4bd0c4a7-5e19-4c46-a1a2-8c4f2c1d9e10                       3                30000 secondary\r\n" +
	"\r\n" +
	"(1 rows affected)\r\n" +
	"\r\n" +
	"-- AG_hadr_ag_replica_states --\r\n" +
	"group_name replica_server_name node_name availability_mode_desc failover_mode_desc session_timeout last_connect_error_description\r\n" +
	"---------- ------------------- --------- ---------------------- ------------------ --------------- ------------------------------\r\n" +
	"AG1        SQLAG01             SQLAG01   SYNCHRONOUS_COMMIT     AUTOMATIC                       10 NULL\r\n" +
	"AG1        SQLAG02             SQLAG02   SYNCHRONOUS_COMMIT     AUTOMATIC                       10 An existing connection was closed\r\n" +
	"\r\n" +
	"(2 rows affected)\r\n"

// collectorNoise is what collectors add next to the logs, by file-name
// suffix, with the words its ignore reason must contain.
var collectorNoise = map[string]struct {
	data   []byte
	reason string
}{
	"SQLAGENT.OUT": {exportgen.UTF16LE("2024-10-08 00:00:05 - ? [100] Microsoft SQLServerAgent version 15.0.4322.2 (X64 unicode retail build) : Process ID 4120\r\n" +
		"2024-10-08 00:00:06 - ! [298] SQLServer Error: 10054, TCP Provider: An existing connection was forcibly closed by the remote host. [SQLSTATE 08S01]\r\n"), "SQL Server Agent log"},
	"AlwaysOnDiagScript.out": {[]byte(alwaysOnDiag), "DMV query output"},
	"ClusterInfo.out":        {[]byte("-- Cluster Nodes --\r\nSQLAG01 Up\r\n\r\n-- Availability Group timeout settings --\r\nAvailability Group               timeout_setting_name     timeout_value\r\n-------------------------------- ------------------------ -------------\r\nAG1                              HealthCheckTimeout       30000\r\nAG1                              LeaseTimeout             20000\r\n"), "cluster configuration"},
	"MiscDiagInfo.out":       {[]byte("--ServerProperty--\r\nPropertyName          PropertyValue\r\n--------------------- -------------\r\nUTCOffset_in_Hours    -6.00\r\n"), "host and instance facts"},
	"GetAGTopology.xml":      {exportgen.UTF16LE("<AGInfoRoot><Servers><Server group_name=\"AG1\" replica_server_name=\"SQLAG01\" role_desc=\"PRIMARY\"/></Servers></AGInfoRoot>\r\n"), "AG topology snapshot"},
	"Perfmon.out":            {append([]byte("\x00\x01PLA\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 300)...), "performance counters"},
}

// logScoutWindows lays out one SQL LogScout output per replica, zipped as a
// DBA attaches it: <S>_ERRORLOG copies, original XE names, every node's
// cluster log, the collector's own log and DMV outputs.
func logScoutWindows(t *testing.T, scenario string) string {
	root := t.TempDir()
	reps := replicaFiles(t, scenario)
	for _, r := range slices.Sorted(maps.Keys(reps)) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		add := func(name string, data []byte) {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
		}
		for _, f := range slices.Sorted(maps.Keys(reps[r])) {
			switch {
			case strings.HasPrefix(f, "ERRORLOG"):
				add("output/"+r+"_"+f, reps[r][f])
			case f == "cluster.log":
			default:
				add("output/"+f, reps[r][f])
			}
		}
		for _, node := range slices.Sorted(maps.Keys(reps)) { // every node's cluster log
			if cl, ok := reps[node]["cluster.log"]; ok {
				add("output/"+node+"_cluster.log", cl)
			}
		}
		ts := "_20241008T0730001234_"
		add("output/"+r+"_SQLAGENT.OUT", collectorNoise["SQLAGENT.OUT"].data)
		for _, n := range []string{"AlwaysOnDiagScript.out", "ClusterInfo.out", "MiscDiagInfo.out", "GetAGTopology.xml", "Perfmon.out"} {
			add("output/"+r+ts+n, collectorNoise[n].data)
		}
		add("output/internal/##SQLLOGSCOUT.LOG", []byte("2024-10-08 07:30:00.123\tINFO\tInitializing log C:\\temp\\output\\internal\\##SQLLOGSCOUT.LOG\r\n2024-10-08 07:30:01.456\tINFO\tSQL LogScout version: 6.24.11.05\r\n"))
		add("output/internal/"+r+ts+"AlwaysOnDiagScript_errors.out", []byte("Msg 208, Level 16, State 1\r\n"))
		zw.Close()
		os.WriteFile(filepath.Join(root, "SQLLogScout_"+r+".zip"), buf.Bytes(), 0o644)
	}
	return root
}

// pssdiag lays out a PSSDiag output per replica: prefixed ERRORLOG and XE
// copies, both cluster log folders (local and UTC) with every node's log.
func pssdiag(t *testing.T, scenario string) string {
	root := t.TempDir()
	reps := replicaFiles(t, scenario)
	for _, r := range slices.Sorted(maps.Keys(reps)) {
		out := filepath.Join(root, "PSSDIAG_"+r, "output")
		write := func(rel string, data []byte) {
			p := filepath.Join(out, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, data, 0o644)
		}
		for _, f := range slices.Sorted(maps.Keys(reps[r])) {
			switch {
			case f == "cluster.log":
			default:
				write(r+"_"+f, reps[r][f])
			}
		}
		for _, node := range slices.Sorted(maps.Keys(reps)) {
			if cl, ok := reps[node]["cluster.log"]; ok {
				write(filepath.Join("ClusterLogs", node+"_cluster.log"), cl)
				write(filepath.Join("ClusterLogsUTCLast24Hrs", node+"_cluster.log"), cl)
			}
		}
		write(r+"_SQLAGENT.OUT", collectorNoise["SQLAGENT.OUT"].data)
		write(r+"__MiscPssdiagInfo_Startup.OUT", collectorNoise["MiscDiagInfo.out"].data)
		write(r+"__AlwaysOn_Shutdown.OUT", collectorNoise["AlwaysOnDiagScript.out"].data)
		write(filepath.Join("internal", "##SQLDIAG.LOG"), []byte("2024-10-08 07:30:00.12 SQLDIAG Collector version\r\n2024-10-08 07:30:01.00 SQLDIAG Initialization starting...\r\n"))
		write(filepath.Join("internal", "##console.log"), []byte("2024-10-08 07:30:00.12 SQLDIAG Collector version\r\n"))
	}
	return root
}

// sdp lays out an SDP/TSS "SQL Base" output per computer: flat, with
// <COMPUTER>_<INSTANCE>_1033_ names, the XE files zipped, event-log exports.
func sdp(t *testing.T, scenario string) string {
	root := t.TempDir()
	reps := replicaFiles(t, scenario)
	for _, r := range slices.Sorted(maps.Keys(reps)) {
		out := filepath.Join(root, "SDP_"+r)
		os.MkdirAll(out, 0o755)
		write := func(name string, data []byte) { os.WriteFile(filepath.Join(out, name), data, 0o644) }
		var xe bytes.Buffer
		zw := zip.NewWriter(&xe)
		for _, f := range slices.Sorted(maps.Keys(reps[r])) {
			switch {
			case strings.HasPrefix(f, "ERRORLOG"):
				write(r+"_MSSQLSERVER_1033_"+f, reps[r][f])
			case f == "cluster.log":
				write(r+"_cluster.log", reps[r][f])
			default:
				w, _ := zw.Create(f)
				w.Write(reps[r][f])
			}
		}
		zw.Close()
		write(r+"_MSSQLSERVER_AlwaysOn_health_XeLogs.zip", xe.Bytes())
		write(r+"_MSSQLSERVER_1033_SQLAGENT.OUT", collectorNoise["SQLAGENT.OUT"].data)
		write(r+"_MSSQLSERVER_1033_AlwaysOn.OUT", collectorNoise["AlwaysOnDiagScript.out"].data)
		write(r+"_MachineInfo.xml", []byte(`<?xml version="1.0"?><Root><Machine Name="`+r+`" CurrentTimeZone="-360"/></Root>`))
		write(r+"_evt_System.csv", []byte("Type,Date,Time,Source,Category,Event,User,Computer,Description\r\nInformation,10/18/2024,1:12:01 AM,Service Control Manager,None,7036,N/A,"+r+",\"The Windows Update service entered the running state.\"\r\n"))
		write(r+"_msinfo32.txt", exportgen.UTF16LE("System Information report written at: 10/08/24 07:30:00\r\n"))
	}
	return root
}

// checkCollection analyzes a collection and compares it with the scenario:
// the same incidents and failovers, the same servers (no phantom), every
// ignored file with a specific reason, nothing unread but event-log text.
func checkCollection(t *testing.T, dir, scenario string) *Report {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "scenarios", scenario, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want expectation
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkIncidents(t, rep, want)
	checkFailovers(t, rep, want)
	reps := replicaFiles(t, scenario)
	for _, s := range rep.Servers {
		if _, ok := reps[words.HostPart(s.Name)]; !ok {
			t.Errorf("phantom server %q (files %v)", s.Name, s.Files)
		}
	}
	if len(rep.Servers) != len(reps) {
		t.Errorf("%d servers, want %d", len(rep.Servers), len(reps))
	}
	for name, method := range want.Clocks {
		for _, s := range rep.Servers {
			if strings.EqualFold(words.HostPart(s.Name), name) && string(s.Clock) != method {
				t.Errorf("server %s clock %q (%s), want %q", s.Name, s.Clock, s.ClockDetail, method)
			}
		}
	}
	generic := []string{"text, but not", "binary data", "unknown format", "empty file"}
	read := 0
	for _, in := range rep.Inputs {
		switch {
		case in.Skipped == "":
			read++
			if in.TotalWarnings > 0 || in.Unrecognized > 0 {
				t.Errorf("%s: %d warnings %v, %d unrecognized", in.File, in.TotalWarnings, in.Warnings, in.Unrecognized)
			}
		case !in.Ignored && !strings.Contains(in.Skipped, "event log text export"):
			t.Errorf("%s skipped: %s", in.File, in.Skipped)
		default:
			for _, g := range generic {
				if strings.Contains(in.Skipped, g) {
					t.Errorf("%s ignored without a specific reason: %s", in.File, in.Skipped)
				}
			}
		}
	}
	if read == 0 {
		t.Error("nothing read")
	}
	return rep
}

// reasonOf returns the skip reason of the first input whose name ends with suffix.
func reasonOf(rep *Report, suffix string) string {
	for _, in := range rep.Inputs {
		if strings.HasSuffix(in.File, suffix) {
			return in.Skipped
		}
	}
	return "(not listed)"
}

func TestCollectionLayouts(t *testing.T) {
	for _, scenario := range []string{"cluster-lease-cpu", "xel-bundle", "cluster-network-partition"} {
		t.Run("logscout/"+scenario, func(t *testing.T) {
			rep := checkCollection(t, logScoutWindows(t, scenario), scenario)
			for _, n := range []string{"SQLAGENT.OUT", "AlwaysOnDiagScript.out", "ClusterInfo.out", "MiscDiagInfo.out", "GetAGTopology.xml", "Perfmon.out"} {
				if r := reasonOf(rep, n); !strings.Contains(r, collectorNoise[n].reason) {
					t.Errorf("%s: reason %q, want %q", n, r, collectorNoise[n].reason)
				}
			}
			if r := reasonOf(rep, "##SQLLOGSCOUT.LOG"); !strings.Contains(r, "collector's own log") {
				t.Errorf("##SQLLOGSCOUT.LOG: %q", r)
			}
			if r := reasonOf(rep, "_errors.out"); !strings.Contains(r, "console output") {
				t.Errorf("_errors.out: %q", r)
			}
			clusterCopies(t, rep, "another copy")
			checkSettings(t, rep, true)
			var md strings.Builder
			if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), "(from the collection): LeaseTimeout 20 s, HealthCheckTimeout 30 s") {
				t.Error("the Markdown report does not show the collected AG settings")
			}
			for _, inc := range rep.Incidents {
				// The fixture's ClusterInfo.out gives AG1's timeouts.
				if inc.Category == report.CatLeaseExpiry && containsServer(inc.AGs, "AG1") && !strings.Contains(inc.RootCause, "(LeaseTimeout 20 s)") {
					t.Errorf("lease incident does not give the collected LeaseTimeout: %s", inc.RootCause)
				}
			}
		})
		t.Run("pssdiag/"+scenario, func(t *testing.T) {
			rep := checkCollection(t, pssdiag(t, scenario), scenario)
			if r := reasonOf(rep, "##SQLDIAG.LOG"); !strings.Contains(r, "collector's own log") {
				t.Errorf("##SQLDIAG.LOG: %q", r)
			}
			if r := reasonOf(rep, "__AlwaysOn_Shutdown.OUT"); !strings.Contains(r, "DMV query output") {
				t.Errorf("AlwaysOn_Shutdown.OUT: %q", r)
			}
			clusterCopies(t, rep, "")
			for _, in := range rep.Inputs {
				if strings.Contains(in.File, "ClusterLogsUTCLast24Hrs") && in.Skipped != "" && !strings.Contains(in.Skipped, "PSSDiag's UTC copy") && !strings.Contains(in.Skipped, "another copy") {
					t.Errorf("%s: %s", in.File, in.Skipped)
				}
			}
		})
		t.Run("sdp/"+scenario, func(t *testing.T) {
			rep := checkCollection(t, sdp(t, scenario), scenario)
			for _, in := range rep.Inputs {
				if strings.HasSuffix(in.File, "_evt_System.csv") && (in.Skipped != "" || in.Format != string(parsers.FormatEventCSV) || in.Events != 1) {
					t.Errorf("_evt_System.csv not read as an event-log CSV: %+v", in)
				}
			}
			if r := reasonOf(rep, "_MachineInfo.xml"); !strings.Contains(r, "host and instance facts") {
				t.Errorf("MachineInfo.xml: %q", r)
			}
			checkSettings(t, rep, false)
		})
	}
	t.Run("logscout-linux", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "collections", "output_sqllnx*_*.tar.bz2"))
		if len(files) != 2 {
			t.Fatalf("fixtures: %v (run testdata/collections/gen.sh)", files)
		}
		dir := t.TempDir()
		for _, f := range files {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
		}
		rep := checkCollection(t, dir, "linux-8bit")
		for suffix, reason := range map[string]string{
			"_sqlagent_logs.bz2": "SQL Server Agent log", "sqllogscout.log": "collector's own log",
			"_mssql.conf": "mssql.conf", "_os_dmesg.info": "operating-system command output",
			"_SQL_AlwaysOnDiag_Shutdown.out": "DMV query output",
		} {
			if r := reasonOf(rep, suffix); !strings.Contains(r, reason) {
				t.Errorf("%s: reason %q, want %q", suffix, r, reason)
			}
		}
	})
}

// clusterCopies checks that each node's cluster log was read exactly once
// and every other copy is listed as a duplicate.
func clusterCopies(t *testing.T, rep *Report, why string) {
	t.Helper()
	read := map[string]int{}
	copies := 0
	for _, in := range rep.Inputs {
		base := filepath.Base(in.File)
		if !strings.HasSuffix(base, "_cluster.log") {
			continue
		}
		if in.Skipped == "" {
			read[base]++
			continue
		}
		copies++
		if !strings.Contains(in.Skipped, "duplicate") || !strings.Contains(in.Skipped, why) {
			t.Errorf("%s: %s", in.File, in.Skipped)
		}
	}
	for n, c := range read {
		if c != 1 {
			t.Errorf("%s read %d times", n, c)
		}
	}
	if len(read) > 0 && copies == 0 {
		t.Error("no duplicate listed")
	}
}

// TestConcatenatedTars reads a stream of two tar archives one after the
// other, as SQL LogScout writes its Agent-log .bz2 (here uncompressed).
func TestConcatenatedTars(t *testing.T) {
	var buf bytes.Buffer
	for _, name := range []string{"first/ERRORLOG", "second/ERRORLOG"} {
		tw := tar.NewWriter(&buf)
		data := exportgen.UTF16LE(goodLog)
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
		tw.Close()
		buf.Write(make([]byte, 10240-buf.Len()%10240)) // record padding, as tar(1) writes
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "two.tar")
	os.WriteFile(path, buf.Bytes(), 0o644)
	files, skipped := Collect([]string{path})
	if len(files) != 2 || len(skipped) != 0 {
		t.Fatalf("files %v, skipped %v", files, skipped)
	}
	rep, err := Analyze(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range rep.Inputs {
		if in.Events != 3 || in.Skipped != "" {
			t.Errorf("%s: %d events, skipped %q", in.File, in.Events, in.Skipped)
		}
	}
}

// TestHeadAndTail reads a collector's head-and-tail copy of a large ERRORLOG:
// both halves are read and the time between them is recorded as missing.
func TestHeadAndTail(t *testing.T) {
	var b strings.Builder
	b.WriteString("2024-03-12 02:14:00.00 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) \r\n")
	b.WriteString("2024-03-12 02:14:00.01 Server      UTC adjustment: -5:00\r\n")
	for i := 0; i < 498; i++ {
		b.WriteString("2024-03-12 02:15:00.00 spid51      Starting up database 'SalesDB'.\r\n")
	}
	// Add-Content writes "`r`n   <<... marker ...>>`r`n" after the head.
	b.WriteString("\r\n   <<... middle part of file not captured because the file is too large (>1 GB) ...>>\r\n\r\n")
	b.WriteString("2024-03-14 09:00:00.00 Server      The state of the local availability replica in availability group 'AG1' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired.  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.\r\n")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "output"), 0o755)
	path := filepath.Join(dir, "output", "SQLAG01_ERRORLOG.3_Head_and_Tail_Only")
	os.WriteFile(path, []byte(b.String()), 0o644) // ANSI, as Set-Content writes
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := rep.Inputs[0]
	if in.MissingMiddle == nil || in.MissingMiddle.From.Format("2006-01-02 15:04") != "2024-03-12 07:15" || in.MissingMiddle.To.Format("2006-01-02 15:04") != "2024-03-14 14:00" {
		t.Fatalf("missing middle %+v", in.MissingMiddle)
	}
	if in.Server != "SQLAG01" || in.AttributedBy != "file name" {
		t.Errorf("server %q by %q", in.Server, in.AttributedBy)
	}
	found := false
	for _, w := range in.Warnings {
		found = found || strings.Contains(w, "only the first and last 500 lines")
	}
	if !found {
		t.Errorf("no warning about the missing middle: %v", in.Warnings)
	}
	if gaps := strings.Join(rep.Gaps, "\n"); !strings.Contains(gaps, "holds only the first and last lines of a large log: nothing is known of SQLAG01 between 2024-03-12T07:15") {
		t.Errorf("the coverage gaps do not name the missing middle:\n%s", gaps)
	}
	var md strings.Builder
	if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "nothing is known of SQLAG01 between") {
		t.Error("the Markdown report does not show the missing middle")
	}
}

// checkSettings checks the AG settings read from the DMV outputs (and the
// cluster resource's timeouts when lease is set).
func checkSettings(t *testing.T, rep *Report, lease bool) {
	t.Helper()
	if len(rep.Settings) != 1 {
		t.Fatalf("settings %+v", rep.Settings)
	}
	s := rep.Settings[0]
	if s.AG != "AG1" || s.HealthCheckTimeoutMs != 30000 || s.FailureConditionLevel != 3 || len(s.Sources) == 0 {
		t.Errorf("settings %+v", s)
	}
	if lease && s.LeaseTimeoutMs != 20000 || !lease && s.LeaseTimeoutMs != 0 {
		t.Errorf("lease timeout %d ms", s.LeaseTimeoutMs)
	}
	want := []report.ReplicaSettings{
		{Replica: "SQLAG01", AvailabilityMode: "SYNCHRONOUS_COMMIT", FailoverMode: "AUTOMATIC", SessionTimeoutS: 10},
		{Replica: "SQLAG02", AvailabilityMode: "SYNCHRONOUS_COMMIT", FailoverMode: "AUTOMATIC", SessionTimeoutS: 10},
	}
	if len(s.Replicas) != 2 || s.Replicas[0] != want[0] || s.Replicas[1] != want[1] {
		t.Errorf("replicas %+v", s.Replicas)
	}
}

// TestSiblingWithClusterLog: a flat folder holding an instance's ERRORLOG
// (SQLAG01\PROD) and its node's cluster log (SQLAG01) still names one server
// for a file that states none.
func TestSiblingWithClusterLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "output")
	os.MkdirAll(dir, 0o755)
	named := strings.Replace(goodLog, "UTC adjustment: -5:00\r\n", "UTC adjustment: -5:00\r\n2024-03-12 02:14:00.02 spid9s      Server name is 'SQLAG01\\PROD'. This is an informational message only. No user action is required.\r\n", 1)
	os.WriteFile(filepath.Join(dir, "ERRORLOG"), exportgen.UTF16LE(named), 0o644)
	os.WriteFile(filepath.Join(dir, "ERRORLOG.1"), exportgen.UTF16LE(goodLog), 0o644)
	cl := replicaFiles(t, "cluster-lease-cpu")["SQLAG01"]["cluster.log"]
	os.WriteFile(filepath.Join(dir, "SQLAG01_cluster.log"), cl, 0o644)
	rep, err := AnalyzePaths([]string{filepath.Dir(dir)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range rep.Inputs {
		if in.Server != `SQLAG01\PROD` {
			t.Errorf("%s: server %q (%s)", in.File, in.Server, in.AttributedBy)
		}
		if strings.HasSuffix(in.File, "ERRORLOG.1") && in.AttributedBy != "sibling" {
			t.Errorf("ERRORLOG.1 attributed by %q", in.AttributedBy)
		}
	}
}

// TestTarBounds: a compressed tar member far beyond the ratio bound stops
// with the decompression-limit message, member names cannot climb out, and
// the events view reads archives again in order.
func TestTarBounds(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	big := append(exportgen.UTF16LE(goodLog), bytes.Repeat([]byte{' ', 0}, 32<<20)...)
	tw.WriteHeader(&tar.Header{Name: "../../etc/ERRORLOG", Mode: 0o644, Size: int64(len(big)), Typeflag: tar.TypeReg})
	tw.Write(big)
	tw.Close()
	gz.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "bomb.tgz")
	os.WriteFile(path, buf.Bytes(), 0o644)
	rep, err := AnalyzePaths([]string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var in, list report.Input
	for _, x := range rep.Inputs {
		switch x.File {
		case path + "/etc/ERRORLOG": // "../" cleaned away
			in = x
		case path:
			list = x
		}
	}
	if !strings.Contains(list.Skipped, "listing stopped after 1 members: compressed input exceeds the decompression limit") {
		t.Errorf("archive: %q", list.Skipped)
	}
	found := false
	for _, w := range in.Warnings {
		found = found || strings.Contains(w, "decompression limit")
	}
	if !found || in.Events == 0 {
		t.Errorf("events %d, warnings %v", in.Events, in.Warnings)
	}

	// The events view of the Linux collection: each archive member read
	// again, in order, after the analysis pass.
	files, _ := Collect([]string{filepath.Join("..", "testdata", "collections")})
	n := 0
	inputs, err := Events(files, Options{Workers: 2}, func(*parsers.Event) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, in := range inputs {
		total += in.Events
	}
	if n == 0 || n != total {
		t.Errorf("events view %d events, inputs say %d", n, total)
	}
}

// TestArchivesInZip: a tar inside a zip is read; a zip inside a zip is
// listed with what to do.
func TestArchivesInZip(t *testing.T) {
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	data := exportgen.UTF16LE(goodLog)
	tw.WriteHeader(&tar.Header{Name: "log/ERRORLOG", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write(data)
	tw.Close()
	gz.Close()
	var inner bytes.Buffer
	zi := zip.NewWriter(&inner)
	w, _ := zi.Create("ERRORLOG")
	w.Write(data)
	zi.Close()
	var outer bytes.Buffer
	zw := zip.NewWriter(&outer)
	w, _ = zw.Create("SQLAG01/logs.tar.gz")
	w.Write(tgz.Bytes())
	w, _ = zw.Create("SQLAG01/more.zip")
	w.Write(inner.Bytes())
	zw.Close()
	path := filepath.Join(t.TempDir(), "ticket.zip")
	os.WriteFile(path, outer.Bytes(), 0o644)
	rep, err := AnalyzePaths([]string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Input{}
	for _, in := range rep.Inputs {
		got[strings.TrimPrefix(in.File, path+"/")] = in
	}
	if in := got["SQLAG01/logs.tar.gz/log/ERRORLOG"]; in.Events != 3 || in.Skipped != "" {
		t.Errorf("tar member: %+v (inputs %v)", in, slices.Sorted(maps.Keys(got)))
	}
	if in := got["SQLAG01/more.zip"]; !strings.Contains(in.Skipped, "archive inside an archive") {
		t.Errorf("zip in zip: %q", in.Skipped)
	}
}
