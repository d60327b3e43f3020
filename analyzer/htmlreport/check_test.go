package htmlreport

import (
	"regexp"
	"strings"
	"testing"
)

// pageTags are the only elements the page may contain; a log string that
// formed a tag would show up as another name (or as a second script).
var pageTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "header": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "p": true, "nav": true, "a": true, "main": true,
	"section": true, "ol": true, "ul": true, "li": true, "strong": true, "span": true, "dl": true,
	"dt": true, "dd": true, "details": true, "summary": true, "code": true, "div": true, "label": true,
	"select": true, "option": true, "input": true, "figure": true, "figcaption": true, "svg": true,
	"defs": true, "pattern": true, "rect": true, "line": true, "marker": true, "path": true, "text": true,
	"g": true, "circle": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true,
	"td": true, "button": true, "article": true, "pre": true, "br": true, "script": true,
}

var (
	reTag     = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9-]*)`)
	reOnAttr  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	reURLAttr = regexp.MustCompile(`(?i)\s(?:href|src|xlink:href|action|formaction)\s*=\s*"([^"]*)"`)
)

// checkPage checks the structure of a page: every tag is one of the
// template's, one script (the page's own), every link points inside the
// page, no event-handler attribute, a Content-Security-Policy that forbids
// everything else.
func checkPage(t testing.TB, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n") || !strings.HasSuffix(page, "</html>\n") {
		t.Errorf("page does not start with a doctype or end with </html>")
	}
	for _, m := range reTag.FindAllStringSubmatch(page, -1) {
		if !pageTags[strings.ToLower(m[2])] {
			t.Errorf("unexpected element <%s%s> in the page", m[1], m[2])
		}
	}
	if n := strings.Count(strings.ToLower(page), "<script"); n != 1 {
		t.Errorf("%d <script elements, want 1", n)
	}
	if m := reOnAttr.FindString(page); m != "" {
		i := strings.Index(page, m)
		t.Errorf("event-handler attribute %q in the page: …%s…", m, page[max(0, i-80):min(len(page), i+80)])
	}
	for _, m := range reURLAttr.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("link to %q: the page must only link within itself", m[1])
		}
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src 'none';`) {
		t.Errorf("no Content-Security-Policy forbidding everything by default")
	}
}
