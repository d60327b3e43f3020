// Package eventtext reads Windows event logs exported as text: `wevtutil qe
// LOG /f:text` ("Event[N]:" blocks of "  Name: value" lines, the message
// after "Description:") and CSV:
// PowerShell's `Get-WinEvent | Export-Csv` and `Get-EventLog | Export-Csv`
// (a "#TYPE" line, then a quoted header: TimeCreated or TimeGenerated, Id or
// EventID, ProviderName or Source, Level/LevelDisplayName or EntryType,
// MachineName, Message ...), SQL LogScout's `*_EventLog_System.csv` and
// `_Application.csv` ("EntryType","TimeGenerated","Source","EventID",
// "Category","Message", every field quoted, inner quotes not escaped),
// Event Viewer's "Save As… CSV" (Level,Date and Time,Source,Event ID,Task
// Category, the message as an unnamed sixth field) and the SDP/TSS
// `*_evt_System.csv` (Date,Time,Type,Computer,EventID,Source,Category,User,
// Description), in UTF-8 or UTF-16 with or without BOM.
//
// Each row becomes the same parsers.Event as the record of a native .evtx
// file (winevent.Record.Fill). These exports keep the rendered
// message but not the data values: the event is classified by provider and
// event id through winevent.Table, and the values that name the node,
// resource, clustered role and service are recovered from the message with
// the table's template (winevent.Inserts).
//
// Times are written in the exporting machine's local time without a zone:
// events get Clock parsers.ClockLocal with the wall-clock time in Local (and
// Time), for the analyzer to convert with the server's UTC offset. A time
// with a "Z" or an offset is converted to UTC. Culture date formats are
// read (3/14/2024 2:17:41 AM, 14/03/2024 02:17:41, 14.03.2024 02:17:41,
// 2024-03-14 02:17:41); the day/month order is learned from the first date
// whose day is above 12, holding back the rows read before it (at most
// MaxHeld).
package eventtext

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/winevent"
)

// MaxRecord bounds one row (with its continuation lines); a longer row is
// skipped with a warning.
const MaxRecord = 1 << 20

// MaxHeld bounds the rows held back while the day/month order of the dates
// is unknown; past it month/day is assumed when the times have AM/PM, else
// day/month, with a warning.
const MaxHeld = 4096

// column roles
const (
	colTime = iota
	colDate // SDP: the date in its own column
	colClock
	colID
	colInstanceID
	colProvider
	colLevel
	colLevelName
	colComputer
	colMessage
	colRecordID
	colChannel
	colUser
	nCols
)

// columnNames maps header names (lower case) to roles.
var columnNames = map[string]int{
	"timecreated": colTime, "timegenerated": colTime, "date and time": colTime, "date time": colTime,
	"date": colDate, "time": colClock,
	"id": colID, "eventid": colID, "event id": colID, "event": colID, "instanceid": colInstanceID,
	"providername": colProvider, "source": colProvider,
	"level": colLevel, "leveldisplayname": colLevelName, "entrytype": colLevelName, "type": colLevelName,
	"machinename": colComputer, "computer": colComputer, "computer name": colComputer,
	"message": colMessage, "description": colMessage,
	"recordid": colRecordID, "index": colRecordID,
	"logname": colChannel,
	"userid":  colUser,
}

// headerColumns maps header fields to column indexes (-1: absent) and says
// whether the message is an unnamed field after the header's (Event Viewer).
func headerColumns(fields []string) (cols [nCols]int, trailingMessage bool) {
	for i := range cols {
		cols[i] = -1
	}
	for i, f := range fields {
		if role, ok := columnNames[strings.ToLower(strings.TrimSpace(f))]; ok && cols[role] < 0 {
			cols[role] = i
		}
	}
	if cols[colMessage] < 0 && len(fields) > 0 && strings.EqualFold(strings.TrimSpace(fields[len(fields)-1]), "task category") {
		cols[colMessage] = len(fields)
		trailingMessage = true
	}
	return cols, trailingMessage
}

// Reader reads one CSV export. Create it with NewReader and range over
// Events; Stats is complete once the iteration has ended.
type Reader struct {
	in    io.Reader
	file  string
	stats parsers.FileStats
	out   parsers.Emitter

	cols   [nCols]int
	loose  bool // LogScout: fields split on `","`, inner quotes not escaped
	ncols  int
	order  int // date order: 0 unknown, mdy, dmy
	ampm   bool
	held   []heldRow
	text   bool       // a wevtutil /f:text export
	block  *textBlock // its current event
	fields []string
}

const (
	orderUnknown = iota
	orderMDY
	orderDMY
)

// heldRow is a row whose date order is not known yet.
type heldRow struct {
	ev *parsers.Event
	st stamp
}

var _ parsers.Reader = (*Reader)(nil)

// NewReader returns a reader of the export in r; file names the input in
// events, warnings and errors.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{in: r, file: file, stats: parsers.FileStats{File: file, Format: parsers.FormatEventCSV, Clock: parsers.ClockLocal}}
}

// Stats returns the statistics of the file, complete once Events has ended.
// Records counts the data rows, Events those read; Header the "#TYPE" and
// header lines; Continuations the lines a quoted message continued on.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// Events returns the stream of events in file order. Line is the row's
// first line, Offset 0. A warning (*parsers.Warning) is yielded with a nil
// event and reading goes on; a read error ends the stream.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return r.out.Events("eventtext", &r.stats, r.run)
}

func (r *Reader) run() {
	tr := parsers.NewTextReader(r.in)
	lr := parsers.NewLineReader(tr, MaxRecord)
	var rec []byte
	recLine, line := 0, 0
	haveHeader := false
	tooLong := false
	var q quotes       // quoting state of the current row
	var recBytes int64 // its length, also when too long to keep
	skip := func(b []byte) { r.stats.SkippedBytes += int64(len(b)) }
	flush := func() {
		if tooLong {
			r.warn(recLine, "row longer than MaxRecord skipped")
			r.stats.SkippedBytes += recBytes
		} else if len(rec) > 0 {
			r.row(rec, recLine)
		}
		rec, tooLong = rec[:0], false
	}
	for !r.out.Stopped() {
		text, long, ok := lr.Next(skip)
		if !ok {
			break
		}
		line++
		if r.stats.Encoding == "" {
			r.stats.Encoding = string(tr.Encoding)
		}
		text = bytes.TrimRight(text, "\r")
		if long {
			if len(rec) > 0 {
				tooLong = true
				r.stats.Continuations++
				continue
			}
			r.stats.Unrecognized++
			r.warn(line, "line longer than MaxRecord skipped")
			continue
		}
		if r.text {
			r.textLine(text, line)
			continue
		}
		if !haveHeader {
			t := bytes.TrimSpace(text)
			if isEventBlock(t) {
				r.text = true
				r.stats.Format = parsers.FormatEventText
				r.textLine(text, line)
				continue
			}
			switch {
			case len(t) == 0:
				continue
			case bytes.HasPrefix(t, []byte("#TYPE")) || bytes.HasPrefix(t, []byte("#type")):
				r.stats.Header++
				continue
			}
			fields := splitCSV(t)
			cols, trailing := headerColumns(fields)
			if cols[colID] < 0 || cols[colProvider] < 0 || cols[colTime] < 0 && (cols[colDate] < 0 || cols[colClock] < 0) {
				r.stats.Unrecognized++
				r.warn(line, "not an event-log CSV header")
				continue
			}
			r.stats.Header++
			haveHeader = true
			r.cols = cols
			r.ncols = len(fields)
			if trailing {
				r.ncols++
			}
			// LogScout writes every field quoted without escaping inner
			// quotes; its message is the last column.
			r.loose = t[0] == '"' && cols[colMessage] == len(fields)-1 && strings.EqualFold(fields[0], "EntryType")
			continue
		}
		if len(rec) > 0 {
			r.stats.Continuations++
			recBytes += int64(len(text)) + 1
			if len(rec)+len(text)+1 > MaxRecord {
				tooLong = true
			} else if !tooLong {
				rec = append(rec, '\n')
				rec = append(rec, text...)
			}
			if q.feed('\n'); q.line(text) {
				flush()
			}
			continue
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		recLine = line
		rec = append(rec[:0], text...)
		recBytes = int64(len(text))
		q = quotes{}
		if q.line(text) || r.loose {
			flush()
		}
	}
	if r.text {
		r.endBlock()
	}
	if len(rec) > 0 && !r.out.Stopped() {
		r.warn(recLine, "row cut short: a quoted field is not closed at the end of the file")
		flush()
	}
	if err := lr.Err(); err != nil {
		r.out.Fail(fmt.Errorf("%s: %w", r.file, err))
	}
	r.release(true)
	r.stats.Lines = line
	r.stats.Bytes = tr.RawOffset()
	r.stats.SkippedBytes += int64(tr.OddBytes)
}

// row reads one data row.
func (r *Reader) row(rec []byte, line int) {
	r.stats.Records++
	if r.loose {
		r.fields = splitLoose(r.fields[:0], rec, r.ncols)
	} else {
		r.fields = splitCSVInto(r.fields[:0], rec, r.ncols)
	}
	get := func(role int) string {
		if i := r.cols[role]; i >= 0 && i < len(r.fields) {
			return strings.TrimSpace(r.fields[i])
		}
		return ""
	}
	when := get(colTime)
	if when == "" && r.cols[colDate] >= 0 {
		when = get(colDate) + " " + get(colClock)
	}
	st, ok := scanTime(when)
	if !ok {
		r.stats.Unrecognized++
		r.warn(line, fmt.Sprintf("row without a readable time (%.40q) skipped", when))
		return
	}
	id := get(colID)
	if id == "" {
		if n, err := strconv.ParseInt(get(colInstanceID), 10, 64); err == nil {
			id = strconv.FormatInt(n&0xFFFF, 10) // the low 16 bits are the event id
		}
	}
	if _, err := strconv.Atoi(id); err != nil {
		r.stats.Unrecognized++
		r.warn(line, fmt.Sprintf("row without a numeric event id (%.20q) skipped", id))
		return
	}
	level := get(colLevel)
	if _, err := strconv.Atoi(level); err != nil || level == "" {
		if n := get(colLevelName); n != "" {
			level = n
		}
	}
	msg := lineBreaks(get(colMessage))
	provider := get(colProvider)
	n, _ := strconv.Atoi(id)
	rec0 := winevent.Record{
		Provider: provider, EventID: id, Level: level, Channel: get(colChannel),
		Computer: get(colComputer), RecordID: get(colRecordID), UserID: get(colUser),
		Data: winevent.Inserts(provider, n, msg), Rendered: msg,
	}
	ev := &parsers.Event{File: r.file, Line: line}
	rec0.Fill(ev)
	r.dated(ev, st)
}

// dated sets an event's time and sends it, or holds it while the date
// order is unknown.
func (r *Reader) dated(ev *parsers.Event, st stamp) {
	if st.ampm {
		r.ampm = true
	}
	if r.order == orderUnknown {
		switch {
		case st.a > 12 && !st.ymd:
			r.order = orderDMY
		case st.b > 12 && !st.ymd:
			r.order = orderMDY
		}
	}
	r.setTime(ev, st)
	if st.ymd || st.a == st.b || r.order != orderUnknown {
		if r.order != orderUnknown || len(r.held) == 0 {
			r.release(false)
			r.send(ev)
			return
		}
	}
	r.held = append(r.held, heldRow{ev, st})
	if len(r.held) >= MaxHeld {
		r.release(true)
	}
}

// release sends the held rows once the date order is known, or, when
// force is set, with the default order.
func (r *Reader) release(force bool) {
	if len(r.held) == 0 {
		return
	}
	if r.order == orderUnknown {
		if !force {
			return
		}
		r.order = orderDMY
		name := "day/month"
		if r.ampm {
			r.order, name = orderMDY, "month/day"
		}
		r.warn(r.held[0].ev.Line, "the dates never show whether the day or the month comes first: "+name+" assumed")
	}
	for _, h := range r.held {
		r.setTime(h.ev, h.st)
		r.send(h.ev)
	}
	r.held = r.held[:0]
}
