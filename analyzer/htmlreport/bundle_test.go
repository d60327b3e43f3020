package htmlreport

import (
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/agtriage/agtriage/analyzer/report"
)

// Hostile names written into a copy of the demo bundle: the AG and a
// database, in every ERRORLOG line and XEvent field that names them.
const (
	hostileAG = `AG1</svg></title><script>alert("ag")</script>javascript:alert(1)`
	hostileDB = `Sales<img src=x onerror=alert(2)>DB`
)

// hostileBundle copies the demo bundle with the AG and a database renamed
// to hostile names: ERRORLOGs stay UTF-16LE with their BOM, the XEvent
// exports get the names XML-escaped, as SQL Server writes them.
func hostileBundle(t testing.TB) string {
	t.Helper()
	src := scenarioDir("demo")
	dst := t.TempDir()
	xmlEsc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "expected.json" {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var out []byte
		switch {
		case bytes.HasPrefix(raw, []byte{0xff, 0xfe}):
			u := make([]uint16, (len(raw)-2)/2)
			for i := range u {
				u[i] = uint16(raw[2+2*i]) | uint16(raw[3+2*i])<<8
			}
			s := strings.NewReplacer("AG1", hostileAG, "SalesDB", hostileDB).Replace(string(utf16.Decode(u)))
			out = []byte{0xff, 0xfe}
			for _, c := range utf16.Encode([]rune(s)) {
				out = append(out, byte(c), byte(c>>8))
			}
		default:
			// Escaped in text and attributes, as is inside CDATA sections.
			escaped := strings.NewReplacer("AG1", xmlEsc.Replace(hostileAG), "SalesDB", xmlEsc.Replace(hostileDB))
			plain := strings.NewReplacer("AG1", hostileAG, "SalesDB", hostileDB)
			rest := string(raw)
			for {
				i := strings.Index(rest, "<![CDATA[")
				if i < 0 {
					out = append(out, escaped.Replace(rest)...)
					break
				}
				j := strings.Index(rest[i:], "]]>")
				if j < 0 {
					return fmt.Errorf("%s: CDATA section never closed", path)
				}
				out = append(out, escaped.Replace(rest[:i])...)
				out = append(out, plain.Replace(rest[i:i+j])...)
				rest = rest[i+j:]
			}
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, out, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// analyzeHostileBundle analyzes the hostile bundle and checks that the
// names reached the report (else the test would prove nothing).
func analyzeHostileBundle(t testing.TB) *report.Report {
	t.Helper()
	rep := analyzeDir(t, hostileBundle(t))
	if !slices.Equal(rep.AGs, []string{hostileAG}) || !slices.Contains(rep.Databases, hostileDB) {
		t.Fatalf("the hostile names did not reach the report: AGs %q, databases %q", rep.AGs, rep.Databases)
	}
	if len(rep.Incidents) == 0 || len(rep.Failovers) == 0 {
		t.Fatalf("the hostile bundle gives %d incidents and %d failovers", len(rep.Incidents), len(rep.Failovers))
	}
	return rep
}

// TestHostileBundle: the demo bundle with hostile AG and database names
// gives a page with the template's structure in which the names read as
// text, in the summary, the evidence, the SVG titles and attributes.
func TestHostileBundle(t *testing.T) {
	rep := analyzeHostileBundle(t)
	page := render(t, rep, Options{})
	text := html.UnescapeString(page)
	if n := strings.Count(text, hostileAG); n < 20 {
		t.Errorf("the hostile AG name shows %d times, want many (evidence, titles, attributes)", n)
	}
	if !strings.Contains(text, hostileDB) {
		t.Error("the hostile database name is not shown")
	}
	svg := page[strings.Index(page, "<svg"):strings.Index(page, "</svg>")]
	if !strings.Contains(html.UnescapeString(svg), `data-ag="`+hostileAG+`"`) && !strings.Contains(html.UnescapeString(svg), hostileAG) {
		t.Error("the SVG does not carry the hostile AG name")
	}
}
