package eventtext

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/evtexport"
	"github.com/agtriage/agtriage/internal/evtxwrite"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/evtx"
)

// generated is a System and an Application log of the events the table
// knows, written by the test-only .evtx writer.
func generated() []byte {
	at := time.Date(2024, 3, 14, 7, 17, 39, 0, time.UTC)
	w := &evtxwrite.Writer{}
	for _, e := range []evtxwrite.Event{
		evtxwrite.NodeRemoved(at, "SQLNODE1.contoso.local", "SQLNODE2"),
		evtxwrite.QuorumLost(at.Add(time.Second), "SQLNODE1.contoso.local"),
		evtxwrite.ResourceFailed(at.Add(2*time.Second), "SQLNODE1.contoso.local", "AGSALES", "AGSALES", "SQL Server Availability Group"),
		evtxwrite.RoleFailed(at.Add(3*time.Second), "SQLNODE1.contoso.local", "AGSALES"),
		evtxwrite.FailoverThreshold(at.Add(4*time.Second), "SQLNODE1.contoso.local", "AGSALES"),
		evtxwrite.ClusterHalted(at.Add(5*time.Second), "SQLNODE1.contoso.local"),
		evtxwrite.RHSTerminated(at.Add(6*time.Second), "SQLNODE1.contoso.local"),
		evtxwrite.ServiceTerminated(at.Add(7*time.Second), "SQLNODE1.contoso.local", "SQL Server (MSSQLSERVER)", 1),
		evtxwrite.ServiceTerminated(at.Add(8*time.Second), "SQLNODE1.contoso.local", "Cluster Service", 2),
		evtxwrite.ServiceTerminated(at.Add(9*time.Second), "SQLNODE1.contoso.local", "Print Spooler", 3),
		evtxwrite.UnexpectedShutdown(at.Add(20*time.Minute), "SQLNODE1.contoso.local", "2:31:07 AM", "3/14/2024"),
		evtxwrite.PlannedRestart(at.Add(21*time.Minute), "SQLNODE1.contoso.local", `C:\Windows\system32\winlogon.exe (SQLNODE1)`, `CONTOSO\dba1`, "Operating System: Upgrade (Planned)", "0x80020003", "patching"),
		evtxwrite.KernelPower41(at.Add(22*time.Minute), "SQLNODE1.contoso.local", 0),
		evtxwrite.SQLServer(at.Add(23*time.Minute), "SQLNODE1.contoso.local", "MSSQLSERVER", 19407, 16, 1, "AGSALES"),
		evtxwrite.Classic(at.Add(24*time.Minute), "SQLNODE1.contoso.local", "System", "Some Driver", 55, 0, 3, `value with "quotes", commas`, "first line\nsecond line"),
	} {
		w.Add(e)
	}
	return w.Bytes()
}

func nativeEvents(t testing.TB, data []byte) []*parsers.Event {
	t.Helper()
	var out []*parsers.Event
	for ev, err := range evtx.NewReader(bytes.NewReader(data), "native.evtx").Events() {
		if err != nil {
			var w *parsers.Warning
			if !asWarning(err, &w) {
				t.Fatal(err)
			}
			continue
		}
		e := *ev
		out = append(out, &e)
	}
	return out
}

func asWarning(err error, w **parsers.Warning) bool {
	x, ok := err.(*parsers.Warning)
	*w = x
	return ok
}

func read(t testing.TB, data []byte, name string) ([]*parsers.Event, *Reader) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), name)
	var out []*parsers.Event
	for ev, err := range r.Events() {
		if err != nil {
			if _, ok := err.(*parsers.Warning); !ok {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		out = append(out, ev)
	}
	return out, r
}

func field(ev *parsers.Event, name string) string {
	for _, f := range ev.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// key is what an export must keep of an event: everything but positions,
// data values and the time (compared apart).
func key(ev *parsers.Event, form string) string {
	lvl := field(ev, "Level")
	if form == "get-eventlog" && lvl == "Critical" {
		lvl = "Error" // the classic API has no Critical entry type
	}
	server := ev.Server
	if form == "logscout" || form == "eventviewer" {
		server = "" // no computer column: the file name tells the server
	}
	msg := strings.ReplaceAll(ev.Message, "\r\n", "\n")
	if form == "logscout" {
		// LogScout writes each message on one line.
		msg = strings.NewReplacer("\r", "", "\n", " ", "\t", " ").Replace(msg)
	}
	msg = strings.TrimSpace(msg)
	k := fmt.Sprintf("%s|%s|%s|%s|id=%s|lvl=%s|err=%d|rep=%s|ag=%s", ev.Kind, ev.Process, server, msg,
		field(ev, "EventID"), lvl, ev.Error, ev.Replica, ev.AG)
	for _, n := range []string{"node", "resource", "role", "service", "instance"} {
		k += "|" + n + "=" + field(ev, n)
	}
	return k
}

func testForms(t *testing.T, native []*parsers.Event) {
	if len(native) == 0 {
		t.Fatal("no native events")
	}
	t.Logf("%d events", len(native))
	recs := make([]evtexport.Record, len(native))
	for i, ev := range native {
		recs[i] = evtexport.FromEvent(ev)
	}
	offset := -5 * time.Hour
	for _, form := range evtexport.Forms {
		t.Run(form.Name, func(t *testing.T) {
			data := form.Write(recs, offset)
			if f := parsers.Detect(data[:min(len(data), parsers.SniffLen)]); f != parsers.FormatEventCSV && f != parsers.FormatEventText {
				t.Fatalf("detected as %q", f)
			}
			got, r := read(t, data, form.Name+".csv")
			if form.Name == "logscout" { // newest first
				for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
					got[i], got[j] = got[j], got[i]
				}
			}
			if len(got) != len(native) || r.Stats().Records != len(native) || r.Stats().Unrecognized != 0 {
				t.Fatalf("%d events (%d records, %d unrecognized), want %d", len(got), r.Stats().Records, r.Stats().Unrecognized, len(native))
			}
			for i, ev := range got {
				want := native[i]
				if kw, kg := key(want, form.Name), key(ev, form.Name); kw != kg {
					t.Errorf("event %d:\nnative %s\nexport %s", i, kw, kg)
				}
				local := want.Time.Add(offset).Truncate(form.Precision)
				if ev.Clock != parsers.ClockLocal || !ev.Local.Equal(local) || !ev.Time.Equal(local) {
					t.Errorf("event %d: clock %v local %v time %v, want local %v", i, ev.Clock, ev.Local, ev.Time, local)
				}
			}
		})
	}
}

// TestExportsEqualNative: every export form of a generated log yields the
// native reader's events.
func TestExportsEqualNative(t *testing.T) {
	native := nativeEvents(t, generated())
	kinds := map[parsers.Kind]bool{}
	for _, ev := range native {
		kinds[ev.Kind] = true
	}
	for _, k := range []parsers.Kind{parsers.KindNodeRemoved, parsers.KindQuorumLost, parsers.KindResourceFailed, parsers.KindSQLServiceDown, parsers.KindOSCrash, parsers.KindOSShutdown, parsers.KindLeaseExpired} {
		if !kinds[k] {
			t.Errorf("the generated log lacks %s", k)
		}
	}
	testForms(t, native)
}

// TestExportsEqualNativeCorpus does the same with the real .evtx samples.
func TestExportsEqualNativeCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/evtx/*.evtx")
	if len(files) == 0 {
		t.Skip("corpus not present (../shared/corpus/evtx)")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			testForms(t, nativeEvents(t, data))
		})
	}
}
