package eventtext

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/winevent"
)

// isEventBlock reports whether line opens a `wevtutil qe /f:text` block:
// "Event[N]:".
func isEventBlock(line []byte) bool {
	line = bytes.TrimSpace(line)
	if !bytes.HasPrefix(line, []byte("Event[")) || !bytes.HasSuffix(line, []byte("]:")) || len(line) < 9 {
		return false
	}
	_, err := strconv.Atoi(string(line[6 : len(line)-2]))
	return err == nil
}

// textBlock is one `wevtutil /f:text` event being read.
type textBlock struct {
	line int
	rec  winevent.Record
	when string
	desc bool // in the Description lines
	msg  []string
}

// textLine reads one line of a `wevtutil qe LOG /f:text` export: "Event[N]:"
// opens a block, two-space-indented "Name: value" lines fill it, and the
// lines after "Description:" up to the next block are the message.
func (r *Reader) textLine(text []byte, line int) {
	if isEventBlock(text) {
		r.endBlock()
		r.block = &textBlock{line: line}
		r.stats.Records++
		return
	}
	b := r.block
	if b == nil {
		if len(bytes.TrimSpace(text)) > 0 {
			r.stats.Unrecognized++
		}
		return
	}
	if b.desc {
		b.msg = append(b.msg, string(text))
		r.stats.Continuations++
		return
	}
	name, value, ok := strings.Cut(string(text), ":")
	if !ok || !strings.HasPrefix(name, "  ") {
		if len(bytes.TrimSpace(text)) > 0 {
			r.stats.Unrecognized++
			r.warn(line, "line inside an event block is not a \"  Name: value\" line")
		}
		return
	}
	value = strings.TrimSpace(value)
	switch strings.TrimSpace(name) {
	case "Log Name":
		b.rec.Channel = value
	case "Source":
		b.rec.Provider = value
	case "Date":
		b.when = value
	case "Event ID":
		b.rec.EventID = value
	case "Level":
		b.rec.Level = value
	case "Computer":
		b.rec.Computer = value
	case "User":
		if value != "N/A" {
			b.rec.UserID = value
		}
	case "Description":
		b.desc = true
		if value != "" {
			b.msg = append(b.msg, value)
		}
	}
}

// endBlock yields the event of the block read so far.
func (r *Reader) endBlock() {
	b := r.block
	r.block = nil
	if b == nil {
		return
	}
	st, ok := scanTime(b.when)
	id, err := strconv.Atoi(b.rec.EventID)
	if !ok || err != nil {
		r.stats.Unrecognized++
		r.warn(b.line, fmt.Sprintf("event block without a readable Date (%.40q) or Event ID (%.20q) skipped", b.when, b.rec.EventID))
		return
	}
	msg := strings.TrimSpace(strings.Join(b.msg, "\n"))
	b.rec.Rendered = msg
	b.rec.Data = winevent.Inserts(b.rec.Provider, id, msg)
	ev := &parsers.Event{File: r.file, Line: b.line}
	b.rec.Fill(ev)
	r.dated(ev, st)
}
