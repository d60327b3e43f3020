package htmlreport

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests open the reports in headless Chromium (Debian's
// chromium package; AGTRIAGE_CHROMIUM names another binary) and skip when
// there is none. AGTRIAGE_SCREENSHOTS=DIR keeps their screenshots.

// findChromium returns the browser to drive, or "" when there is none.
func findChromium() string {
	if p := os.Getenv("AGTRIAGE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
)

// browser returns the context of a shared headless browser, or skips.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	path := findChromium()
	if path == "" {
		t.Skip("no chromium found (apt-get install chromium, or set AGTRIAGE_CHROMIUM): browser tests skipped")
	}
	browserOnce.Do(func() {
		opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // tests often run as root in containers
			chromedp.DisableGPU,
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("no-proxy-server", true),
			chromedp.WindowSize(1280, 900),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			acancel()
			browserErr = err
			return
		}
		browserCtx = ctx
		browserCancel = func() { cancel(); acancel() }
	})
	if browserErr != nil {
		t.Skipf("chromium %s does not start: %v", path, browserErr)
	}
	return browserCtx
}

// TestMain closes the shared browser.
func TestMain(m *testing.M) {
	code := m.Run()
	if browserCancel != nil {
		browserCancel()
	}
	os.Exit(code)
}

// visit is what a page showed in the browser.
type visit struct {
	Lanes, Bands, Arrows int
	Incidents            []int // data-incident of the bands
	LaneServers          []string
	ScrollWidth          int
	ClientWidth          int
	Overflowing          []string
	Elements             []string // element names found in the document
	Scripts              int
	JSRan                bool
	Text                 string // body text
	Titles               string // all SVG titles
	Narrow               *visit `json:"-"` // the page in the narrow viewport
	problems             []string
	requests             []string
	loadTime             time.Duration
}

// openOpts tune a visit.
type openOpts struct {
	width    int
	noJS     bool
	dark     bool
	print    bool
	shot     string // screenshot name, saved under AGTRIAGE_SCREENSHOTS
	shotH    int    // height of the screenshot (default 1300 px)
	keepShot bool   // take the screenshot also without AGTRIAGE_SCREENSHOTS
	narrow   int    // also inspect the page in a viewport this wide
	fullShot bool
}

// writePage renders rep to a file and returns its path.
func writePage(t *testing.T, dir, name string, rep *report.Report, opt Options) string {
	t.Helper()
	path := filepath.Join(dir, name+".html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, rep, opt); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// inspectJS gathers the facts a test checks, from the rendered page.
const inspectJS = `(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const vw = document.documentElement.clientWidth;
  const over = [];
  for (const el of q("body *")) {
    if (el.closest(".scroll")) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1) over.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && el.className.baseVal === undefined ? "." + el.className : "") + " right=" + Math.round(r.right));
  }
  for (const el of q(".scroll")) {
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1) over.push("scroll box right=" + Math.round(r.right));
  }
  return {
    Lanes: q("#tl-svg g.lane").length,
    Bands: q("#tl-svg a.band").length,
    Arrows: q("#tl-svg g.fo").length,
    Incidents: q("#tl-svg a.band").map(a => +a.getAttribute("data-incident")),
    LaneServers: q("#tl-svg g.lane").map(g => g.getAttribute("data-srv")),
    ScrollWidth: document.documentElement.scrollWidth,
    ClientWidth: vw,
    Overflowing: over.slice(0, 10),
    Elements: Array.from(new Set(q("*").map(e => e.tagName.toLowerCase()))),
    Scripts: q("script").length,
    JSRan: document.documentElement.classList.contains("js"),
    Text: document.body.innerText,
    Titles: q("#tl-svg title").map(t => t.textContent).join("\n"),
  };
})()`

// open loads path in a new tab and inspects it.
func open(t *testing.T, path string, o openOpts) visit {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t))
	defer cancel()
	ctx, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel2()
	var v visit
	var mu sync.Mutex
	u := (&url.URL{Scheme: "file", Path: path}).String()
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				v.problems = append(v.problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			v.problems = append(v.problems, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				v.problems = append(v.problems, fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			if ev.Request.URL != u {
				v.requests = append(v.requests, ev.Request.URL)
			}
		case *cdppage.EventJavascriptDialogOpening:
			v.problems = append(v.problems, "dialog opened: "+ev.Message)
			go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	width := cmpOr(o.width, 1280)
	scheme := "light"
	if o.dark {
		scheme = "dark"
	}
	media := ""
	if o.print {
		media = "print"
	}
	call := func(f func(ctx context.Context, tg *chromedp.Target) error) chromedp.Action[chromedp.Void] {
		return chromedp.Func(f)
	}
	start := time.Now()
	err = chromedp.Do(ctx,
		call(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: int64(width), Height: 900, DeviceScaleFactor: 1, Mobile: width < 500}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media,
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: o.noJS})
			return err
		}),
		chromedp.Navigate(u),
	)
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	v.loadTime = time.Since(start)
	// Runtime.evaluate is stopped with the page's scripts: turn them back
	// on to inspect (the page has loaded; its script does not run again).
	if err := chromedp.Do(ctx, call(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[visit](inspectJS))
	if err != nil {
		t.Fatalf("inspect %s: %v", u, err)
	}
	if o.narrow > 0 {
		// The same page in a narrow viewport (a phone): layout again, no reload.
		err := chromedp.Do(ctx, call(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: int64(o.narrow), Height: 900, DeviceScaleFactor: 1, Mobile: true})
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[visit](inspectJS))
		if err != nil {
			t.Fatalf("inspect %s at %d px: %v", u, o.narrow, err)
		}
		got.Narrow = &n
	}
	mu.Lock()
	got.problems, got.requests, got.loadTime = v.problems, v.requests, v.loadTime
	mu.Unlock()
	v = got
	dir := os.Getenv("AGTRIAGE_SCREENSHOTS")
	if o.shot != "" && (dir != "" || o.keepShot) {
		var shot []byte
		if o.fullShot {
			shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		} else {
			shot, err = chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
				r, err := cdp.Call(ctx, tg, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{
					Format:                cdppage.CaptureScreenshotFormatPng,
					Clip:                  &cdppage.Viewport{X: 0, Y: 0, Width: float64(width), Height: float64(cmpOr(o.shotH, 1300)), Scale: 1},
					CaptureBeyondViewport: ptrTrue(),
				})
				return r.Data, err
			})
		}
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if dir == "" {
			dir = t.TempDir()
		}
		path := filepath.Join(dir, o.shot+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		if len(shot) < 10_000 {
			t.Errorf("screenshot %s is only %d bytes", path, len(shot))
		}
		// The picture alone, enlarged.
		box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const f = document.querySelector("figure.chart");
			if (!f) return [0, 0, 0, 0]; const r = f.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()`))
		if err == nil && box[2] > 0 {
			chart, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
				r, err := cdp.Call(ctx, tg, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{
					Format:                cdppage.CaptureScreenshotFormatPng,
					Clip:                  &cdppage.Viewport{X: box[0], Y: box[1], Width: box[2], Height: box[3], Scale: 1.5},
					CaptureBeyondViewport: ptrTrue(),
				})
				return r.Data, err
			})
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, o.shot+"-chart.png"), chart, 0o644)
			}
			if err != nil {
				t.Errorf("chart screenshot: %v", err)
			}
		}
	}
	return v
}

func ptrTrue() *bool { b := true; return &b }

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// expectClean fails on console errors, exceptions, dialogs and requests.
func (v visit) expectClean(t *testing.T, what string) {
	t.Helper()
	for _, p := range v.problems {
		t.Errorf("%s: %s", what, p)
	}
	for _, r := range v.requests {
		t.Errorf("%s: the page requested %s", what, r)
	}
}

// expectFits fails when something sticks out of the viewport.
func (v visit) expectFits(t *testing.T, what string) {
	t.Helper()
	if v.ScrollWidth > v.ClientWidth || len(v.Overflowing) > 0 {
		t.Errorf("%s: page is %d px wide in a %d px viewport; overflowing: %v", what, v.ScrollWidth, v.ClientWidth, v.Overflowing)
	}
}

// expectChart compares the picture with the report: one lane per replica
// (per AG and replica when there are several AGs), a band per incident, an
// arrow per failover.
func (v visit) expectChart(t *testing.T, what string, rep *report.Report) {
	t.Helper()
	want := expectedLanes(rep)
	if v.Lanes != want {
		t.Errorf("%s: %d lanes %v, want %d", what, v.Lanes, v.LaneServers, want)
	}
	var ids []int
	for i, in := range rep.Incidents {
		ids = append(ids, cmpOr(in.ID, i+1))
	}
	got := slices.Sorted(slices.Values(v.Incidents))
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("%s: incident bands %v, want %v", what, got, ids)
	}
	if v.Arrows != len(rep.Failovers) {
		t.Errorf("%s: %d failover arrows, want %d", what, v.Arrows, len(rep.Failovers))
	}
}

// expectedLanes counts the replicas of rep independently of the writer:
// the distinct names among servers, role spans, failovers and connection
// windows; with several AGs, the distinct (AG, replica) pairs plus the
// servers in no AG.
func expectedLanes(rep *report.Report) int {
	type pair struct{ ag, server string }
	servers := map[string]bool{}
	pairs := map[pair]bool{}
	ags := map[string]bool{}
	add := func(ag, s string) {
		if s == "" {
			return
		}
		s = strings.ToUpper(s)
		servers[s] = true
		if ag != "" {
			ags[ag] = true
			pairs[pair{ag, s}] = true
		}
	}
	for _, s := range rep.Servers {
		add("", s.Name)
	}
	for _, s := range rep.Roles {
		add(s.AG, s.Server)
	}
	for _, f := range rep.Failovers {
		add(f.AG, f.From)
		add(f.AG, f.To)
	}
	for _, c := range rep.Connections {
		add(c.AG, c.Server)
		add(c.AG, c.Partner)
	}
	if len(ags) <= 1 {
		return len(servers)
	}
	n := len(pairs)
	for s := range servers {
		in := false
		for p := range pairs {
			in = in || p.server == s
		}
		if !in {
			n++
		}
	}
	return n
}

// TestBrowserDemo opens the demo report: the picture matches the report, no
// console error, no request, it fits 1280 and 390 px wide viewports and an
// A4 page, and it reads the same with JavaScript disabled.
func TestBrowserDemo(t *testing.T) {
	ctx := browser(t)
	_ = ctx
	dir := t.TempDir()
	rep := analyzeDir(t, scenarioDir("demo"))
	tz, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	path := writePage(t, dir, "demo", rep, Options{TZ: tz})
	st, _ := os.Stat(path)
	t.Logf("demo report: %d bytes", st.Size())
	if st.Size() > 1<<20 {
		t.Errorf("demo report is %d bytes, over 1 MB", st.Size())
	}

	v := open(t, path, openOpts{shot: "demo-light", keepShot: true})
	v.expectClean(t, "light")
	v.expectChart(t, "light", rep)
	v.expectFits(t, "1280 px")
	if !v.JSRan {
		t.Error("the page's script did not run")
	}
	t.Logf("demo: loaded in %v", v.loadTime)
	for _, in := range rep.Incidents {
		if !strings.Contains(v.Text, in.RootCause) {
			t.Errorf("page text lacks the root cause %q", in.RootCause)
		}
	}
	for _, f := range rep.Failovers {
		if !strings.Contains(v.Titles, f.At.UTC().Format("2006-01-02 15:04:05.000")) {
			t.Errorf("no SVG title gives the failover time %s", f.At)
		}
	}

	dark := open(t, path, openOpts{dark: true, shot: "demo-dark"})
	dark.expectClean(t, "dark")

	narrow := open(t, path, openOpts{width: 390, shot: "demo-390"})
	narrow.expectClean(t, "390 px")
	narrow.expectFits(t, "390 px")

	// A4 is 210 mm: 794 CSS px, 703 px inside 12 mm margins; Letter is wider.
	printed := open(t, path, openOpts{width: 703, print: true, shot: "demo-print"})
	printed.expectFits(t, "print on A4")

	noJS := open(t, path, openOpts{noJS: true, shot: "demo-nojs"})
	noJS.expectClean(t, "no JavaScript")
	noJS.expectChart(t, "no JavaScript", rep)
	if noJS.JSRan {
		t.Error("with JavaScript disabled the page's script still ran")
	}
	if noJS.Text != v.Text && !strings.Contains(noJS.Text, rep.Incidents[0].RootCause) {
		t.Error("with JavaScript disabled the page lacks the incidents")
	}
}

// TestBrowserScenarios opens the report of every scenario bundle.
func TestBrowserScenarios(t *testing.T) {
	browser(t)
	dirs, _ := filepath.Glob(filepath.Join(repoTestdata, "scenarios", "*", "expected.json"))
	if len(dirs) == 0 {
		t.Fatal("no scenario bundles")
	}
	tmp := t.TempDir()
	for _, d := range dirs {
		dir := filepath.Dir(d)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep := analyzeDir(t, dir)
			path := writePage(t, tmp, name, rep, Options{})
			v := open(t, path, openOpts{narrow: 390})
			v.expectClean(t, name)
			v.expectChart(t, name, rep)
			v.expectFits(t, name+" at 1280 px")
			v.Narrow.expectFits(t, name+" at 390 px")
		})
	}
}

// TestBrowserLong opens a generated report of five replicas over three
// weeks (light and dark screenshots) and the crafted sample report.
func TestBrowserLong(t *testing.T) {
	browser(t)
	tmp := t.TempDir()
	rep := longReport()
	path := writePage(t, tmp, "long", rep, Options{})
	v := open(t, path, openOpts{shot: "long-light"})
	v.expectClean(t, "long")
	v.expectChart(t, "long", rep)
	v.expectFits(t, "long")
	t.Logf("5 replicas, 3 weeks: %d incidents, %d failovers, loaded in %v", len(rep.Incidents), len(rep.Failovers), v.loadTime)
	open(t, path, openOpts{dark: true, shot: "long-dark"}).expectClean(t, "long dark")

	// Two replicas over ten minutes: the manual failover scenario, cut
	// around its failover.
	short := analyzeDir(t, scenarioDir("manual-failover"))
	if len(short.Failovers) != 1 || len(short.Servers) != 2 {
		t.Fatalf("the manual failover scenario has %d failovers, %d servers", len(short.Failovers), len(short.Servers))
	}
	clipReport(short, short.Failovers[0].At.Add(-5*time.Minute), short.Failovers[0].At.Add(5*time.Minute))
	sv := open(t, writePage(t, tmp, "short", short, Options{}), openOpts{shot: "short"})
	sv.expectClean(t, "short")
	sv.expectChart(t, "short", short)

	sample := sampleReport()
	sv = open(t, writePage(t, tmp, "sample", sample, Options{}), openOpts{shot: "sample"})
	sv.expectClean(t, "sample")
	sv.expectChart(t, "sample", sample)
}

// clipReport keeps the part of r between from and to, as a report of ten
// minutes of logs would be.
func clipReport(r *report.Report, from, to time.Time) {
	in := func(t time.Time) time.Time {
		if t.Before(from) {
			return from
		}
		if t.After(to) {
			return to
		}
		return t
	}
	r.Start, r.End = from, to
	for i := range r.Servers {
		r.Servers[i].Start, r.Servers[i].End = in(r.Servers[i].Start), in(r.Servers[i].End)
	}
	r.Roles = slices.DeleteFunc(r.Roles, func(s report.RoleSpan) bool { return !s.End.After(from) || !s.Start.Before(to) })
	for i := range r.Roles {
		r.Roles[i].Start, r.Roles[i].End = in(r.Roles[i].Start), in(r.Roles[i].End)
	}
	r.Timeline = slices.DeleteFunc(r.Timeline, func(e report.TimelineEntry) bool { return e.Time.Before(from) || e.Time.After(to) })
}

// TestBrowserHostile opens the hostile report: no script of the log text
// runs, no element of it exists, and its text reads as text.
func TestBrowserHostile(t *testing.T) {
	browser(t)
	tmp := t.TempDir()
	rep, n := hostileReport(t)
	for _, noJS := range []bool{false, true} {
		v := open(t, writePage(t, tmp, "hostile", rep, Options{}), openOpts{noJS: noJS, shot: "hostile"})
		v.expectClean(t, "hostile")
		v.expectChart(t, "hostile", rep)
		checkElements(t, v)
		shown := 0
		for i := 1; i <= n; i++ {
			if strings.Contains(v.Text+v.Titles, hostile(i)) {
				shown++
			}
		}
		if shown < n/3 {
			t.Errorf("only %d of %d hostile strings read as text", shown, n)
		}
	}
}

// TestBrowserHostileBundle opens the report of the demo bundle with hostile
// AG and database names, with and without JavaScript.
func TestBrowserHostileBundle(t *testing.T) {
	browser(t)
	rep := analyzeHostileBundle(t)
	path := writePage(t, t.TempDir(), "hostile-bundle", rep, Options{})
	for _, noJS := range []bool{false, true} {
		v := open(t, path, openOpts{noJS: noJS, shot: "hostile-bundle"})
		v.expectClean(t, "hostile bundle")
		v.expectChart(t, "hostile bundle", rep)
		v.expectFits(t, "hostile bundle")
		checkElements(t, v)
		if !strings.Contains(v.Text, hostileAG) || !strings.Contains(v.Text, hostileDB) {
			t.Error("the hostile names do not read as text")
		}
		if !strings.Contains(v.Titles, hostileAG) {
			t.Error("no SVG title shows the hostile AG name as text")
		}
	}
}

// checkElements fails on elements the template does not write (an img,
// a second script).
func checkElements(t *testing.T, v visit) {
	t.Helper()
	for _, e := range v.Elements {
		if !pageTags[e] {
			t.Errorf("element <%s> in the document", e)
		}
	}
	if v.Scripts != 1 {
		t.Errorf("%d script elements in the document, want 1", v.Scripts)
	}
}

// scriptJS exercises the page's script: the server filter, expand-all and
// the copy buttons.
const scriptJS = `(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const srv = document.getElementById("f-srv");
  const server = srv.options[2].value;
  srv.value = server;
  srv.dispatchEvent(new Event("change"));
  const rows = q("#events-table tbody tr");
  const shown = rows.filter(r => !r.hidden);
  const res = {
    Server: server,
    Shown: shown.length,
    ShownOther: shown.filter(r => r.getAttribute("data-srv") !== server).length,
    Dimmed: q("#tl-svg g.lane.dim").length,
    Lanes: q("#tl-svg g.lane").length,
    EventsOpen: document.querySelector("details.events").open,
    Count: document.getElementById("f-count").textContent,
  };
  srv.value = "";
  srv.dispatchEvent(new Event("change"));
  res.ShownAll = rows.filter(r => !r.hidden).length;
  const text = document.getElementById("f-text");
  text.value = "lease";
  text.dispatchEvent(new Event("input"));
  res.ShownText = rows.filter(r => !r.hidden).length;
  res.WantText = rows.filter(r => r.textContent.toLowerCase().includes("lease")).length;
  const ev = q("details.evidence");
  res.Evidence = ev.length;
  document.getElementById("expand-all").click();
  res.EvidenceOpen = ev.filter(d => d.open).length;
  res.CopyButtons = q("button.copy").length;
  res.SQLBlocks = q("pre.sql").length;
  return res;
})()`

// TestBrowserScript: the filter shows one server's events and dims the
// other lanes, the text filter matches, expand-all opens every evidence
// block, every T-SQL block has a copy button.
func TestBrowserScript(t *testing.T) {
	browser(t)
	rep := analyzeDir(t, scenarioDir("demo"))
	path := writePage(t, t.TempDir(), "demo", rep, Options{})
	ctx, cancel := chromedp.NewContext(browser(t))
	defer cancel()
	u := (&url.URL{Scheme: "file", Path: path}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Server                              string
		Shown, ShownOther, Dimmed, Lanes    int
		EventsOpen                          bool
		Count                               string
		ShownAll, ShownText, WantText       int
		Evidence, EvidenceOpen, CopyButtons int
		SQLs                                int `json:"SQLBlocks"`
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[result](scriptJS))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range rep.Timeline {
		if e.Server == r.Server {
			want++
		}
	}
	if r.Shown != want || r.ShownOther != 0 || want == 0 {
		t.Errorf("filter on %s shows %d rows (%d of other servers), want %d", r.Server, r.Shown, r.ShownOther, want)
	}
	if r.Dimmed != r.Lanes-1 {
		t.Errorf("filter on %s dims %d of %d lanes", r.Server, r.Dimmed, r.Lanes)
	}
	if !r.EventsOpen || !strings.Contains(r.Count, fmt.Sprintf("%d of %d", want, len(rep.Timeline))) {
		t.Errorf("event list open %v, count %q", r.EventsOpen, r.Count)
	}
	if r.ShownAll != len(rep.Timeline) {
		t.Errorf("no filter shows %d of %d rows", r.ShownAll, len(rep.Timeline))
	}
	if r.ShownText != r.WantText || r.WantText == 0 {
		t.Errorf("text filter shows %d rows, want %d", r.ShownText, r.WantText)
	}
	if r.Evidence == 0 || r.EvidenceOpen != r.Evidence {
		t.Errorf("expand-all opened %d of %d evidence blocks", r.EvidenceOpen, r.Evidence)
	}
	if r.SQLs == 0 || r.CopyButtons != r.SQLs {
		t.Errorf("%d copy buttons for %d T-SQL blocks", r.CopyButtons, r.SQLs)
	}
}

// TestBrowserHarnessCatches: the browser checks see what they guard against
// (a dialog, a console error, an exception, a request), so that their
// silence on the reports means something.
func TestBrowserHarnessCatches(t *testing.T) {
	browser(t)
	path := filepath.Join(t.TempDir(), "bad.html")
	bad := `<!DOCTYPE html><html><head><title>bad</title></head><body><p>x</p>
<img src="http://127.0.0.1:9/pixel.png" alt="">
<script>console.error("boom"); alert("xss"); setTimeout(function () { undefinedFunction(); }, 0);</script>
</body></html>`
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	v := open(t, path, openOpts{})
	has := func(prefix string) bool {
		for _, p := range v.problems {
			if strings.HasPrefix(p, prefix) {
				return true
			}
		}
		return false
	}
	for _, want := range []string{"dialog opened", "console.error", "exception"} {
		if !has(want) {
			t.Errorf("the harness missed: %s (saw %q)", want, v.problems)
		}
	}
	if len(v.requests) == 0 {
		t.Error("the harness missed the image request")
	}
}
