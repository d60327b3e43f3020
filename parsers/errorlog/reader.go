// Package errorlog reads SQL Server error logs (ERRORLOG, ERRORLOG.1 ...) as a
// stream of parsers.Event values.
//
// An ERRORLOG is a sequence of records "YYYY-MM-DD HH:MM:SS.cc source message"
// in the server's local time. Lines without a timestamp (the tab-indented
// version banner, startup parameters, blank lines) continue the previous
// record. An error of severity above 10 is written as two records with the same
// timestamp and source, "Error: N, Severity: S, State: T." and then its text;
// the reader joins them into one event. Every event's message is classified by
// parsers.ClassifyMessage.
//
// Windows servers write UTF-16LE with a byte-order mark and CRLF; Linux servers
// write 8-bit text. The reader detects the encoding (UTF-16LE/BE with or
// without BOM, UTF-8 with or without BOM, and Windows-1252 for lines that are
// not valid UTF-8) and never loads the whole file: memory is bounded by
// MaxLineBytes and the short hold-back described below, not by the file size.
//
// Times are converted to UTC with the offset of the log's own
// "UTC adjustment: -7:00" record. That record comes a few lines after the
// startup banner, so the reader holds back the first events of a file (at most
// HoldRecords records or HoldBytes bytes) until it has seen it. Events of a file
// without the record keep their local time with Clock parsers.ClockLocal. When
// a file declares the offset again (a restart after a time-zone change), the
// new offset applies from that record on.
//
// Every line of the input is counted exactly once in FileStats: as a record,
// a continuation, unrecognized (text before the first record, a malformed
// timestamp) or skipped (longer than MaxLineBytes, see Reader.SkippedLines).
package errorlog

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"time"
	"unsafe"

	"github.com/agtriage/agtriage/parsers"
)

// DefaultMaxLineBytes is the default bound on the length of one decoded line.
const DefaultMaxLineBytes = 1 << 20

// Hold-back bounds: events are held until the UTC adjustment record is seen,
// for at most this many records or bytes of decoded text from the start of a file.
const (
	HoldRecords = 256
	HoldBytes   = 64 * 1024
)

// Reader implements the interface shared by all agtriage readers.
var _ parsers.Reader = (*Reader)(nil)

// procSlots is the size of the cache of interned source-column values.
const procSlots = 128

// Reader reads one ERRORLOG file. Create it with NewReader, range over Events
// once, then read Stats.
type Reader struct {
	// MaxLineBytes bounds the length of a decoded line (without its line
	// terminator); longer lines are reported with a warning, skipped and
	// counted in FileStats.SkippedBytes. It also bounds the text of one record
	// with its continuation lines. Zero means DefaultMaxLineBytes. Set it
	// before calling Events.
	MaxLineBytes int

	// Reuse makes the reader yield the same *Event again and again once the
	// hold-back at the start of the file is over, like bufio.Scanner's
	// buffer: an event is valid until the next iteration step, and a caller
	// that keeps events must copy them. It saves an allocation per record.
	// The Message of an event of Kind parsers.KindMessage (no template
	// matched: most lines of a large log) then lives in a buffer the reader
	// reuses too: a caller that keeps such an event must copy its Message
	// (strings.Clone). It saves the copy of almost every line's text.
	// Set it before calling Events.
	Reuse bool

	// Workers bounds the goroutines that read a file opened with
	// NewReaderAt (0 means GOMAXPROCS). Set it before calling Events.
	Workers int

	file  string
	src   io.Reader
	stats parsers.FileStats
	done  bool

	par   parallel     // the file of NewReaderAt; see parallel.go
	sink  *chunkResult // chunk mode: what this reader of one chunk produced
	tools *chunkTools  // chunk mode: the decoding buffers of the goroutine

	skippedLines int
	text         *parsers.TextReader
	lines        *parsers.LineReader // kept for Reset
	linesMax     int                 // the line bound lines was made for
	eightBit     bool                // lines may need Windows-1252 decoding
	utf16        bool

	yield   func(*parsers.Event, error) bool
	stopped bool // the consumer stopped the iteration

	cur, hdr record // record being read, "Error:" header waiting for its text

	holding   bool
	held      []*parsers.Event
	readBytes int // decoded bytes seen, for the hold-back bound

	offset    time.Duration
	hasOffset bool

	procs  [procSlots]string
	block  []parsers.Event // preallocated events, see newEvent
	blocks int             // blocks allocated so far
	one    parsers.Event   // the event reused when Reuse is set

	lastLocal time.Time // latest record time so far, to notice the clock going back

	lastKey  [19]byte
	lastBase time.Time
	haveBase bool
}

// record is a record being assembled from its first line and continuations.
type record struct {
	active    bool
	line      int
	local     time.Time
	process   string
	msg       []byte
	truncated bool
	header    bool
	num       int
	sev       int
	state     int
}

// NewReader returns a reader of the ERRORLOG text in r. file names the input
// in events, statistics and warnings. Nothing is read until Events is ranged
// over.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{
		src:  r,
		file: file,
		stats: parsers.FileStats{
			File:   file,
			Format: parsers.FormatErrorlog,
		},
	}
}

// Reset makes r read src as file from its start, as a reader from NewReader
// would, keeping its settings (MaxLineBytes, Reuse, Workers) and its
// buffers: decoding, line and record buffers and unused preallocated
// events. A caller that reads thousands of small files one after the other
// allocates them once. With Reuse, events yielded before Reset are invalid
// after it, as they are after the next iteration step; without it they stay
// valid. A reader from NewReaderAt becomes a sequential reader of src.
func (r *Reader) Reset(src io.Reader, file string) {
	old := r
	next := Reader{
		MaxLineBytes: old.MaxLineBytes, Reuse: old.Reuse, Workers: old.Workers,
		file: file, src: src,
		stats: parsers.FileStats{File: file, Format: parsers.FormatErrorlog},
		procs: old.procs, block: old.block, blocks: old.blocks,
	}
	next.cur.msg, next.hdr.msg = old.cur.msg[:0], old.hdr.msg[:0]
	next.held = old.held[:0]
	if old.sink == nil && old.par.ra == nil { // a chunk's buffers belong to its goroutine
		next.text, next.lines, next.linesMax = old.text, old.lines, old.linesMax
	}
	*r = next
}

// Stats returns the statistics of the file. They are complete once the
// iteration over Events has ended.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// SkippedLines returns how many lines were skipped for being longer than
// MaxLineBytes. With it, every line of the input is exactly one of: a record
// (FileStats.Records), a continuation (FileStats.Continuations), unrecognized
// (FileStats.Unrecognized) or skipped, and FileStats.Lines is their sum.
func (r *Reader) SkippedLines() int { return r.skippedLines }

// Events returns the events of the file in file order. Warnings (*parsers.Warning
// for over-long lines and malformed timestamps) are yielded with a nil event and
// reading goes on; a read error of the underlying reader is yielded last. The
// sequence can be ranged over once.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return func(yield func(*parsers.Event, error) bool) {
		if r.done {
			return
		}
		r.done = true
		r.yield = yield
		if r.par.ra != nil {
			r.runParallel()
		} else {
			r.run()
		}
		r.yield = nil
	}
}

func (r *Reader) run() {
	max := r.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	tools := r.tools
	switch {
	case r.sink != nil && r.sink.start > 0 && tools != nil && tools.text != nil:
		tools.text.Reset(tools.br, r.sink.enc)
		r.text = tools.text
	case r.sink != nil && r.sink.start > 0:
		r.text = parsers.NewTextReaderAs(r.src, r.sink.enc)
	case r.text != nil: // a Reset reader
		r.text.ResetSniff(r.src)
	default:
		r.text = parsers.NewTextReader(r.src)
	}
	enc := r.text.Encoding
	r.utf16 = enc == parsers.UTF16LE || enc == parsers.UTF16BE
	r.eightBit = !r.utf16
	r.stats.Encoding = string(enc)
	if enc == parsers.EightBit {
		r.stats.Encoding = string(parsers.UTF8)
	}
	r.holding = r.sink == nil || r.sink.start == 0 // a later chunk starts after the hold-back

	var lines *parsers.LineReader
	switch {
	case tools != nil && tools.lines != nil && tools.max == max:
		lines = tools.lines
		lines.Reset(r.text)
	case tools == nil && r.lines != nil && r.linesMax == max: // a Reset reader
		lines = r.lines
		lines.Reset(r.text)
	default:
		lines = parsers.NewLineReader(r.text, max)
	}
	if tools == nil {
		r.lines, r.linesMax = lines, max
	}
	if tools != nil && r.sink.start > 0 {
		tools.text, tools.lines, tools.max = r.text, lines, max // for the next chunk
	}
	var skipped int64
	count := func(b []byte) { skipped += parsers.RawLen(b, r.text.Encoding) }
	lineNo := 0
	for !r.stopped {
		line, tooLong, ok := lines.Next(count)
		if !ok {
			break
		}
		lineNo++
		r.stats.Lines++
		if tooLong {
			r.skippedLines++
			r.stats.SkippedBytes += skipped
			skipped = 0
			r.warn(lineNo, fmt.Sprintf("line longer than %d bytes skipped", max))
			r.readBytes += max
			r.checkHold()
			continue
		}
		r.readBytes += len(line) + 1
		line = r.stripDamage(lineNo, line)
		if r.eightBit && !parsers.IsASCII(line) {
			var valid bool
			if line, valid = parsers.DecodeLine(line); !valid {
				r.stats.Encoding = string(parsers.Windows125)
			}
		}
		r.line(lineNo, line, max)
		r.checkHold()
	}
	if r.stopped {
		r.stats.Bytes = r.text.RawOffset()
		return
	}
	var start int64
	if r.sink != nil {
		start = r.sink.start
		r.sink.holding = r.holding
	}
	r.finish()
	r.finishHeader()
	r.release()
	r.stats.Bytes = start + r.text.RawOffset()
	if r.text.OddBytes > 0 {
		r.stats.SkippedBytes += int64(r.text.OddBytes)
		r.warnAt(0, r.stats.Bytes-1, "odd trailing byte of UTF-16 input skipped")
	}
	if lines.Err() != nil && !r.stopped {
		err := fmt.Errorf("%s: reading: %w", r.file, lines.Err())
		if r.sink != nil {
			r.sink.err = err
			return
		}
		r.yield(nil, err)
	}
}

// line handles one decoded line.
func (r *Reader) line(lineNo int, line []byte, max int) {
	if !looksLikeDate(line) {
		if !r.cur.active {
			r.stats.Unrecognized++
			return
		}
		r.stats.Continuations++
		text := trimRight(line)
		if len(text) == 0 {
			return
		}
		if len(r.cur.msg)+1+len(text) > max {
			r.stats.SkippedBytes += parsers.RawLen(line, r.text.Encoding)
			if !r.cur.truncated {
				r.cur.truncated = true
				r.warnRecord(lineNo, r.cur.line, max)
			}
			return
		}
		r.cur.msg = append(r.cur.msg, '\n')
		r.cur.msg = append(r.cur.msg, text...)
		return
	}
	ts, source, msg, reason := parseRecord(line)
	if reason != "" {
		r.stats.Unrecognized++
		r.warn(lineNo, reason+": "+quote(line))
		// Continuation lines after a broken record belong to it, not to the
		// record before: end that one so they count as unrecognized.
		r.finish()
		return
	}
	r.stats.Records++
	r.finish()

	c := &r.cur
	c.active = true
	c.line = lineNo
	c.local = r.localTime(line, ts)
	if r.sink != nil && !r.sink.hasFirst {
		r.sink.first, r.sink.hasFirst = c.local, true
	}
	if !r.lastLocal.IsZero() && r.lastLocal.Sub(c.local) >= clockJump {
		// Records are written in time order: a step back of half an hour
		// or more is the clock being set back, typically the end of
		// daylight-saving time, which the UTC adjustment of the startup
		// does not follow.
		r.warn(lineNo, fmt.Sprintf("the clock goes back by %s here (from %s to %s): a daylight-saving change or a clock reset; times after this line may be off by that much",
			r.lastLocal.Sub(c.local).Round(time.Minute), r.lastLocal.Format("2006-01-02 15:04:05"), c.local.Format("15:04:05")))
	}
	if c.local.After(r.lastLocal) {
		r.lastLocal = c.local
	}
	c.process = r.intern(source)
	c.msg = append(c.msg[:0], msg...)
	c.truncated = false
	c.num, c.sev, c.state, c.header = errorHeader(msg)

	if len(msg) == 0 || (msg[0] != 'U' && msg[0] != 'S') {
		return // neither "UTC adjustment:" nor "Server name is" (most records)
	}
	if off, ok := utcAdjustment(msg); ok {
		r.offset, r.hasOffset = off, true
		r.stats.UTCOffset, r.stats.HasUTCOffset = off, true
		if r.sink != nil {
			r.sink.addOffset(off)
		}
		r.release()
	} else if bytes.HasPrefix(msg, []byte("UTC adjustment:")) {
		r.warn(lineNo, fmt.Sprintf("%s is not an offset between -14:00 and +14:00: ignored (the file's UTC offset stays unknown)", quote(msg)))
	} else if r.stats.Server == "" {
		if name, ok := serverName(msg); ok {
			r.stats.Server = name
		}
	}
}

// finish ends the current record: it becomes an event, is paired with a
// waiting "Error:" header, or becomes the waiting header itself.
func (r *Reader) finish() {
	c := &r.cur
	if !c.active {
		return
	}
	c.active = false
	if r.hdr.active {
		h := &r.hdr
		if !c.header && c.local.Equal(h.local) && c.process == h.process {
			h.active = false
			ev := r.newEvent(h.line, h.local, h.process, c.msg)
			ev.Error, ev.Severity, ev.State = h.num, h.sev, h.state
			r.emit(ev)
			return
		}
		r.finishHeader()
	}
	if c.header {
		r.cur, r.hdr = r.hdr, r.cur // keep both buffers
		r.hdr.active = true
		return
	}
	r.emit(r.newEvent(c.line, c.local, c.process, c.msg))
}

// finishHeader turns a header that found no matching text into an event.
func (r *Reader) finishHeader() {
	h := &r.hdr
	if !h.active {
		return
	}
	h.active = false
	ev := r.newEvent(h.line, h.local, h.process, h.msg)
	ev.Error, ev.Severity, ev.State = h.num, h.sev, h.state
	r.emit(ev)
}

// clockJump is the step back in record times reported as a clock change.
const clockJump = 30 * time.Minute

// eventBlock is how many events newEvent allocates at once: one allocation
// instead of one per event. Callers keep most events (the analyzer keeps them
// all), so a block rarely outlives its use.
const eventBlock = 64

func (r *Reader) newEvent(line int, local time.Time, process string, msg []byte) *parsers.Event {
	var ev *parsers.Event
	if r.Reuse && !r.holding {
		r.one = parsers.Event{}
		ev = &r.one
	} else {
		if len(r.block) == 0 {
			// Small blocks first: most files of a large folder are small.
			r.blocks++
			r.block = make([]parsers.Event, min(eventBlock, 1<<min(r.blocks*2, 6)))
		}
		ev = &r.block[0]
		r.block = r.block[1:]
	}
	ev.Source = parsers.SourceErrorlog
	ev.File = r.file
	ev.Line = line
	ev.Process = process
	ev.Local = local
	if r.inPlace() {
		// The text is classified where it is, and copied only when a
		// template matched or a chunk keeps it (classifyInPlace).
		ev.Message = unsafe.String(unsafe.SliceData(msg), len(msg))
	} else {
		ev.Message = string(msg)
	}
	return ev
}

// inPlace reports whether an event's Message may point into the record's
// buffer until the event is sent: past the hold-back, in a chunk's reader
// (which copies the text) or with Reuse (see Reader.Reuse).
func (r *Reader) inPlace() bool { return !r.holding && (r.sink != nil || r.Reuse) }

// emit classifies an event and yields it, or holds it while the UTC offset
// may still come.
func (r *Reader) emit(ev *parsers.Event) {
	if r.inPlace() {
		classifyInPlace(ev)
		r.send(ev)
		return
	}
	parsers.ClassifyMessage(ev)
	if r.holding {
		r.held = append(r.held, ev)
		return
	}
	r.send(ev)
}

// send sets the event's time from the offset known now and yields it.
func (r *Reader) send(ev *parsers.Event) {
	if r.sink != nil {
		r.sink.addEvent(ev)
		return
	}
	if r.stopped {
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
	r.stats.Count(ev)
	if !r.yield(ev, nil) {
		r.stopped = true
	}
}

// checkHold ends the hold-back once its bounds are passed.
func (r *Reader) checkHold() {
	if r.holding && (r.stats.Records > HoldRecords || r.readBytes > HoldBytes) {
		r.release()
	}
}

// release ends the hold-back and sends the held events.
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

// localTime converts a record's timestamp, reusing the previous conversion
// when the date and second are the same (the common case).
func (r *Reader) localTime(line []byte, ts stamp) time.Time {
	if !r.haveBase || string(line[:19]) != string(r.lastKey[:]) {
		r.lastBase = time.Date(ts.year, time.Month(ts.month), ts.day, ts.hour, ts.min, ts.sec, 0, time.UTC)
		copy(r.lastKey[:], line[:19])
		r.haveBase = true
	}
	return r.lastBase.Add(time.Duration(ts.nanos))
}

// intern returns the source column as a shared string. A small
// direct-mapped cache (no map hashing on the hot path) holds the values seen
// last; a value whose slot was taken by another is allocated again.
func (r *Reader) intern(b []byte) string {
	// The length and the last three bytes tell spid12s from spid13s and
	// from Logon or Server; the comparison below decides.
	h := uint32(len(b))
	for _, c := range b[max(0, len(b)-3):] {
		h = h*31 + uint32(c)
	}
	slot := &r.procs[h%uint32(len(r.procs))]
	if *slot == string(b) && *slot != "" {
		return *slot
	}
	s := string(b)
	*slot = s
	return s
}

func (r *Reader) warn(line int, msg string) { r.warnAt(line, 0, msg) }

// warnRecord reports the continuation text of the record of line rec
// dropped. A chunk's reader leaves the text to the merge, which knows the
// file's line number of rec.
func (r *Reader) warnRecord(line, rec, max int) {
	if r.sink != nil {
		r.sink.addWarning(warnItem{w: parsers.Warning{File: r.file, Line: line}, rec: rec, max: max})
		return
	}
	r.warn(line, recordWarning(rec, max))
}

func recordWarning(rec, max int) string {
	return fmt.Sprintf("record of line %d longer than %d bytes: continuation text dropped", rec, max)
}

func (r *Reader) warnAt(line int, offset int64, msg string) {
	w := parsers.Warning{File: r.file, Line: line, Offset: offset, Msg: msg}
	if r.sink != nil {
		r.sink.addWarning(warnItem{w: w})
		return
	}
	r.stats.Warn(w)
	if r.stopped {
		return
	}
	if !r.yield(nil, &w) {
		r.stopped = true
	}
}

// quote shortens a line for a warning message.
func quote(line []byte) string {
	line = trimRight(line)
	if len(line) > 60 {
		return fmt.Sprintf("%q...", line[:60])
	}
	return fmt.Sprintf("%q", line)
}

// stripDamage removes NUL and other control bytes from a line (a crash's
// block of zeros, garbage written into the file), counts them as skipped
// bytes and says where they were, so that the rest of the line and of the
// file is still read.
func (r *Reader) stripDamage(lineNo int, line []byte) []byte {
	clean, n := parsers.StripControl(line)
	if n == 0 {
		return line
	}
	if r.utf16 {
		r.stats.SkippedBytes += int64(2 * n)
	} else {
		r.stats.SkippedBytes += int64(n)
	}
	r.warn(lineNo, fmt.Sprintf("%d NUL or control byte(s) removed (damaged data)", n))
	return clean
}
