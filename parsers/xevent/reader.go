// Package xevent reads Extended Events data exported as XML, above all the
// AlwaysOn_health session (and system_health, SQLDIAG), and emits the same
// parsers.Event values as the ERRORLOG reader.
//
// It accepts the shapes in which such data is saved: event documents as
// sys.fn_xe_file_target_read_file returns them (one per line or back to back,
// each with or without its own XML declaration), the same inside an enclosing
// root such as <events>, and a <RingBufferTarget> document whose data carry
// <type> children. The input may be UTF-16 (with or without a byte-order mark,
// as SSMS and PowerShell save it) or UTF-8 (with or without a BOM); an XML
// declaration naming another encoding is ignored because the text has already
// been decoded.
//
// The reader streams: it holds one event at a time, and bounds what a hostile
// file can make it hold: a token (a text node, a tag) may not exceed
// MaxToken bytes, a field value is cut at MaxValue bytes, elements nest at most
// MaxDepth levels. DOCTYPE declarations are skipped and entities they declare
// are never expanded. A syntax error costs the event it occurs in: the reader
// warns with the byte offset and resumes at the next "<event".
//
// Why encoding/xml and not xmlquery's stream parser: xmlquery copes with
// back-to-back documents, but it reads ahead through its own buffers and does
// not expose input offsets, so it can neither report the byte offset of an
// event nor resume after a syntax error; a build over xmlquery also spent its
// time building node trees the reader immediately flattens. The reader therefore
// drives encoding/xml's Decoder.RawToken over an io.ByteReader of its own.
//
// That path is thorough but slow (a token interface, a string per attribute,
// a byte at a time), so the reader first tries a fast path on every event: a
// scanner over the decoded bytes that reads the common shape (data and action
// fields with value, text and type children, CDATA, the predefined entities
// and character references, XML declarations between documents) and leaves
// anything else (comments, DOCTYPE, nested XML, unknown entities, damage,
// events near the limits) to encoding/xml from the same position. The fast
// path gives exactly the events, warnings and statistics of the other; the
// package's differential tests and FuzzFastPath hold it to that.
package xevent

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/agtriage/agtriage/parsers"
)

// Limits on what one input can make the reader hold.
const (
	// MaxValue is the longest field value kept; longer values are cut with a warning.
	MaxValue = 1 << 20
	// MaxToken is the longest single XML token (text node, tag, directive) the
	// reader lets the decoder buffer; the event holding a longer one is skipped.
	MaxToken = 4 << 20
	// MaxDepth is the deepest element nesting accepted; deeper input is skipped
	// up to the next event.
	MaxDepth = 256
	// MaxFields is the most data and action fields kept per event.
	MaxFields = 4096
	// maxEventBytes bounds the total size of one event's field values.
	maxEventBytes = 8 << 20
)

// ErrNotXML is wrapped by the error an input that is not XML ends with.
var ErrNotXML = errors.New("not an Extended Events XML export")

// Reader reads one Extended Events XML export. Create it with NewReader and
// range over Events; Stats is complete once the iteration has ended.
type Reader struct {
	in    io.Reader
	file  string
	stats parsers.FileStats
	used  bool
	// slowOnly turns the fast path off: every event goes through
	// encoding/xml. The differential tests compare the two paths.
	slowOnly bool
	// fastEvents counts the events the fast path read, for the tests.
	fastEvents int
}

// NewReader returns a reader of the XML export r; file names the input in
// events, warnings and errors.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{
		in:   r,
		file: file,
		stats: parsers.FileStats{
			File:   file,
			Format: parsers.FormatXEventXML,
			Clock:  parsers.ClockUTC,
		},
	}
}

// Stats returns the statistics of the file, complete once Events has ended.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// Events returns the stream of events. Offsets are byte offsets in the raw
// input (for UTF-16 input too); lines count the input's newlines. A warning
// (*parsers.Warning) is yielded with a nil event and reading goes on; any
// other error ends the stream. Events may be ranged over only once.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return func(yield func(*parsers.Event, error) bool) {
		if r.used {
			yield(nil, fmt.Errorf("%s: xevent: Events called twice", r.file))
			return
		}
		r.used = true
		p := newParser(r, yield)
		p.run()
		r.stats.Bytes = p.text.RawOffset()
		r.stats.Lines = p.lines()
		r.fastEvents = p.hits
	}
}

// frameKind says what an open element inside an event is.
type frameKind uint8

const (
	frameField  frameKind = iota // <data> or <action>, or another direct child of <event>
	frameValue                   // <value>
	frameText                    // <text> (a map field's label)
	frameType                    // <type> (ring buffer target), ignored
	frameNested                  // an element inside a value: serialized into it
)

type frame struct {
	kind frameKind
	name xml.Name
}

// field is the data or action being read.
type field struct {
	name      string
	value     []byte
	text      []byte
	hasText   bool
	truncated bool
}

// at is a position in the input: the decoded offset (what the decoder
// counts), the raw byte offset and the 1-based line.
type at struct {
	dec  int64
	raw  int64
	line int
}

// parser is the state of one pass over an input.
type parser struct {
	leadingText string // set when the input does not start with markup
	r           *Reader
	yield       func(*parsers.Event, error) bool
	stop        bool // the consumer stopped the iteration

	text *parsers.TextReader
	src  *source
	dec  *xml.Decoder
	// decBase is the decoded offset where dec started; lineBase the number of
	// lines before it.
	decBase  int64
	lineBase int

	wrappers []xml.Name // open elements outside events

	ev        *parsers.Event // event being read, nil outside events
	frames    []frame
	fld       field
	inField   bool
	evBytes   int // bytes of field values held by ev
	fieldsCut bool

	sawSyntaxError bool
	warnedDoctype  bool
	lastResync     int64

	fastState
}

func newParser(r *Reader, yield func(*parsers.Event, error) bool) *parser {
	t := parsers.NewTextReader(r.in)
	enc := string(t.Encoding)
	if t.Encoding == parsers.EightBit {
		enc = string(parsers.UTF8) // XML without a BOM or declaration is UTF-8
	}
	r.stats.Encoding = enc
	return &parser{r: r, yield: yield, text: t, src: newSource(t, MaxToken), lastResync: -1}
}

// passThrough is the decoder's CharsetReader: the source is already UTF-8
// whatever the declaration says (e.g. encoding="utf-16" on a decoded file).
func passThrough(_ string, in io.Reader) (io.Reader, error) { return in, nil }

// newDecoder starts a decoder at the source's position, which is on line
// lineBase+1.
func (p *parser) newDecoder(lineBase int) {
	d := xml.NewDecoder(p.src)
	d.Strict = true
	d.CharsetReader = passThrough
	p.dec = d
	p.decBase = p.src.offset()
	p.lineBase = lineBase
	p.handoff = false
	p.epochLine = lineBase
}

// here returns the decoder's current position.
func (p *parser) here() at {
	off := p.decBase + p.dec.InputOffset()
	line, _ := p.dec.InputPos()
	return at{dec: off, raw: p.src.rawOffset(off), line: p.lineBase + line}
}

func (p *parser) run() {
	nl, c, ok := p.src.skipSpace()
	if p.src.err != nil {
		p.fatal(fmt.Errorf("%s: %w", p.r.file, p.src.err))
		return
	}
	if !ok {
		return // empty or blank: nothing to read
	}
	// Text before the first tag (the column header of query results saved
	// from SSMS, "(No column name)" and its dashes) is counted as
	// unrecognized; if no event follows, the input is no XML export.
	if c != '<' {
		p.leadingText = fmt.Sprintf("it starts with %q at offset %d", c, p.src.rawOffset(p.src.offset()))
	}
	p.newDecoder(nl)
	for !p.stop {
		if p.ev == nil && p.fastStep() {
			continue
		}
		pos := p.here()
		p.src.setMark(pos.dec)
		p.lastStart = false
		tok, err := p.dec.RawToken()
		if err != nil {
			if !p.handleError(err, pos) {
				break
			}
			continue
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(p.wrappers)+len(p.frames) >= MaxDepth {
				p.problem(pos, fmt.Sprintf("elements nest deeper than %d levels", MaxDepth))
				p.resync(p.here(), p.here(), p.skipFrom(pos))
				continue
			}
			p.lastStart = true
			if p.ev == nil {
				p.startOutside(t, pos)
			} else {
				p.startInside(t, pos)
			}
		case xml.EndElement:
			if p.ev == nil {
				p.endOutside(t, pos)
			} else {
				p.endInside(t, pos)
			}
		case xml.CharData:
			if p.ev != nil {
				p.charData(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				p.r.stats.Unrecognized++
			}
		case xml.ProcInst:
			if p.ev != nil && t.Target == "xml" {
				// A new document begins inside an event: the event was cut
				// (one line of a one-per-line export truncated).
				p.warn(p.ev.Offset, p.ev.Line, fmt.Sprintf("incomplete event %q: a new XML document starts at offset %d", p.ev.Name, pos.raw))
				p.r.stats.SkippedBytes += pos.raw - p.ev.Offset
				p.dropEvent()
			} else if p.ev != nil {
				p.nestedProcInst(t)
			}
		case xml.Directive:
			if !p.warnedDoctype {
				p.warnedDoctype = true
				p.warn(pos.raw, pos.line, "XML directive (DOCTYPE) ignored: entities are not expanded")
			}
		}
	}
	p.finish()
}

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
	if len(ev.Fields) >= MaxFields {
		if !p.fieldsCut {
			p.fieldsCut = true
			p.warn(ev.Offset, ev.Line, fmt.Sprintf("event %q has more than %d fields: the rest dropped", ev.Name, MaxFields))
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

// appendCapped appends b to dst within MaxValue and the event's budget.
func (p *parser) appendCapped(dst, b []byte) []byte {
	room := min(MaxValue-len(dst), maxEventBytes-p.evBytes)
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

// emit finishes the current event, interprets it and yields it.
func (p *parser) emit() {
	ev := p.ev
	p.ev = nil
	p.frames = p.frames[:0]
	interpret(ev)
	if ev.Server != "" && p.r.stats.Server == "" {
		p.r.stats.Server = ev.Server
	}
	p.r.stats.Count(ev)
	if !p.yield(ev, nil) {
		p.stop = true
	}
}

// lines returns how many text lines the input held, as far as it was read.
func (p *parser) lines() int {
	if p.stale {
		return p.vline // a fast step ends with '>', not a newline
	}
	if p.dec == nil {
		return 0
	}
	line, col := p.dec.InputPos()
	n := p.lineBase + line
	// The last line ended with a newline. A decoder started after a fast
	// step that has read nothing is not at the start of a line.
	if col == 1 && !(p.handoff && p.dec.InputOffset() == 0) {
		n--
	}
	return n
}

// finish accounts for the end of the input: markup without a single event
// that could be read is not an export at all.
func (p *parser) finish() {
	if p.stop || p.r.stats.Records > 0 {
		return
	}
	if p.leadingText != "" {
		p.fatal(fmt.Errorf("%s: %w: %s", p.r.file, ErrNotXML, p.leadingText))
		return
	}
	if p.sawSyntaxError {
		p.fatal(fmt.Errorf("%s: %w: no event could be read", p.r.file, ErrNotXML))
		return
	}
	if p.r.stats.TotalWarnings == 0 {
		p.warn(0, 0, "no <event> elements found")
	}
}

// warn records and yields a warning at a raw offset and line.
func (p *parser) warn(raw int64, line int, msg string) {
	w := &parsers.Warning{File: p.r.file, Line: line, Offset: raw, Msg: msg}
	p.r.stats.Warn(*w)
	if !p.stop && !p.yield(nil, w) {
		p.stop = true
	}
}

func (p *parser) fatal(err error) {
	if !p.stop {
		p.yield(nil, err)
		p.stop = true
	}
}

// maxName bounds the names the reader keeps (event, field and element
// names): real ones are short, and a hostile file must not make the reader
// hold thousands of multi-megabyte names.
const maxName = 256

func capString(s string) string {
	if len(s) > maxName {
		return s[:maxName]
	}
	return s
}

func capName(n xml.Name) xml.Name {
	return xml.Name{Space: capString(n.Space), Local: capString(n.Local)}
}

func name(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func appendName(b []byte, n xml.Name) []byte {
	if n.Space != "" {
		b = append(b, n.Space...)
		b = append(b, ':')
	}
	return append(b, n.Local...)
}
