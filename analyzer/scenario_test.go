package analyzer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// expectation is the expected.json of a scenario folder (see
// testdata/scenarios/README.md).
type expectation struct {
	Description string `json:"description"`
	Incidents   []struct {
		Category          string   `json:"category"`
		Server            string   `json:"server"`
		AG                string   `json:"ag"`
		RootCauseContains []string `json:"root_cause_contains"`
		Confidence        string   `json:"confidence"`
		FixContains       []string `json:"fix_contains"`
	} `json:"incidents"`
	Failovers []struct {
		AG   string `json:"ag"`
		From string `json:"from"`
		To   string `json:"to"`
		Mode string `json:"mode"`
		At   string `json:"at"`
	} `json:"failovers"`
	Clocks map[string]string `json:"clocks"`
}

// scenarioDirs returns the scenario folders and the demo bundle.
func scenarioDirs(t *testing.T) []string {
	dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "expected.json"))
	if demo := filepath.Join("..", "testdata", "demo", "expected.json"); fileExists(demo) {
		dirs = append(dirs, demo)
	}
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	if len(dirs) == 0 {
		t.Fatal("no scenario folders under testdata/scenarios")
	}
	return dirs
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func analyzeDir(t *testing.T, dir string) *Report {
	t.Helper()
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatalf("analyze %s: %v", dir, err)
	}
	return rep
}

// TestScenarios walks every scenario folder: the analyzer must find exactly
// the expected incidents and failovers and set the clocks as expected.
func TestScenarios(t *testing.T) {
	for _, dir := range scenarioDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want expectation
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatalf("expected.json: %v", err)
			}
			rep := analyzeDir(t, dir)
			for _, in := range rep.Inputs {
				if in.Skipped != "" && !strings.HasSuffix(in.File, ".json") && !strings.HasSuffix(in.File, ".md") {
					t.Errorf("input %s skipped: %s", in.File, in.Skipped)
				}
				if in.Unrecognized > 0 || in.TotalWarnings > 0 {
					t.Errorf("input %s: %d unrecognized, %d warnings %v", in.File, in.Unrecognized, in.TotalWarnings, in.Warnings)
				}
			}
			checkIncidents(t, rep, want)
			checkFailovers(t, rep, want)
			for name, method := range want.Clocks {
				found := false
				for _, s := range rep.Servers {
					if strings.EqualFold(hostPart(s.Name), name) || strings.EqualFold(s.Name, name) {
						found = true
						if s.Clock != method {
							t.Errorf("server %s clock %q (%s), want %q", s.Name, s.Clock, s.ClockDetail, method)
						}
					}
				}
				if !found {
					t.Errorf("server %s not in report", name)
				}
			}
		})
	}
}

func checkIncidents(t *testing.T, rep *Report, want expectation) {
	t.Helper()
	used := make([]bool, len(rep.Incidents))
	for _, w := range want.Incidents {
		match := -1
		for i, inc := range rep.Incidents {
			if used[i] || inc.Category != w.Category {
				continue
			}
			if w.Server != "" && !containsServer(inc.Servers, w.Server) {
				continue
			}
			if w.AG != "" && len(inc.AGs) > 0 && !containsServer(inc.AGs, w.AG) {
				continue
			}
			match = i
			break
		}
		if match < 0 {
			t.Errorf("missing incident %s (server %s): got %s", w.Category, w.Server, describe(rep.Incidents))
			continue
		}
		used[match] = true
		inc := rep.Incidents[match]
		for _, s := range w.RootCauseContains {
			if !strings.Contains(strings.ToLower(inc.RootCause), strings.ToLower(s)) {
				t.Errorf("incident %d root cause %q does not mention %q", inc.ID, inc.RootCause, s)
			}
		}
		if w.Confidence != "" && inc.Confidence != w.Confidence {
			t.Errorf("incident %d (%s) confidence %s (%s), want %s", inc.ID, inc.Category, inc.Confidence, inc.ConfidenceReason, w.Confidence)
		}
		fix := strings.ToLower(strings.Join(append(append([]string{}, inc.Fix.SQL...), inc.Fix.Steps...), "\n"))
		for _, s := range w.FixContains {
			if !strings.Contains(fix, strings.ToLower(s)) {
				t.Errorf("incident %d fix does not contain %q:\n%s", inc.ID, s, fix)
			}
		}
		if len(inc.Chain) == 0 {
			t.Errorf("incident %d has no causal chain", inc.ID)
		}
		for _, st := range inc.Chain {
			for _, ev := range st.Evidence {
				if ev.File == "" || ev.Line == 0 && ev.Offset == 0 {
					t.Errorf("incident %d: evidence without position: %+v", inc.ID, ev)
				}
			}
		}
	}
	for i, inc := range rep.Incidents {
		if !used[i] {
			t.Errorf("unexpected incident %d %s: %s", inc.ID, inc.Category, inc.RootCause)
		}
	}
}

func checkFailovers(t *testing.T, rep *Report, want expectation) {
	t.Helper()
	if len(rep.Failovers) != len(want.Failovers) {
		t.Errorf("%d failovers, want %d: %+v", len(rep.Failovers), len(want.Failovers), rep.Failovers)
		return
	}
	for i, w := range want.Failovers {
		got := rep.Failovers[i]
		if !strings.EqualFold(got.AG, w.AG) || !sameServer(got.From, w.From) || !sameServer(got.To, w.To) || got.Mode != w.Mode {
			t.Errorf("failover %d: %s %s -> %s %s (%s), want %s %s -> %s %s", i+1, got.AG, got.From, got.To, got.Mode, got.Trigger, w.AG, w.From, w.To, w.Mode)
		}
		if w.At != "" {
			at, err := time.Parse(time.RFC3339Nano, w.At)
			if err != nil {
				t.Fatalf("expected.json at %q: %v", w.At, err)
			}
			if d := got.At.Sub(at); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("failover %d at %s, want %s", i+1, got.At.Format(time.RFC3339Nano), w.At)
			}
		}
	}
}

func sameServer(got, want string) bool {
	return strings.EqualFold(got, want) || strings.EqualFold(hostPart(got), want)
}

func containsServer(list []string, s string) bool {
	for _, x := range list {
		if sameServer(x, s) {
			return true
		}
	}
	return false
}

func describe(incs []Incident) string {
	var parts []string
	for _, inc := range incs {
		parts = append(parts, inc.Category+"("+strings.Join(inc.Servers, ",")+")")
	}
	return "[" + strings.Join(parts, " ") + "]"
}
