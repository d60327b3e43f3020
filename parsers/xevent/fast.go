package xevent

import (
	"bytes"
	"encoding/xml"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// The fast path. Most of an export is events of one shape: <event name=..
// timestamp=..> holding <data> and <action> elements with a <value>, maybe a
// <text> and a <type>, in CDATA or with the predefined entities. The scanner in
// fastscan.go reads such an event (with the white space and XML declaration
// before it) from the decoded bytes in the source's buffer, without
// encoding/xml, and the parser commits it exactly as the decoder path would
// have read it: same Event, same warnings, same counts, same line and offset.
// Whatever the scanner is not sure about goes to the decoder path, which reads
// it from the same position; the two take turns between events.
//
// Between fast steps the decoder is stale: the position is vdec (decoded
// offset) on line vline, and a new decoder is started there when the decoder
// path needs one.

// fastMaxSpan bounds the input one fast step covers, which keeps every value
// the step reads within xe.MaxValue: a larger event goes to the decoder path,
// which enforces the limits and warns.
const fastMaxSpan = xe.MaxValue

// fastState is the parser's fast-path state.
type fastState struct {
	scan fastScan

	stale     bool  // the decoder is behind: the position is vdec
	vdec      int64 // decoded offset of the position
	vline     int   // line of the position
	lastStart bool  // the decoder's last token was a start tag
	handoff   bool  // the decoder was started where a fast step ended
	// epochLine is the lineBase of the last decoder the decoder path
	// itself started: the one that would still be reading without the
	// fast path, whose line numbers its syntax errors carry.
	epochLine  int
	hits, miss int  // steps read fast, steps left to the decoder
	off        bool // the fast path gave up on this input
}

// fastStep reads the next event the fast way if it can, and reports whether
// it did. When it did not, a live decoder is at the position.
func (p *parser) fastStep() bool {
	ok := p.tryFast()
	if !ok && p.stale {
		// Start a decoder where the fast path stopped. Its column is not 1
		// there (a step ends with '>'), which lines() takes into account.
		p.stale = false
		p.src.seek(p.vdec)
		epoch := p.epochLine
		p.newDecoder(p.vline - 1)
		p.handoff = true
		p.epochLine = epoch
	}
	return ok
}

func (p *parser) tryFast() bool {
	if p.off || p.r.slowOnly || len(p.wrappers)+1 >= MaxDepth {
		return false
	}
	var start int64
	var line int
	resume := int64(-1)
	if p.stale {
		start, line = p.vdec, p.vline
	} else {
		pos := p.here()
		if p.lastStart && !p.startClosed(pos.dec) {
			return false // a self-closing tag's end is pending in the decoder
		}
		start, line, resume = pos.dec, pos.line, p.src.offset()
		if !p.src.seek(start) {
			return false
		}
	}
	// The step reads only what the source holds: a step that runs past it
	// goes to the decoder path. Reading more here would change when the
	// source refills, drops consumed bytes and sees the end of the input,
	// which the decoder path's recovery depends on.
	s := &p.scan
	s.w = p.src.buf[p.src.pos:p.src.end]
	st := s.step()
	if st == fastOK && s.i > fastMaxSpan {
		st = fastNo
	}
	if st != fastOK {
		p.miss++
		if p.miss > 64 && p.miss > 4*p.hits {
			p.off = true // mostly unusual input: stop trying
		}
		if resume >= 0 {
			p.src.seek(resume) // the decoder goes on where it was
		}
		return false
	}
	p.hits++
	w := s.w[:s.i]
	evDec := start + int64(s.evStart)
	evLine := line + bytes.Count(w[:s.evStart], []byte{'\n'})
	p.src.pos += s.i
	p.stale = true
	p.vdec = start + int64(s.i)
	// Should the consumer stop at a warning about the start tag, the
	// decoder path would have read no further than the tag: so for Lines.
	p.vline = evLine + bytes.Count(w[s.evStart:s.tagEnd], []byte{'\n'})
	p.commitFast(at{dec: evDec, raw: p.src.rawOffset(evDec), line: evLine})
	if !p.out.Stopped() || p.ev == nil {
		p.vline += bytes.Count(w[s.tagEnd:], []byte{'\n'})
	}
	return true
}

// startClosed reports whether the start tag that ended at the decoded offset
// end was an ordinary one, not a self-closing one whose end element the
// decoder has yet to return. It answers false when it cannot tell.
func (p *parser) startClosed(end int64) bool {
	gt, ok1 := p.src.byteAt(end - 1)
	slash, ok2 := p.src.byteAt(end - 2)
	return ok1 && ok2 && gt == '>' && slash != '/'
}

// commitFast emits the event the scanner read, as startEvent, the field
// handlers and emit do on the decoder path.
func (p *parser) commitFast(pos at) {
	s := &p.scan
	var name, ts string
	if s.hasName {
		name = s.strs.get(s.evName[:min(len(s.evName), maxName)])
	}
	if s.hasTS {
		ts = string(s.evTS)
	}
	p.openEvent(name, ts, pos)
	if p.out.Stopped() {
		return
	}
	if len(s.fields) > 0 {
		p.ev.Fields = append([]parsers.Field(nil), s.fields...)
	}
	p.emit()
}

// epochError makes the line of a syntax error from a decoder started after a
// fast step count from where the decoder path's own decoder started, as it
// would without the fast path.
func (p *parser) epochError(err error) error {
	if se, ok := err.(*xml.SyntaxError); ok && p.lineBase != p.epochLine {
		c := *se
		c.Line += p.lineBase - p.epochLine
		return &c
	}
	return err
}
