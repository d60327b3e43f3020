// Package errorlogexport reads SQL Server error logs that a tool exported
// rather than the ERRORLOG file itself, as the same parsers.Event values the
// native ERRORLOG reader (parsers/errorlog) yields:
//
//   - the SSMS Log File Viewer export: a "Date,Source,Severity,Message"
//     header (4 columns, or 10 when Agent or Database Mail logs were shown
//     too), rows "MM/DD/YYYY HH:MM:SS,source,Unknown,message" with "<c/>" for
//     every comma of the message, newest first, lines without a date
//     continuing the row above them;
//   - xp_readerrorlog / sp_readerrorlog results saved from SSMS: CSV without
//     quoting (the text may hold commas), tab-separated ("Copy with
//     Headers") or Results-to-Text (a header, a dashes row giving the column
//     widths, a "(N rows affected)" trailer), ascending or descending;
//   - dbatools Get-DbaErrorLog | Export-Csv: an optional "#TYPE" line, a
//     header naming the columns, every field quoted, LogDate in the exporting
//     user's culture ("3/14/2024 2:17:41 AM", "14.03.2024 02:17:41"), the
//     instance in SqlInstance.
//
// The order of the rows is found from their times (ascending or descending);
// "Error: N, Severity: S, State: T." rows are paired with their text in either
// order, continuation lines and continuation rows (the same time and source,
// text starting with a blank) are joined to their record, and "the clock goes
// back" is reported against the file's own order. Times are the server's
// local time; the "UTC adjustment" row, when the export holds it, gives the
// offset (FileStats.UTCOffset); until it is seen, or in a descending export,
// events carry parsers.ClockLocal and the analyzer applies the server's
// offset. Exports that drop the fractions of a second (SSMS, dbatools) give
// whole-second times.
//
// Memory is bounded by the line length limit and a short look-ahead at the
// start of the file (to find the order), not by the file size.
package errorlogexport

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// DefaultMaxLineBytes bounds one decoded line (and one record's text).
const DefaultMaxLineBytes = 1 << 20

// Look-ahead bounds: rows are buffered until two different times tell the
// order, for at most this many rows; hold-back bounds for the UTC adjustment
// as in the native reader.
const (
	orderRows   = 4096
	orderBytes  = 4 << 20
	HoldRecords = 256
	HoldBytes   = 64 * 1024
)

// clockJump is the step against the file's order reported as a clock change.
const clockJump = 30 * time.Minute

var _ parsers.Reader = (*Reader)(nil)

// Reader reads one exported error log. Create it with NewReader, range over
// Events once, then read Stats.
type Reader struct {
	// MaxLineBytes bounds a decoded line; zero means DefaultMaxLineBytes.
	MaxLineBytes int
	// Reuse makes the reader yield the same *Event again and again once the
	// hold-back at the start of the file is over, as errorlog.Reader.Reuse:
	// an event is valid until the next iteration step. Set it before Events.
	Reuse bool

	file  string
	src   io.Reader
	stats parsers.FileStats
	out   parsers.Emitter
	max   int

	variant  parsers.Format
	layout   layout
	started  bool // header (if any) seen; rows may follow
	csvOpen  bool // dbatools: a quoted field continues on the next line
	csvBuf   []byte
	csvLine  int
	fields   [][]byte
	order    dateOrder
	lastDate []byte // cache of the last culture date parsed
	lastTime time.Time
	lastOK   bool
	orderWrn bool

	row          row // the row being built (physical continuation lines appended)
	pending      []row
	pendingBytes int
	dir          int // 0 unknown, 1 ascending, -1 descending
	first        time.Time

	cur       rec // record being assembled from rows (ascending)
	wait      rec // header waiting for its text (ascending), any record (descending)
	contRows  []row
	contBytes int

	holding   bool
	held      []*parsers.Event
	readBytes int
	offset    time.Duration
	hasOffset bool
	lastLocal time.Time

	eightBit   bool
	rowServer  string
	rowServers int
	servers    map[string]bool // other instances named by rows
	block      []parsers.Event
	one        parsers.Event
	procs      map[string]string
}

// layout is where the columns are.
type layout struct {
	sep                      byte // ',' or '\t'; 0 for fixed width
	ncols                    int
	date, proc, text, server int // column indexes (-1 when absent)
	starts                   []int
}

type row struct {
	active bool
	line   int
	local  time.Time
	proc   string
	text   []byte
	conts  int // physical continuation lines appended
}

type rec struct {
	active    bool
	line      int
	local     time.Time
	proc      string
	msg       []byte
	header    bool
	num, sev  int
	state     int
	truncated bool
}

// NewReader returns a reader of the export in r; file names the input in
// events, statistics and warnings.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{src: r, file: file, stats: parsers.FileStats{File: file, Format: parsers.FormatErrorlog}}
}

// Stats returns the statistics of the file, complete once Events has ended.
// Format is parsers.FormatErrorlog: the events are ERRORLOG events.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// Variant returns the export format found (parsers.FormatSSMSExport,
// FormatXPReadErrorlog or FormatDbatoolsCSV), once reading has started.
func (r *Reader) Variant() parsers.Format { return r.variant }

// Descending reports whether the rows were found newest first.
func (r *Reader) Descending() bool { return r.dir < 0 }

// Events returns the events of the file. Warnings are yielded as
// *parsers.Warning with a nil event; a read error of the source ends the
// sequence; a file in which no row could be read ends with an error too.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return r.out.Events("", &r.stats, r.run)
}

func (r *Reader) run() {
	r.max = r.MaxLineBytes
	if r.max <= 0 {
		r.max = DefaultMaxLineBytes
	}
	text := parsers.NewTextReader(r.src)
	enc := text.Encoding
	eightBit := enc != parsers.UTF16LE && enc != parsers.UTF16BE
	r.eightBit = eightBit
	r.stats.Encoding = string(enc)
	if enc == parsers.EightBit {
		r.stats.Encoding = string(parsers.UTF8)
	}
	r.holding = true
	r.procs = map[string]string{}
	lines := parsers.NewLineReader(text, r.max)
	var skipped int64
	count := func(b []byte) { skipped += parsers.RawLen(b, enc) }
	lineNo := 0
	var firstLine string
	for !r.out.Stopped() {
		line, tooLong, ok := lines.Next(count)
		if !ok {
			break
		}
		lineNo++
		r.stats.Lines++
		if tooLong {
			r.stats.Unrecognized++
			r.stats.SkippedBytes += skipped
			skipped = 0
			r.warn(lineNo, fmt.Sprintf("line longer than %d bytes skipped", r.max))
			continue
		}
		r.readBytes += len(line) + 1
		line = trimRight(line) // Results to Text pads every row to its widths
		// dbatools rows are decoded field by field (csvFields): most of a
		// row is columns the reader does not use.
		if eightBit && r.variant != parsers.FormatDbatoolsCSV && !parsers.IsASCII(line) {
			var valid bool
			if line, valid = parsers.DecodeLine(line); !valid {
				r.stats.Encoding = string(parsers.Windows125)
			}
		}
		if firstLine == "" && len(bytes.TrimSpace(line)) > 0 {
			firstLine = string(trimRight(line))
		}
		r.line(lineNo, line)
		r.checkHold()
	}
	if r.out.Stopped() {
		r.stats.Bytes = text.RawOffset()
		return
	}
	if r.csvOpen {
		r.stats.Unrecognized++
		r.warn(r.csvLine, "quoted field not closed at the end of the file: row dropped")
	}
	r.endRow()
	if r.dir == 0 {
		r.dir = 1
		r.replay()
	}
	r.flushRecords()
	r.release()
	r.stats.Bytes = text.RawOffset()
	if r.stats.Server == "" && r.rowServer != "" {
		r.stats.Server = r.rowServer
	}
	if r.rowServers > 1 {
		r.warn(0, fmt.Sprintf("rows of %d instances in one file: all are attributed to %s; export one file per instance", r.rowServers, r.stats.Server))
	}
	if text.OddBytes > 0 {
		r.stats.SkippedBytes++
	}
	if lines.Err() != nil {
		r.out.Fail(fmt.Errorf("%s: reading: %w", r.file, lines.Err()))
		return
	}
	if r.stats.Records == 0 && r.stats.Lines > 0 {
		if len(firstLine) > 80 {
			firstLine = firstLine[:80] + "…"
		}
		r.out.Fail(fmt.Errorf("%s: looks like %s but no row could be read as an error log entry (first line %q)", r.file, describe(r.variant), firstLine))
	}
}

func describe(f parsers.Format) string {
	switch f {
	case parsers.FormatSSMSExport:
		return "an SSMS Log File Viewer export"
	case parsers.FormatDbatoolsCSV:
		return "a dbatools Get-DbaErrorLog CSV"
	case parsers.FormatXPReadErrorlog:
		return "xp_readerrorlog results"
	}
	return "an exported error log"
}

// line handles one decoded line.
func (r *Reader) line(n int, line []byte) {
	line = trimRight(line)
	if r.csvOpen {
		r.csvMore(n, line)
		return
	}
	if !r.started {
		if r.preamble(n, line) {
			return
		}
	}
	if r.variant == parsers.FormatDbatoolsCSV {
		if len(line) == 0 || r.layout.ncols == 0 { // no header naming the columns
			r.stats.Unrecognized++
			return
		}
		r.csvLine = n
		if !quoteOpen(line) {
			r.csvFields(line) // the whole row on one line: no copy
			return
		}
		r.csvBuf = append(r.csvBuf[:0], line...)
		r.csvRecord()
		return
	}
	local, proc, text, isRow, bad := r.split(line)
	switch {
	case isRow:
		r.stats.Records++
		r.startRow(n, local, proc, text)
	case bad != "":
		r.stats.Unrecognized++
		r.endRow()
		r.warn(n, bad+": "+quote(line))
	case r.layout.sep == 0 && r.variant == parsers.FormatXPReadErrorlog && isTrailer(line):
		r.stats.Header++
	case r.row.active:
		r.stats.Continuations++
		if r.variant == parsers.FormatSSMSExport {
			line = unescapeCommas(line)
		}
		r.appendCont(n, line)
	default:
		r.stats.Unrecognized++
	}
}

func (r *Reader) intern(b []byte) string {
	if s, ok := r.procs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.procs) < 4096 {
		r.procs[s] = s
	}
	return s
}

func (r *Reader) warn(line int, msg string) { r.out.Warn(line, 0, msg) }

func quote(line []byte) string {
	line = trimRight(line)
	if len(line) > 60 {
		return fmt.Sprintf("%q...", line[:60])
	}
	return fmt.Sprintf("%q", line)
}

func trimRight(b []byte) []byte {
	n := len(b)
	for n > 0 && (b[n-1] == ' ' || b[n-1] == '\t' || b[n-1] == '\r') {
		n--
	}
	return b[:n]
}

// errorHeader parses "Error: N, Severity: S, State: T.".
func errorHeader(msg []byte) (num, sev, state int, ok bool) {
	rest, ok := bytes.CutPrefix(msg, []byte("Error: "))
	if !ok {
		return 0, 0, 0, false
	}
	if num, rest, ok = leadingInt(rest); !ok {
		return 0, 0, 0, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(", Severity: ")); !ok {
		return 0, 0, 0, false
	}
	if sev, rest, ok = leadingInt(rest); !ok {
		return 0, 0, 0, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(", State: ")); !ok {
		return 0, 0, 0, false
	}
	if state, rest, ok = leadingInt(rest); !ok {
		return 0, 0, 0, false
	}
	if len(rest) > 1 || (len(rest) == 1 && rest[0] != '.') {
		return 0, 0, 0, false
	}
	return num, sev, state, true
}

func leadingInt(b []byte) (n int, rest []byte, ok bool) {
	i := 0
	for i < len(b) && i < 10 && isDigit(b[i]) {
		n = n*10 + int(b[i]-'0')
		i++
	}
	if i == 0 || i > 9 {
		return 0, b, false
	}
	return n, b[i:], true
}
