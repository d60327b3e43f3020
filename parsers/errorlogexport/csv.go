package errorlogexport

import (
	"bytes"
	"fmt"

	"github.com/agtriage/agtriage/parsers"
)

// dbatools Export-Csv rows: every field quoted, text that may span lines.

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
