package htmlreport

import (
	"html"
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

// tag is an element's start or end tag as the page spells it.
type tag struct {
	name  string
	end   bool
	attrs map[string]string
}

// tags tokenizes page the way a browser does for this page's markup: text
// holds no '<' but as the start of a tag; the contents of style and script
// (the page's own) are skipped; attribute values are quoted with '"'.
func tags(t testing.TB, page string) []tag {
	t.Helper()
	var out []tag
	for i := 0; i < len(page); {
		j := strings.IndexByte(page[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		if strings.HasPrefix(page[i:], "!DOCTYPE") {
			i += strings.IndexByte(page[i:], '>') + 1
			continue
		}
		tg := tag{attrs: map[string]string{}}
		if page[i] == '/' {
			tg.end = true
			i++
		}
		k := i
		for k < len(page) && (isAlnum(page[k]) || page[k] == '-') {
			k++
		}
		tg.name = strings.ToLower(page[i:k])
		if tg.name == "" {
			t.Errorf("a '<' that starts no tag at offset %d: %q", i, page[max(0, i-40):min(len(page), i+40)])
			continue
		}
		i = k
		for i < len(page) && page[i] != '>' {
			if page[i] == ' ' || page[i] == '\n' || page[i] == '/' {
				i++
				continue
			}
			k = i
			for k < len(page) && page[k] != '=' && page[k] != ' ' && page[k] != '>' {
				k++
			}
			name := strings.ToLower(page[i:k])
			val := ""
			if k < len(page) && page[k] == '=' {
				if page[k+1] != '"' {
					t.Errorf("<%s %s=…>: unquoted attribute value", tg.name, name)
				}
				end := strings.IndexByte(page[k+2:], '"')
				if end < 0 {
					t.Fatalf("<%s %s=…>: attribute value never closed", tg.name, name)
				}
				val = html.UnescapeString(page[k+2 : k+2+end])
				k += 2 + end + 1
			}
			if _, dup := tg.attrs[name]; dup {
				t.Errorf("<%s>: attribute %s twice", tg.name, name)
			}
			tg.attrs[name] = val
			i = k
		}
		i++
		out = append(out, tg)
		if (tg.name == "style" || tg.name == "script") && !tg.end {
			end := strings.Index(page[i:], "</"+tg.name+">")
			if end < 0 {
				t.Fatalf("<%s> never closed", tg.name)
			}
			i += end
		}
	}
	return out
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkPage checks the structure of a page: every element is one of the
// template's, one script (the page's own), no event-handler or style
// attribute, every link points inside the page, and a
// Content-Security-Policy forbids everything else.
func checkPage(t testing.TB, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n") || !strings.HasSuffix(page, "</html>\n") {
		t.Errorf("page does not start with a doctype or end with </html>")
	}
	scripts, csp := 0, ""
	for _, tg := range tags(t, page) {
		if !pageTags[tg.name] {
			t.Errorf("unexpected element <%s> in the page", tg.name)
		}
		if tg.name == "script" && !tg.end {
			scripts++
		}
		for name, val := range tg.attrs {
			switch {
			case strings.HasPrefix(name, "on"), name == "style", name == "src", name == "srcdoc", name == "xlink:href":
				t.Errorf("<%s %s=%q>: attribute not allowed", tg.name, name, val)
			case name == "href" && !strings.HasPrefix(val, "#"):
				t.Errorf("<%s href=%q>: the page must only link within itself", tg.name, val)
			}
		}
		if tg.name == "meta" && tg.attrs["http-equiv"] == "Content-Security-Policy" {
			csp = tg.attrs["content"]
		}
	}
	if scripts != 1 {
		t.Errorf("%d script elements, want 1", scripts)
	}
	if !strings.HasPrefix(csp, "default-src 'none'; ") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy %q does not forbid everything by default", csp)
	}
}
