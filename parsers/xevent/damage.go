package xevent

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// This file handles damaged input: a syntax error, a token or nesting over the
// limits, or the end of a truncated file. Damage costs the event it occurs in;
// the reader then resumes at the next "<event".

// dropEvent abandons the current event, if any.
func (p *parser) dropEvent() {
	p.ev = nil
	p.frames = p.frames[:0]
	p.inField = false
}

// skipFrom returns where input dropped because of a problem at pos begins:
// the start of the current event, or pos outside events.
func (p *parser) skipFrom(pos at) int64 {
	if p.ev != nil {
		return p.ev.Offset
	}
	return pos.raw
}

// problem warns about damage at pos: at the start of the current event, which
// is lost, or at pos itself outside events.
func (p *parser) problem(pos at, msg string) {
	if p.ev != nil {
		p.warn(p.ev.Offset, p.ev.Line, fmt.Sprintf("%s at offset %d (line %d): event %q skipped, resuming at the next event", msg, pos.raw, pos.line, p.ev.Name))
		return
	}
	p.warn(pos.raw, pos.line, msg+": resuming at the next event")
}

// malformed reports a syntax problem the decoder does not check in raw mode
// (mismatched tags), drops the event and resumes at the next event.
func (p *parser) malformed(pos at, msg string) {
	p.sawSyntaxError = true
	p.problem(pos, "malformed XML: "+msg)
	after := p.here()
	p.resync(after, after, p.skipFrom(pos))
}

// handleError deals with an error from the decoder at the token that began at
// pos. It reports whether reading goes on.
func (p *parser) handleError(err error, pos at) bool {
	if p.src.err != nil {
		p.out.Fail(fmt.Errorf("%s: read error at offset %d: %w", p.r.file, p.src.rawOffset(p.src.offset()), p.src.err))
		return false
	}
	errAt := p.here()
	switch {
	case errors.Is(err, errTokenTooLarge):
		p.problem(pos, fmt.Sprintf("XML token larger than %d bytes", MaxToken))
		p.resync(errAt, errAt, p.skipFrom(pos))
		return true
	case err == io.EOF || (p.src.eof && p.src.pos >= p.src.end):
		end := p.src.rawOffset(p.src.offset())
		switch {
		case p.ev != nil:
			p.warn(p.ev.Offset, p.ev.Line, fmt.Sprintf("truncated export: event %q is incomplete, the file ends at offset %d", p.ev.Name, end))
			p.r.stats.SkippedBytes += end - p.ev.Offset
			p.dropEvent()
		case err != io.EOF:
			p.warn(pos.raw, pos.line, fmt.Sprintf("truncated export: incomplete markup at the end of the file (%v)", p.epochError(err)))
			p.r.stats.SkippedBytes += end - pos.raw
		case len(p.wrappers) > 0:
			p.warn(end, errAt.line, fmt.Sprintf("truncated export: the file ends inside <%s>", name(p.wrappers[len(p.wrappers)-1])))
		}
		return false
	}
	p.sawSyntaxError = true
	msg := err.Error()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg = se.Msg
	}
	p.problem(errAt, "malformed XML: "+msg)
	// Resume after the start of the token that failed: it may have run into
	// the next event (an event cut short, back to back with the next).
	next := at{dec: pos.dec + 1, line: pos.line}
	if c, ok := p.src.byteAt(pos.dec); ok && c == '\n' {
		next.line++
	}
	p.resync(next, errAt, p.skipFrom(pos))
	return true
}

// resync drops the decoder and the current event, skips to the next "<event"
// at or after from (or after the previous resync point, so that it always
// makes progress; fallback is where the decoder stopped, used when from is no
// longer buffered) and starts a new decoder there. The input from the raw
// offset skipFrom up to there counts as skipped. Open wrappers become unknown.
func (p *parser) resync(from, fallback at, skipFrom int64) {
	if from.dec <= p.lastResync {
		from = at{dec: p.lastResync + 1, line: from.line}
	}
	if !p.src.seek(from.dec) {
		from = fallback
		p.src.seek(from.dec)
	}
	p.dropEvent()
	nl, _ := p.src.skipToEvent()
	if end := p.src.rawOffset(p.src.offset()); end > skipFrom {
		p.r.stats.SkippedBytes += end - skipFrom
	}
	p.lastResync = p.src.offset()
	p.wrappers = p.wrappers[:0]
	p.newDecoder(from.line - 1 + nl)
}
