package htmlreport

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"strconv"
	"strings"
)

var (
	//go:embed report.html.tmpl
	pageSource string
	//go:embed style.css
	styleSource string
	//go:embed script.js
	scriptSource string
)

// pageTemplate is the page. The style sheet and the script (this package's
// own text) are inserted verbatim as typed values, and the
// Content-Security-Policy allows exactly them, by hash: no other script or
// style, no request of any kind (default-src 'none').
var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f":      num,
	"add":    func(a, b float64) float64 { return a + b },
	"style":  func() template.CSS { return template.CSS(styleSource) },
	"script": func() template.JS { return template.JS(scriptSource) },
}).Parse(strings.Replace(pageSource, "@@CSP@@", contentSecurityPolicy(), 1)))

// contentSecurityPolicy forbids everything but the page's own style sheet
// and script. Hover titles, links within the page and inline SVG need
// nothing more.
func contentSecurityPolicy() string {
	return "default-src 'none'; style-src " + hash(styleSource) + "; script-src " + hash(scriptSource) +
		"; img-src 'none'; base-uri 'none'; form-action 'none'"
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

// num formats an SVG coordinate with at most one decimal.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}
