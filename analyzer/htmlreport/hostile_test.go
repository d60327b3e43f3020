package htmlreport

import (
	"bytes"
	"fmt"
	"html"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
)

// hostile is log text that tries every way out of its context: a script
// element, an event handler, a javascript: URL, closing the SVG, the title
// or the attribute it sits in, and an entity.
func hostile(n int) string {
	return fmt.Sprintf(`H%d<script>alert(%d)</script>"'><img src=x onerror=alert(%d)></svg></title></text><a href="javascript:alert(%d)">x</a>&amp;]]>`, n, n, n, n)
}

// setStrings replaces every string of v (fields, slices, map keys and
// values) by hostile text, numbered in walk order; it returns the count.
func setStrings(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			setStrings(v.Elem(), n)
		}
	case reflect.String:
		*n++
		v.SetString(hostile(*n))
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			setStrings(v.Field(i), n)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			setStrings(v.Index(i), n)
		}
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Int {
			m := reflect.MakeMap(v.Type())
			for _, k := range v.MapKeys() {
				*n++
				m.SetMapIndex(reflect.ValueOf(hostile(*n)), v.MapIndex(k))
			}
			v.Set(m)
		}
	}
}

// hostileReport is sampleReport with every string hostile, and the same
// hostile server names in the fields that must agree (so that lanes, spans
// and arrows are all drawn with hostile names).
func hostileReport(t testing.TB) (*report.Report, int) {
	r := sampleReport()
	n := 0
	setStrings(reflect.ValueOf(r), &n)
	if n < 100 {
		t.Fatalf("only %d strings replaced", n)
	}
	// Keep the names consistent so that every mark is drawn.
	a, b, c := r.Servers[0].Name, r.Servers[1].Name, r.Failovers[1].To
	ag1, ag2 := r.AGs[0], r.AGs[1]
	for i := range r.Roles {
		r.Roles[i].Server = []string{a, a, a, b, b, b, b, b, b}[i]
		r.Roles[i].AG = []string{ag1, ag1, ag1, ag1, ag1, ag1, ag2, ag2, ag2}[i]
	}
	r.Failovers[0].AG, r.Failovers[0].From, r.Failovers[0].To = ag1, a, b
	r.Failovers[1].AG, r.Failovers[1].From = ag2, b
	r.Failovers[2].AG, r.Failovers[2].From = ag2, c
	r.Connections[0].AG, r.Connections[0].Server, r.Connections[0].Partner = ag1, b, a
	r.Connections[1].AG, r.Connections[1].Server, r.Connections[1].Partner = ag2, b, c
	for i := range r.Timeline {
		r.Timeline[i].Server = []string{a, b, a, b}[i]
		r.Timeline[i].Kind = []string{"cluster_unavailable", "replica_state_change", "cluster_online", "quorum_lost"}[i]
	}
	return r, n
}

// TestHostileReport: a report whose every string is hostile gives a page
// with only the template's elements, one script, no event handler and no
// link out of the page, where the hostile strings read as text.
func TestHostileReport(t *testing.T) {
	r, n := hostileReport(t)
	tz, _ := time.LoadLocation("Europe/Paris")
	for _, opt := range []Options{{}, {TZ: tz}} {
		page := render(t, r, opt) // checkPage: elements, script, handlers, links
		if strings.Contains(page, "<img") || strings.Contains(page, "javascript:alert") && !strings.Contains(html.UnescapeString(page), `href="javascript:`) {
			t.Error("hostile markup reached the page")
		}
		text := html.UnescapeString(page)
		seen := 0
		for i := 1; i <= n; i++ {
			if strings.Contains(text, hostile(i)) {
				seen++
			}
		}
		// Most strings are shown whole; the others (enumerations mapped to
		// fixed words, long titles cut) must still not break out.
		if seen < n/2 {
			t.Errorf("only %d of %d hostile strings shown as text", seen, n)
		}
		chart := page[strings.Index(page, "<svg"):strings.Index(page, "</svg>")]
		if strings.Count(chart, `class="lane"`) != 5 {
			t.Errorf("%d lanes, want 5 (2 AGs: SQLA, SQLB, SQLC; SQLB, SQLC)", strings.Count(chart, `class="lane"`))
		}
		for _, want := range []string{`<a class="band" href="#incident-1"`, `<a class="band" href="#incident-2"`} {
			if !strings.Contains(chart, want) {
				t.Errorf("chart lacks %s", want)
			}
		}
		if got := strings.Count(chart, `<g class="fo `); got != 3 {
			t.Errorf("%d failover arrows, want 3", got)
		}
	}
}

// FuzzWrite: whatever the text, server or file names, the page keeps its
// structure.
func FuzzWrite(f *testing.F) {
	f.Add(hostile(1), "SQLA", "a/ERRORLOG")
	f.Add("</style><script>x</script>", `"><svg onload=x>`, "javascript:alert(1)")
	f.Add("]]><!--", "<!--", "--><p>")
	f.Fuzz(func(t *testing.T, text, server, file string) {
		r := sampleReport()
		r.Servers[0].Name = server
		r.Roles[0].Server = server
		r.Failovers[0].From = server
		r.Incidents[0].Title = text
		r.Incidents[0].RootCause = text
		r.Incidents[0].Chain[0].Text = text
		r.Incidents[0].Chain[0].Evidence[0].Text = text
		r.Incidents[0].Chain[0].Evidence[0].File = file
		r.Incidents[0].Fix.SQL = []string{text}
		r.Timeline[0].Text = text
		r.Timeline[0].Server = server
		r.Timeline[0].Position = file
		r.Failovers[0].Trigger = text
		r.Connections[0].Cause = text
		r.AGs[0] = text
		r.Inputs[0].File = file
		r.Gaps = []string{text}
		var b bytes.Buffer
		if err := Write(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		checkPage(t, b.String())
	})
}
