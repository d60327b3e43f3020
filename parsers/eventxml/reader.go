// Package eventxml reads Windows event logs exported as XML: Event Viewer's
// "Save All Events As… XML" (an <Events> root around the <Event> elements)
// and `wevtutil qe LOG /f:xml` or `/f:RenderedXml` (bare <Event> elements one
// after another, no root), in UTF-8 or UTF-16 (with or without BOM, as
// PowerShell's redirection writes it).
//
// The input is streamed: a scanner cuts out one <Event>…</Event> at a time
// (at most MaxEvent bytes), counting lines and bytes, and each event is a
// small document parsed and queried with XPath (github.com/antchfx/xmlquery).
// A malformed event is skipped with a warning naming its line (and byte
// offset), and the next event is read. Each event becomes the same
// parsers.Event as a record of a native .evtx file (see winevent.Record
// and parsers/evtx); RenderingInfo/Message, present in Event Viewer and
// RenderedXml exports, is used as the message.
package eventxml

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/winevent"
)

// MaxEvent bounds the size of one <Event> element; a larger one is skipped
// with a warning.
const MaxEvent = 4 << 20

// Reader reads one XML export. Create it with NewReader and range over
// Events; Stats is complete once the iteration has ended.
type Reader struct {
	in    io.Reader
	file  string
	stats parsers.FileStats
	out   parsers.Emitter

	tr   *parsers.TextReader
	br   *bufio.Reader
	wide bool  // UTF-16: two raw bytes per code unit
	raw  int64 // raw offset of the next byte
	line int   // line of the next byte (1-based)
	// lastEnd is the line the previous event ended on: an event that
	// starts there (Event Viewer writes all events on one line) is
	// located by its offset only.
	lastEnd int
	buf     []byte // the current event
}

var _ parsers.Reader = (*Reader)(nil)

// NewReader returns a reader of the XML export in r; file names the input in
// events, warnings and errors.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{
		in:   r,
		file: file,
		stats: parsers.FileStats{
			File:   file,
			Format: parsers.FormatEventXML,
			Clock:  parsers.ClockUTC,
		},
		line: 1,
	}
}

// Stats returns the statistics of the file, complete once Events has ended.
// Records counts the <Event> elements found, Events those read;
// SkippedBytes the bytes of malformed or over-long events and of text
// outside any event.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// Events returns the stream of events in file order. Offset is the byte
// offset of the <Event>, Line the line it starts on, or 0 when an earlier
// event ended on that line (Event Viewer writes every event on one line). A warning
// (*parsers.Warning) is yielded with a nil event and reading goes on; any
// other error ends the stream. Events may be ranged over only once.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return r.out.Events("eventxml", &r.stats, r.run)
}

func (r *Reader) run() {
	r.tr = parsers.NewTextReader(r.in)
	r.br = bufio.NewReaderSize(r.tr, 64<<10)
	// Peek to learn the encoding, then account for the byte-order mark.
	r.br.Peek(1)
	r.stats.Encoding = string(r.tr.Encoding)
	r.wide = r.tr.Encoding == parsers.UTF16LE || r.tr.Encoding == parsers.UTF16BE
	r.raw = int64(r.tr.BOMLen)
	var stray int64 // non-blank bytes outside events
	strayAt, strayLine := int64(-1), 0
	for !r.out.Stopped() {
		c, err := r.br.ReadByte()
		if err != nil {
			if err != io.EOF {
				r.out.Fail(fmt.Errorf("%s@%d: %w", r.file, r.raw, err))
			}
			break
		}
		if c == '<' {
			if next, _ := r.br.Peek(6); isEventStart(next) {
				start, line := r.raw, r.line
				r.advance(c)
				r.event(start, line)
				continue
			}
			// A declaration, <Events>, </Events>, a comment: skip the tag.
			r.advance(c)
			r.skipTag()
			continue
		}
		r.advance(c)
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			if strayAt < 0 {
				strayAt, strayLine = r.raw-1, r.line
			}
			stray++
		}
	}
	r.stats.Bytes = r.raw
	if stray > 0 {
		r.stats.SkippedBytes += stray
		r.out.Warn(strayLine, strayAt, fmt.Sprintf("%d characters of text outside any <Event> ignored", stray))
	}
	r.stats.Lines = r.line
	if r.tr.OddBytes > 0 {
		r.stats.SkippedBytes += int64(r.tr.OddBytes)
	}
}

// isEventStart reports whether b (what follows a '<') opens an <Event>
// element (not <Events>, <EventData>, <EventID> ...).
func isEventStart(b []byte) bool {
	if len(b) < 6 || string(b[:5]) != "Event" {
		return false
	}
	switch b[5] {
	case ' ', '>', '\t', '\r', '\n', '/':
		return true
	}
	return false
}

// advance accounts for one byte of decoded text.
func (r *Reader) advance(c byte) {
	if c == '\n' {
		r.line++
	}
	switch {
	case !r.wide:
		r.raw++
	case c < 0x80 || c >= 0xC0 && c < 0xF0:
		r.raw += 2 // one UTF-16 code unit
	case c >= 0xF0:
		r.raw += 4 // a surrogate pair
	}
}

// skipTag skips to the end of a tag that is not an event.
func (r *Reader) skipTag() {
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return
		}
		r.advance(c)
		if c == '>' {
			return
		}
	}
}

var endTag = []byte("</Event>")

// event reads the rest of an <Event> element started at raw offset start on
// line, then parses it.
func (r *Reader) event(start int64, line int) {
	r.stats.Records++
	r.buf = append(r.buf[:0], '<')
	tooLong := false
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			r.stats.SkippedBytes += r.raw - start
			r.out.Warn(line, start, "truncated: the file ends inside an <Event>")
			return
		}
		r.advance(c)
		r.buf = append(r.buf, c)
		if len(r.buf) > MaxEvent && !tooLong {
			tooLong = true
		}
		if tooLong && len(r.buf) > 64 {
			// Keep only the tail, where the end tag will appear.
			n := copy(r.buf, r.buf[len(r.buf)-len(endTag):])
			r.buf = r.buf[:n]
		}
		if c == '>' {
			if bytes.HasSuffix(r.buf, endTag) {
				break
			}
			if !tooLong && len(r.buf) >= 2 && r.buf[len(r.buf)-2] == '/' && bytes.IndexByte(r.buf, '>') == len(r.buf)-1 {
				break // <Event/>
			}
		}
	}
	if tooLong {
		r.stats.SkippedBytes += r.raw - start
		r.out.Warn(line, start, fmt.Sprintf("<Event> longer than %d bytes skipped", MaxEvent))
		r.buf = r.buf[:0:0] // do not keep the large buffer
		return
	}
	defer func() { r.lastEnd = r.line }()
	doc, err := xmlquery.Parse(bytes.NewReader(r.buf))
	if err != nil {
		r.stats.SkippedBytes += r.raw - start
		r.out.Warn(line, start, "malformed <Event> skipped: "+err.Error())
		return
	}
	ev := r.build(doc)
	if ev == nil {
		r.stats.SkippedBytes += r.raw - start
		r.out.Warn(line, start, "<Event> without System/Provider or TimeCreated skipped")
		return
	}
	ev.File, ev.Offset = r.file, start
	if line != r.lastEnd {
		ev.Line = line
	}
	r.lastEnd = r.line
	if r.stats.Server == "" && ev.Server != "" {
		r.stats.Server = ev.Server
	}
	r.out.Emit(ev)
}

// XPath expressions of the values an event needs (names match any namespace).
var (
	xpEvent      = xpath.MustCompile("//Event")
	xpProvider   = xpath.MustCompile("System/Provider")
	xpEventID    = xpath.MustCompile("System/EventID")
	xpLevel      = xpath.MustCompile("System/Level")
	xpTime       = xpath.MustCompile("System/TimeCreated/@SystemTime")
	xpRecordID   = xpath.MustCompile("System/EventRecordID")
	xpChannel    = xpath.MustCompile("System/Channel")
	xpComputer   = xpath.MustCompile("System/Computer")
	xpUserID     = xpath.MustCompile("System/Security/@UserID")
	xpEventData  = xpath.MustCompile("EventData/*")
	xpUserData   = xpath.MustCompile("UserData//*[not(*)]")
	xpOtherData  = xpath.MustCompile("*[not(self::System) and not(self::EventData) and not(self::UserData) and not(self::RenderingInfo)]//*[not(*)]")
	xpRendered   = xpath.MustCompile("RenderingInfo/Message")
	timeNoZoneLy = "2006-01-02T15:04:05.999999999"
)

func text(n *xmlquery.Node, e *xpath.Expr) string {
	if m := xmlquery.QuerySelector(n, e); m != nil {
		return m.InnerText()
	}
	return ""
}

// build makes the event of a parsed <Event> document, or nil when it lacks
// the provider or the time.
func (r *Reader) build(doc *xmlquery.Node) *parsers.Event {
	ev := xmlquery.QuerySelector(doc, xpEvent)
	if ev == nil {
		return nil
	}
	prov := xmlquery.QuerySelector(ev, xpProvider)
	ts := strings.TrimSpace(text(ev, xpTime))
	if prov == nil || ts == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		if t, err = time.Parse(timeNoZoneLy, ts); err != nil {
			return nil
		}
	}
	rec := winevent.Record{
		Provider:        prov.SelectAttr("Name"),
		EventSourceName: prov.SelectAttr("EventSourceName"),
		EventID:         strings.TrimSpace(text(ev, xpEventID)),
		Level:           strings.TrimSpace(text(ev, xpLevel)),
		Channel:         strings.TrimSpace(text(ev, xpChannel)),
		Computer:        strings.TrimSpace(text(ev, xpComputer)),
		RecordID:        strings.TrimSpace(text(ev, xpRecordID)),
		UserID:          text(ev, xpUserID),
		Time:            t.UTC(),
		Rendered:        text(ev, xpRendered),
	}
	n := 0
	for _, d := range xmlquery.QuerySelectorAll(ev, xpEventData) {
		name := d.Data
		if name == "Data" {
			n++
			if name = d.SelectAttr("Name"); name == "" {
				name = "Data" + strconv.Itoa(n)
			}
		}
		rec.Data = append(rec.Data, parsers.Field{Name: name, Value: d.InnerText()})
	}
	for _, xp := range []*xpath.Expr{xpUserData, xpOtherData} {
		for _, d := range xmlquery.QuerySelectorAll(ev, xp) {
			rec.Data = append(rec.Data, parsers.Field{Name: d.Data, Value: d.InnerText()})
		}
	}
	e := &parsers.Event{}
	rec.Fill(e)
	return e
}
