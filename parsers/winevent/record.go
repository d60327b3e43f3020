// Package winevent says what a Windows event-log record means for an
// availability group. It takes a Record — the System values and the
// EventData/UserData values of one event, as the readers of .evtx files
// (parsers/evtx), event-log XML exports (parsers/eventxml) and text or CSV
// exports (parsers/eventtext) read it — and gives a parsers.Event with its
// Kind, Message and naming fields set from Table, the classification of the
// Windows events that matter (cluster, service control, shutdown, storage and
// network events), or from the ERRORLOG message table for SQL Server's own
// events in the Application log.
package winevent

import (
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// Record is what one Windows event-log record holds, whatever the
// form it was read from (.evtx, an XML export): the System values as text
// and the EventData/UserData values in order.
type Record struct {
	// Provider is System/Provider/@Name (Event Viewer's "Source");
	// EventSourceName is System/Provider/@EventSourceName when present.
	Provider, EventSourceName string
	// EventID is System/EventID, Level the level number (System/Level),
	// Channel the log (System, Application ...), Computer the computer
	// name as written (SQLNODE1.contoso.local).
	EventID, Level, Channel, Computer string
	// RecordID is System/EventRecordID; UserID System/Security/@UserID when
	// present.
	RecordID, UserID string
	// Time is System/TimeCreated/@SystemTime.
	Time time.Time
	// Data are the EventData values (by their Name, or Data1, Data2 ...
	// when unnamed; Binary in hex) or the UserData leaf elements.
	Data []parsers.Field
	// Rendered is the message text when the export carries it
	// (RenderingInfo/Message); .evtx files do not.
	Rendered string
}

// Fill sets e from the record: Source, Clock (UTC), Time, Process (the
// provider), Server (the host part of the computer name), the fields
// EventID, Level (by name), Channel, RecordID, Computer, EventSourceName and
// UserID when present, then the data values, and the Kind, Message and
// naming fields of Classify. The rendered message, when present,
// replaces the one rebuilt from the values.
func (r *Record) Fill(e *parsers.Event) {
	e.Source = parsers.SourceEventLog
	e.Clock = parsers.ClockUTC
	e.Time = r.Time
	e.Process = r.Provider
	e.Server = hostName(r.Computer)
	fields := make([]parsers.Field, 0, 9+len(r.Data)) // room for the naming fields
	fields = append(fields,
		parsers.Field{Name: "EventID", Value: r.EventID},
		parsers.Field{Name: "Level", Value: levelName(r.Level)},
		parsers.Field{Name: "Channel", Value: r.Channel},
		parsers.Field{Name: "RecordID", Value: r.RecordID},
		parsers.Field{Name: "Computer", Value: r.Computer})
	if r.EventSourceName != "" {
		fields = append(fields, parsers.Field{Name: "EventSourceName", Value: r.EventSourceName})
	}
	if r.UserID != "" {
		fields = append(fields, parsers.Field{Name: "UserID", Value: r.UserID})
	}
	e.Fields = append(fields, r.Data...)
	id, _ := strconv.Atoi(strings.TrimSpace(r.EventID))
	classify(e, r.Provider, id, r.Data, strings.TrimSpace(r.Rendered))
}

// levelNames are Event Viewer's names of the standard levels; 0 (LogAlways,
// classic providers) shows as Information.
var levelNames = [...]string{"Information", "Critical", "Error", "Warning", "Information", "Verbose"}

// levelName returns Event Viewer's name of an event level number, or the
// text unchanged.
func levelName(level string) string {
	if n, err := strconv.Atoi(strings.TrimSpace(level)); err == nil && n >= 0 && n < len(levelNames) {
		return levelNames[n]
	}
	return level
}

// hostName returns the host part of a computer name (SQLNODE1 of
// SQLNODE1.contoso.local), the name SQL Server logs use for the node. An IP
// address stays whole.
func hostName(computer string) string {
	computer = strings.TrimSpace(computer)
	if i := strings.IndexByte(computer, '.'); i > 0 {
		if _, err := strconv.Atoi(computer[:i]); err != nil {
			return computer[:i]
		}
	}
	return computer
}

// IsSQLServerProvider reports whether an event-log provider (source) is a SQL
// Server database engine: MSSQLSERVER or MSSQL$INSTANCE. Its event ids are
// SQL Server message numbers.
func IsSQLServerProvider(provider string) bool {
	return strings.EqualFold(provider, "MSSQLSERVER") || len(provider) > 6 && strings.EqualFold(provider[:6], "MSSQL$")
}
