// Package evtexport converts Windows event-log records, as read from a
// native .evtx file, into the CSV text exports tools make of them
// (PowerShell Get-WinEvent and Get-EventLog piped to Export-Csv, SQL
// LogScout's EventLog_System.csv, Event Viewer's "Save As… CSV", SDP/TSS
// evt_System.csv), for tests only. It follows the layouts described in
// shared/reference/COLLECTIONS.md §3.4–3.7: local times in a culture
// format, the rendered message, no data values.
package evtexport

import (
	"fmt"
	"strings"
	"time"

	"github.com/agtriage/agtriage/internal/exportgen"
	"github.com/agtriage/agtriage/parsers"
)

// Record is what an export keeps of one event.
type Record struct {
	Time                                   time.Time // UTC
	Provider, ID, Level, Computer, Channel string
	RecordID, Message                      string
}

// FromEvent takes a record from an event of the native reader.
func FromEvent(ev *parsers.Event) Record {
	r := Record{Time: ev.Time, Provider: ev.Process, Message: ev.Message}
	for _, f := range ev.Fields {
		switch f.Name {
		case "EventID":
			r.ID = f.Value
		case "Level":
			r.Level = f.Value
		case "Computer":
			r.Computer = f.Value
		case "Channel":
			r.Channel = f.Value
		case "RecordID":
			r.RecordID = f.Value
		}
	}
	return r
}

// Form is one export form: it writes records whose times are shown in a
// zone at offset from UTC.
type Form struct {
	Name string
	// Precision of the times the form writes.
	Precision time.Duration
	Write     func(recs []Record, offset time.Duration) []byte
}

// Forms are the export forms, in the order of the package doc.
var Forms = []Form{
	{"get-winevent", time.Second, GetWinEvent},
	{"get-eventlog", time.Second, GetEventLog},
	{"logscout", time.Second, LogScout},
	{"eventviewer", time.Second, EventViewer},
	{"sdp", time.Second, SDP},
	{"wevtutil-text", time.Millisecond, WevtutilText},
}

func q(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func us(t time.Time) string { return t.Format("1/2/2006 3:04:05 PM") }

// wrap writes the line breaks of a message as CRLF, as Windows does inside
// a quoted field.
func wrap(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func levelNumber(name string) string {
	switch name {
	case "Critical":
		return "1"
	case "Error":
		return "2"
	case "Warning":
		return "3"
	case "Verbose":
		return "5"
	}
	return "4"
}

// GetWinEvent is `Get-WinEvent | Export-Csv` of Windows PowerShell 5.1:
// UTF-8 with BOM, #TYPE line, every property quoted, Message first.
func GetWinEvent(recs []Record, offset time.Duration) []byte {
	var b strings.Builder
	b.WriteString("\uFEFF#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n")
	b.WriteString(`"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"` + "\r\n")
	for _, r := range recs {
		fmt.Fprintf(&b, "%s,%s,\"0\",,%s,\"0\",\"0\",\"-9223372036854775808\",%s,%s,,%s,\"812\",\"1204\",%s,,%s,,,%s,\"System.Int32[]\",\"System.Diagnostics.Eventing.Reader.EventBookmark\",%s,\"Info\",,\"System.String[]\",\"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]\"\r\n",
			q(wrap(r.Message)), q(r.ID), q(levelNumber(r.Level)), q(r.RecordID), q(r.Provider), q(r.Channel), q(r.Computer),
			q(us(r.Time.Add(offset))), q(r.Channel), q(r.Level))
	}
	return []byte(b.String())
}

// GetEventLog is `Get-EventLog | Export-Csv` (classic API): EntryType,
// TimeGenerated, Source, EventID, InstanceId.
func GetEventLog(recs []Record, offset time.Duration) []byte {
	var b strings.Builder
	b.WriteString("#TYPE System.Diagnostics.EventLogEntry#System/Service Control Manager/3221232498\r\n")
	b.WriteString(`"EventID","MachineName","Data","Index","Category","CategoryNumber","EntryType","Message","Source","ReplacementStrings","InstanceId","TimeGenerated","TimeWritten","UserName","Site","Container"` + "\r\n")
	for _, r := range recs {
		t := q(us(r.Time.Add(offset)))
		lvl := r.Level
		if lvl == "Critical" {
			lvl = "Error"
		}
		fmt.Fprintf(&b, "%s,%s,\"System.Byte[]\",%s,\"(0)\",\"0\",%s,%s,%s,\"System.String[]\",%s,%s,%s,,,\r\n",
			q(r.ID), q(r.Computer), q(r.RecordID), q(lvl), q(wrap(r.Message)), q(r.Provider), q(r.ID), t, t)
	}
	return []byte(b.String())
}

// LogScout is SQL LogScout's EventLog_System.csv: UTF-16LE with BOM, every
// field quoted without escaping, newest first, the current culture's date
// (en-GB here: day first, 24 hours), message line breaks turned to spaces.
func LogScout(recs []Record, offset time.Duration) []byte {
	var b strings.Builder
	b.WriteString(`"EntryType","TimeGenerated","Source","EventID","Category","Message"` + "\r\n")
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		msg := strings.NewReplacer("\r", "", "\n", " ", "\t", " ").Replace(r.Message)
		fmt.Fprintf(&b, "\"%s\",\"%s\",\"%s\",\"%s\",\"None\",\"%s\"\r\n",
			r.Level, r.Time.Add(offset).Format("02/01/2006 15:04:05"), r.Provider, r.ID, msg)
	}
	return exportgen.UTF16LE(b.String())
}

// EventViewer is Event Viewer's "Save All Events As… CSV": five header
// names, the message as an unnamed sixth field.
func EventViewer(recs []Record, offset time.Duration) []byte {
	var b strings.Builder
	b.WriteString("Level,Date and Time,Source,Event ID,Task Category\r\n")
	for _, r := range recs {
		fmt.Fprintf(&b, "%s,%s,%s,%s,None,%s\r\n", r.Level, us(r.Time.Add(offset)), r.Provider, r.ID, q(wrap(r.Message)))
	}
	return []byte(b.String())
}

// SDP is the SDP/TSS evt_System.csv of GetEvents.VBS.
func SDP(recs []Record, offset time.Duration) []byte {
	var b strings.Builder
	b.WriteString("Date,Time,Type,Computer,EventID,Source,Category,User,Description\r\n")
	for _, r := range recs {
		t := r.Time.Add(offset)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,None,N/A,%s\r\n", t.Format("01/02/2006"), t.Format("03:04:05 PM"),
			r.Level, r.Computer, r.ID, r.Provider, q(wrap(r.Message)))
	}
	return []byte(b.String())
}

// WevtutilText is `wevtutil qe LOG /f:text`: "Event[N]:" blocks, the
// local time with milliseconds and no zone, the message after
// "Description:".
func WevtutilText(recs []Record, offset time.Duration) []byte {
	var b strings.Builder
	for i, r := range recs {
		fmt.Fprintf(&b, "Event[%d]:\r\n  Log Name: %s\r\n  Source: %s\r\n  Date: %s\r\n  Event ID: %s\r\n  Task: N/A\r\n  Level: %s\r\n  Opcode: Info\r\n  Keyword: Classic\r\n  User: N/A\r\n  User Name: N/A\r\n  Computer: %s\r\n  Description: \r\n%s\r\n\r\n",
			i, r.Channel, r.Provider, r.Time.Add(offset).Format("2006-01-02T15:04:05.000"), r.ID, r.Level, r.Computer, wrap(r.Message))
	}
	return []byte(b.String())
}
