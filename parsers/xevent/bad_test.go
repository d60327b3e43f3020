package xevent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// span is where one event lies in a fixture: [start, end).
type span struct{ start, end int }

func eventSpans(data []byte) []span {
	var spans []span
	for i := 0; ; {
		s := bytes.Index(data[i:], []byte("<event "))
		if s < 0 {
			return spans
		}
		e := bytes.Index(data[i+s:], []byte("</event>"))
		spans = append(spans, span{i + s, i + s + e + len("</event>")})
		i += s + e
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTruncated cuts exports at many points: every event that ends before the
// cut is read, and a cut inside an event gives one warning at its offset.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"alwayson_lines.xml", "alwayson_backtoback.xml", "alwayson_events_root.xml"} {
		data := fixture(t, name)
		spans := eventSpans(data)
		for cut := 1; cut < len(data); cut += 7 {
			res := read(t, data[:cut], name)
			if res.fatal != nil {
				t.Fatalf("%s cut %d: fatal %v", name, cut, res.fatal)
			}
			complete, inside := 0, -1
			for i, s := range spans {
				if s.end <= cut {
					complete++
				} else if s.start < cut {
					inside = i
				}
			}
			if len(res.events) != complete {
				t.Fatalf("%s cut %d: %d events, want %d (warnings %v)", name, cut, len(res.events), complete, res.warnings)
			}
			if inside >= 0 {
				if len(res.warnings) != 1 || !strings.Contains(res.warnings[0].Msg, "truncated") ||
					res.warnings[0].Offset != int64(spans[inside].start) {
					t.Fatalf("%s cut %d inside event at %d: warnings %v", name, cut, spans[inside].start, res.warnings)
				}
				if got, want := res.stats.SkippedBytes, int64(cut-spans[inside].start); got != want {
					t.Errorf("%s cut %d: skipped %d bytes, want %d", name, cut, got, want)
				}
			} else if len(res.warnings) > 1 || len(res.warnings) == 1 && !strings.Contains(res.warnings[0].Msg, "truncated") {
				t.Fatalf("%s cut %d between events: warnings %v", name, cut, res.warnings)
			}
		}
	}
}

// TestTruncatedUTF16 cuts the UTF-16 fixture, also in the middle of a code
// unit: offsets stay raw byte offsets.
func TestTruncatedUTF16(t *testing.T) {
	data := fixture(t, "alwayson_utf16le_crlf.xml")
	full := read(t, data, "full")
	for cut := 3; cut < len(data); cut += 101 {
		res := read(t, data[:cut], "cut")
		if res.fatal != nil {
			t.Fatalf("cut %d: %v", cut, res.fatal)
		}
		complete := 0
		for _, ev := range full.events {
			if ev.Offset < int64(cut) && len(res.events) > complete && res.events[complete].Offset == ev.Offset {
				complete++
			}
		}
		if complete != len(res.events) {
			t.Fatalf("cut %d: events do not match the full read", cut)
		}
		for _, w := range res.warnings {
			if w.Offset < 2 || w.Offset >= int64(cut) || !bytes.HasPrefix(data[w.Offset:], utf16le("<")) {
				t.Errorf("cut %d: warning offset %d does not point at markup: %v", cut, w.Offset, w)
			}
		}
	}
}

func TestNotXML(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"errorlog", "2024-03-11 09:02:41.53 Server      Error: 19407, Severity: 16, State: 1.\n"},
		{"xel", "\x5A\x37\xAB\xEF\x00\x00\x00\x00binary"},
		{"text", "   \n  hello, this is no XML at all\n"},
		{"utf16 text", "\xFF\xFEh\x00i\x00"},
		{"garbage markup", "<<<< >>>> <<"},
		{"only entities", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`},
	}
	for _, tc := range tests {
		res := read(t, []byte(tc.data), tc.name+".xml")
		if len(res.events) != 0 || res.fatal == nil || !errors.Is(res.fatal, ErrNotXML) ||
			!strings.HasPrefix(res.fatal.Error(), tc.name+".xml") {
			t.Errorf("%s: events %d fatal %v", tc.name, len(res.events), res.fatal)
		}
	}
	// Query results saved from SSMS: a column header, then one event per row.
	saved := "(No column name)\r\n----------------\r\n" +
		`<event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-12T07:14:03.031Z"><data name="current_state"><value>0</value><text>RESOLVING_NORMAL</text></data></event>` +
		"\r\n\r\n(1 row affected)\r\n"
	if res := read(t, []byte(saved), "saved.txt"); len(res.events) != 1 || res.fatal != nil || res.stats.Unrecognized != 2 {
		t.Errorf("saved query results: events %d fatal %v unrecognized %d", len(res.events), res.fatal, res.stats.Unrecognized)
	}
	// XML without events and blank input are not errors.
	for _, data := range []string{"", " \r\n", "<html><body>x</body></html>"} {
		res := read(t, []byte(data), "f")
		if len(res.events) != 0 || res.fatal != nil {
			t.Errorf("%q: events %d fatal %v", data, len(res.events), res.fatal)
		}
	}
	if res := read(t, []byte("<html/>"), "f"); len(res.warnings) != 1 || !strings.Contains(res.warnings[0].Msg, "no <event>") {
		t.Errorf("no-event warning missing: %v", res.warnings)
	}
}

// TestMalformed breaks the third event in several ways: only that event is
// lost, with one warning inside it, and reading resumes at the next event.
func TestMalformed(t *testing.T) {
	lines := fixture(t, "alwayson_lines.xml")
	b2b := fixture(t, "alwayson_backtoback.xml")
	root := []byte("<events>\n" + string(b2b) + "</events>\n")
	all := names(read(t, lines, "f").events)
	want := append(append([]string{}, all[:2]...), all[3:]...)
	tests := []struct {
		name string
		data []byte
		edit func(ev []byte) []byte
	}{
		{"mismatched end tag", lines, func(ev []byte) []byte {
			return bytes.Replace(ev, []byte("</data>"), []byte("</dta>"), 1)
		}},
		{"bad attribute", lines, func(ev []byte) []byte {
			return bytes.Replace(ev, []byte(`<data name="state">`), []byte(`<data name=state">`), 1)
		}},
		{"undefined entity", b2b, func(ev []byte) []byte {
			return bytes.Replace(ev, []byte("<value>20000"), []byte("<value>&bogus;20000"), 1)
		}},
		{"control character", root, func(ev []byte) []byte {
			return bytes.Replace(ev, []byte("<value>20000"), []byte("<value>\x0120000"), 1)
		}},
		{"line cut short", lines, func(ev []byte) []byte {
			return append(ev[:len(ev)/2:len(ev)/2], '\n')
		}},
		{"event cut short, back to back", b2b, func(ev []byte) []byte {
			return ev[:len(ev)/2]
		}},
		{"end of event missing, in <events>", root, func(ev []byte) []byte {
			return bytes.TrimSuffix(bytes.TrimSpace(ev), []byte("</event>"))
		}},
		{"control character after a newline", lines, func(ev []byte) []byte {
			return bytes.Replace(ev, []byte("<value>20000"), []byte("<value>\n\x0120000"), 1)
		}},
		{"stray end tag", b2b, func(ev []byte) []byte {
			return bytes.Replace(ev, []byte("<data name=\"state\">"), []byte("</value><data name=\"state\">"), 1)
		}},
	}
	for _, tc := range tests {
		spans := eventSpans(tc.data)
		s := spans[2]
		var in []byte
		in = append(in, tc.data[:s.start]...)
		in = append(in, tc.edit(append([]byte{}, tc.data[s.start:s.end]...))...)
		brokenEnd := len(in)
		in = append(in, tc.data[s.end:]...)
		res := read(t, in, tc.name)
		if res.fatal != nil {
			t.Errorf("%s: fatal %v", tc.name, res.fatal)
			continue
		}
		if got := names(res.events); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: events\n%v\nwant\n%v", tc.name, got, want)
		}
		if len(res.warnings) != 1 {
			t.Errorf("%s: warnings %v", tc.name, res.warnings)
			continue
		}
		if w := res.warnings[0]; w.Offset < int64(s.start) || w.Offset > int64(brokenEnd) || w.Line < 1 {
			t.Errorf("%s: warning at %d line %d, broken event in [%d, %d]: %v", tc.name, w.Offset, w.Line, s.start, brokenEnd, w)
		}
		if res.stats.SkippedBytes <= 0 || res.stats.SkippedBytes > int64(brokenEnd-s.start)+200 {
			t.Errorf("%s: skipped %d bytes, broken event is %d", tc.name, res.stats.SkippedBytes, brokenEnd-s.start)
		}
		// Events after the damage keep exact positions.
		checkPositions(t, in, res.events)

		// The same damage in UTF-16LE (the text is ASCII): raw offsets and
		// skipped bytes double, plus the BOM.
		wide := append([]byte{0xFF, 0xFE}, utf16le(string(in))...)
		wres := read(t, wide, tc.name+" (UTF-16)")
		if len(wres.events) != len(res.events) || len(wres.warnings) != 1 {
			t.Errorf("%s UTF-16: %d events %d warnings", tc.name, len(wres.events), len(wres.warnings))
			continue
		}
		if w, n := wres.warnings[0], res.warnings[0]; w.Offset != 2+2*n.Offset || w.Line != n.Line {
			t.Errorf("%s UTF-16: warning at %d line %d, want %d %d", tc.name, w.Offset, w.Line, 2+2*n.Offset, n.Line)
		}
		if wres.stats.SkippedBytes != 2*res.stats.SkippedBytes {
			t.Errorf("%s UTF-16: skipped %d, want %d", tc.name, wres.stats.SkippedBytes, 2*res.stats.SkippedBytes)
		}
		checkPositions(t, wide, wres.events)
	}
}

func names(evs []*parsers.Event) []string {
	var n []string
	for _, ev := range evs {
		n = append(n, ev.Name)
	}
	return n
}

const goodEvent = `<event name="availability_replica_manager_state_change" package="sqlserver" timestamp="2024-03-11T10:00:02.000Z"><data name="current_state"><value>0</value><text>OFFLINE</text></data></event>`

func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("<a>", 10000) + "x" + strings.Repeat("</a>", 10000)
	inputs := map[string]string{
		"in a value":    `<event name="e" timestamp="2024-03-11T10:00:00Z"><data name="d"><value>` + deep + "</value></data></event>\n" + goodEvent,
		"outside":       deep + "\n" + goodEvent,
		"unclosed tags": strings.Repeat("<a>", 10000) + "\n" + goodEvent,
	}
	for name, in := range inputs {
		res := read(t, []byte(in), name)
		if res.fatal != nil || len(res.events) != 1 || res.events[0].To != "OFFLINE" {
			t.Errorf("%s: fatal %v events %v", name, res.fatal, names(res.events))
		}
		if len(res.warnings) == 0 || !strings.Contains(res.warnings[0].Msg, "deeper than") {
			t.Errorf("%s: warnings %v", name, res.warnings)
		}
	}
	// Nesting within the limit is kept as text.
	ok := strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100)
	res := read(t, []byte(`<event name="e" timestamp="2024-03-11T10:00:00Z"><data name="d"><value>`+ok+"</value></data></event>"), "ok")
	if len(res.events) != 1 || res.events[0].Field("d") != ok || len(res.warnings) != 0 {
		t.Errorf("100 levels: %v %v", names(res.events), res.warnings)
	}
}

func TestHugeValues(t *testing.T) {
	big := func(n int, cdata bool) string {
		v := strings.Repeat("y", n)
		if cdata {
			v = "<![CDATA[" + v + "]]>"
		}
		return `<event name="big" timestamp="2024-03-11T10:00:00Z"><data name="message"><value>` + v + "</value></data><data name=\"after\"><value>1</value></data></event>\n"
	}
	// Over xe.MaxValue, under MaxToken: the value is cut, the event kept.
	res := read(t, []byte(big(2<<20, true)+goodEvent), "cut")
	if len(res.events) != 2 || len(res.events[0].Field("message")) != xe.MaxValue || res.events[0].Field("after") != "1" {
		t.Fatalf("cut value: %d events", len(res.events))
	}
	if len(res.warnings) != 1 || !strings.Contains(res.warnings[0].Msg, `field "message" cut`) {
		t.Errorf("cut value warnings: %v", res.warnings)
	}
	// Over MaxToken: the event is skipped, memory stays bounded.
	for _, cdata := range []bool{false, true} {
		in := []byte(big(32<<20, cdata) + goodEvent)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res = read(t, in, "huge")
		runtime.ReadMemStats(&after)
		if len(res.events) != 1 || res.events[0].Name != "availability_replica_manager_state_change" {
			t.Errorf("huge token (cdata %v): events %v", cdata, names(res.events))
		}
		if len(res.warnings) != 1 || !strings.Contains(res.warnings[0].Msg, "token larger than") || res.warnings[0].Offset != 0 {
			t.Errorf("huge token (cdata %v): warnings %v", cdata, res.warnings)
		}
		limit := uint64(24 << 20)
		if raceEnabled {
			// Instrumented code copies the skipped token once more; the
			// bound still catches a reader that keeps or grows it.
			limit = 48 << 20
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
			t.Errorf("huge token (cdata %v): allocated %d MiB for a 32 MiB text node", cdata, alloc>>20)
		}
		if res.stats.SkippedBytes < 32<<20 {
			t.Errorf("huge token: skipped %d bytes", res.stats.SkippedBytes)
		}
	}
}

func TestManyFields(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<event name="many" timestamp="2024-03-11T10:00:00Z">`)
	for i := range xe.MaxFields + 10 {
		fmt.Fprintf(&b, `<data name="f%d"><value>%d</value></data>`, i, i)
	}
	b.WriteString("</event>")
	res := read(t, []byte(b.String()), "many")
	if len(res.events) != 1 || len(res.events[0].Fields) != xe.MaxFields || len(res.warnings) != 1 {
		t.Errorf("events %d fields %d warnings %v", len(res.events), len(res.events[0].Fields), res.warnings)
	}
}

func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE events [\n <!ENTITY lol \"lol\">\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, " <!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n<events>\n")
	b.WriteString(`<event name="error_reported" timestamp="2024-03-11T10:00:00Z"><data name="message"><value>&lol9;</value></data></event>` + "\n")
	b.WriteString(goodEvent + "\n</events>\n")
	res := read(t, []byte(b.String()), "lol.xml")
	if res.fatal != nil || len(res.events) != 1 || res.events[0].To != "OFFLINE" {
		t.Fatalf("fatal %v events %v", res.fatal, names(res.events))
	}
	if len(res.warnings) != 2 || !strings.Contains(res.warnings[0].Msg, "DOCTYPE") || !strings.Contains(res.warnings[1].Msg, "entity") {
		t.Errorf("warnings %v", res.warnings)
	}
}

// TestUTF16Variants reads the lines fixture as UTF-16LE without BOM and as
// UTF-16BE with BOM: same events, raw offsets.
func TestUTF16Variants(t *testing.T) {
	lines := fixture(t, "alwayson_lines.xml")
	want := read(t, lines, "f")
	units := utf16.Encode([]rune(string(lines)))
	var le, be []byte
	be = append(be, 0xFE, 0xFF)
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	for name, data := range map[string][]byte{"UTF-16LE": le, "UTF-16BE": be} {
		res := read(t, data, name)
		if res.fatal != nil || len(res.warnings) > 0 || len(res.events) != len(want.events) || res.stats.Encoding != name {
			t.Fatalf("%s: fatal %v warnings %v events %d encoding %s", name, res.fatal, res.warnings, len(res.events), res.stats.Encoding)
		}
		bom := int64(0)
		if name == "UTF-16BE" {
			bom = 2
		}
		for i, ev := range res.events {
			if ev.Offset != bom+2*want.events[i].Offset || ev.Line != want.events[i].Line || ev.Message != want.events[i].Message {
				t.Errorf("%s event %d: offset %d line %d, want %d %d", name, i, ev.Offset, ev.Line, bom+2*want.events[i].Offset, want.events[i].Line)
			}
		}
	}
}

// TestCorpusXEL feeds the real binary .xel files of the shared corpus: they
// are not XML and must be refused cleanly.
func TestCorpusXEL(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "xel_binary")
	files, _ := filepath.Glob(filepath.Join(dir, "*.xel"))
	if len(files) == 0 {
		t.Skip("shared corpus not present")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res := read(t, data, f)
		if len(res.events) != 0 || !errors.Is(res.fatal, ErrNotXML) {
			t.Errorf("%s: %d events, fatal %v", filepath.Base(f), len(res.events), res.fatal)
		}
	}
}
