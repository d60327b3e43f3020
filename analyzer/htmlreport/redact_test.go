package htmlreport

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/analyzer/redact"
)

// TestRedactedDemo: the page of the redacted demo report names no server,
// alias, address or service account of the demo, in text, attributes or
// SVG titles (the CLI test checks every bundle with a longer list).
func TestRedactedDemo(t *testing.T) {
	rep := analyzeDir(t, scenarioDir("demo"))
	var names []string
	for _, s := range rep.Servers {
		names = append(names, s.Name)
		names = append(names, s.Aliases...)
		names = append(names, s.Addresses...)
		if s.ServiceAccount != "" {
			names = append(names, s.ServiceAccount)
			if _, user, ok := strings.Cut(s.ServiceAccount, `\`); ok {
				names = append(names, user)
			}
		}
	}
	if len(names) < 6 {
		t.Fatalf("only %d names to look for: %v", len(names), names)
	}
	plain := html.UnescapeString(render(t, rep, Options{}))
	page := html.UnescapeString(render(t, redact.Report(rep, redact.Options{}), Options{}))
	found := 0
	for _, n := range names {
		re := regexp.MustCompile(`(?i)(^|[^A-Za-z0-9])` + regexp.QuoteMeta(n) + `($|[^A-Za-z0-9])`)
		if !re.MatchString(plain) {
			continue // service accounts are not shown
		}
		found++
		if loc := re.FindStringIndex(page); loc != nil {
			t.Errorf("%q survives redaction: …%s…", n, page[max(0, loc[0]-60):min(len(page), loc[1]+60)])
		}
	}
	if found < len(rep.Servers)+2 {
		t.Errorf("only %d of the names %v are in the unredacted page", found, names)
	}
	if !strings.Contains(page, "HOST-1") {
		t.Error("no pseudonym in the redacted page")
	}
}
