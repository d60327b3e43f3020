package evtx

import (
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// eventBuilder is the sink that turns a record's XML into an Event: it keeps
// the System values and collects the EventData / UserData leaves as fields.
type eventBuilder struct {
	stack []frame
	buf   strings.Builder

	provider, sourceName, eventID, level             string
	channel, computer, recordID, timeCreated, userID string
	dataName                                         string
	dataN                                            int
	data                                             []parsers.Field
}

type frame struct {
	name     string
	hasChild bool
}

func (b *eventBuilder) reset() {
	b.stack = b.stack[:0]
	b.buf.Reset()
	b.provider, b.sourceName, b.eventID, b.level = "", "", "", ""
	b.channel, b.computer, b.recordID, b.timeCreated, b.userID = "", "", "", "", ""
	b.dataName, b.dataN = "", 0
	b.data = b.data[:0]
}

// section returns the name of the child of <Event> the builder is in.
func (b *eventBuilder) section() string {
	if len(b.stack) < 2 {
		return ""
	}
	return b.stack[1].name
}

func (b *eventBuilder) start(name string) bool {
	if n := len(b.stack); n > 0 {
		b.stack[n-1].hasChild = true
	}
	b.stack = append(b.stack, frame{name: name})
	b.buf.Reset()
	switch len(b.stack) {
	case 1, 2:
		return false // <Event>, <System>, <EventData>: neither attributes nor text
	case 3:
		if b.section() == "System" {
			switch name {
			case "Provider", "EventID", "Level", "TimeCreated", "EventRecordID", "Channel", "Computer", "Security":
				return true
			}
			return false // Version, Task, Opcode, Keywords, Correlation, Execution
		}
		if name == "Data" && b.section() == "EventData" {
			b.dataName = ""
		}
	}
	return true
}

// keepAttr tells which attributes the event uses.
func (b *eventBuilder) keepAttr(name string) bool {
	if b.section() == "System" {
		return name != "Guid" && name != "Qualifiers"
	}
	return true
}

func (b *eventBuilder) attr(name, value string) {
	n := len(b.stack)
	if n < 2 {
		return
	}
	el := b.stack[n-1].name
	switch b.section() {
	case "System":
		if n != 3 {
			return
		}
		switch el + "@" + name {
		case "Provider@Name":
			b.provider = value
		case "Provider@EventSourceName":
			b.sourceName = value
		case "TimeCreated@SystemTime":
			b.timeCreated = value
		case "Security@UserID":
			b.userID = value
		}
	case "EventData":
		if n == 3 && el == "Data" && name == "Name" {
			b.dataName = value
		}
	}
}

func (b *eventBuilder) text(s string) { b.buf.WriteString(s) }

func (b *eventBuilder) end() {
	n := len(b.stack)
	if n == 0 {
		return
	}
	f := b.stack[n-1]
	b.stack = b.stack[:n-1]
	if f.hasChild || n < 3 {
		return
	}
	txt := b.buf.String()
	b.buf.Reset()
	switch b.sectionAt(n) {
	case "System":
		if n != 3 {
			return
		}
		switch f.name {
		case "EventID":
			b.eventID = txt
		case "Level":
			b.level = txt
		case "Channel":
			b.channel = txt
		case "Computer":
			b.computer = txt
		case "EventRecordID":
			b.recordID = txt
		}
	case "EventData":
		name := f.name
		if n == 3 && name == "Data" {
			b.dataN++
			name = b.dataName
			if name == "" {
				name = "Data" + strconv.Itoa(b.dataN)
			}
		}
		b.data = append(b.data, parsers.Field{Name: name, Value: txt})
	default:
		// UserData, ProcessingErrorData, DebugData ...: the leaf elements.
		b.data = append(b.data, parsers.Field{Name: f.name, Value: txt})
	}
}

// sectionAt returns the section of an element that was at depth n (the
// stack has already been popped).
func (b *eventBuilder) sectionAt(n int) string {
	if n == 2 {
		return ""
	}
	return b.stack[1].name
}

// levelNames are Event Viewer's names of the standard levels; 0 (LogAlways,
// classic providers) shows as Information.
var levelNames = [...]string{"Information", "Critical", "Error", "Warning", "Information", "Verbose"}

// LevelName returns Event Viewer's name of a level number, or the number.
func LevelName(level string) string {
	if n, err := strconv.Atoi(level); err == nil && n >= 0 && n < len(levelNames) {
		return levelNames[n]
	}
	return level
}

// fill sets e from the collected values. id and written are the record's
// header values, used when the XML lacks them.
func (b *eventBuilder) fill(e *parsers.Event, id, written uint64) {
	e.Source = parsers.SourceEventLog
	e.Clock = parsers.ClockUTC
	if t, err := time.Parse(time.RFC3339Nano, b.timeCreated); err == nil {
		e.Time = t.UTC()
	} else {
		e.Time = FileTime(written)
	}
	e.Process = b.provider
	e.Server = HostName(b.computer)
	recordID := b.recordID
	if recordID == "" {
		recordID = strconv.FormatUint(id, 10)
	}
	fields := make([]parsers.Field, 0, 7+len(b.data))
	fields = append(fields,
		parsers.Field{Name: "EventID", Value: b.eventID},
		parsers.Field{Name: "Level", Value: LevelName(b.level)},
		parsers.Field{Name: "Channel", Value: b.channel},
		parsers.Field{Name: "RecordID", Value: recordID},
		parsers.Field{Name: "Computer", Value: b.computer})
	if b.sourceName != "" {
		fields = append(fields, parsers.Field{Name: "EventSourceName", Value: b.sourceName})
	}
	if b.userID != "" {
		fields = append(fields, parsers.Field{Name: "UserID", Value: b.userID})
	}
	e.Fields = append(fields, b.data...)
	eid, _ := strconv.Atoi(b.eventID)
	parsers.ClassifyEventLog(e, b.provider, eid, b.data)
}

// HostName returns the host part of a computer name (SQLNODE1 of
// SQLNODE1.contoso.local), the name SQL Server logs use for the node.
func HostName(computer string) string {
	computer = strings.TrimSpace(computer)
	if i := strings.IndexByte(computer, '.'); i > 0 {
		// An IP address stays whole.
		if _, err := strconv.Atoi(computer[:i]); err != nil {
			return computer[:i]
		}
	}
	return computer
}
