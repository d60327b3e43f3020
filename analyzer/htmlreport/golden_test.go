package htmlreport

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/redact"
	"github.com/agtriage/agtriage/analyzer/report"
)

// update rewrites the golden files: go test ./analyzer/htmlreport -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// repoTestdata is the repository's testdata folder.
var repoTestdata = filepath.Join("..", "..", "testdata")

// analyzeDir analyzes a bundle folder as the CLI does.
func analyzeDir(t testing.TB, dir string) *report.Report {
	t.Helper()
	rep, err := analyzer.AnalyzePaths([]string{dir}, analyzer.Options{})
	if err != nil {
		t.Fatalf("analyze %s: %v", dir, err)
	}
	return rep
}

// render writes rep as HTML and checks the page's structure.
func render(t testing.TB, rep *report.Report, opt Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, rep, opt); err != nil {
		t.Fatal(err)
	}
	checkPage(t, b.String())
	return b.String()
}

// checkGolden compares got with testdata/golden/<name>.html, or rewrites it
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".html")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analyzer/htmlreport -run Golden -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		g, w := "", ""
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs from the golden file at line %d:\n got %q\nwant %q\n(run with -update if the change is intended)", path, i+1, words.Truncate(g, 400), words.Truncate(w, 400))
		}
	}
}

// goldenScenarios are the bundles with a golden HTML report: the demo and
// scenarios that exercise the picture (several AGs, a forced failover, a
// replica without logs, cluster outages, no incident at all).
var goldenScenarios = []string{
	"demo",
	"two-ags",
	"forced-failover",
	"lost-primary-alone",
	"wsfc-outage-failover-connect",
	"cluster-network-partition",
	"quiet",
}

func scenarioDir(name string) string {
	if name == "demo" {
		return filepath.Join(repoTestdata, "demo")
	}
	return filepath.Join(repoTestdata, "scenarios", name)
}

// TestGolden compares the HTML of the demo bundle and of a few scenarios
// with their golden files; the demo also with --tz and --redact.
func TestGolden(t *testing.T) {
	for _, name := range goldenScenarios {
		t.Run(name, func(t *testing.T) {
			rep := analyzeDir(t, scenarioDir(name))
			checkGolden(t, "scenario-"+name, render(t, rep, Options{}))
		})
	}
	t.Run("demo-tz", func(t *testing.T) {
		tz, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Skip("no time zone database:", err)
		}
		checkGolden(t, "demo-tz", render(t, analyzeDir(t, scenarioDir("demo")), Options{TZ: tz}))
	})
	t.Run("demo-redacted", func(t *testing.T) {
		checkGolden(t, "demo-redacted", render(t, redact.Report(analyzeDir(t, scenarioDir("demo")), redact.Options{}), Options{}))
	})
	t.Run("empty", func(t *testing.T) {
		checkGolden(t, "empty", render(t, &report.Report{Tool: "agtriage test"}, Options{}))
	})
}
