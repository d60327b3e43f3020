package errorlogexport

import (
	"bytes"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// How a line of an export is recognized: the preamble (#TYPE, header,
// dashes), the columns, and the split of a row into time, source and text.

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
