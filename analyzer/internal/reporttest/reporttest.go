// Package reporttest holds test fixtures shared by the tests of the
// analysis stages and writers: a realistic hand-built Report, a large one,
// and a checker of Markdown structure.
package reporttest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
)

// HostileText is a log line that tries every way to break the Markdown.
const HostileText = "Error: 19407 <script>alert(1)</script> | x | y | ``` `rm -rf` *bold* _it_ [link](http://evil) & &amp; \\ \n# heading\n- item\n```\nend"

// Time parses "2006-01-02 15:04:05.000" as UTC; it panics on a bad time.
func Time(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// Sample is a realistic hand-built report: three replicas (one with an
// unknown clock), two incidents, failovers, connection windows, roles with a
// sub-second RESOLVING blip, a timeline and coverage with a skipped file.
func Sample() *report.Report {
	lease := "The lease between availability group 'AGProd' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster."
	handshake := "Database Mirroring login attempt by user 'CONTOSO\\svc_sqlag02.' failed with error: 'Connection handshake failed. The login 'CONTOSO\\svc_sqlag02' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.20.1.12]"
	return &report.Report{
		Tool:      "agtriage test",
		Start:     Time("2024-03-14 02:10:00.000"),
		End:       Time("2024-03-14 02:50:00.000"),
		AGs:       []string{"AGProd"},
		Databases: []string{"SalesDB", "Inventory"},
		Servers: []report.Server{
			{Name: "SQLAG01", Aliases: []string{"sqlag01.contoso.local"}, Clock: report.ClockErrorlog, UTCOffset: "+01:00",
				ServiceAccount: "CONTOSO\\svc_sqlag", Addresses: []string{"10.20.1.11"},
				Files: []string{"bundle/SQLAG01/ERRORLOG", "bundle/SQLAG01/AlwaysOn_health_0_133.xml"},
				Start: Time("2024-03-14 02:10:00.000"), End: Time("2024-03-14 02:50:00.000"), Restarts: 0},
			{Name: "SQLAG02\\INST2", Aliases: []string{"SQLAG02", "node-b"}, Clock: report.ClockInferred, UTCOffset: "+02:00",
				ClockDetail: "6 matching ERRORLOG/XEvent events", ServiceAccount: "CONTOSO\\svc_sqlag02",
				Addresses: []string{"10.20.1.12", "fe80::20c:29ff:fe12:3456"},
				Files:     []string{"bundle/node-b/SQLAG02_ERRORLOG.txt"},
				Start:     Time("2024-03-14 02:11:00.000"), End: Time("2024-03-14 02:49:00.000"), Restarts: 1},
			{Name: "SQLAG03", Clock: report.ClockUnknown, Files: []string{"bundle/SQLAG03/ERRORLOG"},
				Start: Time("2024-03-14 02:12:00.000"), End: Time("2024-03-14 02:48:00.000")},
		},
		Inputs: []report.Input{
			{File: "bundle/SQLAG01/ERRORLOG", Format: "errorlog", Encoding: "UTF-16LE", Server: "SQLAG01", AttributedBy: "log",
				Bytes: 182044, Lines: 1200, Events: 1180, Unrecognized: 3, Start: Time("2024-03-14 02:10:00.000"), End: Time("2024-03-14 02:50:00.000")},
			{File: "bundle/SQLAG01/AlwaysOn_health_0_133.xml", Format: "xevent", Encoding: "UTF-8", Server: "SQLAG01", AttributedBy: "folder",
				Bytes: 40960, Events: 85, Start: Time("2024-03-14 02:10:02.000"), End: Time("2024-03-14 02:49:58.000")},
			{File: "bundle/node-b/SQLAG02_ERRORLOG.txt", Format: "errorlog", Encoding: "UTF-8", Server: "SQLAG02\\INST2", AttributedBy: "log",
				Bytes: 90000, Lines: 700, Events: 690, Unrecognized: 1, SkippedBytes: 17000, Start: Time("2024-03-14 02:11:00.000"),
				End: Time("2024-03-14 02:49:00.000"), Warnings: []string{"line 311: line longer than 1 MiB, 17000 bytes skipped"}, TotalWarnings: 3},
			{File: "bundle/SQLAG03/ERRORLOG", Format: "errorlog", Encoding: "Windows-1252", Server: "SQLAG03", AttributedBy: "folder",
				Bytes: 5000, Lines: 60, Events: 60, LocalClock: true, Start: Time("2024-03-14 02:12:00.000"), End: Time("2024-03-14 02:48:00.000")},
			{File: "bundle/SQLAG03/system_health_0.xel", Format: "xel", Bytes: 1 << 20,
				Skipped: "binary XEvent file, not supported yet: export it to XML"},
		},
		Incidents: []report.Incident{
			{ID: 1, Category: report.CatEndpointHandshake, Title: "SQLAG01 cannot connect to SQLAG02\\INST2: missing CONNECT permission",
				Start: Time("2024-03-14 02:30:00.000"), End: Time("2024-03-14 02:45:30.000"), Duration: 930,
				AGs: []string{"AGProd"}, Servers: []string{"SQLAG01", "SQLAG02\\INST2"}, Databases: []string{"SalesDB"},
				RootCause: "The login CONTOSO\\svc_sqlag02 has no CONNECT permission on the mirroring endpoint of SQLAG01.",
				Summary:   "SQLAG02\\INST2 could not reconnect to the primary for 15 min because its service account lacks permission.",
				Chain: []report.Step{
					{Time: Time("2024-03-14 02:30:00.000"), Server: "SQLAG01", Text: "Handshake from 10.20.1.12 refused: State 84",
						Evidence: []report.Evidence{{File: "bundle/SQLAG01/ERRORLOG", Line: 812, Server: "SQLAG01", Time: Time("2024-03-14 02:30:00.000"),
							Count: 141, Last: Time("2024-03-14 02:45:30.000"), Text: handshake}}},
					{Time: Time("2024-03-14 02:30:01.250"), Server: "SQLAG02\\INST2", Text: "Connection to SQLAG01 timed out (35201)"},
				},
				Fix: report.Fix{
					SQL:   []string{"USE [master];\nGRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\\svc_sqlag02];"},
					Steps: []string{"Run the GRANT on SQLAG01.", "Check that SQLAG02\\INST2 reconnects (35202)."},
				},
				Confidence: report.Certain, ConfidenceReason: "error 28048 names the login and State 84",
				Rules: []string{"endpoint_connect_permission"}, Severity: 70},
			{ID: 2, Category: report.CatClusterOutage, Title: "WSFC outage on SQLAG01 <b>lease</b> | expired #",
				Start: Time("2024-03-14 02:14:05.120"), End: Time("2024-03-14 02:18:17.500"), Duration: 252.38,
				AGs: []string{"AGProd"}, Servers: []string{"SQLAG01", "SQLAG02\\INST2"}, Databases: []string{"SalesDB", "Inventory"},
				RootCause: "The cluster service on SQLAG01 lost quorum; the AG lease expired and AGProd failed over to SQLAG02\\INST2.",
				Summary:   "AGProd was unavailable for about 4 minutes after the cluster on SQLAG01 lost quorum.",
				Chain: []report.Step{
					{Time: Time("2024-03-14 02:14:05.120"), Server: "SQLAG01", Text: "WSFC lost quorum (41092)"},
					{Time: Time("2024-03-14 02:14:15.000"), Server: "SQLAG01", Text: "Lease expired: " + HostileText,
						Evidence: []report.Evidence{
							{File: "bundle/SQLAG01/ERRORLOG", Line: 455, Server: "SQLAG01", Time: Time("2024-03-14 02:14:15.000"), Text: lease},
							{File: "bundle/SQLAG01/AlwaysOn_health_0_133.xml", Offset: 20480, Server: "SQLAG01", Time: Time("2024-03-14 02:14:15.100"),
								Count: 3, Text: HostileText},
						}},
					{Time: Time("2024-03-14 02:14:20.500"), Server: "SQLAG02\\INST2", Text: "Became PRIMARY"},
				},
				Fix:        report.Fix{Steps: []string{"Check the cluster log of SQLAG01 (Get-ClusterLog) around 02:14.", "Review the quorum witness."}},
				Confidence: report.Likely, ConfidenceReason: "the cluster log was not collected", Rules: []string{"cluster_outage", "lease_expiry"},
				Severity: 90},
		},
		Failovers: []report.Failover{
			{AG: "AGProd", From: "SQLAG01", To: "SQLAG02\\INST2", At: Time("2024-03-14 02:14:20.500"), Mode: report.ModeAutomatic,
				Trigger: "lease expired | cluster <down>", IncidentID: 2},
			{AG: "AGProd", From: "SQLAG02\\INST2", To: "SQLAG01", At: Time("2024-03-14 02:25:00.000"), Mode: report.ModeManual,
				Trigger: "ALTER AVAILABILITY GROUP [AGProd] FAILOVER"},
		},
		Connections: []report.ConnectionWindow{
			{AG: "AGProd", Server: "SQLAG02\\INST2", Partner: "SQLAG01", Start: Time("2024-03-14 02:30:00.000"), End: Time("2024-03-14 02:45:30.000"),
				Databases: []string{"SalesDB"}, Cause: "endpoint handshake failure (State 84)"},
			{AG: "AGProd", Server: "SQLAG01", Partner: "SQLAG03", Start: Time("2024-03-14 02:40:00.000")},
		},
		Roles: []report.RoleSpan{
			{AG: "AGProd", Server: "SQLAG01", Role: report.RolePrimary, Start: Time("2024-03-14 02:10:00.000"), End: Time("2024-03-14 02:14:15.000")},
			{AG: "AGProd", Server: "SQLAG01", Role: report.RoleResolving, Start: Time("2024-03-14 02:14:15.000"), End: Time("2024-03-14 02:14:15.200")},
			{AG: "AGProd", Server: "SQLAG01", Role: report.RoleDown, Start: Time("2024-03-14 02:14:15.200"), End: Time("2024-03-14 02:18:00.000")},
			{AG: "AGProd", Server: "SQLAG01", Role: report.RoleSecondary, Start: Time("2024-03-14 02:18:00.000"), End: Time("2024-03-14 02:25:00.000")},
			{AG: "AGProd", Server: "SQLAG01", Role: report.RolePrimary, Start: Time("2024-03-14 02:25:00.000")},
			{AG: "AGProd", Server: "SQLAG02\\INST2", Role: report.RoleSecondary, Start: Time("2024-03-14 02:10:00.000"), End: Time("2024-03-14 02:14:20.500")},
			{AG: "AGProd", Server: "SQLAG02\\INST2", Role: report.RolePrimary, Start: Time("2024-03-14 02:14:20.500"), End: Time("2024-03-14 02:25:00.000")},
			{AG: "AGProd", Server: "SQLAG02\\INST2", Role: report.RoleSecondary, Start: Time("2024-03-14 02:25:00.000"), End: Time("2024-03-14 02:50:00.000")},
		},
		Timeline: []report.TimelineEntry{
			{Time: Time("2024-03-14 02:14:05.120"), Server: "SQLAG01", Kind: "quorum_lost", Error: 41092, Text: "The availability group manager is shutting down. [CLIENT: 10.20.1.11]",
				Position: "bundle/SQLAG01/ERRORLOG:450", Incident: 2},
			{Time: Time("2024-03-14 02:14:15.000"), Server: "SQLAG01", Kind: "lease_expired", Error: 19407, Text: HostileText, Count: 3,
				Position: "bundle/SQLAG01/ERRORLOG:455", Incident: 2},
			{Time: Time("2024-03-14 02:16:00.000"), Local: true, Server: "SQLAG03", Kind: "login_failed", Error: 18456,
				Text: "Login failed for user 'appuser'. Reason: Failed to open the explicitly specified database 'SalesDB'. [CLIENT: 10.20.5.77]", Position: "bundle/SQLAG03/ERRORLOG:77"},
			{Time: Time("2024-03-14 02:30:00.000"), Server: "SQLAG01", Kind: "handshake_failure", Error: 28048, Text: handshake, Count: 141,
				Position: "bundle/SQLAG01/ERRORLOG:812", Incident: 1},
			{Time: Time("2024-03-14 02:30:01.250"), Server: "SQLAG02\\INST2", Kind: "connection_timeout", Error: 35201,
				Text:     "A connection timeout has occurred while attempting to establish a connection to availability replica 'SQLAG01' with id [6B9B4F0D-1C2E-4F3A-9D8B-0A1B2C3D4E5F]. Either a networking or firewall issue exists, or the endpoint address provided for the replica is not the database mirroring endpoint of the host server instance.",
				Position: "bundle/node-b/SQLAG02_ERRORLOG.txt:300", Incident: 1},
		},
		TimelineDropped: 12,
		Gaps:            []string{"SQLAG03 has no AlwaysOn_health XEvent file."},
		Warnings:        []string{"SQLAG03: clock unknown; its events are on local time."},
	}
}

// Line is a line of Markdown with whether it lies inside a fenced block.
type Line struct {
	// Text is the line.
	Text    string
	InFence bool // inside a block (the fence lines themselves count as inside)
	// Info is the info string of the fence the line is in.
	Info string
}

// SplitFences classifies the lines of md as code or prose, following the
// CommonMark fence rules: a block opens with 3+ backticks and closes with a
// line of at least as many backticks and nothing else. It fails the test on
// an unclosed block.
func SplitFences(t testing.TB, md string) []Line {
	t.Helper()
	var out []Line
	fence, info := "", ""
	for _, l := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(l, " ")
		if fence == "" {
			if n := LongestPrefix(trimmed, '`'); n >= 3 && len(l)-len(trimmed) <= 3 {
				fence, info = trimmed[:n], trimmed[n:]
				if strings.Contains(info, "`") {
					t.Errorf("fence info string holds a backtick: %q", l)
				}
				out = append(out, Line{l, true, info})
				continue
			}
			out = append(out, Line{l, false, ""})
			continue
		}
		out = append(out, Line{l, true, info})
		if n := LongestPrefix(trimmed, '`'); n >= len(fence) && strings.TrimSpace(trimmed[n:]) == "" {
			fence = ""
		}
	}
	if fence != "" {
		t.Errorf("unclosed code fence %q", fence)
	}
	return out
}

// stripCodeSpans removes the code spans of a prose line, where '<' and
// backticks are inert: a run of n unescaped backticks up to the next run of
// exactly n backticks.
func stripCodeSpans(line string) string {
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
		n := LongestPrefix(line[i:], '`')
		end := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := LongestPrefix(line[j:], '`')
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

// LongestPrefix counts the bytes c that s starts with.
func LongestPrefix(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// splitCells splits a table row on the pipes that are not escaped.
func splitCells(row string) []string {
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

// CheckMarkdown asserts the structural invariants of any report: balanced
// fences, tables whose rows all have the header's cell count, and prose
// without raw HTML (other than the <details> of the timeline) or backtick
// runs that could open a block.
func CheckMarkdown(t testing.TB, md string) (tables int) {
	t.Helper()
	lines := SplitFences(t, md)
	allowedTag := regexp.MustCompile(`^</?(details|summary)>`)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.InFence {
			continue
		}
		prose := stripCodeSpans(l.Text)
		for j := strings.IndexByte(prose, '<'); j >= 0; {
			if !allowedTag.MatchString(prose[j:]) {
				t.Errorf("raw '<' in prose line %d: %q", i+1, l.Text)
				break
			}
			k := strings.IndexByte(prose[j+1:], '<')
			if k < 0 {
				break
			}
			j += k + 1
		}
		if strings.Contains(prose, "```") {
			t.Errorf("backtick run in prose line %d: %q", i+1, l.Text)
		}
		if !strings.HasPrefix(l.Text, "|") {
			continue
		}
		// A table: header, separator, rows.
		tables++
		head := splitCells(l.Text)
		if i+1 >= len(lines) || !regexp.MustCompile(`^\|(---\|)+$`).MatchString(lines[i+1].Text) {
			t.Errorf("line %d: table header not followed by a separator", i+1)
			continue
		}
		if n := len(splitCells(lines[i+1].Text)); n != len(head) {
			t.Errorf("line %d: separator has %d cells, header %d", i+2, n, len(head))
		}
		j := i + 2
		for ; j < len(lines) && !lines[j].InFence && strings.HasPrefix(lines[j].Text, "|"); j++ {
			if n := len(splitCells(lines[j].Text)); n != len(head) {
				t.Errorf("line %d: row has %d cells, header %d: %q", j+1, n, len(head), lines[j].Text)
			}
		}
		i = j - 1
	}
	return tables
}

// Big is the sample report with a long timeline, the size of a busy
// incident.
func Big(n int) *report.Report {
	r := Sample()
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
