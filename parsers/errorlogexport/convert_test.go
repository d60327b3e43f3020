package errorlogexport

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/errorlog"
)

// nativeRecord is one record of a native ERRORLOG: its first line split into
// columns and its continuation lines as written.
type nativeRecord struct {
	date, frac, source, msg string
	conts                   []string
}

// parseNative splits a native ERRORLOG into records, the way a tool that
// exports it sees them.
func parseNative(t testing.TB, data []byte) []nativeRecord {
	t.Helper()
	text, err := io.ReadAll(parsers.NewTextReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	var recs []nativeRecord
	for _, ln := range strings.Split(string(text), "\n") {
		ln = strings.TrimRight(ln, "\r")
		if b, ok := parsers.DecodeLine([]byte(ln)); !ok {
			ln = string(b) // 8-bit logs: Windows-1252, as the native reader decodes them
		}
		if len(ln) >= 23 && parsers.IsErrorlogTimestamp([]byte(ln)) && ln[19] == '.' {
			rest := ln[20:]
			i := strings.IndexByte(rest, ' ')
			frac := rest[:i]
			rest = strings.TrimLeft(rest[i:], " ")
			j := strings.IndexByte(rest, ' ')
			src, msg := rest, ""
			if j >= 0 {
				src, msg = rest[:j], strings.TrimLeft(rest[j:], " ")
			}
			recs = append(recs, nativeRecord{date: ln[:19], frac: frac, source: src, msg: strings.TrimRight(msg, " \t")})
			continue
		}
		if len(recs) == 0 {
			if strings.TrimSpace(ln) != "" {
				t.Fatalf("text before the first record: %q", ln)
			}
			continue
		}
		recs[len(recs)-1].conts = append(recs[len(recs)-1].conts, ln)
	}
	// The last "line" after the final newline is empty.
	if n := len(recs); n > 0 {
		c := recs[n-1].conts
		for len(c) > 0 && c[len(c)-1] == "" {
			c = c[:len(c)-1]
		}
		recs[n-1].conts = c
	}
	return recs
}

// writeNative writes records back as a native ERRORLOG (UTF-8), with the
// fractions of a second dropped when whole is set.
func writeNative(recs []nativeRecord, whole bool) string {
	var b strings.Builder
	for _, r := range recs {
		frac := r.frac
		if whole {
			frac = "00"
		}
		fmt.Fprintf(&b, "%s.%s %-12s%s\r\n", r.date, frac, r.source, r.msg)
		for _, c := range r.conts {
			b.WriteString(c + "\r\n")
		}
	}
	return b.String()
}

func (r nativeRecord) time(t testing.TB) time.Time {
	tm, err := time.Parse("2006-01-02 15:04:05", r.date)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func (r nativeRecord) millis() string {
	f := r.frac
	for len(f) < 3 {
		f += "0"
	}
	return r.date + "." + f
}

// contRowOK reports whether a continuation line may become a row of its own
// in xp_readerrorlog results: a row whose text starts with a blank (or is
// empty) is read back as a continuation; other text would read as a record.
func contRowOK(s string) bool {
	return s == "" || s[0] == ' ' || s[0] == '\t'
}

// exporter writes records in one export format.
type exporter struct {
	name    string
	seconds bool // the format drops fractions of a second
	write   func(t testing.TB, recs []nativeRecord, desc bool) string
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func ssmsExport(cols10 bool) func(testing.TB, []nativeRecord, bool) string {
	return func(t testing.TB, recs []nativeRecord, desc bool) string {
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
			fmt.Fprintf(&b, "%s,%s,Unknown,%s", r.time(t).Format("01/02/2006 15:04:05"), r.source, strings.ReplaceAll(r.msg, ",", "<c/>"))
			if cols10 {
				b.WriteString(",,,,,,")
			}
			b.WriteString("\r\n")
			for _, c := range r.conts {
				b.WriteString(strings.ReplaceAll(c, ",", "<c/>") + "\r\n")
			}
		}
		return b.String()
	}
}

// xpRows renders records as xp_readerrorlog rows: continuation lines become
// rows of their own with the record's time and source where that can be
// read back, otherwise they stay lines of the text.
func xpRows(recs []nativeRecord, desc bool, row func(date, src, text string) string) string {
	type unit struct{ lines []string }
	var units []unit
	for _, r := range recs {
		u := unit{lines: []string{row(r.millis(), r.source, r.msg)}}
		for _, c := range r.conts {
			if contRowOK(c) {
				units = append(units, u)
				u = unit{lines: []string{row(r.millis(), r.source, c)}}
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

func xpCSV(t testing.TB, recs []nativeRecord, desc bool) string {
	return xpRows(recs, desc, func(d, s, x string) string { return d + "," + s + "," + x })
}

func xpTSV(t testing.TB, recs []nativeRecord, desc bool) string {
	return "LogDate\tProcessInfo\tText\r\n" + xpRows(recs, desc, func(d, s, x string) string { return d + "\t" + s + "\t" + x })
}

func xpText(t testing.TB, recs []nativeRecord, desc bool) string {
	w := 0
	n := 0
	for _, r := range recs {
		w = max(w, len(r.msg))
		n++
		for _, c := range r.conts {
			w = max(w, len(c))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }
	head := pad("LogDate", 23) + " " + pad("ProcessInfo", 12) + " " + pad("Text", w) + "\r\n" +
		strings.Repeat("-", 23) + " " + strings.Repeat("-", 12) + " " + strings.Repeat("-", w) + "\r\n"
	body := xpRows(recs, desc, func(d, s, x string) string { return pad(d, 23) + " " + pad(s, 12) + " " + pad(x, w) })
	return head + body + fmt.Sprintf("\r\n(%d rows affected)\r\n\r\nCompletion time: 2024-05-07T10:00:00.1234567+02:00\r\n", n)
}

func dbatools(culture string) func(testing.TB, []nativeRecord, bool) string {
	return func(t testing.TB, recs []nativeRecord, desc bool) string {
		var b strings.Builder
		b.WriteString("#TYPE System.Data.DataRow\r\n")
		b.WriteString(`"ComputerName","InstanceName","SqlInstance","Source","LogDate","ProcessInfo","Text","RowError","RowState","Table","ItemArray","HasErrors"` + "\r\n")
		if desc {
			recs = reversed(recs)
		}
		q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
		for _, r := range recs {
			var date string
			switch culture {
			case "en-US":
				date = r.time(t).Format("1/2/2006 3:04:05 PM")
			case "de-DE":
				date = r.time(t).Format("02.01.2006 15:04:05")
			}
			text := r.msg
			for _, c := range r.conts {
				text += "\r\n" + c
			}
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,\"\",\"Unchanged\",\"\",\"System.Object[]\",\"False\"\r\n",
				q("SQLNODE1"), q("PROD"), q(`SQLNODE1\PROD`), q(r.source), q(date), q(r.source), q(text))
		}
		return b.String()
	}
}

var exporters = []exporter{
	{"ssms4", true, ssmsExport(false)},
	{"ssms10", true, ssmsExport(true)},
	{"xp-csv", false, xpCSV},
	{"xp-tsv", false, xpTSV},
	{"xp-text", false, xpText},
	{"dbatools-en", true, dbatools("en-US")},
	{"dbatools-de", true, dbatools("de-DE")},
}

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16Encode(s) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16Encode(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// nativeFixtures returns the ERRORLOG files of testdata that are whole logs.
func nativeFixtures(t testing.TB) []string {
	var files []string
	for _, g := range []string{"errorlog/primary*.log", "errorlog/secondary*.log", "errorlog/linux*.log",
		"scenarios/*/*/ERRORLOG*", "scenarios/*/*/errorlog", "demo/*/ERRORLOG*"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "testdata", g))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no ERRORLOG fixtures")
	}
	return files
}

// eventKey renders what must be equal between a native and an exported
// event: everything but the position.
func eventKey(ev *parsers.Event, seconds bool) string {
	tm, local := ev.Time, ev.Local
	if seconds {
		tm, local = tm.Truncate(time.Second), local.Truncate(time.Second)
	}
	return fmt.Sprintf("%s|%s|%d|%s|%s|%d|%d|%d|%s|%s|%s|%s|%s|%s|%s|%s|%d|%v|%q",
		tm.Format(time.RFC3339Nano), local.Format(time.RFC3339Nano), ev.Clock, ev.Source, ev.Process, ev.Error, ev.Severity, ev.State,
		ev.Kind, ev.AG, ev.Replica, ev.Database, ev.From, ev.To, ev.Reason, ev.Login+"|"+ev.Client, ev.HandshakeState, ev.Fields, ev.Message)
}

func nativeEvents(t testing.TB, data []byte) ([]*parsers.Event, *parsers.FileStats) {
	r := errorlog.NewReader(bytes.NewReader(data), "native")
	var evs []*parsers.Event
	for ev, err := range r.Events() {
		if err != nil {
			continue
		}
		evs = append(evs, ev)
	}
	return evs, r.Stats()
}

// exportEvents reads an export and puts its events on the offset the file
// declared, as the analyzer does.
func exportEvents(t testing.TB, data []byte) ([]*parsers.Event, []string, *Reader) {
	r := NewReader(bytes.NewReader(data), "export")
	var evs []*parsers.Event
	var warns []string
	for ev, err := range r.Events() {
		if err != nil {
			warns = append(warns, err.Error())
			continue
		}
		evs = append(evs, ev)
	}
	st := r.Stats()
	for _, ev := range evs {
		if ev.Clock == parsers.ClockLocal && st.HasUTCOffset {
			ev.Time = ev.Local.Add(-st.UTCOffset)
			ev.Clock = parsers.ClockUTC
		}
	}
	return evs, warns, r
}

func keys(evs []*parsers.Event, seconds bool) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = eventKey(ev, seconds)
	}
	sort.Strings(out)
	return out
}

// TestExportsEqualNative converts every native ERRORLOG fixture into each
// export format, ascending and descending, UTF-8 and UTF-16LE, and checks that
// the export yields the same events as the native reader (positions aside;
// whole seconds for the formats that drop fractions), the same server and
// offset, no warnings and every line accounted for.
func TestExportsEqualNative(t *testing.T) {
	for _, path := range nativeFixtures(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		native, nst := nativeEvents(t, data)
		recs := parseNative(t, data)
		// What a whole-second export can equal: the same log with the
		// fractions of a second dropped (an "Error:" header and its text
		// then share their second even when their centiseconds differed).
		secNative, _ := nativeEvents(t, []byte(writeNative(recs, true)))
		name, _ := filepath.Rel(filepath.Join("..", "..", "testdata"), path)
		for _, ex := range exporters {
			want := keys(native, false)
			if ex.seconds {
				want = keys(secNative, true)
			}
			for _, desc := range []bool{false, true} {
				for _, wide := range []bool{false, true} {
					text := ex.write(t, recs, desc)
					in := []byte(text)
					if wide {
						in = utf16le(text)
					}
					label := fmt.Sprintf("%s %s desc=%v utf16=%v", name, ex.name, desc, wide)
					if f := parsers.Detect(in[:min(len(in), parsers.SniffLen)]); !parsers.IsErrorlogExport(f) {
						t.Errorf("%s: detected as %q", label, f)
					}
					evs, warns, r := exportEvents(t, in)
					if len(warns) > 0 {
						t.Errorf("%s: warnings %v", label, warns[:min(3, len(warns))])
					}
					if r.Descending() != desc && len(recs) > 1 {
						t.Errorf("%s: Descending() = %v", label, r.Descending())
					}
					got := keys(evs, ex.seconds)
					if diff := firstDiff(want, got); diff != "" {
						t.Errorf("%s: %d events, native %d: %s", label, len(got), len(want), diff)
					}
					st := r.Stats()
					wantServer := nst.Server
					if wantServer == "" && strings.HasPrefix(ex.name, "dbatools") {
						wantServer = `SQLNODE1\PROD`
					}
					if st.Server != wantServer || st.HasUTCOffset != nst.HasUTCOffset || st.UTCOffset != nst.UTCOffset {
						t.Errorf("%s: server %q offset %v/%v, native %q %v/%v", label, st.Server, st.UTCOffset, st.HasUTCOffset, nst.Server, nst.UTCOffset, nst.HasUTCOffset)
					}
					if st.Lines != st.Records+st.Continuations+st.Unrecognized+st.Header || st.Unrecognized != 0 {
						t.Errorf("%s: lines %d != records %d + continuations %d + unrecognized %d + header %d", label,
							st.Lines, st.Records, st.Continuations, st.Unrecognized, st.Header)
					}
				}
			}
		}
	}
}

func firstDiff(want, got []string) string {
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			i++
			j++
		case j >= len(got) || i < len(want) && want[i] < got[j]:
			return "missing " + want[i]
		default:
			return "extra " + got[j]
		}
	}
	return ""
}
