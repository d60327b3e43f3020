package analyzer

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// update rewrites the golden files: go test ./analyzer -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// mdHostileText is a log line that tries every way to break the Markdown.
const mdHostileText = "Error: 19407 <script>alert(1)</script> | x | y | ``` `rm -rf` *bold* _it_ [link](http://evil) & &amp; \\ \n# heading\n- item\n```\nend"

func mdTime(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// mdSampleReport is a realistic hand-built report: three replicas (one with an
// unknown clock), two incidents, failovers, connection windows, roles with a
// sub-second RESOLVING blip, a timeline and coverage with a skipped file.
func mdSampleReport() *Report {
	lease := "The lease between availability group 'AGProd' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster."
	handshake := "Database Mirroring login attempt by user 'CONTOSO\\svc_sqlag02.' failed with error: 'Connection handshake failed. The login 'CONTOSO\\svc_sqlag02' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.20.1.12]"
	return &Report{
		Tool:      "agtriage test",
		Start:     mdTime("2024-03-14 02:10:00.000"),
		End:       mdTime("2024-03-14 02:50:00.000"),
		AGs:       []string{"AGProd"},
		Databases: []string{"SalesDB", "Inventory"},
		Servers: []Server{
			{Name: "SQLAG01", Aliases: []string{"sqlag01.contoso.local"}, Clock: ClockErrorlog, UTCOffset: "+01:00",
				ServiceAccount: "CONTOSO\\svc_sqlag", Addresses: []string{"10.20.1.11"},
				Files: []string{"bundle/SQLAG01/ERRORLOG", "bundle/SQLAG01/AlwaysOn_health_0_133.xml"},
				Start: mdTime("2024-03-14 02:10:00.000"), End: mdTime("2024-03-14 02:50:00.000"), Restarts: 0},
			{Name: "SQLAG02\\INST2", Aliases: []string{"SQLAG02", "node-b"}, Clock: ClockInferred, UTCOffset: "+02:00",
				ClockDetail: "6 matching ERRORLOG/XEvent events", ServiceAccount: "CONTOSO\\svc_sqlag02",
				Addresses: []string{"10.20.1.12", "fe80::20c:29ff:fe12:3456"},
				Files:     []string{"bundle/node-b/SQLAG02_ERRORLOG.txt"},
				Start:     mdTime("2024-03-14 02:11:00.000"), End: mdTime("2024-03-14 02:49:00.000"), Restarts: 1},
			{Name: "SQLAG03", Clock: ClockUnknown, Files: []string{"bundle/SQLAG03/ERRORLOG"},
				Start: mdTime("2024-03-14 02:12:00.000"), End: mdTime("2024-03-14 02:48:00.000")},
		},
		Inputs: []Input{
			{File: "bundle/SQLAG01/ERRORLOG", Format: "errorlog", Encoding: "UTF-16LE", Server: "SQLAG01", AttributedBy: "log",
				Bytes: 182044, Lines: 1200, Events: 1180, Unrecognized: 3, Start: mdTime("2024-03-14 02:10:00.000"), End: mdTime("2024-03-14 02:50:00.000")},
			{File: "bundle/SQLAG01/AlwaysOn_health_0_133.xml", Format: "xevent", Encoding: "UTF-8", Server: "SQLAG01", AttributedBy: "folder",
				Bytes: 40960, Events: 85, Start: mdTime("2024-03-14 02:10:02.000"), End: mdTime("2024-03-14 02:49:58.000")},
			{File: "bundle/node-b/SQLAG02_ERRORLOG.txt", Format: "errorlog", Encoding: "UTF-8", Server: "SQLAG02\\INST2", AttributedBy: "log",
				Bytes: 90000, Lines: 700, Events: 690, Unrecognized: 1, SkippedBytes: 17000, Start: mdTime("2024-03-14 02:11:00.000"),
				End: mdTime("2024-03-14 02:49:00.000"), Warnings: []string{"line 311: line longer than 1 MiB, 17000 bytes skipped"}, TotalWarnings: 3},
			{File: "bundle/SQLAG03/ERRORLOG", Format: "errorlog", Encoding: "Windows-1252", Server: "SQLAG03", AttributedBy: "folder",
				Bytes: 5000, Lines: 60, Events: 60, LocalClock: true, Start: mdTime("2024-03-14 02:12:00.000"), End: mdTime("2024-03-14 02:48:00.000")},
			{File: "bundle/SQLAG03/system_health_0.xel", Format: "xel", Bytes: 1 << 20,
				Skipped: "binary XEvent file, not supported yet: export it to XML"},
		},
		Incidents: []Incident{
			{ID: 1, Category: CatEndpointHandshake, Title: "SQLAG01 cannot connect to SQLAG02\\INST2: missing CONNECT permission",
				Start: mdTime("2024-03-14 02:30:00.000"), End: mdTime("2024-03-14 02:45:30.000"), Duration: 930,
				AGs: []string{"AGProd"}, Servers: []string{"SQLAG01", "SQLAG02\\INST2"}, Databases: []string{"SalesDB"},
				RootCause: "The login CONTOSO\\svc_sqlag02 has no CONNECT permission on the mirroring endpoint of SQLAG01.",
				Summary:   "SQLAG02\\INST2 could not reconnect to the primary for 15 min because its service account lacks permission.",
				Chain: []Step{
					{Time: mdTime("2024-03-14 02:30:00.000"), Server: "SQLAG01", Text: "Handshake from 10.20.1.12 refused: State 84",
						Evidence: []Evidence{{File: "bundle/SQLAG01/ERRORLOG", Line: 812, Server: "SQLAG01", Time: mdTime("2024-03-14 02:30:00.000"),
							Count: 141, Last: mdTime("2024-03-14 02:45:30.000"), Text: handshake}}},
					{Time: mdTime("2024-03-14 02:30:01.250"), Server: "SQLAG02\\INST2", Text: "Connection to SQLAG01 timed out (35201)"},
				},
				Fix: Fix{
					SQL:   []string{"USE [master];\nGRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\\svc_sqlag02];"},
					Steps: []string{"Run the GRANT on SQLAG01.", "Check that SQLAG02\\INST2 reconnects (35202)."},
				},
				Confidence: Certain, ConfidenceReason: "error 28048 names the login and State 84",
				Rules: []string{"endpoint_connect_permission"}, Severity: 70},
			{ID: 2, Category: CatClusterOutage, Title: "WSFC outage on SQLAG01 <b>lease</b> | expired #",
				Start: mdTime("2024-03-14 02:14:05.120"), End: mdTime("2024-03-14 02:18:17.500"), Duration: 252.38,
				AGs: []string{"AGProd"}, Servers: []string{"SQLAG01", "SQLAG02\\INST2"}, Databases: []string{"SalesDB", "Inventory"},
				RootCause: "The cluster service on SQLAG01 lost quorum; the AG lease expired and AGProd failed over to SQLAG02\\INST2.",
				Summary:   "AGProd was unavailable for about 4 minutes after the cluster on SQLAG01 lost quorum.",
				Chain: []Step{
					{Time: mdTime("2024-03-14 02:14:05.120"), Server: "SQLAG01", Text: "WSFC lost quorum (41092)"},
					{Time: mdTime("2024-03-14 02:14:15.000"), Server: "SQLAG01", Text: "Lease expired: " + mdHostileText,
						Evidence: []Evidence{
							{File: "bundle/SQLAG01/ERRORLOG", Line: 455, Server: "SQLAG01", Time: mdTime("2024-03-14 02:14:15.000"), Text: lease},
							{File: "bundle/SQLAG01/AlwaysOn_health_0_133.xml", Offset: 20480, Server: "SQLAG01", Time: mdTime("2024-03-14 02:14:15.100"),
								Count: 3, Text: mdHostileText},
						}},
					{Time: mdTime("2024-03-14 02:14:20.500"), Server: "SQLAG02\\INST2", Text: "Became PRIMARY"},
				},
				Fix:        Fix{Steps: []string{"Check the cluster log of SQLAG01 (Get-ClusterLog) around 02:14.", "Review the quorum witness."}},
				Confidence: Likely, ConfidenceReason: "the cluster log was not collected", Rules: []string{"cluster_outage", "lease_expiry"},
				Severity: 90},
		},
		Failovers: []Failover{
			{AG: "AGProd", From: "SQLAG01", To: "SQLAG02\\INST2", At: mdTime("2024-03-14 02:14:20.500"), Mode: ModeAutomatic,
				Trigger: "lease expired | cluster <down>", IncidentID: 2},
			{AG: "AGProd", From: "SQLAG02\\INST2", To: "SQLAG01", At: mdTime("2024-03-14 02:25:00.000"), Mode: ModeManual,
				Trigger: "ALTER AVAILABILITY GROUP [AGProd] FAILOVER"},
		},
		Connections: []ConnectionWindow{
			{AG: "AGProd", Server: "SQLAG02\\INST2", Partner: "SQLAG01", Start: mdTime("2024-03-14 02:30:00.000"), End: mdTime("2024-03-14 02:45:30.000"),
				Databases: []string{"SalesDB"}, Cause: "endpoint handshake failure (State 84)"},
			{AG: "AGProd", Server: "SQLAG01", Partner: "SQLAG03", Start: mdTime("2024-03-14 02:40:00.000")},
		},
		Roles: []RoleSpan{
			{AG: "AGProd", Server: "SQLAG01", Role: RolePrimary, Start: mdTime("2024-03-14 02:10:00.000"), End: mdTime("2024-03-14 02:14:15.000")},
			{AG: "AGProd", Server: "SQLAG01", Role: RoleResolving, Start: mdTime("2024-03-14 02:14:15.000"), End: mdTime("2024-03-14 02:14:15.200")},
			{AG: "AGProd", Server: "SQLAG01", Role: RoleDown, Start: mdTime("2024-03-14 02:14:15.200"), End: mdTime("2024-03-14 02:18:00.000")},
			{AG: "AGProd", Server: "SQLAG01", Role: RoleSecondary, Start: mdTime("2024-03-14 02:18:00.000"), End: mdTime("2024-03-14 02:25:00.000")},
			{AG: "AGProd", Server: "SQLAG01", Role: RolePrimary, Start: mdTime("2024-03-14 02:25:00.000")},
			{AG: "AGProd", Server: "SQLAG02\\INST2", Role: RoleSecondary, Start: mdTime("2024-03-14 02:10:00.000"), End: mdTime("2024-03-14 02:14:20.500")},
			{AG: "AGProd", Server: "SQLAG02\\INST2", Role: RolePrimary, Start: mdTime("2024-03-14 02:14:20.500"), End: mdTime("2024-03-14 02:25:00.000")},
			{AG: "AGProd", Server: "SQLAG02\\INST2", Role: RoleSecondary, Start: mdTime("2024-03-14 02:25:00.000"), End: mdTime("2024-03-14 02:50:00.000")},
		},
		Timeline: []TimelineEntry{
			{Time: mdTime("2024-03-14 02:14:05.120"), Server: "SQLAG01", Kind: "quorum_lost", Error: 41092, Text: "The availability group manager is shutting down. [CLIENT: 10.20.1.11]",
				Position: "bundle/SQLAG01/ERRORLOG:450", Incident: 2},
			{Time: mdTime("2024-03-14 02:14:15.000"), Server: "SQLAG01", Kind: "lease_expired", Error: 19407, Text: mdHostileText, Count: 3,
				Position: "bundle/SQLAG01/ERRORLOG:455", Incident: 2},
			{Time: mdTime("2024-03-14 02:16:00.000"), Local: true, Server: "SQLAG03", Kind: "login_failed", Error: 18456,
				Text: "Login failed for user 'appuser'. Reason: Failed to open the explicitly specified database 'SalesDB'. [CLIENT: 10.20.5.77]", Position: "bundle/SQLAG03/ERRORLOG:77"},
			{Time: mdTime("2024-03-14 02:30:00.000"), Server: "SQLAG01", Kind: "handshake_failure", Error: 28048, Text: handshake, Count: 141,
				Position: "bundle/SQLAG01/ERRORLOG:812", Incident: 1},
			{Time: mdTime("2024-03-14 02:30:01.250"), Server: "SQLAG02\\INST2", Kind: "connection_timeout", Error: 35201,
				Text:     "A connection timeout has occurred while attempting to establish a connection to availability replica 'SQLAG01' with id [6B9B4F0D-1C2E-4F3A-9D8B-0A1B2C3D4E5F]. Either a networking or firewall issue exists, or the endpoint address provided for the replica is not the database mirroring endpoint of the host server instance.",
				Position: "bundle/node-b/SQLAG02_ERRORLOG.txt:300", Incident: 1},
		},
		TimelineDropped: 12,
		Gaps:            []string{"SQLAG03 has no AlwaysOn_health XEvent file."},
		Warnings:        []string{"SQLAG03: clock unknown; its events are on local time."},
	}
}

func mdRender(t testing.TB, r *Report, opt MarkdownOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, opt); err != nil {
		t.Fatalf("WriteMarkdown: %v", err)
	}
	return b.String()
}

// mdLine is a line of Markdown with whether it lies inside a fenced block.
type mdLine struct {
	text    string
	inFence bool // inside a block (the fence lines themselves count as inside)
	info    string
}

// mdSplitFences classifies the lines of md as code or prose, following the
// CommonMark fence rules: a block opens with 3+ backticks and closes with a
// line of at least as many backticks and nothing else. It fails the test on
// an unclosed block.
func mdSplitFences(t testing.TB, md string) []mdLine {
	t.Helper()
	var out []mdLine
	fence, info := "", ""
	for _, l := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(l, " ")
		if fence == "" {
			if n := mdLongestPrefix(trimmed, '`'); n >= 3 && len(l)-len(trimmed) <= 3 {
				fence, info = trimmed[:n], trimmed[n:]
				if strings.Contains(info, "`") {
					t.Errorf("fence info string holds a backtick: %q", l)
				}
				out = append(out, mdLine{l, true, info})
				continue
			}
			out = append(out, mdLine{l, false, ""})
			continue
		}
		out = append(out, mdLine{l, true, info})
		if n := mdLongestPrefix(trimmed, '`'); n >= len(fence) && strings.TrimSpace(trimmed[n:]) == "" {
			fence = ""
		}
	}
	if fence != "" {
		t.Errorf("unclosed code fence %q", fence)
	}
	return out
}

// mdStripCodeSpans removes the code spans of a prose line, where '<' and
// backticks are inert: a run of n unescaped backticks up to the next run of
// exactly n backticks.
func mdStripCodeSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		c := line[i]
		if c == '\\' && i+1 < len(line) {
			b.WriteString(line[i : i+2])
			i += 2
			continue
		}
		if c != '`' {
			b.WriteByte(c)
			i++
			continue
		}
		n := mdLongestPrefix(line[i:], '`')
		end := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := mdLongestPrefix(line[j:], '`')
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			b.WriteString(line[i : i+n])
			i += n
			continue
		}
		b.WriteString("CODE")
		i = end
	}
	return b.String()
}

func mdLongestPrefix(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// mdSplitCells splits a table row on the pipes that are not escaped.
func mdSplitCells(row string) []string {
	row = strings.TrimSpace(row)
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		c := row[i]
		if c == '\\' && i+1 < len(row) {
			cur.WriteByte(c)
			cur.WriteByte(row[i+1])
			i++
			continue
		}
		if c == '|' {
			cells = append(cells, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	cells = append(cells, cur.String())
	// A row starts and ends with a pipe: drop the empty outer pieces.
	if len(cells) > 0 && strings.TrimSpace(cells[0]) == "" {
		cells = cells[1:]
	}
	if len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// mdCheck asserts the structural invariants of any report: balanced
// fences, tables whose rows all have the header's cell count, and prose
// without raw HTML (other than the <details> of the timeline) or backtick
// runs that could open a block.
func mdCheck(t testing.TB, md string) (tables int) {
	t.Helper()
	lines := mdSplitFences(t, md)
	allowedTag := regexp.MustCompile(`^</?(details|summary)>`)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.inFence {
			continue
		}
		prose := mdStripCodeSpans(l.text)
		for j := strings.IndexByte(prose, '<'); j >= 0; {
			if !allowedTag.MatchString(prose[j:]) {
				t.Errorf("raw '<' in prose line %d: %q", i+1, l.text)
				break
			}
			k := strings.IndexByte(prose[j+1:], '<')
			if k < 0 {
				break
			}
			j += k + 1
		}
		if strings.Contains(prose, "```") {
			t.Errorf("backtick run in prose line %d: %q", i+1, l.text)
		}
		if !strings.HasPrefix(l.text, "|") {
			continue
		}
		// A table: header, separator, rows.
		tables++
		head := mdSplitCells(l.text)
		if i+1 >= len(lines) || !regexp.MustCompile(`^\|(---\|)+$`).MatchString(lines[i+1].text) {
			t.Errorf("line %d: table header not followed by a separator", i+1)
			continue
		}
		if n := len(mdSplitCells(lines[i+1].text)); n != len(head) {
			t.Errorf("line %d: separator has %d cells, header %d", i+2, n, len(head))
		}
		j := i + 2
		for ; j < len(lines) && !lines[j].inFence && strings.HasPrefix(lines[j].text, "|"); j++ {
			if n := len(mdSplitCells(lines[j].text)); n != len(head) {
				t.Errorf("line %d: row has %d cells, header %d: %q", j+1, n, len(head), lines[j].text)
			}
		}
		i = j - 1
	}
	return tables
}

func TestMarkdownStructure(t *testing.T) {
	md := mdRender(t, mdSampleReport(), MarkdownOptions{})
	// Incidents, failovers, connections, timeline, servers, inputs.
	if n := mdCheck(t, md); n != 6 {
		t.Errorf("got %d tables, want 6", n)
	}
	for _, hostile := range []string{"<script>", "</script>", "| x | y |", "<b>", "[link](http://evil)", "*bold*", "&amp; \\"} {
		for i, l := range mdSplitFences(t, md) {
			if !l.inFence && strings.Contains(l.text, hostile) {
				t.Errorf("hostile %q appears raw in prose line %d: %q", hostile, i+1, l.text)
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
	md := mdRender(t, mdSampleReport(), MarkdownOptions{TZ: berlin})
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
	md := mdRender(t, mdSampleReport(), MarkdownOptions{})
	var blocks []string
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		n := mdLongestPrefix(lines[i], '`')
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
	if blocks[1] != mdHostileText {
		t.Errorf("hostile evidence not quoted verbatim:\n got %q\nwant %q", blocks[1], mdHostileText)
	}
}

var mdGanttTaskLine = regexp.MustCompile(`^    ([^:;#]+) :((?:active|done|crit|milestone), )*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d), (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$`)

func TestMarkdownGantt(t *testing.T) {
	md := mdRender(t, mdSampleReport(), MarkdownOptions{})
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

	r := mdSampleReport()
	r.Roles = nil
	if md := mdRender(t, r, MarkdownOptions{}); strings.Contains(md, "mermaid") {
		t.Error("chart written without roles")
	}
}

func TestMarkdownNoIncident(t *testing.T) {
	r := mdSampleReport()
	r.Incidents = nil
	md := mdRender(t, r, MarkdownOptions{})
	mdCheck(t, md)
	want := "No incident found. Checked 2015 events from 5 input files of 3 servers between 2024-03-14 02:10:00 UTC and 2024-03-14 02:50:00 UTC for WSFC cluster outages"
	if !strings.Contains(md, want) {
		t.Errorf("report lacks %q", want)
	}
	if strings.Contains(md, "## Incidents") {
		t.Error("incident table written without incidents")
	}

	// An empty report still renders every mandatory part.
	md = mdRender(t, &Report{}, MarkdownOptions{})
	mdCheck(t, md)
	for _, want := range []string{"# Always On incident report", "No events were read", "No warnings."} {
		if !strings.Contains(md, want) {
			t.Errorf("empty report lacks %q", want)
		}
	}
	if strings.Contains(md, "No incident found") {
		t.Error("a report without events says \"No incident found\"")
	}

	// A report whose only input was skipped says what was not read.
	md = mdRender(t, &Report{Inputs: []Input{{File: "results.csv", Skipped: "tab-separated query results with columns a, b"}}}, MarkdownOptions{})
	if !strings.Contains(md, "Not read: `results.csv`: tab-separated query results") || strings.Contains(md, "No incident found") {
		t.Errorf("summary of a skipped-only report:\n%s", md)
	}
}

func TestMarkdownErrors(t *testing.T) {
	if err := WriteMarkdown(&bytes.Buffer{}, nil, MarkdownOptions{}); err == nil {
		t.Error("nil report accepted")
	}
	fail := errors.New("disk full")
	err := WriteMarkdown(mdFailWriter{fail}, mdSampleReport(), MarkdownOptions{})
	if !errors.Is(err, fail) {
		t.Errorf("got %v, want the writer's error", err)
	}
}

type mdFailWriter struct{ err error }

func (f mdFailWriter) Write([]byte) (int, error) { return 0, f.err }

func TestMarkdownEscape(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a | b", "a \\| b"},
		{`C:\path`, `C:\\path`},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a & b", "a &amp; b"},
		{"`code` *b* _i_ [l] ~s~", "\\`code\\` \\*b\\* \\_i\\_ \\[l\\] \\~s\\~"},
		{"line1\r\nline2\nline3", "line1 ⏎ line2 ⏎ line3"},
		{"# head", "\\# head"},
		{"  - item", "\\- item"},
		{"+ item", "\\+ item"},
		{"12. x", "12\\. x"},
		{"Error 12. x", "Error 12. x"},
		{"x # y", "x # y"},
		{"tab\there\x00nul", "tab here nul"},
		{long, strings.Repeat("é", mdMaxCell) + "…"},
	}
	for _, tt := range tests {
		if got := mdCell(tt.in); got != tt.want {
			t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := mdHeading("a # b #"); got != "a \\# b \\#" {
		t.Errorf("mdHeading = %q", got)
	}
	for in, want := range map[string]string{
		"file:1":   "`file:1`",
		"a`b":      "``a`b``",
		"`a":       "`` `a ``",
		"a|b\nc":   "`a¦b c`",
		"":         "``",
		"x``y`":    "``` x``y` ```",
		"plain.go": "`plain.go`",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ms"},
		{350 * time.Millisecond, "350 ms"},
		{42 * time.Second, "42 s"},
		{4*time.Minute + 12*time.Second, "4 min 12 s"},
		{15 * time.Minute, "15 min"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min"},
		{3 * time.Hour, "3 h"},
		{27 * time.Hour, "1 d 3 h"},
		{-90 * time.Second, "1 min 30 s"},
	}
	for _, tt := range tests {
		if got := mdDuration(tt.d); got != tt.want {
			t.Errorf("mdDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

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
func GoldenMarkdown(t *testing.T, name string, r *Report, opt MarkdownOptions) {
	t.Helper()
	md := mdRender(t, r, opt)
	mdCheck(t, md)
	CheckGolden(t, name, []byte(md))
}

func TestMarkdownGolden(t *testing.T) {
	GoldenMarkdown(t, "markdown_sample", mdSampleReport(), MarkdownOptions{TZ: time.FixedZone("CET", 3600)})
	GoldenMarkdown(t, "markdown_sample_redacted", Redact(mdSampleReport()), MarkdownOptions{})
	GoldenMarkdown(t, "markdown_empty", &Report{Tool: "agtriage test"}, MarkdownOptions{})
}

func FuzzWriteMarkdown(f *testing.F) {
	f.Add(mdHostileText, "SQLAG01", "file.log")
	f.Add("````\n```", "a|b", "x`y")
	f.Add("1. <b>x</b>\r\n# y", "#s;:", "\\")
	f.Fuzz(func(t *testing.T, text, server, file string) {
		r := mdSampleReport()
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
		if err := WriteMarkdown(&b, r, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		md := b.String()
		mdCheck(t, md)
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

// mdBenchReport is the sample report with a long timeline, the size of a busy
// incident.
func mdBenchReport(n int) *Report {
	r := mdSampleReport()
	base := r.Timeline
	r.Timeline = nil
	for i := range n {
		e := base[i%len(base)]
		e.Time = e.Time.Add(time.Duration(i) * time.Millisecond)
		e.Text = fmt.Sprintf("%s (%d)", e.Text, i)
		r.Timeline = append(r.Timeline, e)
	}
	return r
}

func BenchmarkWriteMarkdown(b *testing.B) {
	r := mdBenchReport(5000)
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r, MarkdownOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteMarkdown(&buf, r, MarkdownOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
