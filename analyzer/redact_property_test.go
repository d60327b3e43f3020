package analyzer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/agtriage/agtriage/analyzer/jsonreport"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/redact"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// decodeUTF16 returns the text of a UTF-16LE file with a BOM.
func decodeUTF16(b []byte) string {
	b = bytes.TrimPrefix(b, []byte{0xFF, 0xFE})
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// bundleGen makes support bundles from the demo bundle and the cluster-log
// fixture with every name replaced by a random one, plus lines that name
// someone in each other place a name can appear: a partner known only
// from 35202 and one only from 35206, cluster nodes only in an RCM move or
// a 1135 message, FQDNs in an endpoint URL and in a message, a replica
// known only by its folder, a file with a customer's word in its name, and
// the folders above the bundle.
type bundleGen struct {
	templates map[string]string // relative path -> text
	cluster   string
}

func newBundleGen(t testing.TB) *bundleGen {
	g := &bundleGen{templates: map[string]string{}}
	demo := filepath.Join("..", "testdata", "demo")
	for _, rel := range []string{"SQLAG01/ERRORLOG", "SQLAG01/ERRORLOG.1", "SQLAG01/AlwaysOn_health.xml",
		"SQLAG02/ERRORLOG", "SQLAG02/AlwaysOn_health.xml", "SQLAG03-DR/ERRORLOG", "SQLAG03-DR/AlwaysOn_health.xml"} {
		b, err := os.ReadFile(filepath.Join(demo, rel))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) {
			g.templates[rel] = decodeUTF16(b)
		} else {
			g.templates[rel] = string(b)
		}
	}
	b, err := os.ReadFile(filepath.Join("..", "testdata", "clusterlog", "sqlnode1_cluster.utf16le.log"))
	if err != nil {
		t.Fatal(err)
	}
	g.cluster = decodeUTF16(b)
	return g
}

// genBundle is one generated bundle: its files, its root and every name it
// hides (which none of the redacted outputs may contain).
type genBundle struct {
	root  string
	files []File
	names []string
}

var reTemplateIP = regexp.MustCompile(`\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|fe80::[0-9a-f:]+[0-9a-f]`)

func (g *bundleGen) bundle(rng *rand.Rand) genBundle {
	used := map[string]bool{}
	name := func(min int) string {
		const consonants = "bcdfghjklmnpqrstvwxz"
		const vowels = "aeiouy"
		for {
			var b strings.Builder
			b.WriteByte("qxzj"[rng.IntN(4)]) // never the start of an English word the report uses
			n := min + rng.IntN(5)
			for i := 0; i < n; i++ {
				b.WriteByte(consonants[rng.IntN(len(consonants))])
				b.WriteByte(vowels[rng.IntN(len(vowels))])
			}
			s := b.String()
			if rng.IntN(2) == 0 {
				s += fmt.Sprint(rng.IntN(100))
			}
			switch rng.IntN(3) {
			case 0:
				s = strings.ToUpper(s)
			case 1:
				s = strings.ToUpper(s[:1]) + s[1:]
			}
			if !used[strings.ToLower(s)] {
				used[strings.ToLower(s)] = true
				return s
			}
		}
	}
	hosts := []string{name(2), name(2), name(2) + "-" + name(1)}
	domain, svc, svc3, app := name(2), name(2), name(2), name(2)
	partner, timeoutPartner := name(2), name(2)
	nodes := []string{hosts[0], hosts[1], name(2)} // the third node runs no SQL Server log here
	moveNode := name(2)                            // named only in an RCM move
	folder := name(2)                              // a replica known only by its folder
	fileWord := name(2)
	dnsDomain, tld := name(2), []string{"com", "local", "net", "corp", "bank"}[rng.IntN(5)]
	fqdnHost := name(2)
	root := "/srv/" + name(1) + "/" + name(2) + "-case" + fmt.Sprint(rng.IntN(10000)) + "/bundle"
	ips := map[string]string{}
	ip := func(orig string) string {
		if v, ok := ips[orig]; ok {
			return v
		}
		v := fmt.Sprintf("10.%d.%d.%d", 1+rng.IntN(250), rng.IntN(250), 1+rng.IntN(250))
		if strings.Contains(orig, ":") {
			v = fmt.Sprintf("fe80::%x:%x:%x", 1+rng.IntN(0xfff0), 1+rng.IntN(0xfff0), 1+rng.IntN(0xfff0))
		}
		ips[orig] = v
		return v
	}
	subst := strings.NewReplacer(
		"SQLAG03-DR", hosts[2], "SQLAG01", hosts[0], "SQLAG02", hosts[1], "sqlag01", strings.ToLower(hosts[0]),
		"sqlag02", strings.ToLower(hosts[1]), "CONTOSO", domain, "contoso", strings.ToLower(domain),
		"sqlsvc02", svc, "sqlsvc03", svc3, "sqlsvc", svc, "appuser", app,
		"SQLNODE1", nodes[0], "SQLNODE2", nodes[1], "SQLNODE3", nodes[2])
	text := func(s string) string { return reTemplateIP.ReplaceAllStringFunc(subst.Replace(s), ip) }
	var b genBundle
	b.root = root
	add := func(rel string, data []byte) {
		data = append([]byte(nil), data...)
		full := root + "/" + rel
		b.files = append(b.files, File{Name: full, Dir: filepath.Dir(full), Root: root, Size: int64(len(data)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }})
	}
	dirOf := map[string]string{"SQLAG01": hosts[0], "SQLAG02": hosts[1], "SQLAG03-DR": hosts[2]}
	extra := "2024-03-12 08:40:00.00 spid61s     A connection for availability group 'AG1' from availability replica '" + hosts[0] +
		"' with id  [02447832-E0DA-B3C8-80DA-4ACE30DC82C5] to '" + partner + "' with id [B4AC9092-9D16-7BEA-8C05-C24B6B254551] has been successfully established.  This is an informational message only. No user action is required.\r\n" +
		"2024-03-12 08:41:00.00 spid62s     A connection timeout has occurred on a previously established connection to availability replica '" + timeoutPartner +
		"' with id [9954F3FD-0122-20E4-37D1-B759AD981596].  Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.\r\n" +
		"2024-03-12 08:42:00.00 Logon       Database Mirroring login attempt by user '" + domain + `\` + fqdnHost + "$.' failed with error: 'Connection handshake failed. The login '" + domain + `\` + fqdnHost +
		"$' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: " + ip("10.99.0.1") + "]\r\n" +
		"2024-03-12 08:43:00.00 spid63s     Error: 1474, Severity: 16, State: 1.\r\n" +
		"2024-03-12 08:43:00.00 spid63s     Database mirroring connection error 4 'An error occurred while receiving data: '10054(An existing connection was forcibly closed by the remote host.)'.' for 'TCP://" + fqdnHost + "." + dnsDomain + "." + tld + ":5022'.\r\n"
	for rel, s := range g.templates {
		d, f, _ := strings.Cut(rel, "/")
		s = text(s)
		if rel == "SQLAG01/ERRORLOG" {
			s += extra
		}
		if strings.HasPrefix(f, "ERRORLOG") {
			add(dirOf[d]+"/"+f, utf16LE(s))
		} else {
			add(dirOf[d]+"/"+f, []byte(s))
		}
	}
	cl := text(g.cluster) +
		"00000e40.00000e44::2024/03/12-15:40:03.120 INFO  [RCM] move of group AG1 from " + nodes[0] + "(1) to " + moveNode + "(4) of type MoveType::Manual is about to succeed, failoverCount=1, lastFailoverTime=2024/03/12-15:02:30.002 targeted=true\r\n"
	add(hosts[0]+"/"+nodes[0]+"_cluster.log", utf16LE(cl))
	// A replica known only by its folder: no "Server name is", only a
	// state change.
	add(folder+"/ERRORLOG", utf16LE(strings.Split(goodLog, "\r\n")[0]+"\r\n"+strings.SplitAfter(goodLog, "\r\n")[2]))
	add(hosts[1]+"/"+fileWord+"_notes.txt", []byte("call back "+fileWord+" tomorrow\n"))
	b.names = append(b.names, hosts...)
	b.names = append(b.names, domain, svc, svc3, partner, timeoutPartner, nodes[2], moveNode, folder, fileWord, dnsDomain, fqdnHost)
	b.names = append(b.names, strings.Split(strings.TrimPrefix(root, "/srv/"), "/")[:2]...)
	for _, v := range ips {
		b.names = append(b.names, v)
	}
	return b
}

// leaks returns the hidden names found in out as words (case-insensitively;
// a name inside a longer word, "xpi" in "expired", is not that name).
func leaks(out string, names []string) []string {
	var found []string
	lower := asciiLower(out) // same length as out: indexes carry over
	isWord := func(c byte) bool { return c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' }
	for _, n := range names {
		ln := asciiLower(n)
		for from := 0; ; {
			i := strings.Index(lower[from:], ln)
			if i < 0 {
				break
			}
			i += from
			end := i + len(ln)
			if (i == 0 || !isWord(lower[i-1])) && (end == len(lower) || !isWord(lower[end])) {
				found = append(found, fmt.Sprintf("%s in …%s…", n, out[max(0, i-60):min(len(out), end+60)]))
				break
			}
			from = i + 1
		}
	}
	return found
}

// asciiLower lower-cases the ASCII letters of s only.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TestRedactProperty generates thousands of bundles with random names in
// every place a name can appear and checks that none survives in the
// redacted Markdown and JSON reports, nor (for some) in the redacted events
// view, while the unredacted report does show them (so the bundles do put
// the names where the reports can see them).
func TestRedactProperty(t *testing.T) {
	// 100 bundles by default (about 5 s on one core), 20 with -short or
	// under the race detector;
	// AGTRIAGE_REDACT_BUNDLES=5000 for a long run.
	n := 100
	if testing.Short() || raceEnabled {
		n = 20
	}
	if v := os.Getenv("AGTRIAGE_REDACT_BUNDLES"); v != "" {
		fmt.Sscan(v, &n)
	}
	g := newBundleGen(t)
	rng := rand.New(rand.NewPCG(12, 2026))
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		b := g.bundle(rng)
		rep, err := Analyze(b.files, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var plain bytes.Buffer
		jsonreport.Write(&plain, rep)
		for _, l := range leaks(plain.String(), b.names) {
			nm, _, _ := strings.Cut(l, " in ")
			seen[fmt.Sprint(indexOf(b.names, nm))]++
		}
		red := redact.Report(rep, redact.Options{Roots: []string{b.root}})
		var js, md bytes.Buffer
		if err := jsonreport.Write(&js, red); err != nil {
			t.Fatal(err)
		}
		var doc any
		json.Unmarshal(js.Bytes(), &doc)
		decoded, _ := json.Marshal(doc)
		if err := mdreport.Write(&md, red, mdreport.Options{}); err != nil {
			t.Fatal(err)
		}
		out := js.String() + strings.ReplaceAll(string(decoded), `\\`, `\`) + md.String()
		if l := leaks(out, b.names); len(l) > 0 {
			t.Fatalf("bundle %d: %d names survive redaction, first: %s", i, len(l), l[0])
		}
		if i%50 == 0 {
			if l := leaks(redactedEvents(t, b), b.names); len(l) > 0 {
				t.Fatalf("bundle %d, events view: %d names survive, first: %s", i, len(l), l[0])
			}
		}
	}
	// Every kind of name reached the unredacted report in most bundles.
	names := g.bundle(rand.New(rand.NewPCG(1, 1))).names
	for k := range names[:16] {
		if seen[fmt.Sprint(k)] < n/2 {
			t.Errorf("name #%d reached the unredacted report in %d of %d bundles only: the test does not exercise it", k, seen[fmt.Sprint(k)], n)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// redactedEvents runs the -f events --redact passes on a bundle.
func redactedEvents(t *testing.T, b genBundle) string {
	er := redact.NewEvents(redact.Options{Roots: []string{b.root}})
	opt := Options{Workers: 1}
	if _, err := Events(b.files, opt, func(ev *parsers.Event) error { er.Learn(ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := Events(b.files, opt, func(ev *parsers.Event) error { er.LearnUnquoted(ev); return nil }); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if _, err := Events(b.files, opt, func(ev *parsers.Event) error { return enc.Encode(er.Redact(ev)) }); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(out.String(), `\\`, `\`)
}

// TestRedactOptionWarnings: a server name or path the user typed in an
// option that matched nothing is redacted in the warning that quotes it.
func TestRedactOptionWarnings(t *testing.T) {
	rep := &Report{Servers: []report.Server{{Name: "SQLAG01"}}, Warnings: UnmatchedOptions(Options{
		UTCOffsets: map[string]time.Duration{"QXSQL99": time.Hour},
		Servers:    []ServerOverride{{Name: "QXDR", Path: "/home/jdoe/acme-case/dr"}},
	}, []report.Server{{Name: "SQLAG01"}}, nil)}
	if len(rep.Warnings) != 2 {
		t.Fatalf("warnings %q", rep.Warnings)
	}
	out := strings.Join(redact.Report(rep, redact.Options{Roots: []string{"/home/jdoe/acme-case"}}).Warnings, "\n")
	if l := leaks(out, []string{"QXSQL99", "QXDR", "jdoe", "acme", "SQLAG01"}); len(l) > 0 {
		t.Errorf("%s\n%v", out, l)
	}
}
