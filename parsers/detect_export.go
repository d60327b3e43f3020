package parsers

import (
	"bytes"
	"fmt"
	"strings"
)

// Formats of error logs exported by tools rather than written by SQL Server,
// and of tabular text agtriage recognizes but does not read.
const (
	// FormatSSMSExport is the SQL Server Management Studio Log File Viewer
	// export: "Date,Source,Severity,Message" header, newest first.
	FormatSSMSExport Format = "ssms-export"
	// FormatXPReadErrorlog is the result of xp_readerrorlog/sp_readerrorlog
	// saved from SSMS: CSV, tab-separated or Results-to-Text.
	FormatXPReadErrorlog Format = "xp_readerrorlog"
	// FormatDbatoolsCSV is dbatools Get-DbaErrorLog piped to Export-Csv.
	FormatDbatoolsCSV Format = "dbatools-csv"
	// FormatAgentLog is a SQL Server Agent log (SQLAGENT.OUT): recognized so
	// that it is never read as an ERRORLOG.
	FormatAgentLog Format = "sqlagent"
	// FormatTable is tabular text (query results, a spreadsheet saved as
	// CSV) that is none of the above: it is listed, never read as a log.
	FormatTable Format = "table"
)

// IsErrorlogExport reports whether f is one of the exported error log formats,
// whose events are ERRORLOG events.
func IsErrorlogExport(f Format) bool {
	return f == FormatSSMSExport || f == FormatXPReadErrorlog || f == FormatDbatoolsCSV
}

// detectTabular recognizes exported error logs and other tabular text from the
// first non-blank line of the decoded prefix (and the line after it). It
// returns FormatUnknown for anything else.
func detectTabular(text []byte) Format {
	first, rest := nextLine(text)
	second, _ := nextLine(rest)
	if f := ExportFormat(first, second); f != FormatUnknown {
		return f
	}
	if isAgentLine(first) {
		return FormatAgentLog
	}
	if looksLikeTableHeader(first, second) {
		return FormatTable
	}
	return FormatUnknown
}

func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimRight(b, "\r"), nil
	}
	return bytes.TrimRight(b[:i], "\r"), b[i+1:]
}

// ExportFormat tells an exported error log from its first non-blank line and
// the line after it (the dashes of a Results-to-Text header).
func ExportFormat(first, second []byte) Format {
	lower := bytes.ToLower(bytes.TrimSpace(first))
	switch {
	case bytes.HasPrefix(lower, []byte("date,source,severity,message")):
		return FormatSSMSExport
	case bytes.HasPrefix(lower, []byte("#type ")):
		return FormatDbatoolsCSV
	case len(lower) > 0 && lower[0] == '"' &&
		bytes.Contains(lower, []byte(`"logdate"`)) && bytes.Contains(lower, []byte(`"text"`)):
		return FormatDbatoolsCSV
	}
	if f := headerFields(lower); len(f) >= 3 && f[0] == "logdate" && (f[1] == "processinfo" || f[1] == "errorlevel") && f[2] == "text" {
		if bytes.IndexByte(lower, '\t') >= 0 || bytes.IndexByte(lower, ',') >= 0 || isDashes(second) {
			if f[1] == "errorlevel" {
				return FormatAgentLog // xp_readerrorlog of the SQL Server Agent log
			}
			return FormatXPReadErrorlog
		}
	}
	// SSMS viewer rows without their header: "03/14/2024 02:17:41,spid47s,Unknown,…".
	if IsSSMSRow(first) {
		return FormatSSMSExport
	}
	// Rows without a header: "2024-03-14 02:17:41.230,spid47s,Text" (CSV) or
	// the same with tabs. A native ERRORLOG has blanks after the time.
	if IsErrorlogTimestamp(first) {
		i := 19
		if i < len(first) && first[i] == '.' {
			i++
			for i < len(first) && first[i] >= '0' && first[i] <= '9' {
				i++
			}
		}
		if i < len(first) && (first[i] == ',' || first[i] == '\t') {
			return FormatXPReadErrorlog
		}
	}
	return FormatUnknown
}

// headerFields splits a header line on tabs, commas or runs of blanks.
func headerFields(line []byte) []string {
	s := string(line)
	var f []string
	switch {
	case strings.Contains(s, "\t"):
		f = strings.Split(s, "\t")
	case strings.Contains(s, ","):
		f = strings.Split(s, ",")
	default:
		f = strings.Fields(s)
	}
	for i := range f {
		f[i] = strings.Trim(strings.TrimSpace(f[i]), `"`)
	}
	return f
}

// isDashes reports whether b is the underline row of a Results-to-Text header:
// runs of '-' separated by blanks.
func isDashes(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 3 {
		return false
	}
	for _, c := range b {
		if c != '-' && c != ' ' {
			return false
		}
	}
	return true
}

// looksLikeTableHeader reports whether first is the header row of tabular
// text: at least two tab- or comma-separated columns (or blank-separated
// columns underlined by dashes) and no timestamp.
func looksLikeTableHeader(first, second []byte) bool {
	if len(first) == 0 || IsErrorlogTimestamp(first) || first[0] == '<' || first[0] == '[' || isClusterLine(first) {
		return false
	}
	if isDashes(second) {
		return true
	}
	if bytes.Count(first, []byte("\t")) >= 2 && bytes.Count(second, []byte("\t")) >= 2 {
		return true
	}
	// A CSV header: short, word-like names separated by commas, repeated
	// column count on the next line.
	cols := headerFields(first)
	if bytes.IndexByte(first, ',') < 0 || len(cols) < 3 || bytes.Count(second, []byte(",")) < len(cols)-1 {
		return false
	}
	for _, c := range cols {
		if len(c) == 0 || len(c) > 64 || strings.Contains(c, ". ") {
			return false
		}
	}
	return true
}

// DescribeTable says what tabular text looks like, for the list of skipped
// inputs: "tab-separated query results with columns a, b, c".
func DescribeTable(prefix []byte) string {
	enc, bomLen := SniffEncoding(prefix)
	text := bytes.TrimLeft(decodePrefix(prefix[bomLen:], enc), " \t\r\n")
	first, rest := nextLine(text)
	second, _ := nextLine(rest)
	first, _ = DecodeLine(first) // 8-bit text that is not UTF-8: Windows-1252
	cols := headerFields(first)
	kind := "comma-separated text (a spreadsheet or query results saved as CSV)"
	switch {
	case isDashes(second):
		kind = "query results saved as text"
		cols = strings.Fields(string(first))
	case bytes.Count(first, []byte("\t")) >= 2:
		kind = "tab-separated query results"
	}
	if len(cols) > 8 {
		cols = append(cols[:8:8], fmt.Sprintf("… (%d columns)", len(cols)))
	}
	for i, c := range cols {
		if r := []rune(c); len(r) > 40 {
			cols[i] = string(r[:40]) + "…"
		}
	}
	return fmt.Sprintf("%s with columns %s, not a log agtriage reads (export the error log itself, or xp_readerrorlog results with LogDate, ProcessInfo, Text)",
		kind, strings.Join(cols, ", "))
}

// isAgentLine recognizes a SQLAGENT.OUT line: "2024-03-14 02:17:45 - ! [298] text"
// (the mark is ? for information, + for a warning, ! for an error).
func isAgentLine(b []byte) bool {
	return IsErrorlogTimestamp(b) && len(b) > 25 && string(b[19:22]) == " - " &&
		(b[22] == '?' || b[22] == '+' || b[22] == '!') && b[23] == ' ' && b[24] == '['
}

// IsSSMSRow reports whether b is a row of the SSMS Log File Viewer export:
// "MM/DD/YYYY HH:MM:SS,source,severity,message".
func IsSSMSRow(b []byte) bool {
	if len(b) < 21 || b[2] != '/' || b[5] != '/' || b[10] != ' ' || b[13] != ':' || b[16] != ':' || b[19] != ',' {
		return false
	}
	for _, i := range [...]int{0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15, 17, 18} {
		if b[i] < '0' || b[i] > '9' {
			return false
		}
	}
	return bytes.Count(b, []byte(",")) >= 3
}
