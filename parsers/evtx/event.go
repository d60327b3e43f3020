package evtx

import (
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/winevent"
)

// eventBuilder is the sink that turns a record's XML into an Event: it keeps
// the System values and collects the EventData / UserData leaves as fields.
type eventBuilder struct {
	stack   []frame
	buf     strings.Builder
	first   string // the first text piece of the current element
	hasText bool

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
	b.takeText()
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
	b.takeText()
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

// text collects an element's text. The first piece is kept as it is (one
// value, the common case, costs no copy); further pieces are joined.
func (b *eventBuilder) text(s string) {
	switch {
	case !b.hasText:
		b.first, b.hasText = s, true
	case b.buf.Len() == 0:
		b.buf.WriteString(b.first)
		b.buf.WriteString(s)
	default:
		b.buf.WriteString(s)
	}
}

// takeText returns the collected text and resets it.
func (b *eventBuilder) takeText() string {
	txt := b.first
	if b.buf.Len() > 0 {
		txt = b.buf.String()
	}
	b.first, b.hasText = "", false
	b.buf.Reset()
	return txt
}

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
	txt := b.takeText()
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

// fill sets e from the collected values. id and written are the record's
// header values, used when the XML lacks them.
func (b *eventBuilder) fill(e *parsers.Event, id, written uint64) {
	rec := winevent.Record{
		Provider: b.provider, EventSourceName: b.sourceName, EventID: b.eventID, Level: b.level,
		Channel: b.channel, Computer: b.computer, RecordID: b.recordID, UserID: b.userID, Data: b.data,
	}
	if t, err := time.Parse(time.RFC3339Nano, b.timeCreated); err == nil {
		rec.Time = t.UTC()
	} else {
		rec.Time = fileTime(written)
	}
	if rec.RecordID == "" {
		rec.RecordID = strconv.FormatUint(id, 10)
	}
	rec.Fill(e)
}
