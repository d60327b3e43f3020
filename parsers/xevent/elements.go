package xevent

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// The decoder path: what the start tags, end tags and text that
// encoding/xml reads do, outside an event and inside one.

// startOutside handles a start tag outside any event.
func (p *parser) startOutside(t xml.StartElement, pos at) {
	if t.Name.Local == "event" {
		p.startEvent(t, pos)
		return
	}
	switch t.Name.Local {
	case "events", "RingBufferTarget":
	default:
		p.r.stats.Unrecognized++
	}
	p.wrappers = append(p.wrappers, capName(t.Name))
}

// endOutside handles an end tag outside any event. After a resynchronization
// the wrappers opened before are unknown, so an unmatched end tag is ignored.
func (p *parser) endOutside(t xml.EndElement, pos at) {
	n := capName(t.Name)
	for i := len(p.wrappers) - 1; i >= 0; i-- {
		if p.wrappers[i] == n {
			if i != len(p.wrappers)-1 {
				p.warn(pos.raw, pos.line, fmt.Sprintf("element <%s> closed by </%s>", name(p.wrappers[len(p.wrappers)-1]), name(t.Name)))
			}
			p.wrappers = p.wrappers[:i]
			return
		}
	}
	if !p.sawSyntaxError {
		p.warn(pos.raw, pos.line, fmt.Sprintf("unexpected end tag </%s>", name(t.Name)))
	}
}

// startEvent begins a new event at the start tag t.
func (p *parser) startEvent(t xml.StartElement, pos at) {
	var name, ts string
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "name":
			name = a.Value
		case "timestamp":
			ts = a.Value
		}
	}
	p.openEvent(capString(name), ts, pos)
}

// openEvent begins a new event named name with the timestamp attribute ts,
// at pos.
func (p *parser) openEvent(name, ts string, pos at) {
	p.r.stats.Records++
	ev := &parsers.Event{
		Clock:  parsers.ClockUTC,
		Source: parsers.SourceXEvent,
		File:   p.r.file,
		Line:   pos.line,
		Offset: pos.raw,
		Name:   name,
	}
	p.ev = ev
	p.frames = p.frames[:0]
	p.evBytes = 0
	p.fieldsCut = false
	p.inField = false
	if ts == "" {
		p.warn(pos.raw, pos.line, fmt.Sprintf("event %q has no timestamp", ev.Name))
		return
	}
	tm, zone, ok := parseTimestamp(ts)
	if !ok {
		p.warn(pos.raw, pos.line, fmt.Sprintf("event %q: bad timestamp %q", ev.Name, ts))
		return
	}
	if !zone {
		p.r.stats.MissingZone++
	}
	ev.Time = tm
}

// startInside handles a start tag inside the current event.
func (p *parser) startInside(t xml.StartElement, pos at) {
	top := len(p.frames) - 1
	if t.Name.Local == "event" && (top < 0 || p.frames[top].kind != frameNested) {
		// An event cannot contain an event outside nested value XML: the
		// current one was cut and a new one starts.
		p.warn(p.ev.Offset, p.ev.Line, fmt.Sprintf("incomplete event %q: a new event starts at offset %d", p.ev.Name, pos.raw))
		p.r.stats.SkippedBytes += pos.raw - p.ev.Offset
		p.dropEvent()
		p.startEvent(t, pos)
		return
	}
	if top < 0 {
		p.startField(t)
		p.frames = append(p.frames, frame{frameField, capName(t.Name)})
		return
	}
	kind := frameNested
	if p.frames[top].kind == frameField {
		switch t.Name.Local {
		case "value":
			kind = frameValue
		case "text":
			kind = frameText
			p.fld.hasText = true
		case "type":
			kind = frameType
		}
	}
	if kind == frameNested {
		p.writeStartTag(t)
	}
	p.frames = append(p.frames, frame{kind, capName(t.Name)})
}

// startField begins a <data> or <action> (or another direct child of <event>,
// kept under its element name).
func (p *parser) startField(t xml.StartElement) {
	p.fld.name = capString(t.Name.Local)
	if t.Name.Local == "data" || t.Name.Local == "action" {
		p.fld.name = ""
		for _, a := range t.Attr {
			if a.Name.Local == "name" {
				p.fld.name = capString(a.Value)
				break
			}
		}
	}
	p.fld.value = p.fld.value[:0]
	p.fld.text = p.fld.text[:0]
	p.fld.hasText = false
	p.fld.truncated = false
	p.inField = true
}

// endInside handles an end tag inside the current event.
func (p *parser) endInside(t xml.EndElement, pos at) {
	top := len(p.frames) - 1
	if top < 0 {
		if t.Name.Local != "event" || t.Name.Space != "" {
			p.malformed(pos, fmt.Sprintf("element <event> closed by </%s>", name(t.Name)))
			return
		}
		p.emit()
		return
	}
	f := p.frames[top]
	if f.name != capName(t.Name) {
		p.malformed(pos, fmt.Sprintf("element <%s> closed by </%s>", name(f.name), name(t.Name)))
		return
	}
	p.frames = p.frames[:top]
	switch f.kind {
	case frameNested:
		p.writeEndTag(t.Name)
	case frameField:
		p.endField()
	}
}

// endField stores the field just closed in the event: the map label when there
// is one, else the value; a map's number is kept as name+"_value".
func (p *parser) endField() {
	p.inField = false
	ev := p.ev
	if len(ev.Fields) >= xe.MaxFields {
		if !p.fieldsCut {
			p.fieldsCut = true
			p.warn(ev.Offset, ev.Line, fmt.Sprintf("event %q has more than %d fields: the rest dropped", ev.Name, xe.MaxFields))
		}
		return
	}
	f := &p.fld
	if f.truncated {
		p.warn(ev.Offset, ev.Line, fmt.Sprintf("event %q: field %q cut to %d bytes", ev.Name, f.name, max(len(f.value), len(f.text))))
	}
	value := string(f.value)
	if f.hasText && len(f.text) > 0 {
		label := string(f.text)
		ev.Fields = append(ev.Fields, parsers.Field{Name: f.name, Value: label})
		if value != "" && value != label {
			ev.Fields = append(ev.Fields, parsers.Field{Name: f.name + "_value", Value: value})
		}
		return
	}
	ev.Fields = append(ev.Fields, parsers.Field{Name: f.name, Value: value})
}

// charData appends text to the value or label being read.
func (p *parser) charData(t xml.CharData) {
	if len(p.frames) == 0 || !p.inField {
		return // white space between fields
	}
	top := p.frames[len(p.frames)-1].kind
	if top == frameField && len(bytes.TrimSpace(t)) == 0 {
		return // indentation between <value>, <text> and <type>
	}
	nested := top == frameNested
	switch p.target() {
	case frameText:
		if nested {
			p.fld.text = p.appendCapped(p.fld.text, escapeText(nil, t))
		} else {
			p.fld.text = p.appendCapped(p.fld.text, t)
		}
	case frameValue, frameField:
		if nested {
			p.fld.value = p.appendCapped(p.fld.value, escapeText(nil, t))
		} else {
			p.fld.value = p.appendCapped(p.fld.value, t)
		}
	}
}

// target tells where text and nested XML at the current depth go: the label
// (frameText), nowhere (frameType) or the value (frameValue, frameField).
func (p *parser) target() frameKind {
	for i := len(p.frames) - 1; i >= 0; i-- {
		if k := p.frames[i].kind; k != frameNested {
			return k
		}
	}
	return frameField
}

// appendCapped appends b to dst within xe.MaxValue and the event's budget.
func (p *parser) appendCapped(dst, b []byte) []byte {
	room := min(xe.MaxValue-len(dst), maxEventBytes-p.evBytes)
	if len(b) > room {
		b = b[:max(room, 0)]
		p.fld.truncated = true
	}
	p.evBytes += len(b)
	return append(dst, b...)
}

// writeStartTag serializes a start tag of nested value XML.
func (p *parser) writeStartTag(t xml.StartElement) {
	b := make([]byte, 0, 64)
	b = append(b, '<')
	b = appendName(b, t.Name)
	for _, a := range t.Attr {
		b = append(b, ' ')
		b = appendName(b, a.Name)
		b = append(b, '=', '"')
		b = escapeAttr(b, a.Value)
		b = append(b, '"')
	}
	b = append(b, '>')
	p.appendToTarget(b)
}

// writeEndTag serializes an end tag of nested value XML.
func (p *parser) writeEndTag(n xml.Name) {
	b := make([]byte, 0, 32)
	b = append(b, '<', '/')
	b = appendName(b, n)
	b = append(b, '>')
	p.appendToTarget(b)
}

// nestedProcInst keeps a processing instruction inside nested value XML.
func (p *parser) nestedProcInst(t xml.ProcInst) {
	if len(p.frames) == 0 || p.frames[len(p.frames)-1].kind != frameNested {
		return
	}
	b := append([]byte("<?"), t.Target...)
	if len(t.Inst) > 0 {
		b = append(b, ' ')
		b = append(b, t.Inst...)
	}
	b = append(b, '?', '>')
	p.appendToTarget(b)
}

func (p *parser) appendToTarget(b []byte) {
	switch p.target() {
	case frameText:
		p.fld.text = p.appendCapped(p.fld.text, b)
	case frameValue, frameField:
		p.fld.value = p.appendCapped(p.fld.value, b)
	}
}
