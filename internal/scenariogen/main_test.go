package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xel"
	"golang.org/x/text/encoding/charmap"
)

// allBundles builds every scenario and the demo, keyed by their testdata path.
func allBundles() map[string]*scenario.Bundle {
	out := map[string]*scenario.Bundle{}
	for _, build := range scenarios {
		b := build()
		out[filepath.Join("scenarios", b.Name)] = b
	}
	for _, build := range pending {
		b := build()
		out[filepath.Join("pending", b.Name)] = b
	}
	out["demo"] = demo()
	return out
}

// TestCommittedDataIsCurrent fails when testdata differs from what the
// generator writes: regenerate with `go run ./internal/scenariogen`.
func TestCommittedDataIsCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	for dir, b := range allBundles() {
		files, err := b.Files()
		if err != nil {
			t.Fatal(err)
		}
		for rel, want := range files {
			got, err := os.ReadFile(filepath.Join(root, dir, rel))
			if err != nil {
				t.Errorf("%s: %v (run go run ./internal/scenariogen)", filepath.Join(dir, rel), err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale: run go run ./internal/scenariogen", filepath.Join(dir, rel))
			}
		}
		filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(root, dir), p)
			if _, ok := files[rel]; !ok {
				t.Errorf("%s: file not produced by the generator", filepath.Join(dir, rel))
			}
			return nil
		})
	}
}

func TestDeterministic(t *testing.T) {
	a, b := allBundles(), allBundles()
	for dir := range a {
		fa, _ := a[dir].Files()
		fb, _ := b[dir].Files()
		for rel := range fa {
			if !bytes.Equal(fa[rel], fb[rel]) {
				t.Errorf("%s/%s differs between two runs", dir, rel)
			}
		}
	}
}

var (
	stampRE  = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{2}) (.{12})(.*)$`)
	headerRE = regexp.MustCompile(`^Error: (\d+), Severity: (\d+), State: (\d+)\.$`)
	stateRE  = regexp.MustCompile(`has changed from '(\w+)' to '(\w+)'\.  The state changed`)
)

// decodeErrorlog checks the Windows ERRORLOG encoding and returns the lines.
func decodeErrorlog(t *testing.T, name string, b []byte) []string {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatalf("%s: not UTF-16LE with BOM", name)
	}
	u := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
	}
	s := string(utf16.Decode(u))
	if !strings.HasSuffix(s, "\r\n") || strings.Count(s, "\n") != strings.Count(s, "\r\n") || strings.Count(s, "\r") != strings.Count(s, "\r\n") {
		t.Fatalf("%s: line ends are not all CRLF", name)
	}
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

// decodeLinuxErrorlog checks the Linux errorlog encoding (8-bit
// Windows-1252, LF, no BOM) and returns the lines.
func decodeLinuxErrorlog(t *testing.T, name string, b []byte) []string {
	t.Helper()
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.IndexByte(b, 0) >= 0 {
		t.Fatalf("%s: BOM or NUL bytes in an 8-bit errorlog", name)
	}
	if bytes.IndexByte(b, '\r') >= 0 || !bytes.HasSuffix(b, []byte("\n")) {
		t.Fatalf("%s: line ends are not all LF", name)
	}
	if utf8.Valid(b) && bytes.ContainsFunc(b, func(r rune) bool { return r > 0x7F }) {
		t.Errorf("%s: non-ASCII text is UTF-8, not Windows-1252", name)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(s), "\n"), "\n")
}

// replicaXE returns the replica's AlwaysOn_health events as XML documents:
// parsed from AlwaysOn_health.xml, or for a .xel replica read back from the
// binary file with parsers/xel and compared with the XML rendering of the
// same events (names, times, every field's value or map label).
func replicaXE(t *testing.T, r *scenario.Replica, files map[string][]byte) []xeDoc {
	t.Helper()
	var docs []xeDoc
	for i, line := range r.XeText() {
		var d xeDoc
		if err := xml.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("%s/AlwaysOn_health.xml:%d: %v", r.Host, i+1, err)
		}
		docs = append(docs, d)
	}
	if !r.XEL {
		if xe := files[filepath.Join(r.Host, "AlwaysOn_health.xml")]; len(xe) == 0 || strings.Count(string(xe), "\n") != len(docs) {
			t.Fatalf("%s: AlwaysOn_health.xml missing or not one document per line", r.Host)
		}
		return docs
	}
	var name string
	var data []byte
	for rel, b := range files {
		if filepath.Dir(rel) == r.Host && strings.HasSuffix(rel, ".xel") {
			name, data = filepath.Base(rel), b
		}
		if filepath.Dir(rel) == r.Host && strings.HasSuffix(rel, ".xml") {
			t.Errorf("%s: both .xel and XML", r.Host)
		}
	}
	rd := xel.NewReader(bytes.NewReader(data), name)
	var evs []parsers.Event
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatalf("%s/%s: %v", r.Host, name, err)
		}
		c := *ev
		c.Fields = append([]parsers.Field(nil), ev.Fields...)
		evs = append(evs, c)
	}
	if len(evs) != len(docs) || len(docs) == 0 {
		t.Fatalf("%s/%s: %d events, %d written", r.Host, name, len(evs), len(docs))
	}
	first, _ := time.Parse("2006-01-02T15:04:05.000Z", docs[0].Timestamp)
	if want := fmt.Sprintf("AlwaysOn_health_0_%d.xel", (first.Unix()+11644473600)*10_000_000+int64(first.Nanosecond()/100)); name != want {
		t.Errorf("%s: file %s, want %s (FILETIME of the first event)", r.Host, name, want)
	}
	for i, ev := range evs {
		d := docs[i]
		if ev.Name != d.Name || ev.Time.Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z") != d.Timestamp {
			t.Errorf("%s/%s: event %d is %s at %s, XML %s at %s", r.Host, name, i, ev.Name, ev.Time, d.Name, d.Timestamp)
			continue
		}
		for _, f := range d.Data {
			want := f.Value
			if f.Text != "" {
				want = f.Text
			}
			got := ev.Field(f.Name)
			switch {
			case f.Name == "message" && got == "":
				got = ev.Message
			case f.Name == "previous_state" && got == "":
				got = ev.From
			case f.Name == "current_state" && got == "" && ev.To != "":
				got = ev.To
			}
			if got != want {
				t.Errorf("%s/%s: %s.%s = %q, XML %q", r.Host, name, d.Name, f.Name, got, want)
			}
		}
	}
	return docs
}

type xeDoc struct {
	Name      string `xml:"name,attr"`
	Timestamp string `xml:"timestamp,attr"`
	Data      []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
		Text  string `xml:"text"`
	} `xml:"data"`
}

func (d xeDoc) field(name string) string {
	for _, f := range d.Data {
		if f.Name == name {
			if f.Text != "" {
				return f.Text
			}
			return f.Value
		}
	}
	return ""
}

// TestBundlesAreConsistent checks each bundle the way the analyzer will read
// it: encodings, record layout, header pairs, ERRORLOG local time against
// XEvent UTC time, and expected.json against the logs.
func TestBundlesAreConsistent(t *testing.T) {
	for dir, b := range allBundles() {
		t.Run(dir, func(t *testing.T) {
			files, err := b.Files()
			if err != nil {
				t.Fatal(err)
			}
			// PRIMARY_NORMAL arrivals per replica (UTC), from the XEvents.
			primaryAt := map[string][]time.Time{}
			leftAt := map[string][]time.Time{} // a replica leaving PRIMARY_NORMAL
			inBundle := map[string]bool{}
			for _, r := range b.Replicas {
				inBundle[r.Host] = true
			}
			for _, r := range b.Replicas {
				stamps := map[string]bool{} // "from>to@local" of 19406 lines
				texts := map[string]bool{}  // "text@local" of every record
				utcLine := false
				for rel, data := range files {
					if filepath.Dir(rel) != r.Host || !strings.HasPrefix(strings.ToUpper(filepath.Base(rel)), "ERRORLOG") {
						continue
					}
					var lines []string
					if r.Linux {
						lines = decodeLinuxErrorlog(t, rel, data)
					} else {
						lines = decodeErrorlog(t, rel, data)
					}
					var prev []string
					for i, l := range lines {
						m := stampRE.FindStringSubmatch(l)
						if m == nil {
							if i == 0 || !(l == "" || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "External dump")) {
								t.Errorf("%s:%d: unexpected continuation %q", rel, i+1, l)
							}
							continue
						}
						if prev != nil && m[1] < prev[1] {
							t.Errorf("%s:%d: time goes backwards", rel, i+1)
						}
						if h := headerRE.FindStringSubmatch(strings.TrimRight(m[3], " ")); h != nil {
							n := stampRE.FindStringSubmatch(lines[i+1])
							if n == nil || n[1] != m[1] || n[2] != m[2] || headerRE.MatchString(n[3]) {
								t.Errorf("%s:%d: Error: header not followed by its text", rel, i+1)
							}
							if h[2] == "10" {
								t.Errorf("%s:%d: header for a severity-10 message", rel, i+1)
							}
						}
						if strings.HasPrefix(m[3], "UTC adjustment: ") {
							utcLine = true
							if got := strings.TrimPrefix(m[3], "UTC adjustment: "); got != scenario.UtcAdjustment(r.Offset) {
								t.Errorf("%s:%d: UTC adjustment %s, replica offset %s", rel, i+1, got, scenario.UtcAdjustment(r.Offset))
							}
						}
						texts[m[3]+"@"+m[1]] = true
						if s := stateRE.FindStringSubmatch(m[3]); s != nil {
							stamps[s[1]+">"+s[2]+"@"+m[1]] = true
						}
						prev = m
					}
				}
				pairs := 0
				for _, d := range replicaXE(t, r, files) {
					at, err := time.Parse("2006-01-02T15:04:05.000Z", d.Timestamp)
					if err != nil {
						t.Fatalf("%s: timestamp %q", r.Host, d.Timestamp)
					}
					if d.Name == "error_reported" && texts[d.field("message")+"@"+at.Add(r.Offset).Truncate(10*time.Millisecond).Format("2006-01-02 15:04:05.00")] {
						pairs++
					}
					if d.Name != "availability_replica_state_change" {
						continue
					}
					from, to := d.field("previous_state"), d.field("current_state")
					if to == "PRIMARY_NORMAL" {
						primaryAt[r.Host] = append(primaryAt[r.Host], at)
					}
					if from == "PRIMARY_NORMAL" {
						leftAt[r.Host] = append(leftAt[r.Host], at)
					}
					// The 19406 line is written 1 ms before the event; the
					// ERRORLOG keeps centiseconds.
					local := at.Add(-time.Millisecond).Add(r.Offset).Truncate(10 * time.Millisecond)
					key := from + ">" + to + "@" + local.Format("2006-01-02 15:04:05.00")
					if !stamps[key] {
						t.Errorf("%s: XEvent state change %s has no ERRORLOG line at local %s", r.Host, key, local)
					}
					pairs++
				}
				switch want := b.Expected.Clocks[r.Host]; want {
				case "errorlog":
					if !utcLine {
						t.Errorf("%s: clock %q but no UTC adjustment line", r.Host, want)
					}
				case "inferred":
					if utcLine || pairs < 4 {
						t.Errorf("%s: clock inferred needs no UTC adjustment line and >= 4 pairs (line %v, pairs %d)", r.Host, utcLine, pairs)
					}
				default:
					t.Errorf("%s: no or unknown clock %q in expected.json", r.Host, want)
				}
			}
			for _, f := range b.Expected.Failovers {
				at, err := time.Parse(time.RFC3339, f.At)
				if err != nil {
					t.Fatalf("failover at %q: %v", f.At, err)
				}
				// A failover to a replica whose logs are in the bundle shows as
				// its PRIMARY_NORMAL; to one whose logs are missing, as the old
				// primary leaving PRIMARY_NORMAL.
				host, times := f.To, primaryAt[f.To]
				if !inBundle[f.To] {
					host, times = f.From, leftAt[f.From]
				}
				found := false
				for _, p := range times {
					if d := p.Sub(at); d > -2*time.Second && d < 2*time.Second {
						found = true
					}
				}
				if !found {
					t.Errorf("failover %s -> %s at %s: no state change on %s", f.From, f.To, f.At, host)
				}
			}
			// Every PRIMARY_NORMAL after the first role of a replica is an
			// expected failover (to a replica in the bundle).
			// A replica that returns to PRIMARY_NORMAL with no other primary
			// in between (after a quorum loss) did not fail over.
			type change struct {
				at   time.Time
				host string
			}
			var all []change
			for h, ts := range primaryAt {
				for _, at := range ts {
					all = append(all, change{at, h})
				}
			}
			sort.Slice(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
			n, want, last := 0, 0, ""
			for _, c := range all {
				if last != "" && c.host != last {
					n++
				}
				if last == "" && len(b.Expected.Failovers) > 0 && b.Expected.Failovers[0].To == c.host {
					n++ // the first primary of the logs is the target of the first failover
				}
				last = c.host
			}
			for _, f := range b.Expected.Failovers {
				if inBundle[f.To] {
					want++
				}
			}
			if n != want {
				t.Errorf("%d PRIMARY_NORMAL transitions in the XEvents, %d failovers to replicas of the bundle expected", n, want)
			}
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	var size int64
	for _, bu := range allBundles() {
		fs, _ := bu.Files()
		for _, f := range fs {
			size += int64(len(f))
		}
	}
	b.SetBytes(size)
	for b.Loop() {
		for _, bu := range allBundles() {
			if _, err := bu.Files(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
