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
// MaxToken bytes, a field value is cut at xe.MaxValue bytes, elements nest at most
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
	"github.com/agtriage/agtriage/parsers/xe"
)

// Limits on what one input can make the reader hold.
const (
	// MaxToken is the longest single XML token (text node, tag, directive) the
	// reader lets the decoder buffer; the event holding a longer one is skipped.
	MaxToken = 4 << 20
	// MaxDepth is the deepest element nesting accepted; deeper input is skipped
	// up to the next event.
	MaxDepth = 256
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
	out   parsers.Emitter
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
	return r.out.Events("xevent", &r.stats, func() {
		p := newParser(r)
		p.run()
		r.stats.Bytes = p.text.RawOffset()
		r.stats.Lines = p.lines()
		r.fastEvents = p.hits
	})
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
	out         *parsers.Emitter

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

func newParser(r *Reader) *parser {
	t := parsers.NewTextReader(r.in)
	enc := string(t.Encoding)
	if t.Encoding == parsers.EightBit {
		enc = string(parsers.UTF8) // XML without a BOM or declaration is UTF-8
	}
	r.stats.Encoding = enc
	return &parser{r: r, out: &r.out, text: t, src: newSource(t, MaxToken), lastResync: -1}
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
		p.out.Fail(fmt.Errorf("%s: %w", p.r.file, p.src.err))
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
	for !p.out.Stopped() {
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

// emit finishes the current event, interprets it and yields it.
func (p *parser) emit() {
	ev := p.ev
	p.ev = nil
	p.frames = p.frames[:0]
	xe.Interpret(ev)
	if ev.Server != "" && p.r.stats.Server == "" {
		p.r.stats.Server = ev.Server
	}
	p.out.Emit(ev)
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
	if p.out.Stopped() || p.r.stats.Records > 0 {
		return
	}
	if p.leadingText != "" {
		p.out.Fail(fmt.Errorf("%s: %w: %s", p.r.file, ErrNotXML, p.leadingText))
		return
	}
	if p.sawSyntaxError {
		p.out.Fail(fmt.Errorf("%s: %w: no event could be read", p.r.file, ErrNotXML))
		return
	}
	if p.r.stats.TotalWarnings == 0 {
		p.warn(0, 0, "no <event> elements found")
	}
}

// warn records and yields a warning at a raw offset and line.
func (p *parser) warn(raw int64, line int, msg string) { p.out.Warn(line, raw, msg) }

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
