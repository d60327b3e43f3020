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

	file    string
	src     io.Reader
	stats   parsers.FileStats
	done    bool
	yield   func(*parsers.Event, error) bool
	stopped bool
	max     int

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
	return func(yield func(*parsers.Event, error) bool) {
		if r.done {
			return
		}
		r.done = true
		r.yield = yield
		r.run()
		r.yield = nil
	}
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
	for !r.stopped {
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
	if r.stopped {
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
		r.yield(nil, fmt.Errorf("%s: reading: %w", r.file, lines.Err()))
		return
	}
	if r.stats.Records == 0 && r.stats.Lines > 0 {
		if len(firstLine) > 80 {
			firstLine = firstLine[:80] + "…"
		}
		r.yield(nil, fmt.Errorf("%s: looks like %s but no row could be read as an error log entry (first line %q)", r.file, describe(r.variant), firstLine))
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

// preamble handles the lines before the first row: blank lines, "#TYPE",
// the header and the dashes under it. It reports whether it used the line.
func (r *Reader) preamble(n int, line []byte) bool {
	if len(bytes.TrimSpace(line)) == 0 {
		r.stats.Header++
		return true
	}
	if r.variant == "" {
		r.variant = parsers.ExportFormat(line, nil)
		if r.variant == parsers.FormatUnknown {
			r.variant = parsers.FormatXPReadErrorlog
		}
	}
	lower := bytes.ToLower(line)
	switch {
	case bytes.HasPrefix(lower, []byte("#type ")):
		r.variant = parsers.FormatDbatoolsCSV
		r.stats.Header++
		return true
	case bytes.HasPrefix(lower, []byte("date,source,severity,message")):
		r.variant = parsers.FormatSSMSExport
		r.setColumns(bytes.Split(lower, []byte(",")), ',')
		r.stats.Header++
		r.started = true
		return true
	case bytes.Contains(lower, []byte("logdate")):
		switch {
		case lower[0] == '"' || r.variant == parsers.FormatDbatoolsCSV:
			r.variant = parsers.FormatDbatoolsCSV
			r.setColumns(splitCSV(lower), ',')
		case bytes.IndexByte(lower, '\t') >= 0:
			r.setColumns(bytes.Split(lower, []byte("\t")), '\t')
		case bytes.IndexByte(lower, ',') >= 0:
			r.setColumns(bytes.Split(lower, []byte(",")), ',')
		default:
			// Results to Text: the widths come from the dashes below.
			r.layout = layout{ncols: 3, date: 0, proc: 1, text: 2, server: -1}
			r.stats.Header++
			return true
		}
		r.stats.Header++
		r.started = true
		return true
	case isDashRow(line) && r.layout.ncols == 3 && r.layout.sep == 0:
		start := -1
		for i := 0; i <= len(line); i++ {
			if i < len(line) && line[i] == '-' {
				if start < 0 {
					start = i
					r.layout.starts = append(r.layout.starts, i)
				}
			} else {
				start = -1
			}
		}
		r.stats.Header++
		r.started = true
		return true
	}
	// SSMS viewer rows without their header (4 columns, or 10 with six
	// empty ones after the message).
	if parsers.IsSSMSRow(line) {
		r.variant = parsers.FormatSSMSExport
		r.layout = layout{sep: ',', ncols: 4, date: 0, proc: 1, text: 3, server: -1}
		if bytes.HasSuffix(line, []byte(",,,,,,")) {
			r.layout.ncols = 10
		}
		r.started = true
		return false
	}
	// Rows without a header: "date<sep>ProcessInfo<sep>Text".
	if _, k, ok := parseISO(line); ok && k < len(line) && (line[k] == ',' || line[k] == '\t') {
		r.variant = parsers.FormatXPReadErrorlog
		r.layout = layout{sep: line[k], ncols: 3, date: 0, proc: 1, text: 2, server: -1}
		r.started = true
		return false
	}
	r.started = true
	return false
}

// setColumns finds the columns by name.
func (r *Reader) setColumns(names [][]byte, sep byte) {
	l := layout{sep: sep, ncols: len(names), date: -1, proc: -1, text: -1, server: -1}
	for i, nm := range names {
		s := string(bytes.Trim(bytes.TrimSpace(nm), `"`))
		switch s {
		case "date", "logdate":
			l.date = i
		case "source", "processinfo", "errorlevel":
			if l.proc < 0 || s == "processinfo" {
				l.proc = i
			}
		case "message", "text":
			l.text = i
		case "sqlinstance":
			l.server = i
		}
	}
	if l.date < 0 || l.text < 0 {
		l.date, l.proc, l.text = 0, 1, 2
	}
	r.layout = l
}

// split cuts a row line into its time, source and text. isRow is false for
// a line that does not start with a date (a continuation); bad is set for a
// line that starts with a date but is not a valid row.
func (r *Reader) split(line []byte) (local time.Time, proc string, text []byte, isRow bool, bad string) {
	l := &r.layout
	if l.sep == 0 {
		if len(l.starts) < 3 || len(line) < l.starts[1] {
			return
		}
		t, _, ok := parseISO(line)
		if !ok {
			if len(line) > 0 && isDigit(line[0]) && looksDated(line) {
				bad = "malformed LogDate"
			}
			return
		}
		p := bytes.TrimSpace(line[l.starts[1]:min(l.starts[2], len(line))])
		if len(line) > l.starts[2] {
			text = line[l.starts[2]:]
		}
		return t, r.intern(p), text, true, ""
	}
	// Separated columns: the text is the last column the file has (SSMS
	// 10-column exports add six columns after it).
	if len(line) == 0 || !isDigit(line[0]) {
		return
	}
	var fields [16][]byte
	nf := 0
	rest := line
	limit := l.text + 1 // split up to the text column
	for nf < limit-1 && nf < len(fields)-1 {
		i := bytes.IndexByte(rest, l.sep)
		if i < 0 {
			break
		}
		fields[nf] = rest[:i]
		rest = rest[i+1:]
		nf++
	}
	fields[nf] = rest
	nf++
	if nf == limit-1 && nf > l.date && nf > l.proc {
		// The text column is empty and its separator was trimmed with the
		// trailing blanks.
		fields[nf] = nil
		nf++
	}
	if nf < limit || l.proc >= nf {
		if looksDated(line) {
			bad = "row with too few columns"
		}
		return
	}
	text = fields[l.text]
	if extra := l.ncols - 1 - l.text; extra > 0 {
		// Drop the trailing columns (empty for SQL Server rows).
		for k := 0; k < extra; k++ {
			i := bytes.LastIndexByte(text, l.sep)
			if i < 0 {
				break
			}
			text = text[:i]
		}
	}
	var ok bool
	date := fields[l.date]
	if r.variant == parsers.FormatSSMSExport {
		local, ok = r.cultureTime(date)
	} else {
		var k int
		local, k, ok = parseISO(date)
		ok = ok && k == len(date)
	}
	if !ok {
		if looksDated(line) {
			bad = "malformed date"
		}
		return
	}
	if l.proc >= 0 {
		proc = r.intern(bytes.TrimSpace(fields[l.proc]))
	}
	if r.variant == parsers.FormatSSMSExport {
		text = unescapeCommas(text)
	}
	return local, proc, text, true, ""
}

// unescapeCommas turns the SSMS viewer's "<c/>" back into ",", in place (the
// line buffer is the reader's own until the next line).
func unescapeCommas(b []byte) []byte {
	i := bytes.Index(b, []byte("<c/>"))
	if i < 0 {
		return b
	}
	w := i
	for {
		b[w] = ','
		w++
		i += 4
		j := bytes.Index(b[i:], []byte("<c/>"))
		if j < 0 {
			w += copy(b[w:], b[i:])
			return b[:w]
		}
		w += copy(b[w:], b[i:i+j])
		i += j
	}
}

// looksDated reports whether a line starts with something date-like: two
// to four digits and a date separator.
func looksDated(b []byte) bool {
	i := 0
	for i < len(b) && i < 4 && isDigit(b[i]) {
		i++
	}
	return i >= 1 && i < len(b) && (b[i] == '-' || b[i] == '/' || b[i] == '.')
}

// cultureTime parses a culture-formatted date, settling the day/month order
// from the first unambiguous date.
func (r *Reader) cultureTime(b []byte) (time.Time, bool) {
	// Rows share their second often (these formats have no fractions).
	if r.lastOK && string(b) == string(r.lastDate) {
		return r.lastTime, true
	}
	t, ok := r.parseCulture(b)
	r.lastDate = append(r.lastDate[:0], b...)
	r.lastTime, r.lastOK = t, ok
	return t, ok
}

func (r *Reader) parseCulture(b []byte) (time.Time, bool) {
	d, ok := scanCulture(bytes.TrimSpace(b))
	if !ok {
		return time.Time{}, false
	}
	if r.order == orderUnknown {
		switch {
		case d.impliedDMY:
			r.order = dayFirst
		case d.impliedMDY:
			r.order = monthFirst
		}
	} else if d.impliedDMY && r.order == monthFirst || d.impliedMDY && r.order == dayFirst {
		if !r.orderWrn {
			r.orderWrn = true
			r.warn(0, "dates disagree on the day/month order; each date is read in the order it allows")
		}
	}
	order := r.order
	if order == orderUnknown {
		// The SSMS viewer writes MM/dd/yyyy; a 12-hour clock is en-US.
		order = monthFirst
		if r.variant == parsers.FormatDbatoolsCSV && d.ampm == 0 && d.sep != '/' {
			order = dayFirst
		}
	}
	return d.time(order)
}

// csvRecord parses a dbatools row held in csvBuf; a quoted field left open
// waits for the next line.
func (r *Reader) csvRecord() {
	if quoteOpen(r.csvBuf) {
		r.csvOpen = true
		return
	}
	r.csvOpen = false
	r.csvFields(r.csvBuf)
}

// csvFields reads one complete dbatools row.
func (r *Reader) csvFields(row []byte) {
	l := &r.layout
	r.fields = splitCSVInto(r.fields, row, max(l.date, l.proc, l.text, l.server))
	fields := r.fields
	if len(fields) <= l.text || len(fields) <= l.date || l.proc >= len(fields) {
		r.stats.Unrecognized++
		r.warn(r.csvLine, "row with too few columns: "+quote(row))
		return
	}
	local, ok := r.cultureTime(fields[l.date])
	if !ok {
		r.stats.Unrecognized++
		r.warn(r.csvLine, "malformed LogDate: "+quote(fields[l.date]))
		return
	}
	if l.server >= 0 && l.server < len(fields) {
		if s := r.decode(fields[l.server]); len(s) > 0 && string(s) != r.rowServer {
			if r.rowServer == "" {
				r.rowServer = string(s)
				r.rowServers = 1
			} else if r.servers == nil || !r.servers[string(s)] {
				if r.servers == nil {
					r.servers = map[string]bool{}
				}
				if len(r.servers) < 64 {
					r.servers[string(s)] = true
				}
				r.rowServers++
			}
		}
	}
	proc := ""
	if l.proc >= 0 {
		proc = r.intern(bytes.TrimSpace(r.decode(fields[l.proc])))
	}
	r.stats.Records++
	text := r.decode(fields[l.text])
	first, more, multi := bytes.Cut(text, []byte("\n"))
	r.startRow(r.csvLine, local, proc, trimRight(first))
	if multi {
		for _, ln := range bytes.Split(more, []byte("\n")) {
			r.appendCont(r.csvLine, ln)
		}
	}
}

// decode converts a field of 8-bit text that is not ASCII (UTF-8, or
// Windows-1252 when it is not valid UTF-8).
func (r *Reader) decode(b []byte) []byte {
	if !r.eightBit || parsers.IsASCII(b) {
		return b
	}
	out, valid := parsers.DecodeLine(b)
	if !valid {
		r.stats.Encoding = string(parsers.Windows125)
	}
	return out
}

// csvMore adds a line to a quoted field that spans lines.
func (r *Reader) csvMore(n int, line []byte) {
	if len(r.csvBuf)+1+len(line) > r.max {
		r.csvOpen = false
		r.stats.Unrecognized += 2 // the row's first line and this one
		r.warn(r.csvLine, fmt.Sprintf("quoted field longer than %d bytes: row dropped", r.max))
		return
	}
	r.stats.Continuations++
	r.csvBuf = append(r.csvBuf, '\n')
	r.csvBuf = append(r.csvBuf, line...)
	r.csvRecord()
}

// quoteOpen reports whether b ends inside a quoted CSV field.
func quoteOpen(b []byte) bool {
	// Doubled quotes inside a field count twice: the parity is that of
	// the field boundaries.
	return bytes.Count(b, []byte{'"'})%2 == 1
}

// splitCSV splits one CSV record; quoted fields are unquoted.
func splitCSV(b []byte) [][]byte { return splitCSVInto(nil, b, -1) }

// splitCSVInto splits b into out, stopping after field last (all fields
// when last < 0).
func splitCSVInto(out [][]byte, b []byte, last int) [][]byte {
	out = out[:0]
	for last < 0 || len(out) <= last {
		if len(b) > 0 && b[0] == '"' {
			// The field ends at a quote not followed by another; doubled
			// quotes are undone only when there are any.
			i := 1
			doubled := false
			for i < len(b) {
				j := bytes.IndexByte(b[i:], '"')
				if j < 0 {
					i = len(b)
					break
				}
				i += j
				if i+1 < len(b) && b[i+1] == '"' {
					doubled = true
					i += 2
					continue
				}
				break
			}
			f := b[1:min(i, len(b))]
			if doubled {
				f = bytes.ReplaceAll(f, []byte(`""`), []byte(`"`))
			}
			out = append(out, f)
			b = b[min(i+1, len(b)):]
			j := bytes.IndexByte(b, ',')
			if j < 0 {
				return out
			}
			b = b[j+1:]
			continue
		}
		j := bytes.IndexByte(b, ',')
		if j < 0 {
			return append(out, b)
		}
		out = append(out, b[:j])
		b = b[j+1:]
	}
	return out
}

func isDashRow(b []byte) bool {
	if len(b) < 3 || b[0] != '-' {
		return false
	}
	for _, c := range b {
		if c != '-' && c != ' ' {
			return false
		}
	}
	return true
}

// isTrailer recognizes "(12 rows affected)" and "Completion time: ..." that
// SSMS appends to Results to Text.
func isTrailer(b []byte) bool {
	return bytes.HasPrefix(b, []byte("(")) && bytes.HasSuffix(b, []byte("affected)")) ||
		bytes.HasPrefix(b, []byte("Completion time: "))
}

// ---- rows ----

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

func (r *Reader) warn(line int, msg string) {
	w := parsers.Warning{File: r.file, Line: line, Msg: msg}
	r.stats.Warn(w)
	if r.stopped {
		return
	}
	if !r.yield(nil, &w) {
		r.stopped = true
	}
}

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
