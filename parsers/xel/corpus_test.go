package xel

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/errorlog"
	"github.com/agtriage/agtriage/parsers/xevent"
)

// corpusDir holds real third-party files (see its PROVENANCE.md). It lives
// outside the repository; the tests that need it skip when it is missing.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// corpusXEL returns the real AlwaysOn_health .xel files.
func corpusXEL(tb testing.TB) []string {
	tb.Helper()
	files, _ := globXEL()
	if len(files) == 0 {
		tb.Skipf("no .xel files in %s", corpusDir)
	}
	return files
}

func globXEL() ([]string, error) {
	return filepath.Glob(filepath.Join(corpusDir, "xel_binary", "*.xel"))
}

var nodeRe = regexp.MustCompile(`ze-2016-v\d`)

// errorlogEvents reads all ERRORLOGs of a lab node, converted to UTC.
func errorlogEvents(t *testing.T, node string) []*parsers.Event {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "failoverdetector_"+node+"_ERRORLOG*.utf16le.log"))
	if len(files) == 0 {
		t.Skipf("no ERRORLOGs of %s", node)
	}
	var evs []*parsers.Event
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := errorlog.NewReader(bytes.NewReader(data), filepath.Base(f))
		for ev, err := range r.Events() {
			if err != nil {
				continue // warnings of the ERRORLOG reader are not under test here
			}
			if ev.Clock != parsers.ClockUTC {
				t.Fatalf("%s: event without UTC time", ev.Position())
			}
			evs = append(evs, ev)
		}
	}
	return evs
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

// TestCorpus reads the 8 real AlwaysOn_health files and checks the events
// against the ERRORLOGs of the same node: every replica state change has a
// 19406 message with the same group and states within 1 s, and every
// error_reported message text is in the ERRORLOG.
func TestCorpus(t *testing.T) {
	files := corpusXEL(t)
	logs := map[string][]*parsers.Event{}
	total := map[string]int{}
	events := 0
	for _, path := range files {
		node := nodeRe.FindString(filepath.Base(path))
		if logs[node] == nil {
			logs[node] = errorlogEvents(t, node)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res := read(t, data)
		name := filepath.Base(path)
		if res.fatal != nil || len(res.warns) > 0 {
			t.Fatalf("%s: fatal %v, warnings %v", name, res.fatal, res.warns)
		}
		s := res.stats
		if s.Bytes != int64(len(data)) || s.SkippedBytes != 0 || s.Records != len(res.events) {
			t.Errorf("%s: stats %+v", name, s)
		}
		// The server name comes from the replica state events; a file of
		// error_reported events only has none.
		if s.ByKind[parsers.KindReplicaStateChange] > 0 && !strings.EqualFold(strings.SplitN(s.Server, `\`, 2)[0], node) {
			t.Errorf("%s: server %q on node %s", name, s.Server, node)
		}
		events += len(res.events)
		var prev time.Time
		for _, ev := range res.events {
			total[ev.Name]++
			if ev.Time.Before(prev) {
				t.Errorf("%s: %s earlier than the event before", name, ev.Position())
			}
			prev = ev.Time
			switch ev.Name {
			case "availability_replica_state_change":
				if !matchStateChange(ev, logs[node]) {
					t.Errorf("%s: no 19406 for %s %s->%s at %v", ev.Position(), ev.AG, ev.From, ev.To, ev.Time)
				}
			case "error_reported":
				if !matchMessage(ev, logs[node]) {
					t.Errorf("%s: message not in the ERRORLOG: %q", ev.Position(), ev.Message)
				}
			}
		}
	}
	if events != 525 || total["availability_replica_state_change"] != 54 || total["error_reported"] != 325 {
		t.Errorf("%d events, %v", events, total)
	}
}

func matchStateChange(ev *parsers.Event, log []*parsers.Event) bool {
	for _, l := range log {
		if l.Kind == parsers.KindReplicaStateChange && l.Error == 19406 && strings.EqualFold(l.AG, ev.AG) &&
			l.From == ev.From && l.To == ev.To && absDur(l.Time.Sub(ev.Time)) <= time.Second {
			return true
		}
	}
	return false
}

func matchMessage(ev *parsers.Event, log []*parsers.Event) bool {
	want := firstLine(ev.Message)
	if want == "" {
		return false
	}
	for _, l := range log {
		if firstLine(l.Message) == want {
			return true
		}
	}
	return false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestSameAsXML renders the decoded events as an XML export (the shape of
// sys.fn_xe_file_target_read_file, with 100 ns timestamps), reads that with
// the XML reader and expects equal events: only the position differs.
func TestSameAsXML(t *testing.T) {
	inputs := map[string][]byte{"sample": sampleFile()}
	files, _ := globXEL()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = data
	}
	for name, data := range inputs {
		evs, doc := renderXML(t, data)
		xr := xevent.NewReader(bytes.NewReader(doc), "x.xml")
		i := 0
		for xev, err := range xr.Events() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if i >= len(evs) {
				t.Fatalf("%s: more XML events than .xel events", name)
			}
			want := *evs[i]
			want.Source, want.File, want.Offset, want.Line = xev.Source, xev.File, xev.Offset, xev.Line
			if !reflect.DeepEqual(*xev, want) {
				t.Errorf("%s: event %d differs\n xml %+v\n xel %+v", name, i, *xev, want)
			}
			i++
		}
		if i != len(evs) || i == 0 {
			t.Errorf("%s: %d XML events, %d .xel events", name, i, len(evs))
		}
	}
}

// renderXML decodes a .xel file and writes its events as XML documents, one
// per line. Only the fields read from the file are written (Interpret adds
// fields recognized in message texts), map fields as <value> and <text>.
func renderXML(tb testing.TB, data []byte) ([]*parsers.Event, []byte) {
	tb.Helper()
	r := NewReader(bytes.NewReader(data), "t.xel")
	var evs []*parsers.Event
	for ev, err := range r.Events() {
		if err != nil {
			tb.Fatal(err)
		}
		evs = append(evs, ev)
	}
	fieldNames := map[string]map[string]bool{}
	for _, em := range r.cat.events {
		set := map[string]bool{}
		for _, f := range em.fields {
			set[f.name] = true
		}
		fieldNames[em.name] = set
	}
	var b bytes.Buffer
	for _, ev := range evs {
		writeXMLEvent(&b, ev, fieldNames[ev.Name])
	}
	return evs, b.Bytes()
}

func writeXMLEvent(b *bytes.Buffer, ev *parsers.Event, raw map[string]bool) {
	b.WriteString(`<event name="`)
	b.WriteString(ev.Name)
	b.WriteString(`" package="sqlserver" timestamp="`)
	b.WriteString(ev.Time.Format("2006-01-02T15:04:05.0000000Z"))
	b.WriteString(`">`)
	fs := ev.Fields
	for i := 0; i < len(fs); i++ {
		f := fs[i]
		if !raw[f.Name] {
			break
		}
		b.WriteString(`<data name="`)
		b.WriteString(f.Name)
		b.WriteString(`"><value>`)
		if i+1 < len(fs) && fs[i+1].Name == f.Name+"_value" {
			writeEscaped(b, fs[i+1].Value)
			b.WriteString(`</value><text>`)
			writeEscaped(b, f.Value)
			b.WriteString(`</text></data>`)
			i++
			continue
		}
		writeEscaped(b, f.Value)
		b.WriteString(`</value></data>`)
	}
	b.WriteString("</event>\n")
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func writeEscaped(b *bytes.Buffer, s string) { xmlEscaper.WriteString(b, s) }
