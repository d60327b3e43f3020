package mdreport

// Escaping and formatting of the Markdown report: every piece of log text
// goes through mdEscape before it reaches a table cell, a list item or a
// heading.

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/agtriage/agtriage/analyzer/internal/words"
)

// mdTable writes a table row by row (a report may list 100,000 input
// files: nothing is held); every row gets exactly as many cells as the
// header so that no row can shift the columns.
type mdTable struct {
	m     *mdWriter
	cells int
	b     strings.Builder
}

// newTable writes the header of a table of escaped cells.
func (m *mdWriter) newTable(head ...string) *mdTable {
	m.line("| " + strings.Join(head, " | ") + " |")
	m.line("|" + strings.Repeat("---|", len(head)))
	return &mdTable{m: m, cells: len(head)}
}

func (t *mdTable) row(cells ...string) {
	t.b.Reset()
	t.b.WriteString("|")
	for i := range t.cells {
		c := " "
		if i < len(cells) && cells[i] != "" {
			c = cells[i]
		}
		t.b.WriteString(" ")
		t.b.WriteString(c)
		t.b.WriteString(" |")
	}
	t.m.line(t.b.String())
}

// end ends the table with a blank line.
func (t *mdTable) end() { t.m.line("") }

// ---- times and sizes ----

// mdUTC formats a UTC time; ms adds milliseconds, which matter when events
// of several replicas interleave within a second.
func mdUTC(t time.Time, ms bool) string {
	if t.IsZero() {
		return "—"
	}
	if ms {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func (m *mdWriter) fmtTZ(t time.Time) string {
	if t.IsZero() || m.tz == nil {
		return "—"
	}
	return t.In(m.tz).Format("2006-01-02 15:04:05 MST")
}

// mdStepTime formats a chain step as "15:04:05.000 UTC", with the date when
// it differs from the incident's start date.
func mdStepTime(t, start time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	t = t.UTC()
	if y, mo, d := t.Date(); !start.IsZero() {
		if sy, smo, sd := start.UTC().Date(); sy == y && smo == mo && sd == d {
			return t.Format("15:04:05.000") + " UTC"
		}
	}
	return t.Format("2006-01-02 15:04:05.000") + " UTC"
}

func mdRange(a, b time.Time) string {
	if a.IsZero() && b.IsZero() {
		return "—"
	}
	return mdUTC(a, true) + " – " + mdUTC(b, true)
}

func mdBytes(n int64) string {
	switch {
	case n <= 0:
		return "0"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// ---- escaping ----

// mdMaxCell bounds a table cell; longer text is cut with "…".
const mdMaxCell = 300

// mdCell escapes s for a table cell: one line, at most mdMaxCell characters, and
// no character that could end the cell or start markup.
func mdCell(s string) string { return mdEscape(s, mdMaxCell, escLineStart) }

// mdCellOr is cell, with "—" for an empty value.
func mdCellOr(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return mdCell(s)
}

// mdInline escapes s for running text (list items, paragraphs).
func mdInline(s string) string { return mdEscape(s, 2000, escLineStart) }

// mdInlineMid escapes s for the middle of a line, where a leading '+' or
// '#' is plain text.
func mdInlineMid(s string) string { return mdEscape(s, 2000, 0) }

// mdHeading escapes s for a heading line, where a trailing '#' would be eaten.
func mdHeading(s string) string { return mdEscape(s, 200, escLineStart|escAllHash) }

func mdInlineList(list []string) string {
	if len(list) == 0 {
		return "none found"
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = mdInline(s)
	}
	return strings.Join(out, ", ")
}

// escFlags tune mdEscape.
type escFlags uint8

const (
	escLineStart escFlags = 1 << iota // s may start a line (cell, list item)
	escAllHash                        // escape every '#' (heading lines)
)

// mdEscape makes s inert Markdown on one line: newlines become " ⏎ ", control
// characters spaces, HTML and Markdown punctuation is escaped (HTML special
// characters as entities, so that no tag can form), and a leading '#', '-',
// '+' or "1." cannot start a heading or a list.
func mdEscape(s string, limit int, flags escFlags) string {
	allHash := flags&escAllHash != 0
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSpace(words.Truncate(s, limit))
	var b strings.Builder
	b.Grow(len(s) + 8)
	leading := flags&escLineStart != 0 // no visible character written yet at a line start
	digits := false                    // only digits written so far
	for _, c := range s {
		switch {
		case c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029':
			b.WriteString(" ⏎ ")
			continue
		case c < ' ' || c == 0x7f || (c >= 0x80 && c < 0xa0):
			b.WriteByte(' ')
			continue
		}
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '|', '`', '*', '_', '[', ']', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '#':
			if leading || allHash {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		case '-', '+', '=':
			if leading {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		case '.', ')':
			if digits {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
		digits = (leading || digits) && c >= '0' && c <= '9'
		leading = false
	}
	return b.String()
}

// mdCode quotes s (a file position, a rule name) as inline code. The
// backtick run around it is longer than any inside; newlines and pipes, which
// would end a table cell, are replaced.
func mdCode(s string) string {
	s = words.Truncate(s, mdMaxCell)
	s = strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f {
			return ' '
		}
		if c == '|' {
			return '¦'
		}
		return c
	}, s)
	if s == "" {
		return "``"
	}
	f := strings.Repeat("`", mdLongestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return f + " " + s + " " + f
	}
	return f + s + f
}

// mdCleanBlock prepares text for a fenced block: CRLF and CR become LF, other
// control characters (which could confuse a terminal) become spaces.
func mdCleanBlock(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(c rune) rune {
		switch {
		case c == '\n' || c == '\t':
			return c
		case c == '\r':
			return '\n'
		case c < ' ' || c == 0x7f:
			return ' '
		}
		return c
	}, s)
}

// mdLongestRun is the length of the longest run of c in s.
func mdLongestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func mdIsLetterOrDigit(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c)
}
