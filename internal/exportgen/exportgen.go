// Package exportgen converts a native SQL Server ERRORLOG into the exports
// tools make of it (SSMS Log File Viewer, xp_readerrorlog results saved from
// SSMS, dbatools Get-DbaErrorLog | Export-Csv), for tests only. It follows the
// layouts described in shared/reference/COLLECTIONS.md §2.
package exportgen

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/agtriage/agtriage/parsers"
)

// Record is one record of a native ERRORLOG: its first line split into
// columns and its continuation lines as written.
type Record struct {
	Date, Frac, Source, Msg string
	Conts                   []string
}

// Parse splits a native ERRORLOG (any encoding the readers accept) into
// records. Text before the first record is an error.
func Parse(data []byte) ([]Record, error) {
	text, err := io.ReadAll(parsers.NewTextReader(bytes.NewReader(data)))
	if err != nil {
		return nil, err
	}
	var recs []Record
	for _, ln := range strings.Split(string(text), "\n") {
		ln = strings.TrimRight(ln, "\r")
		if b, ok := parsers.DecodeLine([]byte(ln)); !ok {
			ln = string(b) // 8-bit logs: Windows-1252, as the native reader decodes them
		}
		if len(ln) >= 23 && parsers.IsErrorlogTimestamp([]byte(ln)) && ln[19] == '.' {
			rest := ln[20:]
			i := strings.IndexByte(rest, ' ')
			if i < 0 {
				return nil, fmt.Errorf("record without source: %q", ln)
			}
			frac := rest[:i]
			rest = strings.TrimLeft(rest[i:], " ")
			src, msg, _ := strings.Cut(rest, " ")
			recs = append(recs, Record{Date: ln[:19], Frac: frac, Source: src, Msg: strings.TrimRight(strings.TrimLeft(msg, " "), " \t")})
			continue
		}
		if len(recs) == 0 {
			if strings.TrimSpace(ln) != "" {
				return nil, fmt.Errorf("text before the first record: %q", ln)
			}
			continue
		}
		recs[len(recs)-1].Conts = append(recs[len(recs)-1].Conts, ln)
	}
	if n := len(recs); n > 0 {
		c := recs[n-1].Conts
		for len(c) > 0 && c[len(c)-1] == "" {
			c = c[:len(c)-1]
		}
		recs[n-1].Conts = c
	}
	return recs, nil
}

// Time returns the record's local time to the second.
func (r Record) Time() time.Time {
	t, _ := time.Parse("2006-01-02 15:04:05", r.Date)
	return t
}

// Millis is the LogDate of xp_readerrorlog: "2024-03-12 08:14:02.310".
func (r Record) Millis() string {
	f := r.Frac
	for len(f) < 3 {
		f += "0"
	}
	return r.Date + "." + f
}

// Native writes records back as a native ERRORLOG (UTF-8, CRLF), with the
// fractions of a second dropped when whole is set.
func Native(recs []Record, whole bool) string {
	var b strings.Builder
	for _, r := range recs {
		frac := r.Frac
		if whole {
			frac = "00"
		}
		fmt.Fprintf(&b, "%s.%s %-12s%s\r\n", r.Date, frac, r.Source, r.Msg)
		for _, c := range r.Conts {
			b.WriteString(c + "\r\n")
		}
	}
	return b.String()
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// SSMS writes the Log File Viewer export: header, "MM/dd/yyyy HH:mm:ss"
// rows with "<c/>" for commas, continuation lines as lines of their own;
// cols10 adds the six Agent/Database Mail columns.
func SSMS(recs []Record, desc, cols10 bool) string {
	var b strings.Builder
	if cols10 {
		b.WriteString("Date,Source,Severity,Message,Log ID,Process ID,Mail Item ID,Account ID,Last Modified,Last Modified By\r\n")
	} else {
		b.WriteString("Date,Source,Severity,Message\r\n")
	}
	if desc {
		recs = reversed(recs)
	}
	for _, r := range recs {
		fmt.Fprintf(&b, "%s,%s,Unknown,%s", r.Time().Format("01/02/2006 15:04:05"), r.Source, strings.ReplaceAll(r.Msg, ",", "<c/>"))
		if cols10 {
			b.WriteString(",,,,,,")
		}
		b.WriteString("\r\n")
		for _, c := range r.Conts {
			b.WriteString(strings.ReplaceAll(c, ",", "<c/>") + "\r\n")
		}
	}
	return b.String()
}

// ContRowOK reports whether a continuation line may become a row of its own
// in xp_readerrorlog results and still read back as a continuation: its text
// is empty or starts with a blank.
func ContRowOK(s string) bool {
	return s == "" || s[0] == ' ' || s[0] == '\t'
}

// xpRows renders records as xp_readerrorlog rows: continuation lines become
// rows of their own with the record's time and source where that can be
// read back, otherwise they stay lines of the text.
func xpRows(recs []Record, desc bool, row func(date, src, text string) string) string {
	type unit struct{ lines []string }
	var units []unit
	for _, r := range recs {
		u := unit{lines: []string{row(r.Millis(), r.Source, r.Msg)}}
		for _, c := range r.Conts {
			if ContRowOK(c) {
				units = append(units, u)
				u = unit{lines: []string{row(r.Millis(), r.Source, c)}}
			} else {
				u.lines = append(u.lines, c)
			}
		}
		units = append(units, u)
	}
	if desc {
		units = reversed(units)
	}
	var b strings.Builder
	for _, u := range units {
		for _, l := range u.lines {
			b.WriteString(l + "\r\n")
		}
	}
	return b.String()
}

// XPCSV writes xp_readerrorlog results saved as CSV (no header, no quoting).
func XPCSV(recs []Record, desc bool) string {
	return xpRows(recs, desc, func(d, s, x string) string { return d + "," + s + "," + x })
}

// XPTSV writes xp_readerrorlog results copied with headers (tab-separated).
func XPTSV(recs []Record, desc bool) string {
	return "LogDate\tProcessInfo\tText\r\n" + xpRows(recs, desc, func(d, s, x string) string { return d + "\t" + s + "\t" + x })
}

// XPText writes xp_readerrorlog results as Results to Text, the Text column
// wide enough for every message.
func XPText(recs []Record, desc bool) string {
	w, n := 4, 0
	for _, r := range recs {
		w = max(w, len(r.Msg))
		n++
		for _, c := range r.Conts {
			w = max(w, len(c))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }
	head := pad("LogDate", 23) + " " + pad("ProcessInfo", 12) + " " + pad("Text", w) + "\r\n" +
		strings.Repeat("-", 23) + " " + strings.Repeat("-", 12) + " " + strings.Repeat("-", w) + "\r\n"
	body := xpRows(recs, desc, func(d, s, x string) string { return pad(d, 23) + " " + pad(s, 12) + " " + pad(x, w) })
	return head + body + fmt.Sprintf("\r\n(%d rows affected)\r\n\r\nCompletion time: 2024-05-07T10:00:00.1234567+02:00\r\n", n)
}

// Dbatools writes Get-DbaErrorLog | Export-Csv as Windows PowerShell does
// ("#TYPE" line, every field quoted), LogDate in the given culture ("en-US"
// or "de-DE"), instance in SqlInstance.
func Dbatools(recs []Record, desc bool, culture, instance string) string {
	var b strings.Builder
	b.WriteString("#TYPE System.Data.DataRow\r\n")
	b.WriteString(`"ComputerName","InstanceName","SqlInstance","Source","LogDate","ProcessInfo","Text","RowError","RowState","Table","ItemArray","HasErrors"` + "\r\n")
	if desc {
		recs = reversed(recs)
	}
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	host, inst, ok := strings.Cut(instance, `\`)
	if !ok {
		inst = "MSSQLSERVER"
	}
	for _, r := range recs {
		var date string
		switch culture {
		case "de-DE":
			date = r.Time().Format("02.01.2006 15:04:05")
		default:
			date = r.Time().Format("1/2/2006 3:04:05 PM")
		}
		text := r.Msg
		for _, c := range r.Conts {
			text += "\r\n" + c
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,\"\",\"Unchanged\",\"\",\"System.Object[]\",\"False\"\r\n",
			q(host), q(inst), q(instance), q(r.Source), q(date), q(r.Source), q(text))
	}
	return b.String()
}

// UTF16LE encodes s as UTF-16LE with a byte-order mark.
func UTF16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
