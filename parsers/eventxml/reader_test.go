package eventxml

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/evtx"
)

var fixtures = filepath.Join("..", "..", "testdata", "eventlog")

func read(t *testing.T, data []byte, name string) ([]*parsers.Event, []*parsers.Warning, *Reader) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), name)
	var evs []*parsers.Event
	var ws []*parsers.Warning
	for ev, err := range r.Events() {
		var w *parsers.Warning
		switch {
		case errors.As(err, &w):
			ws = append(ws, w)
		case err != nil:
			t.Fatal(err)
		default:
			evs = append(evs, ev)
		}
	}
	return evs, ws, r
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestEventViewerExport reads Event Viewer's "Save All Events As… XML":
// UTF-8 with BOM, a declaration, one line of <Events>.
func TestEventViewerExport(t *testing.T) {
	data := fixture(t, "SQLNODE1_System_EventViewer.xml")
	if f := parsers.Detect(data[:min(len(data), parsers.SniffLen)]); f != parsers.FormatEventXML {
		t.Fatalf("detected as %q", f)
	}
	evs, ws, r := read(t, data, "System.xml")
	if len(ws) != 0 || len(evs) != 4 {
		t.Fatalf("%d events, warnings %v", len(evs), ws)
	}
	want := []struct {
		kind   parsers.Kind
		line   int
		at     string
		msg    string
		fields map[string]string
	}{
		{parsers.KindNodeRemoved, 2, "2024-03-14T07:17:20.1234567Z", "Cluster node 'SQLNODE2' was removed", map[string]string{"node": "SQLNODE2", "EventID": "1135", "Level": "Critical", "RecordID": "52231"}},
		{parsers.KindResourceFailed, 0, "2024-03-14T07:17:24.5Z", "Cluster resource 'AGSALES' of type 'SQL Server Availability Group' in clustered role 'AGSALES' failed.", map[string]string{"resource": "AGSALES", "role": "AGSALES", "RhsResult": "5942"}},
		{parsers.KindSQLServiceDown, 0, "2024-03-14T07:17:26Z", "The SQL Server (MSSQLSERVER) service terminated unexpectedly.", map[string]string{"service": "SQL Server (MSSQLSERVER)", "EventSourceName": "Service Control Manager", "Binary": "4D005300530051004C0053004500520056004500520000000000"}},
		{parsers.KindQuorumLost, 0, "2024-03-14T07:17:31Z", "The Cluster service is shutting down because quorum was lost.", nil},
	}
	for i, w := range want {
		ev := evs[i]
		at, _ := time.Parse(time.RFC3339Nano, w.at)
		if ev.Kind != w.kind || !ev.Time.Equal(at) || !strings.HasPrefix(ev.Message, w.msg) || ev.Server != "SQLNODE1" ||
			ev.Source != parsers.SourceEventLog || ev.Offset <= 0 || ev.Line != w.line {
			t.Errorf("event %d: %+v", i, ev)
		}
		for k, v := range w.fields {
			if ev.Field(k) != v {
				t.Errorf("event %d: %s = %q, want %q", i, k, ev.Field(k), v)
			}
		}
	}
	// Offsets point at each "<Event".
	for _, ev := range evs {
		if !bytes.HasPrefix(data[ev.Offset:], []byte("<Event ")) {
			t.Errorf("offset %d: %q", ev.Offset, data[ev.Offset:ev.Offset+10])
		}
	}
	if st := r.Stats(); st.Encoding != string(parsers.UTF8BOM) || st.Bytes != int64(len(data)) || st.Server != "SQLNODE1" || st.Records != 4 {
		t.Errorf("stats %+v", st)
	}
}

// TestWevtutilExport reads `wevtutil qe System /f:xml` redirected by Windows
// PowerShell: UTF-16LE with BOM, CRLF, no root element, a malformed event.
func TestWevtutilExport(t *testing.T) {
	data := fixture(t, "SQLNODE2_wevtutil_System.xml")
	if f := parsers.Detect(data[:min(len(data), parsers.SniffLen)]); f != parsers.FormatEventXML {
		t.Fatalf("detected as %q", f)
	}
	evs, ws, r := read(t, data, "System.xml")
	if len(evs) != 3 || len(ws) != 1 || ws[0].Line != 3 || !strings.Contains(ws[0].Msg, "malformed") {
		t.Fatalf("%d events, warnings %v", len(evs), ws)
	}
	if evs[0].Kind != parsers.KindNodeRemoved || evs[0].Field("node") != "SQLNODE1" || evs[0].Line != 1 || evs[0].Server != "SQLNODE2" {
		t.Errorf("1135: %+v", evs[0])
	}
	if evs[1].Kind != parsers.KindOSCrash || evs[1].Field("Data5") != "88119" || evs[1].Line != 2 {
		t.Errorf("6008: %+v", evs[1])
	}
	shut := evs[2]
	if shut.Kind != parsers.KindOSShutdown || shut.Line != 4 || shut.Field("param6") != "CU patching & reboot" ||
		!strings.Contains(shut.Message, `on behalf of user CONTOSO\dba1`) {
		t.Errorf("1074: %+v", shut)
	}
	// UTF-16: the offset is the raw byte offset of "<Event".
	for _, ev := range evs {
		if got := string(bytes.ReplaceAll(data[ev.Offset:ev.Offset+12], []byte{0}, nil)); got != "<Event" {
			t.Errorf("offset %d: %q", ev.Offset, got)
		}
	}
	if st := r.Stats(); st.Bytes != int64(len(data)) || st.Records != 4 || st.SkippedBytes <= 0 || st.Encoding != string(parsers.UTF16LE) {
		t.Errorf("stats %+v", st)
	}
}

// TestBadInput: cut files, over-long events and text around the events.
func TestBadInput(t *testing.T) {
	data := fixture(t, "SQLNODE1_System_EventViewer.xml")
	cut := data[:len(data)-300]
	evs, ws, _ := read(t, cut, "cut.xml")
	if len(evs) != 3 || len(ws) != 1 || !strings.Contains(ws[0].Msg, "truncated") {
		t.Errorf("cut: %d events, warnings %v", len(evs), ws)
	}
	big := "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><EventData><Data>" + strings.Repeat("x", MaxEvent) + "</Data></EventData></Event>\n"
	in := string(data) + "\nnoise\n" + big + "<Event xmlns='x'><System><Provider Name='A'/></System></Event>"
	evs, ws, r := read(t, []byte(in), "big.xml")
	if len(evs) != 4 || len(ws) != 3 {
		t.Fatalf("big: %d events, warnings %v", len(evs), ws)
	}
	if !strings.Contains(ws[0].Msg, "longer than") || !strings.Contains(ws[1].Msg, "without System/Provider or TimeCreated") || !strings.Contains(ws[2].Msg, "outside any <Event>") {
		t.Errorf("warnings %v", ws)
	}
	if cap(r.buf) > 2*MaxEvent {
		t.Errorf("buffer of %d bytes kept", cap(r.buf))
	}
}

// TestAgainstEvtx feeds the XML that libevtx's evtxexport prints for the
// corpus .evtx files (the shape of `wevtutil qe /f:xml`) to this reader:
// its events must equal the .evtx reader's, record by record.
func TestAgainstEvtx(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "evtx", "*.evtx"))
	if len(files) == 0 {
		t.Skip("no corpus .evtx files")
	}
	if _, err := exec.LookPath("evtxexport"); err != nil {
		t.Skip("evtxexport not installed (Debian package libevtx-utils)")
	}
	total := 0
	for _, file := range files {
		out, err := exec.Command("evtxexport", "-f", "xml", file).Output()
		if err != nil {
			t.Fatal(err)
		}
		out = out[bytes.Index(out, []byte("<Event")):] // after the version line
		got, ws, _ := read(t, out, "export.xml")
		if len(ws) != 0 {
			t.Errorf("%s: warnings %v", file, ws)
		}
		raw, _ := os.ReadFile(file)
		var want []*parsers.Event
		for ev, err := range evtx.NewReader(bytes.NewReader(raw), file).Events() {
			if err == nil {
				want = append(want, ev)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, .evtx reader %d", file, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if !g.Time.Equal(w.Time) || g.Process != w.Process || g.Kind != w.Kind || g.Server != w.Server ||
				g.Message != strings.ReplaceAll(w.Message, "\r\n", "\n") ||
				len(g.Fields) != len(w.Fields) {
				t.Fatalf("%s record %d:\n xml  %+v\n evtx %+v", file, i, g, w)
			}
			for j := range g.Fields {
				// encoding/xml reads CR LF as LF.
				if g.Fields[j].Name != w.Fields[j].Name || g.Fields[j].Value != strings.ReplaceAll(w.Fields[j].Value, "\r\n", "\n") {
					t.Fatalf("%s record %d field %d: %v, .evtx %v", file, i, j, g.Fields[j], w.Fields[j])
				}
			}
		}
		total += len(got)
	}
	t.Logf("%d events agree", total)
}
