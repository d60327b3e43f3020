package errorlogexport

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/exportgen"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/errorlog"
)

type nativeRecord = exportgen.Record

func parseNative(t testing.TB, data []byte) []nativeRecord {
	t.Helper()
	recs, err := exportgen.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func writeNative(recs []nativeRecord, whole bool) string { return exportgen.Native(recs, whole) }

// exporter writes records in one export format.
type exporter struct {
	name    string
	seconds bool // the format drops fractions of a second
	write   func(t testing.TB, recs []nativeRecord, desc bool) string
}

func ssmsExport(cols10 bool) func(testing.TB, []nativeRecord, bool) string {
	return func(_ testing.TB, recs []nativeRecord, desc bool) string { return exportgen.SSMS(recs, desc, cols10) }
}

func xpCSV(_ testing.TB, recs []nativeRecord, desc bool) string { return exportgen.XPCSV(recs, desc) }

func dbatools(culture string) func(testing.TB, []nativeRecord, bool) string {
	return func(_ testing.TB, recs []nativeRecord, desc bool) string {
		return exportgen.Dbatools(recs, desc, culture, `SQLNODE1\PROD`)
	}
}

var exporters = []exporter{
	{"ssms4", true, ssmsExport(false)},
	{"ssms10", true, ssmsExport(true)},
	{"ssms4-noheader", true, func(_ testing.TB, r []nativeRecord, d bool) string {
		return strings.SplitN(exportgen.SSMS(r, d, false), "\n", 2)[1]
	}},
	{"ssms10-noheader", true, func(_ testing.TB, r []nativeRecord, d bool) string {
		return strings.SplitN(exportgen.SSMS(r, d, true), "\n", 2)[1]
	}},
	{"xp-csv", false, xpCSV},
	{"xp-tsv", false, func(_ testing.TB, r []nativeRecord, d bool) string { return exportgen.XPTSV(r, d) }},
	{"xp-text", false, func(_ testing.TB, r []nativeRecord, d bool) string { return exportgen.XPText(r, d) }},
	{"dbatools-en", true, dbatools("en-US")},
	{"dbatools-de", true, dbatools("de-DE")},
}

func utf16le(s string) []byte { return exportgen.UTF16LE(s) }

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
	testExportsEqualNative(t, nativeFixtures(t))
}

// corpusDir holds real third-party logs (see its PROVENANCE.md), outside the
// repository; TestExportsEqualNativeCorpus skips when it is missing.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// TestExportsEqualNativeCorpus is TestExportsEqualNative on the real
// ERRORLOGs of the corpus (SQL Server 2016-2025, Windows and Linux).
func TestExportsEqualNativeCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	var files []string
	for _, pat := range []string{"*ERRORLOG*", "elastic-*", "grafana-alloy*"} {
		m, _ := filepath.Glob(filepath.Join(corpusDir, pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no ERRORLOG files in the corpus")
	}
	testExportsEqualNative(t, files)
}

func testExportsEqualNative(t *testing.T, files []string) {
	for _, path := range files {
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
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
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
