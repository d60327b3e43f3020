// Package clusterlog reads Windows Server Failover Cluster logs (the
// cluster.log written by Get-ClusterLog, one per node) as a stream of
// parsers.Event values.
//
// A cluster-log record is one line
//
//	PPPPPPPP.TTTTTTTT::YYYY/MM/DD-HH:MM:SS.mmm LEVEL [COMPONENT] text
//
// with hexadecimal process and thread ids, a padded level (INFO, WARN, ERR,
// DBG) and a component such as RES, RHS, RCM, QUORUM, NETFT, IM or NODE.
// Windows Server 2016 and later add "[=== ... ===]" section headers and the
// System, FailoverClustering/Operational and DiagnosticVerbose event channels,
// whose lines carry a "[System] " (or "[Operational] ", "[Verbose] ") prefix
// and, for System and Operational, no component. Lines without the prefix
// continue the previous record (event texts that span several lines, the
// performance rows after a lease timeout). Hand-collected excerpts that put
// the cluster.log line number before each line ("   381 [Operational] ...")
// are read too; the number is kept in the field "log_line".
//
// Each record becomes an Event with Source parsers.SourceClusterlog, Process
// set to the component (or the channel for channel lines) and the fields
// "level", "pid", "tid" and "channel". The message texts that matter for an
// availability group (node removed from membership, quorum lost, missed
// heartbeats, lease timeout, health-check failure, resource failures, role
// moves, the failover limit, RHS terminated, SQL Server service down) set the
// event's Kind and structured fields; see the rules in classify.go. The
// performance rows that follow "Lease timeout detected" are folded into that
// event as fields (perf_rows, cpu_max, cpu_avg, mem_min_bytes,
// disk_read_max, disk_write_max, perf_from, perf_to).
//
// Times are UTC unless the log's header says "The logs were generated using
// local time" (Get-ClusterLog -UseLocalTime). Then each event keeps the wall
// clock in Local and, when the header also gives "the time zone offset of this
// machine is N minutes" (UTC = local time + offset), Time is converted to UTC;
// without the offset, Clock is parsers.ClockLocal. The node name is taken
// from the header's "Current node: name (X) id (N)" line only.
//
// Every line is counted exactly once: as a record (FileStats.Records), a
// continuation (FileStats.Continuations), a section header
// (Reader.Sections), unrecognized (FileStats.Unrecognized: text outside a
// record, such as the descriptive sections of the header, or a malformed
// timestamp) or skipped (longer than MaxLineBytes, Reader.SkippedLines).
package clusterlog

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// DefaultMaxLineBytes is the default bound on the length of one decoded line.
const DefaultMaxLineBytes = 1 << 20

// Reader implements the interface shared by all agtriage readers.
var _ parsers.Reader = (*Reader)(nil)

// maxInterned bounds the table of interned component, pid and tid strings.
const maxInterned = 4096

// Reader reads one cluster log. Create it with NewReader, range over Events
// once, then read Stats.
type Reader struct {
	// MaxLineBytes bounds the length of a decoded line (without its line
	// terminator); longer lines are reported with a warning, skipped and
	// counted in FileStats.SkippedBytes. It also bounds the text of one
	// record with its continuation lines. Zero means DefaultMaxLineBytes. Set
	// it before calling Events.
	MaxLineBytes int

	file  string
	src   io.Reader
	stats parsers.FileStats
	out   parsers.Emitter
	max   int

	skippedLines int
	sections     int
	afterBad     bool // the last record line was malformed
	damaged      bool // the current line held control bytes
	text         *parsers.TextReader
	utf16        bool

	cur      record
	numbered bool // lines carry leading line numbers (hand-collected excerpt)

	// win is the lease-timeout event waiting for its performance rows, and
	// held the events of other threads read meanwhile (see leaseWindow).
	win  *leaseWindow
	held []*parsers.Event

	localTime bool          // the header says the times are local
	sawClock  bool          // the header says whether the times are local or UTC
	bias      time.Duration // UTC = local + bias, when hasBias
	hasBias   bool

	p        line
	interned map[string]string
	block    []parsers.Event
	fblock   []parsers.Field
}

// record is the record being assembled from its first line, continuation
// lines and, after a lease timeout, the performance rows.
type record struct {
	active    bool
	ev        *parsers.Event
	msg       []byte
	truncated bool
	lease     bool   // a lease timeout: performance rows may follow
	pid, tid  string // ids of the record, to match performance rows
	perf      perfStats
}

// leaseWindow is a finished lease-timeout event that may still receive
// performance rows written as lines of their own by the same process. Lines of
// other threads can come between them; their events are held back so that
// the events stay in file order. The window closes at the next line of the
// same thread that is not a performance row, at a section header, at the end
// of the input or after LeaseWindowRecords other records.
type leaseWindow struct {
	ev       *parsers.Event
	msg      []byte
	pid, tid string
	perf     perfStats
	records  int
}

// LeaseWindowRecords bounds how many records of other threads may come between
// a lease timeout and its performance rows.
const LeaseWindowRecords = 64

// NewReader returns a reader of the cluster log in r. file names the input in
// events, statistics and warnings. Nothing is read until Events is ranged over.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{
		src:  r,
		file: file,
		stats: parsers.FileStats{
			File:   file,
			Format: parsers.FormatClusterlog,
		},
	}
}

// Stats returns the statistics of the file. They are complete once the
// iteration over Events has ended.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// SkippedLines returns how many lines were skipped for being longer than
// MaxLineBytes.
func (r *Reader) SkippedLines() int { return r.skippedLines }

// Sections returns how many "[=== ... ===]" section headers were read. With
// SkippedLines, FileStats.Lines = Records + Continuations + Unrecognized +
// Sections + SkippedLines.
func (r *Reader) Sections() int { return r.sections }

// Events returns the events of the file in file order. Warnings
// (*parsers.Warning: over-long lines, malformed timestamps) are yielded with a
// nil event and reading goes on; a read error of the underlying reader is
// yielded last. The sequence can be ranged over once.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return r.out.Events("", &r.stats, r.run)
}

func (r *Reader) run() {
	r.max = r.MaxLineBytes
	if r.max <= 0 {
		r.max = DefaultMaxLineBytes
	}
	r.text = parsers.NewTextReader(r.src)
	enc := r.text.Encoding
	r.utf16 = enc == parsers.UTF16LE || enc == parsers.UTF16BE
	r.stats.Encoding = string(enc)
	if enc == parsers.EightBit {
		r.stats.Encoding = string(parsers.UTF8)
	}
	r.interned = make(map[string]string)

	lines := parsers.NewLineReader(r.text, r.max)
	var skipped int64
	count := func(b []byte) { skipped += parsers.RawLen(b, r.text.Encoding) }
	lineNo := 0
	for !r.out.Stopped() {
		ln, tooLong, ok := lines.Next(count)
		if !ok {
			break
		}
		lineNo++
		r.stats.Lines++
		if tooLong {
			r.skippedLines++
			r.stats.SkippedBytes += skipped
			skipped = 0
			r.warn(lineNo, fmt.Sprintf("line longer than %d bytes skipped", r.max))
			continue
		}
		ln = r.stripDamage(lineNo, ln)
		if !r.utf16 && !parsers.IsASCII(ln) {
			var valid bool
			if ln, valid = parsers.DecodeLine(ln); !valid {
				r.stats.Encoding = string(parsers.Windows125)
			}
		}
		r.line(lineNo, ln)
	}
	if !r.out.Stopped() {
		r.finish()
		r.closeWindow()
	}
	r.stats.Bytes = r.text.RawOffset()
	// An excerpt or a log whose header was cut says nothing of its clock:
	// its times are taken as UTC, Get-ClusterLog's default.
	r.stats.ClockAssumed = r.stats.Records > 0 && !r.sawClock
	if r.out.Stopped() {
		return
	}
	if r.text.OddBytes > 0 {
		r.stats.SkippedBytes += int64(r.text.OddBytes)
		r.warnAt(0, r.stats.Bytes-1, "odd trailing byte of UTF-16 input skipped")
	}
	if lines.Err() != nil {
		r.out.Fail(fmt.Errorf("%s: reading: %w", r.file, lines.Err()))
	}
}

// line handles one decoded line.
func (r *Reader) line(lineNo int, b []byte) {
	p := &r.p
	kind, reason := parseLine(b, p)
	switch kind {
	case lineSection:
		r.sections++
		r.afterBad = false
		r.finish()
		r.closeWindow()
		return
	case lineBad:
		r.afterBad = true
		r.stats.Unrecognized++
		r.warn(lineNo, reason+": "+quote(b))
		// Lines after a broken record belong to it, not to the record
		// before: end that one so that they count as unrecognized.
		r.finish()
		return
	case lineOther:
		if r.damaged || parsers.LooksGarbage(b) {
			// Not text: damage, not a continuation of the record before.
			r.stats.Unrecognized++
			r.warn(lineNo, "unreadable line (binary or garbage data): "+quote(b))
			return
		}
		if !r.cur.active {
			// The preamble and the tabular sections (resources, networks
			// ...) are part of a Get-ClusterLog file but hold no events;
			// text after a broken record is unrecognized.
			if r.afterBad {
				r.stats.Unrecognized++
			} else {
				r.stats.Header++
			}
			r.header(b)
			return
		}
		r.stats.Continuations++
		if r.numbered {
			if _, after, ok := leadingNumber(b); ok {
				b = after
			} else if isDigits(b) {
				b = nil
			}
		}
		text := trimRight(b)
		if r.cur.lease {
			r.cur.perf.add(text)
		}
		r.appendText(lineNo, text, b)
		return
	}

	r.stats.Records++
	r.afterBad = false
	if p.num >= 0 {
		r.numbered = true
	}
	if c := &r.cur; c.active && c.lease && c.pid == string(p.pid) && c.perf.add(p.text) {
		// A performance row written as a line of its own: part of the lease event.
		r.appendText(lineNo, perfText(p.text), b)
		return
	}
	r.finish()
	if w := r.win; w != nil {
		switch {
		case w.pid == string(p.pid) && w.perf.add(p.text):
			if t := perfText(p.text); len(w.msg)+1+len(t) <= r.max {
				w.msg = append(append(w.msg, '\n'), t...)
			}
			return
		case w.pid == string(p.pid) && w.tid == string(p.tid), w.records >= LeaseWindowRecords:
			r.closeWindow()
		default:
			w.records++
		}
	}
	r.start(lineNo, p)
}

// start begins a new record from a parsed line.
func (r *Reader) start(lineNo int, p *line) {
	ev := r.newEvent()
	ev.Source = parsers.SourceClusterlog
	ev.File = r.file
	ev.Line = lineNo
	r.setTime(ev, p.ts)
	switch {
	case p.component != nil:
		ev.Process = r.intern(p.component)
	case p.channel != nil:
		ev.Process = r.intern(p.channel)
	}
	if len(p.level) > 0 {
		addField(ev, "level", levelString(p.level, r))
	}
	pid, tid := r.intern(p.pid), r.intern(p.tid)
	addField(ev, "pid", pid)
	addField(ev, "tid", tid)
	if p.channel != nil {
		addField(ev, "channel", r.intern(p.channel))
	}
	if p.num >= 0 {
		addField(ev, "log_line", strconv.Itoa(p.num))
	}
	classify(ev, p.text)

	c := &r.cur
	c.active = true
	c.ev = ev
	c.msg = append(c.msg[:0], p.text...)
	c.truncated = false
	c.pid, c.tid = pid, tid
	c.lease = ev.Kind == parsers.KindLeaseExpired && isLeaseTimeout(p.text)
	c.perf = perfStats{}
}

// appendText adds a continuation (or performance row) to the current record.
func (r *Reader) appendText(lineNo int, text, raw []byte) {
	c := &r.cur
	if len(text) == 0 {
		return
	}
	if len(c.msg)+1+len(text) > r.max {
		r.stats.SkippedBytes += parsers.RawLen(raw, r.text.Encoding)
		if !c.truncated {
			c.truncated = true
			r.warn(lineNo, fmt.Sprintf("record of line %d longer than %d bytes: continuation text dropped", c.ev.Line, r.max))
		}
		return
	}
	c.msg = append(c.msg, '\n')
	c.msg = append(c.msg, text...)
}

// finish ends the current record and sends its event.
func (r *Reader) finish() {
	c := &r.cur
	if !c.active {
		return
	}
	c.active = false
	ev := c.ev
	c.ev = nil
	if c.lease {
		// Hold the lease event: more performance rows may come.
		r.closeWindow()
		r.win = &leaseWindow{ev: ev, msg: append([]byte(nil), c.msg...), pid: c.pid, tid: c.tid, perf: c.perf}
		return
	}
	ev.Message = string(c.msg)
	r.emit(ev)
}

// closeWindow sends the lease event of the open window with its performance
// fields, then the events held back behind it.
func (r *Reader) closeWindow() {
	w := r.win
	if w == nil {
		return
	}
	r.win = nil
	w.ev.Message = string(w.msg)
	w.perf.fields(w.ev)
	r.emit(w.ev)
	for i, ev := range r.held {
		r.emit(ev)
		r.held[i] = nil
	}
	r.held = r.held[:0]
}

// emit yields an event, or holds it back while a lease window is open.
func (r *Reader) emit(ev *parsers.Event) {
	if r.win != nil {
		r.held = append(r.held, ev)
		return
	}
	r.out.Emit(ev)
}

// setTime sets the event's times from the timestamp of its line.
func (r *Reader) setTime(ev *parsers.Event, ts time.Time) {
	if !r.localTime {
		ev.Time = ts
		ev.Clock = parsers.ClockUTC
		return
	}
	ev.Local = ts
	if r.hasBias {
		ev.Time = ts.Add(r.bias)
		ev.Clock = parsers.ClockUTC
		return
	}
	ev.Time = ts
	ev.Clock = parsers.ClockLocal
	r.stats.Clock = parsers.ClockLocal
}

// eventBlock is how many events newEvent allocates at once, and fieldsPerEvent
// the room for fields each of them gets from a shared block.
const (
	eventBlock     = 64
	fieldsPerEvent = 8
)

func (r *Reader) newEvent() *parsers.Event {
	if len(r.block) == 0 {
		r.block = make([]parsers.Event, eventBlock)
		r.fblock = make([]parsers.Field, eventBlock*fieldsPerEvent)
	}
	ev := &r.block[0]
	r.block = r.block[1:]
	ev.Fields = r.fblock[:0:fieldsPerEvent]
	r.fblock = r.fblock[fieldsPerEvent:]
	return ev
}

// intern returns b as a shared string.
func (r *Reader) intern(b []byte) string {
	if s, ok := r.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.interned) < maxInterned {
		r.interned[s] = s
	}
	return s
}

// levelString returns the level as a constant string for the usual levels.
func levelString(b []byte, r *Reader) string {
	switch string(b) {
	case "INFO":
		return "INFO"
	case "WARN":
		return "WARN"
	case "ERR":
		return "ERR"
	case "DBG":
		return "DBG"
	}
	return r.intern(b)
}

func (r *Reader) warn(line int, msg string) { r.warnAt(line, 0, msg) }

func (r *Reader) warnAt(line int, offset int64, msg string) { r.out.Warn(line, offset, msg) }

// isDigits reports whether b holds only blanks and decimal digits.
func isDigits(b []byte) bool {
	return len(bytes.Trim(b, " \t\r0123456789")) == 0
}

// quote shortens a line for a warning message.
func quote(b []byte) string {
	b = trimRight(b)
	if len(b) > 60 {
		return fmt.Sprintf("%q...", b[:60])
	}
	return fmt.Sprintf("%q", b)
}

// stripDamage removes NUL and other control bytes from a line (a crash's
// block of zeros, garbage written into the file), counts them as skipped
// bytes and says where they were, so that the rest of the line and of the
// file is still read.
func (r *Reader) stripDamage(lineNo int, line []byte) []byte {
	clean, n := parsers.StripControl(line)
	r.damaged = n > 0
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
