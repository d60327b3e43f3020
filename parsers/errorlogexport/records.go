package errorlogexport

import (
	"bytes"
	"fmt"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// Rows become records in the file's order: continuation rows are joined,
// "Error:" headers paired with their text, and the records become events.

// startRow begins a row; the row before it is complete.
func (r *Reader) startRow(n int, local time.Time, proc string, text []byte) {
	r.endRow()
	rw := &r.row
	rw.active = true
	rw.line = n
	rw.local = local
	rw.proc = proc
	rw.text = append(rw.text[:0], trimRight(text)...)
	rw.conts = 0
}

func (r *Reader) appendCont(n int, line []byte) {
	line = trimRight(line)
	if len(line) == 0 {
		return
	}
	if len(r.row.text)+1+len(line) > r.max {
		r.stats.SkippedBytes += int64(len(line))
		r.warn(n, fmt.Sprintf("record of line %d longer than %d bytes: continuation text dropped", r.row.line, r.max))
		return
	}
	r.row.text = append(r.row.text, '\n')
	r.row.text = append(r.row.text, line...)
	r.row.conts++
}

// endRow passes the finished row on: buffered until the order is known.
func (r *Reader) endRow() {
	if !r.row.active {
		return
	}
	r.row.active = false
	if r.dir != 0 {
		r.process(&r.row)
		return
	}
	if len(r.pending) == 0 {
		r.first = r.row.local
	}
	cp := r.row
	cp.text = bytes.Clone(r.row.text)
	r.pending = append(r.pending, cp)
	r.pendingBytes += len(cp.text)
	switch {
	case r.row.local.After(r.first):
		r.dir = 1
	case r.row.local.Before(r.first):
		r.dir = -1
	case len(r.pending) >= orderRows || r.pendingBytes > orderBytes:
		r.dir = 1
	default:
		return
	}
	r.replay()
}

func (r *Reader) replay() {
	p := r.pending
	r.pending = nil
	for i := range p {
		r.process(&p[i])
	}
}

// contRow reports whether a row continues the record before it (in file
// order): its text is empty or starts with a blank, which a record's message
// never does.
func contRow(rw *row) bool {
	return len(rw.text) == 0 || rw.text[0] == ' ' || rw.text[0] == '\t'
}

// process turns a row into (part of) a record, in the file's order.
func (r *Reader) process(rw *row) {
	if r.dir > 0 {
		if contRow(rw) && r.cur.active && r.cur.local.Equal(rw.local) && r.cur.proc == rw.proc {
			r.stats.Records--
			r.stats.Continuations++
			r.appendMsg(&r.cur, rw.text)
			return
		}
		r.finishCur()
		r.setRec(&r.cur, rw)
		r.noteRecord(&r.cur)
		return
	}
	// Descending: continuation rows come before the row they continue.
	if contRow(rw) && (len(r.contRows) == 0 || r.contRows[0].local.Equal(rw.local) && r.contRows[0].proc == rw.proc) && len(r.contRows) < 1024 && r.contBytes+len(rw.text) <= r.max {
		r.stats.Records--
		r.stats.Continuations++
		cp := *rw
		cp.text = bytes.Clone(rw.text)
		r.contRows = append(r.contRows, cp)
		r.contBytes += len(cp.text)
		return
	}
	r.setRec(&r.cur, rw)
	if len(r.contRows) > 0 && r.contRows[0].local.Equal(rw.local) && r.contRows[0].proc == rw.proc {
		for i := len(r.contRows) - 1; i >= 0; i-- {
			r.appendMsg(&r.cur, r.contRows[i].text)
		}
		r.contRows = r.contRows[:0]
		r.contBytes = 0
	}
	r.flushContRows()
	r.noteRecord(&r.cur)
	r.assemble(&r.cur)
}

// flushContRows turns continuation rows that found no record into records.
func (r *Reader) flushContRows() {
	for i := range r.contRows {
		var c rec
		r.setRec(&c, &r.contRows[i])
		c.msg = bytes.TrimLeft(c.msg, " \t")
		r.stats.Records++
		r.stats.Continuations--
		r.assemble(&c)
	}
	r.contRows = r.contRows[:0]
	r.contBytes = 0
}

func (r *Reader) setRec(c *rec, rw *row) {
	c.active = true
	c.line = rw.line
	c.local = rw.local
	c.proc = rw.proc
	// Swap buffers rather than copy: the row is done with its text.
	c.msg, rw.text = rw.text, c.msg[:0]
	c.truncated = false
	c.num, c.sev, c.state, c.header = 0, 0, 0, false
	if bytes.HasPrefix(c.msg, []byte("Error: ")) {
		c.num, c.sev, c.state, c.header = errorHeader(firstLine(c.msg))
	}
}

func (r *Reader) appendMsg(c *rec, text []byte) {
	for _, ln := range bytes.Split(text, []byte("\n")) {
		ln = trimRight(ln)
		if len(ln) == 0 {
			continue
		}
		if len(c.msg)+1+len(ln) > r.max {
			if !c.truncated {
				c.truncated = true
				r.warn(c.line, fmt.Sprintf("record of line %d longer than %d bytes: continuation text dropped", c.line, r.max))
			}
			return
		}
		c.msg = append(c.msg, '\n')
		c.msg = append(c.msg, ln...)
	}
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// noteRecord checks a new record for the clock going back, the UTC
// adjustment and the server name.
func (r *Reader) noteRecord(c *rec) {
	if !r.lastLocal.IsZero() {
		step := r.lastLocal.Sub(c.local) * time.Duration(r.dir)
		if step >= clockJump {
			a, b := r.lastLocal, c.local
			if r.dir < 0 {
				a, b = b, a
			}
			r.warn(c.line, fmt.Sprintf("the clock goes back by %s here (from %s to %s): a daylight-saving change or a clock reset; times after this line may be off by that much",
				step.Round(time.Minute), a.Format("2006-01-02 15:04:05"), b.Format("15:04:05")))
		}
	}
	if r.lastLocal.IsZero() || c.local.Sub(r.lastLocal)*time.Duration(r.dir) > 0 {
		r.lastLocal = c.local
	}
	msg := c.msg
	if bytes.HasPrefix(msg, []byte("UTC adjustment:")) {
		msg = firstLine(msg)
		if off, ok := parsers.ParseUTCAdjustment(string(msg)); ok {
			if r.dir > 0 {
				r.offset, r.hasOffset = off, true
				r.stats.UTCOffset, r.stats.HasUTCOffset = off, true
				r.release()
			} else if !r.stats.HasUTCOffset {
				// Newest first: the offset belongs to the rows above; the
				// analyzer applies it to the whole file.
				r.stats.UTCOffset, r.stats.HasUTCOffset = off, true
			}
		}
	} else if r.stats.Server == "" {
		if rest, ok := bytes.CutPrefix(msg, []byte("Server name is '")); ok {
			if i := bytes.IndexByte(firstLine(rest), '\''); i > 0 {
				r.stats.Server = string(rest[:i])
			}
		}
	}
}

// finishCur ends the current record of an ascending file.
func (r *Reader) finishCur() {
	if !r.cur.active {
		return
	}
	r.cur.active = false
	r.assemble(&r.cur)
}

// assemble pairs "Error:" headers with their text: in an ascending file the
// header comes first, as in the ERRORLOG; in a descending one either may.
func (r *Reader) assemble(c *rec) {
	w := &r.wait
	if w.active {
		if c.local.Equal(w.local) && c.proc == w.proc && w.header != c.header {
			w.active = false
			h, t := w, c
			if c.header {
				h, t = c, w
			}
			r.emitRec(h.line, h, t.msg, true)
			return
		}
		w.active = false
		r.emitRec(w.line, w, w.msg, w.header)
	}
	if c.header || r.dir < 0 {
		w.active = true
		w.line, w.local, w.proc = c.line, c.local, c.proc
		w.msg, c.msg = c.msg, w.msg[:0]
		w.header, w.num, w.sev, w.state = c.header, c.num, c.sev, c.state
		return
	}
	r.emitRec(c.line, c, c.msg, false)
}

// flushRecords ends the last records at the end of the file.
func (r *Reader) flushRecords() {
	if r.dir > 0 {
		r.finishCur()
	} else {
		r.flushContRows()
	}
	if r.wait.active {
		r.wait.active = false
		r.emitRec(r.wait.line, &r.wait, r.wait.msg, r.wait.header)
	}
}

func (r *Reader) emitRec(line int, h *rec, msg []byte, withError bool) {
	var ev *parsers.Event
	if r.Reuse && !r.holding {
		r.one = parsers.Event{}
		ev = &r.one
	} else {
		if len(r.block) == 0 {
			r.block = make([]parsers.Event, 64)
		}
		ev = &r.block[0]
		r.block = r.block[1:]
	}
	ev.Source = parsers.SourceErrorlog
	ev.File = r.file
	ev.Line = line
	ev.Process = h.proc
	ev.Local = h.local
	ev.Message = string(msg)
	if withError {
		ev.Error, ev.Severity, ev.State = h.num, h.sev, h.state
	}
	parsers.ClassifyMessage(ev)
	if r.holding {
		r.held = append(r.held, ev)
		return
	}
	r.send(ev)
}

func (r *Reader) send(ev *parsers.Event) {
	if r.out.Stopped() {
		return
	}
	if r.hasOffset {
		ev.Time = ev.Local.Add(-r.offset)
		ev.Clock = parsers.ClockUTC
	} else {
		ev.Time = ev.Local
		ev.Clock = parsers.ClockLocal
		r.stats.Clock = parsers.ClockLocal
	}
	r.out.Emit(ev)
}

func (r *Reader) checkHold() {
	if r.holding && r.dir != 0 && (r.stats.Records > HoldRecords || r.readBytes > HoldBytes) {
		r.release()
	}
}

func (r *Reader) release() {
	if !r.holding {
		return
	}
	r.holding = false
	for i, ev := range r.held {
		r.send(ev)
		r.held[i] = nil
	}
	r.held = nil
}
