package analyzer

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/reporttest"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/redact"
	"github.com/agtriage/agtriage/analyzer/report"
)

// update rewrites the golden files: go test ./analyzer -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func mdRender(t testing.TB, r *Report, opt mdreport.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := mdreport.Write(&b, r, opt); err != nil {
		t.Fatalf("WriteMarkdown: %v", err)
	}
	return b.String()
}

func TestMarkdownStructure(t *testing.T) {
	md := mdRender(t, reporttest.Sample(), mdreport.Options{})
	// Incidents, failovers, connections, timeline, servers, inputs.
	if n := reporttest.CheckMarkdown(t, md); n != 6 {
		t.Errorf("got %d tables, want 6", n)
	}
	for _, hostile := range []string{"<script>", "</script>", "| x | y |", "<b>", "[link](http://evil)", "*bold*", "&amp; \\"} {
		for i, l := range reporttest.SplitFences(t, md) {
			if !l.InFence && strings.Contains(l.Text, hostile) {
				t.Errorf("hostile %q appears raw in prose line %d: %q", hostile, i+1, l.Text)
			}
		}
	}
	// Headings come in the documented order.
	want := []string{"# Always On incident report", "## Scope", "### Clocks", "## Summary", "## Incidents",
		"### Incident 2 — ", "### Incident 1 — ", "## Replica roles", "## Failovers", "## Replica connection windows",
		"## Timeline", "## Coverage and warnings", "### Servers", "### Input files", "### Skipped files", "### Gaps", "### Warnings"}
	pos := 0
	for _, h := range want {
		i := strings.Index(md[pos:], "\n"+h)
		if i < 0 && pos == 0 && strings.HasPrefix(md, h) {
			continue
		}
		if i < 0 {
			t.Fatalf("heading %q missing or out of order", h)
		}
		pos += i + 1
	}
}

func TestMarkdownContent(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	md := mdRender(t, reporttest.Sample(), mdreport.Options{TZ: berlin})
	for _, want := range []string{
		"- SQLAG02\\\\INST2: UTC offset +02:00 inferred from 6 matching ERRORLOG/XEvent events.",
		"- SQLAG01: UTC offset +01:00 read from the ERRORLOG \"UTC adjustment\" line.",
		"- SQLAG03: **clock unknown**",
		"**Warning:** at least one server's clock is unknown",
		"- **Covered:** 2024-03-14 02:10:00 UTC – 2024-03-14 02:50:00 UTC (40 min); 2024-03-14 03:10:00 CET – 2024-03-14 03:50:00 CET",
		// Worst first: incident 2 (severity 90) before incident 1.
		"1. **Incident 2 — WSFC cluster outage** (2024-03-14 02:14:05 UTC, 4 min 12 s): AGProd was unavailable",
		"2. **Incident 1 — Endpoint handshake failure** (2024-03-14 02:30:00 UTC, 15 min 30 s)",
		"| 2 | 2024-03-14 02:14:05.120 | 2024-03-14 03:14:05 CET | 4 min 12 s | WSFC cluster outage |",
		"### Incident 2 — WSFC outage on SQLAG01 &lt;b&gt;lease&lt;/b&gt; \\| expired \\#",
		"1. 02:14:05.120 UTC — SQLAG01 — WSFC lost quorum (41092)",
		"Step 1 · `bundle/SQLAG01/ERRORLOG:812` · SQLAG01 · 2024-03-14 02:30:00.000 (×141 until 02:45:30)",
		"Step 2 · `bundle/SQLAG01/AlwaysOn_health_0_133.xml@20480` · SQLAG01 · 2024-03-14 02:14:15.100 (×3)",
		"```sql\nUSE [master];\nGRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\\svc_sqlag02];\n```",
		"2. Check that SQLAG02\\\\INST2 reconnects (35202).",
		"**Confidence:** likely — the cluster log was not collected",
		"**Confidence:** certain — error 28048 names the login and State 84",
		"| not reconnected |",
		"(12 more left out)",
		"| bundle/SQLAG03/ERRORLOG | errorlog | Windows-1252 | SQLAG03 (from the folder name) | 2024-03-14 02:12:00.000 – 2024-03-14 02:48:00.000 (local clock) |",
		"- `bundle/SQLAG03/system_health_0.xel`: binary XEvent file, not supported yet: export it to XML",
		"- `bundle/node-b/SQLAG02_ERRORLOG.txt`: … and 2 more warnings",
		"2024-03-14 02:16:00.000 (local clock)",
		"| (×3) Error: 19407 &lt;script&gt;",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestMarkdownEvidenceQuoted checks that a hostile evidence text comes out of
// its fenced block byte for byte: the fence is longer than its backtick runs.
func TestMarkdownEvidenceQuoted(t *testing.T) {
	md := mdRender(t, reporttest.Sample(), mdreport.Options{})
	var blocks []string
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		n := reporttest.LongestPrefix(lines[i], '`')
		if n < 3 || lines[i][n:] != "text" {
			continue
		}
		var body []string
		for i++; i < len(lines) && lines[i] != lines[i-len(body)-1][:n]; i++ {
			body = append(body, lines[i])
		}
		blocks = append(blocks, strings.Join(body, "\n"))
	}
	if len(blocks) != 3 {
		t.Fatalf("got %d evidence blocks, want 3", len(blocks))
	}
	if blocks[1] != reporttest.HostileText {
		t.Errorf("hostile evidence not quoted verbatim:\n got %q\nwant %q", blocks[1], reporttest.HostileText)
	}
}

var mdGanttTaskLine = regexp.MustCompile(`^    ([^:;#]+) :((?:active|done|crit|milestone), )*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d), (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$`)

func TestMarkdownGantt(t *testing.T) {
	md := mdRender(t, reporttest.Sample(), mdreport.Options{})
	start := strings.Index(md, "```mermaid\n")
	if start < 0 {
		t.Fatal("no mermaid block")
	}
	body := md[start+len("```mermaid\n"):]
	body = body[:strings.Index(body, "\n```")]
	lines := strings.Split(body, "\n")
	if lines[0] != "gantt" {
		t.Fatalf("first line %q, want gantt", lines[0])
	}
	tasks, sections := 0, 0
	for _, l := range lines[1:] {
		switch {
		case l == "    dateFormat YYYY-MM-DDTHH:mm:ss", l == "    axisFormat %H:%M", l == "    todayMarker off",
			strings.HasPrefix(l, "    title "):
		case strings.HasPrefix(l, "    section "):
			sections++
			if strings.ContainsAny(l[len("    section "):], ":;#") {
				t.Errorf("section name not sanitized: %q", l)
			}
		default:
			m := mdGanttTaskLine.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("not a task line: %q", l)
				continue
			}
			tasks++
			s, _ := time.Parse("2006-01-02T15:04:05", m[3])
			e, _ := time.Parse("2006-01-02T15:04:05", m[4])
			if !e.After(s) {
				t.Errorf("task without visible length: %q", l)
			}
		}
	}
	// 8 role spans + 2 incidents; sections: two replicas + incidents.
	if tasks != 10 || sections != 3 {
		t.Errorf("got %d tasks in %d sections, want 10 in 3", tasks, sections)
	}
	// The 200 ms RESOLVING blip is widened to a second; the open span ends at the report's end.
	for _, want := range []string{
		"    resolving :crit, 2024-03-14T02:14:15, 2024-03-14T02:14:16",
		"    primary :active, 2024-03-14T02:25:00, 2024-03-14T02:50:00",
		"    section AGProd - SQLAG02\\INST2",
		"    Incident 2 WSFC cluster outage :crit, 2024-03-14T02:14:05, 2024-03-14T02:18:18",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("gantt lacks %q", want)
		}
	}

	r := reporttest.Sample()
	r.Roles = nil
	if md := mdRender(t, r, mdreport.Options{}); strings.Contains(md, "mermaid") {
		t.Error("chart written without roles")
	}
}

func TestMarkdownNoIncident(t *testing.T) {
	r := reporttest.Sample()
	r.Incidents = nil
	md := mdRender(t, r, mdreport.Options{})
	reporttest.CheckMarkdown(t, md)
	want := "No incident found. Checked 2015 events from 5 input files of 3 servers between 2024-03-14 02:10:00 UTC and 2024-03-14 02:50:00 UTC for WSFC cluster outages"
	if !strings.Contains(md, want) {
		t.Errorf("report lacks %q", want)
	}
	if strings.Contains(md, "## Incidents") {
		t.Error("incident table written without incidents")
	}

	// An empty report still renders every mandatory part.
	md = mdRender(t, &Report{}, mdreport.Options{})
	reporttest.CheckMarkdown(t, md)
	for _, want := range []string{"# Always On incident report", "No events were read", "No warnings."} {
		if !strings.Contains(md, want) {
			t.Errorf("empty report lacks %q", want)
		}
	}
	if strings.Contains(md, "No incident found") {
		t.Error("a report without events says \"No incident found\"")
	}

	// A report whose only input was skipped says what was not read.
	md = mdRender(t, &Report{Inputs: []report.Input{{File: "results.csv", Skipped: "tab-separated query results with columns a, b"}}}, mdreport.Options{})
	if !strings.Contains(md, "Not read: `results.csv`: tab-separated query results") || strings.Contains(md, "No incident found") {
		t.Errorf("summary of a skipped-only report:\n%s", md)
	}
}

func TestMarkdownErrors(t *testing.T) {
	if err := mdreport.Write(&bytes.Buffer{}, nil, mdreport.Options{}); err == nil {
		t.Error("nil report accepted")
	}
	fail := errors.New("disk full")
	err := mdreport.Write(mdFailWriter{fail}, reporttest.Sample(), mdreport.Options{})
	if !errors.Is(err, fail) {
		t.Errorf("got %v, want the writer's error", err)
	}
}

type mdFailWriter struct{ err error }

func (f mdFailWriter) Write([]byte) (int, error) { return 0, f.err }

// CheckGolden compares got with testdata/golden/<name>.md, or rewrites the
// file when the test runs with -update. Scenario tests use it for their
// reports.
func CheckGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name+".md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analyzer -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\n got %q\nwant %q\n(run with -update if the change is intended)", path, i+1, g, w)
			}
		}
	}
}

// GoldenMarkdown renders r and compares it with the golden file name.
func GoldenMarkdown(t *testing.T, name string, r *Report, opt mdreport.Options) {
	t.Helper()
	md := mdRender(t, r, opt)
	reporttest.CheckMarkdown(t, md)
	CheckGolden(t, name, []byte(md))
}

func TestMarkdownGolden(t *testing.T) {
	GoldenMarkdown(t, "markdown_sample", reporttest.Sample(), mdreport.Options{TZ: time.FixedZone("CET", 3600)})
	GoldenMarkdown(t, "markdown_sample_redacted", redact.Report(reporttest.Sample(), redact.Options{}), mdreport.Options{})
	GoldenMarkdown(t, "markdown_empty", &Report{Tool: "agtriage test"}, mdreport.Options{})
}

func FuzzWriteMarkdown(f *testing.F) {
	f.Add(reporttest.HostileText, "SQLAG01", "file.log")
	f.Add("````\n```", "a|b", "x`y")
	f.Add("1. <b>x</b>\r\n# y", "#s;:", "\\")
	f.Fuzz(func(t *testing.T, text, server, file string) {
		r := reporttest.Sample()
		in := &r.Incidents[1]
		in.Title = text
		in.RootCause = text
		in.Chain[1].Text = text
		in.Chain[1].Server = server
		in.Chain[1].Evidence[1].Text = text
		in.Chain[1].Evidence[1].File = file
		in.Fix.SQL = []string{text}
		r.Timeline[1].Text = text
		r.Timeline[1].Server = server
		r.Timeline[1].Position = file
		r.Roles[0].Server = server
		r.Roles[0].AG = text
		r.Failovers[0].Trigger = text
		r.Inputs[0].File = file
		r.Gaps = []string{text}
		var b bytes.Buffer
		if err := mdreport.Write(&b, r, mdreport.Options{}); err != nil {
			t.Fatal(err)
		}
		md := b.String()
		reporttest.CheckMarkdown(t, md)
		if strings.Contains(md, "```mermaid") {
			body := md[strings.Index(md, "```mermaid\n")+11:]
			body = body[:strings.Index(body, "\n```")]
			for _, l := range strings.Split(body, "\n")[1:] {
				if strings.HasPrefix(l, "    section ") || strings.HasPrefix(l, "    title ") ||
					strings.HasPrefix(l, "    dateFormat") || strings.HasPrefix(l, "    axisFormat") || l == "    todayMarker off" {
					continue
				}
				if !mdGanttTaskLine.MatchString(l) {
					t.Errorf("bad gantt line %q", l)
				}
			}
		}
	})
}

func BenchmarkWriteMarkdown(b *testing.B) {
	r := reporttest.Big(5000)
	var buf bytes.Buffer
	if err := mdreport.Write(&buf, r, mdreport.Options{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := mdreport.Write(&buf, r, mdreport.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
