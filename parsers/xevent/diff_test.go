package xevent

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agtriage/agtriage/parsers"
)

// The differential tests prove the fast path changes nothing: on every input,
// the reader with the fast path and the reader restricted to encoding/xml
// (slowOnly) yield the same events, warnings and errors in the same order, and
// end with the same FileStats.

// pass is everything one reading yielded, in order, and the final stats.
type pass struct {
	items []any // *parsers.Event, *parsers.Warning or the fatal error's text
	stats parsers.FileStats
	fast  int // events the fast path read
}

func readPass(data []byte, file string, slow bool) pass {
	return readUpTo(data, file, slow, -1)
}

// readUpTo reads until it has seen stop items (all when stop < 0).
func readUpTo(data []byte, file string, slow bool, stop int) pass {
	r := NewReader(bytes.NewReader(data), file)
	r.slowOnly = slow
	var p pass
	for ev, err := range r.Events() {
		if len(p.items) == stop {
			break
		}
		switch w, ok := err.(*parsers.Warning); {
		case err == nil:
			p.items = append(p.items, ev)
		case ok:
			p.items = append(p.items, w)
		default:
			p.items = append(p.items, "fatal: "+err.Error())
		}
	}
	p.stats = *r.Stats()
	p.fast = r.fastEvents
	return p
}

// diffPaths reads data both ways and describes the first difference, or "".
func diffPaths(data []byte, file string) (fast pass, msg string) {
	fast = readPass(data, file, false)
	slow := readPass(data, file, true)
	if slow.fast != 0 {
		return fast, fmt.Sprintf("slow path read %d events fast", slow.fast)
	}
	for i := 0; i < max(len(fast.items), len(slow.items)); i++ {
		if i >= len(fast.items) || i >= len(slow.items) {
			return fast, fmt.Sprintf("%d items fast, %d slow", len(fast.items), len(slow.items))
		}
		if !reflect.DeepEqual(fast.items[i], slow.items[i]) {
			return fast, fmt.Sprintf("item %d:\nfast %s\nslow %s", i, show(fast.items[i]), show(slow.items[i]))
		}
	}
	if !reflect.DeepEqual(fast.stats, slow.stats) {
		return fast, fmt.Sprintf("stats:\nfast %+v\nslow %+v", fast.stats, slow.stats)
	}
	return fast, ""
}

func show(x any) string {
	if ev, ok := x.(*parsers.Event); ok {
		return fmt.Sprintf("%+v", *ev)
	}
	return fmt.Sprintf("%+v", x)
}

// diffInputs lists the XML exports in the repository: the reader's fixtures,
// every scenario's AlwaysOn_health.xml and the demo's.
func diffInputs(t testing.TB) []string {
	var files []string
	for _, pat := range []string{
		filepath.Join(fixtures, "*.xml"),
		filepath.Join("..", "..", "testdata", "scenarios", "*", "*", "AlwaysOn_health.xml"),
		filepath.Join("..", "..", "testdata", "demo", "*", "AlwaysOn_health.xml"),
	} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Fatalf("no files match %s", pat)
		}
		files = append(files, m...)
	}
	return files
}

// variants derives inputs from one export: as it is, in UTF-16LE with a
// BOM, with CRLF line ends, without XML declarations, and cut short.
func variants(data []byte) map[string][]byte {
	v := map[string][]byte{"": data}
	if !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		text := string(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}))
		v["utf16"] = append([]byte{0xFF, 0xFE}, utf16le(text)...)
		crlf := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
		v["crlf"] = []byte(crlf)
		v["crlf-utf16"] = append([]byte{0xFF, 0xFE}, utf16le(crlf)...)
		v["nodecl"] = []byte(strings.ReplaceAll(text, `<?xml version="1.0" encoding="utf-16"?>`, ""))
		v["spaced"] = []byte(strings.ReplaceAll(text, "><", ">\n <"))
	}
	for _, cut := range []int{len(data) / 3, len(data) / 2, len(data) - 5} {
		if cut > 0 {
			v[fmt.Sprintf("cut%d", cut)] = data[:cut]
		}
	}
	return v
}

// TestFastPathMatches reads every export in the repository, and variants of
// it, with and without the fast path.
func TestFastPathMatches(t *testing.T) {
	for _, file := range diffInputs(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for name, in := range variants(data) {
			fast, msg := diffPaths(in, file)
			if msg != "" {
				t.Errorf("%s %s: %s", file, name, msg)
				continue
			}
			if name == "" && fast.stats.Events == 0 {
				t.Errorf("%s: no events read", file)
			}
			// The fast path must carry the common shape, not leave it
			// all to the decoder (system_health has nested XML values).
			if name == "" && !strings.Contains(file, "system_health") && fast.fast < fast.stats.Events*9/10 {
				t.Errorf("%s: fast path read %d of %d events", file, fast.fast, fast.stats.Events)
			}
		}
	}
}

// fastCases are small inputs at the edges of what the fast path reads: each
// either read fast or left to the decoder, with the same outcome.
var fastCases = []struct {
	name string
	in   string
	fast int // events the fast path must read
}{
	{"plain", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>1</value></data></event>`, 1},
	{"no timestamp", `<event name="a"><data name="d"><value>1</value></data></event>`, 1},
	{"bad timestamp", `<event name="a" timestamp="yesterday"></event>`, 1},
	{"no zone", `<event name="a" timestamp="2024-01-01 00:00:00.5"></event>`, 1},
	{"attribute order and quotes", `<event timestamp='2024-01-01T00:00:00Z' package="p" name='a&amp;b'></event>`, 1},
	{"attributes without space", `<event name="a"timestamp="2024-01-01T00:00:00Z"></event>`, 1},
	{"duplicate attributes", `<event name="a" name="b" timestamp="x" timestamp="2024-01-01T00:00:00Z"><data name="n1" name="n2"><value>v</value></data></event>`, 1},
	{"entities", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#X43;</value></data></event>`, 0},
	{"numeric refs", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>&#65;&#x42;&#x1F600;&#0065;&#9;</value></data></event>`, 1},
	{"bad refs", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>&#1;&#xD800;&#x110000;&nbsp;&#;</value></data></event>`, 0},
	{"unknown entity", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>&nbsp;</value></data></event>`, 0},
	{"cr in text", "<event name=\"a\" timestamp=\"2024-01-01T00:00:00Z\"><data name=\"d\"><value>x\r\ny\rz\r</value><text>\r\r\n</text></data></event>", 1},
	{"cr in cdata and attr", "<event name=\"a\r\nb\" timestamp=\"2024-01-01T00:00:00Z\"><data name=\"d\"><value><![CDATA[x\r\ny]]]]></value></data></event>", 1},
	{"map field", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="s"><value>2</value><text>LeaseExpired</text></data><data name="t"><value>X</value><text>X</text></data><data name="u"><value></value><text/></data></event>`, 1},
	{"type children", "<event name=\"a\" timestamp=\"2024-01-01T00:00:00Z\">\n <data name=\"e\">\n  <type name=\"int32\" package=\"package0\" />\n  <value>35206</value>\n </data>\n <data name=\"f\"><type name=\"x\">ignored &amp; checked</type><value/></data>\n</event>", 1},
	{"text in field", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"> lead <value>1</value> &#160; <![CDATA[ ]]><![CDATA[c]]></data></event>`, 1},
	{"other children", `<event name="a" timestamp="2024-01-01T00:00:00Z"><action name="x" package="p"><value>1</value></action><extra><value>2</value></extra><data><value>3</value></data><empty/></event>`, 1},
	{"non-ascii", "<event name=\"é\" timestamp=\"2024-01-01T00:00:00Z\"><data name=\"d\"><value>Zürich 東京 😀</value></data></event>", 1},
	{"bad utf-8", "<event name=\"a\" timestamp=\"2024-01-01T00:00:00Z\"><data name=\"d\"><value>\xff</value></data></event>", 0},
	{"noncharacter", "<event name=\"a\" timestamp=\"2024-01-01T00:00:00Z\"><data name=\"d\"><value>\uFFFE</value></data></event>", 0},
	{"control char", "<event name=\"a\" timestamp=\"2024-01-01T00:00:00Z\"><data name=\"d\"><value>\x01</value></data></event>", 0},
	{"]]> in text", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>a]]>b</value></data></event>`, 0},
	{"< in attribute", `<event name="a<" timestamp="2024-01-01T00:00:00Z"></event>`, 0},
	{"nested xml", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value><x a="1">t</x></value></data></event>`, 0},
	{"comment", `<event name="a" timestamp="2024-01-01T00:00:00Z"><!-- c --><data name="d"><value>1</value></data></event>`, 0},
	{"pi inside", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value><?pi x?>1</value></data></event>`, 0},
	{"namespaces", `<event xmlns:x="u" x:name="a" timestamp="2024-01-01T00:00:00Z"><x:data name="d"><value>1</value></x:data></event>`, 0},
	{"mismatched end", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>1</text></data></event><event name="b"></event>`, 1},
	{"event in event", `<event name="a" timestamp="2024-01-01T00:00:00Z"><data name="d"><event name="b"></event></data></event>`, 0},
	{"self-closing event", `<event name="a" timestamp="2024-01-01T00:00:00Z"/><event name="b"/>`, 0},
	{"declarations", "<?xml version=\"1.0\" encoding=\"utf-16\"?><event name=\"a\"></event>\n<?xml version='1.0'?>\r\n<event name=\"b\"></event><?xml  version=\"1.0\" encoding='x' standalone=\"yes\" ?><event name=\"c\"></event>", 3},
	{"odd declarations", `<?xml version="1.1"?><event name="a"></event><?xml encoding="utf-8"?><event name="b"></event><?xml version="1.0" foo="bar"?><event name="c"></event><?xml-stylesheet x?><event name="d"></event>`, 4},
	{"doctype", `<!DOCTYPE events [<!ENTITY x "y">]><events><event name="a"><data name="d"><value>&x;</value></data></event><event name="b"></event></events>`, 1},
	{"wrappers", "<events>\n<event name=\"a\"></event>\n</events>\n<RingBufferTarget truncated=\"0\">\n  <event name=\"b\"></event>\n</RingBufferTarget>\n", 2},
	{"self-closing wrapper", `<events/><event name="a"></event>`, 1},
	{"stray text", `junk<event name="a"></event>more<event name="b"></event>`, 2},
	{"end tag spaces", "<event name=\"a\"><data name=\"d\" ><value >1</value\n></data\t></event  >", 1},
	{"unknown end tag", `</foo><event name="a"></event>`, 1},
	{"truncated", `<event name="a"><data name="d"><value>1</val`, 0},
	{"trailing space", "<event name=\"a\"></event>\n\n  ", 1},
	{"empty", "", 0},
	{"blank", " \n ", 0},
}

func TestFastPathCases(t *testing.T) {
	for _, tc := range fastCases {
		for name, in := range map[string][]byte{
			"":      []byte(tc.in),
			"utf16": append([]byte{0xFF, 0xFE}, utf16le(tc.in)...),
		} {
			fast, msg := diffPaths(in, "case.xml")
			if msg != "" {
				t.Errorf("%s %s: %s", tc.name, name, msg)
			}
			if fast.fast != tc.fast && (name == "" || utf8.ValidString(tc.in)) {
				t.Errorf("%s %s: fast path read %d events, want %d", tc.name, name, fast.fast, tc.fast)
			}
		}
	}
}

// TestFastPathBufferEdges puts event boundaries at every position of the
// source's buffer, and makes events larger than the fast path's bound.
func TestFastPathBufferEdges(t *testing.T) {
	one := []byte(`<event name="availability_replica_state" package="sqlserver" timestamp="2024-03-11T08:14:02.398Z"><data name="current_state"><value>0</value><text><![CDATA[Starting]]></text></data><data name="m"><value>a&amp;b&#x42;` + "\r\n" + `é</value></data></event>` + "\r\n")
	for pad := 0; pad < len(one)+3; pad += 3 {
		var b bytes.Buffer
		b.WriteString(strings.Repeat(" ", sourceBufSize-pad))
		for b.Len() < 3*sourceBufSize {
			b.Write(one)
		}
		fast, msg := diffPaths(b.Bytes(), "edges.xml")
		if msg != "" {
			t.Fatalf("pad %d: %s", pad, msg)
		}
		// Only an event across the end of the buffered text is left to
		// the decoder.
		if fast.fast < fast.stats.Events-3 || fast.fast == 0 {
			t.Fatalf("pad %d: fast %d of %d events", pad, fast.fast, fast.stats.Events)
		}
	}
	big := []byte(`<event name="big" timestamp="2024-01-01T00:00:00Z"><data name="d"><value>` + strings.Repeat("x", fastMaxSpan) + `</value></data></event>` + "\n")
	in := append(append(append([]byte{}, one...), big...), one...)
	fast, msg := diffPaths(in, "big.xml")
	if msg != "" {
		t.Fatal(msg)
	}
	if fast.fast != 2 || fast.stats.Events != 3 {
		t.Errorf("fast %d of %d events, want 2 of 3", fast.fast, fast.stats.Events)
	}
}

// FuzzFastPath is the differential fuzz target: on any input the reader with
// and without the fast path yield the same items and stats. It is seeded with
// the repository's exports, their variants and the edge cases above.
func FuzzFastPath(f *testing.F) {
	for _, file := range diffInputs(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 8<<10 {
			// Large seeds slow the fuzzer down: keep the first events.
			cut := bytes.LastIndex(data[:8<<10], []byte("</event>"))
			data = data[:max(cut, 0)+len("</event>")]
		}
		for _, in := range variants(data) {
			f.Add(in)
		}
	}
	for _, tc := range fastCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, msg := diffPaths(data, "fuzz.xml"); msg != "" {
			t.Fatal(msg)
		}
	})
}

// TestFastPathEarlyStop stops the iteration after every item of the fixtures:
// the stats so far agree too (Lines counts as far as the reader had read).
func TestFastPathEarlyStop(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "*.xml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{data, []byte(strings.ReplaceAll(string(data), `timestamp="`, `timestamp="x`))} {
			all := len(readPass(in, file, true).items)
			for stop := 0; stop < all; stop++ {
				fast, slow := readUpTo(in, file, false, stop), readUpTo(in, file, true, stop)
				if !reflect.DeepEqual(fast.items, slow.items) || !reflect.DeepEqual(fast.stats, slow.stats) {
					t.Fatalf("%s stop after %d: fast %+v\nslow %+v", file, stop, fast.stats, slow.stats)
				}
			}
		}
	}
}

// TestFastPathMutations runs the differential check on a few thousand
// pseudo-random mutations of the seeds (fixed seed): bytes replaced, dropped,
// or markup characters inserted, the damage the decoder path recovers from.
func TestFastPathMutations(t *testing.T) {
	var seeds [][]byte
	for _, file := range diffInputs(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data[:min(len(data), 4<<10)])
	}
	for _, tc := range fastCases {
		seeds = append(seeds, []byte(tc.in))
	}
	const marks = "<>&;/\"'?!]x\r\n #"
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		in := append([]byte(nil), seeds[rng.IntN(len(seeds))]...)
		for k := rng.IntN(4) + 1; k > 0 && len(in) > 0; k-- {
			i := rng.IntN(len(in))
			switch rng.IntN(3) {
			case 0:
				in[i] = byte(rng.IntN(256))
			case 1:
				in = append(in[:i], in[i+1:]...)
			default:
				in = append(in[:i], append([]byte{marks[rng.IntN(len(marks))]}, in[i:]...)...)
			}
		}
		if _, msg := diffPaths(in, "mutated.xml"); msg != "" {
			t.Fatalf("input %q: %s", in, msg)
		}
	}
}
