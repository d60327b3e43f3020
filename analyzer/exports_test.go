package analyzer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/internal/exportgen"
	"github.com/agtriage/agtriage/parsers"
)

// exportFormats are the ways a DBA hands over an error log instead of the file.
var exportFormats = []struct {
	name    string
	seconds bool // drops fractions of a second
	write   func(recs []exportgen.Record, server string) []byte
}{
	{"ssms-desc-utf16", true, func(r []exportgen.Record, _ string) []byte { return exportgen.UTF16LE(exportgen.SSMS(r, true, false)) }},
	{"ssms10-asc-utf8", true, func(r []exportgen.Record, _ string) []byte {
		return []byte("\xef\xbb\xbf" + exportgen.SSMS(r, false, true))
	}},
	{"xp-csv-desc", false, func(r []exportgen.Record, _ string) []byte { return []byte(exportgen.XPCSV(r, true)) }},
	{"xp-tsv-asc", false, func(r []exportgen.Record, _ string) []byte { return []byte(exportgen.XPTSV(r, false)) }},
	{"xp-text-desc", false, func(r []exportgen.Record, _ string) []byte { return []byte(exportgen.XPText(r, true)) }},
	{"dbatools-en", true, func(r []exportgen.Record, s string) []byte { return []byte(exportgen.Dbatools(r, false, "en-US", s)) }},
}

// exportBundle copies a scenario folder, replacing every ERRORLOG by its
// export (named as a DBA would save it).
func exportBundle(t *testing.T, src string, write func([]exportgen.Record, string) []byte) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Base(path) == "expected.json" {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToUpper(filepath.Base(path)), "ERRORLOG") {
			recs, err := exportgen.Parse(data)
			if err != nil {
				return err
			}
			data = write(recs, filepath.Base(filepath.Dir(path)))
			rel = filepath.Join(filepath.Dir(rel), strings.ReplaceAll(filepath.Base(rel), ".", "_")+"_export.csv")
		}
		out := filepath.Join(dst, rel)
		os.MkdirAll(filepath.Dir(out), 0o755)
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestExportBundles replaces the ERRORLOGs of scenario bundles by each export
// format: the analysis must find the same incidents and failovers, read every
// file without warnings and set the same clocks.
func TestExportBundles(t *testing.T) {
	for _, name := range []string{"lease-timeout-stall", "manual-failover", "wsfc-outage-failover-connect", "linux-8bit", "forced-failover"} {
		src := filepath.Join("..", "testdata", "scenarios", name)
		raw, err := os.ReadFile(filepath.Join(src, "expected.json"))
		if err != nil {
			t.Fatal(err)
		}
		var want expectation
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		for _, ef := range exportFormats {
			t.Run(name+"/"+ef.name, func(t *testing.T) {
				dir := exportBundle(t, src, ef.write)
				rep := analyzeDir(t, dir)
				exports := 0
				for _, in := range rep.Inputs {
					if parsers.IsErrorlogExport(parsers.Format(in.Format)) && in.Events > 0 {
						exports++
					}
					if in.Skipped != "" || in.Unrecognized > 0 || in.TotalWarnings > 0 {
						t.Errorf("input %s: skipped %q, %d unrecognized, %d warnings %v", in.File, in.Skipped, in.Unrecognized, in.TotalWarnings, in.Warnings)
					}
				}
				if exports < 2 {
					t.Errorf("%d export files read: %+v", exports, rep.Inputs)
				}
				checkIncidents(t, rep, want)
				checkFailovers(t, rep, want)
				for srv, method := range want.Clocks {
					for _, s := range rep.Servers {
						if strings.EqualFold(words.HostPart(s.Name), srv) && string(s.Clock) != method {
							t.Errorf("server %s clock %q, want %q", s.Name, s.Clock, method)
						}
					}
				}
			})
		}
	}
}

// TestExportEventsView checks `--format events` of an exported bundle against
// the native one: the same events, positions aside (whole seconds for the
// formats without fractions).
func TestExportEventsView(t *testing.T) {
	src := filepath.Join("..", "testdata", "scenarios", "wsfc-outage-failover-connect")
	native := eventsView(t, src, false)
	if len(native) < 100 {
		t.Fatalf("only %d native events", len(native))
	}
	for _, ef := range exportFormats {
		got := eventsView(t, exportBundle(t, src, ef.write), ef.seconds)
		want := native
		if ef.seconds {
			want = eventsView(t, exportBundle(t, src, func(r []exportgen.Record, _ string) []byte {
				return []byte(exportgen.Native(r, true))
			}), true)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d events, native %d", ef.name, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: event differs:\n got %s\nwant %s", ef.name, got[i], want[i])
				break
			}
		}
	}
}

func eventsView(t *testing.T, dir string, seconds bool) []string {
	t.Helper()
	files, _ := Collect([]string{dir})
	var out []string
	_, err := Events(files, Options{}, func(ev *parsers.Event) error {
		tm := ev.Time
		if seconds && ev.Source == parsers.SourceErrorlog {
			tm = tm.Truncate(time.Second)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %d %s %s %s>%s %q", tm.Format(time.RFC3339Nano), ev.Server, ev.Source, ev.Kind,
			ev.Error, ev.AG, ev.Replica, ev.From, ev.To, ev.Message))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestNoSilentMisreads: tabular query results, spreadsheets and text that
// only looks like an ERRORLOG are listed as skipped with what they look like,
// never analyzed as logs without events; exports are read, in either order,
// without false clock warnings.
func TestNoSilentMisreads(t *testing.T) {
	recs, err := exportgen.Parse([]byte(goodLog))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, data string
		skipped          string // substring of the skip reason; "" = read
	}{
		{"xp_readerrorlog csv descending", "xp.csv", exportgen.XPCSV(recs, true), ""},
		{"ssms export utf-16", "export.log", string(exportgen.UTF16LE(exportgen.SSMS(recs, true, false))), ""},
		{"ssms export without its header", "rows.txt", strings.SplitN(exportgen.SSMS(recs, true, false), "\n", 2)[1], ""},
		{"ssms 10-column export without its header", "rows10.txt", strings.SplitN(exportgen.SSMS(recs, false, true), "\n", 2)[1], ""},
		{"xevent results shredded to columns", "xe.tsv",
			"timestamp_utc\tobject_name\tprevious_state\tcurrent_state\r\n2024-03-12 07:14:03.0310000\tavailability_replica_state_change\tPRIMARY_NORMAL\tRESOLVING_NORMAL\r\n",
			"tab-separated query results with columns timestamp_utc, object_name, previous_state, current_state"},
		{"sp_server_diagnostics csv", "diag.csv",
			"create_time,component_type,component_name,state,state_desc,data\r\n2024-03-12 07:14:03.030,sp_server_diagnostics,system,1,clean,<system spinlockBackoffs=\"0\"/>\r\n",
			"comma-separated text (a spreadsheet or query results saved as CSV) with columns create_time, component_type"},
		{"spreadsheet", "notes.csv", "Server,Date,Note\r\nSQLAG01,2024-03-12,failover at night\r\n", "with columns Server, Date, Note"},
		{"results to text of another query", "ag.rpt",
			"group_name   replica_server_name   role_desc\r\n------------ --------------------- ---------\r\nAG1          SQLAG01               PRIMARY\r\n",
			"query results saved as text with columns group_name, replica_server_name, role_desc"},
		{"7-digit fractions", "dump.log",
			"2024-03-12 07:14:03.0310000 SQLAG01 state change\r\n2024-03-12 07:14:04.0310000 SQLAG01 state change\r\n",
			"starts like an ERRORLOG, but none of its 2 lines could be read"},
		{"agent log under another name", "agent.txt",
			"2024-10-08 00:00:05 - ? [100] Microsoft SQLServerAgent version 15.0.4322.2 (X64 unicode retail build) : Process ID 4120\r\n" +
				"2024-10-08 00:00:06 - ! [298] SQLServer Error: 10054, TCP Provider: An existing connection was forcibly closed by the remote host. [SQLSTATE 08S01]\r\n",
			"SQL Server Agent log"},
		{"xp_readerrorlog of the Agent log", "agent_results.tsv",
			"LogDate\tErrorLevel\tText\r\n2024-10-08 00:00:05.000\t3\t[100] Microsoft SQLServerAgent version 15.0.4322.2\r\n",
			"SQL Server Agent log"},
		{"ssms export header only", "empty_export.log", "Date,Source,Severity,Message\r\nnothing here\r\n",
			"looks like an SSMS Log File Viewer export but no row could be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := AnalyzePaths([]string{path}, Options{})
			if rep == nil || (err != nil) != (tc.skipped != "") {
				t.Fatalf("report %v, error %v", rep != nil, err)
			}
			in := rep.Inputs[0]
			var md strings.Builder
			if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
				t.Fatal(err)
			}
			if tc.skipped == "" {
				if in.Skipped != "" || in.Events == 0 || in.TotalWarnings > 0 {
					t.Errorf("not read cleanly: %+v", in)
				}
				return
			}
			if !strings.Contains(in.Skipped, tc.skipped) {
				t.Errorf("skipped %q, want %q", in.Skipped, tc.skipped)
			}
			if in.Ignored != strings.Contains(tc.skipped, "Agent") {
				t.Errorf("ignored = %v: only known non-logs are ignored", in.Ignored)
			}
			if strings.Contains(md.String(), "No incident found") || !strings.Contains(md.String(), "No events were read") {
				t.Errorf("summary claims a result without events:\n%s", md.String())
			}
		})
	}
}
