package parsers

import (
	"bytes"
	"strings"
)

// FormatEventCSV is a Windows event log exported as CSV text: Get-WinEvent
// or Get-EventLog piped to Export-Csv, SQL LogScout's EventLog_System.csv,
// Event Viewer's "Save As… CSV", SDP/TSS evt_System.csv (parsers/eventtext).
const FormatEventCSV Format = "eventlog-csv"

// detectEventCSV recognizes an event-log CSV export from its first
// non-blank line, or the line after a "#TYPE" line: a header naming a time
// (TimeCreated, TimeGenerated, Date and Time, or Date and Time columns), an
// event id (Id, EventID, Event ID) and a source (ProviderName, Source).
func detectEventCSV(text []byte) bool {
	first, rest := nextLine(text)
	if bytes.HasPrefix(bytes.ToLower(first), []byte("#type")) {
		first, _ = nextLine(rest)
	}
	if bytes.IndexByte(first, ',') < 0 {
		return false // not a CSV header (the common case: every file is sniffed)
	}
	var tm, date, clock, id, src bool
	for _, f := range strings.Split(strings.ToLower(string(first)), ",") {
		switch strings.Trim(strings.TrimSpace(f), `"`) {
		case "timecreated", "timegenerated", "date and time":
			tm = true
		case "date":
			date = true
		case "time":
			clock = true
		case "id", "eventid", "event id":
			id = true
		case "event": // SDP/TSS: Type,Date,Time,Source,Category,Event,User,Computer,Description
			id = id || date
		case "providername", "source":
			src = true
		}
	}
	return id && src && (tm || date && clock)
}

// FormatEventText is `wevtutil qe LOG /f:text`: "Event[N]:" blocks of
// two-space-indented "Name: value" lines (parsers/eventtext).
const FormatEventText Format = "eventlog-text"

// detectEventText recognizes `wevtutil /f:text` from its first line and the
// "  Log Name:" line after it.
func detectEventText(text []byte) bool {
	first, rest := nextLine(text)
	second, _ := nextLine(rest)
	return bytes.HasPrefix(first, []byte("Event[")) && bytes.HasSuffix(bytes.TrimSpace(first), []byte("]:")) &&
		bytes.HasPrefix(second, []byte("  Log Name:"))
}
