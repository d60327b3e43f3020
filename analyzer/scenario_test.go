package analyzer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
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
		Ongoing           bool     `json:"ongoing"`
		ChainContains     []string `json:"chain_contains"`
	} `json:"incidents"`
	Failovers []struct {
		AG   string `json:"ag"`
		From string `json:"from"`
		To   string `json:"to"`
		Mode string `json:"mode"`
		At   string `json:"at"`
	} `json:"failovers"`
	Clocks      map[string]string    `json:"clocks"`
	Covered     map[string][2]string `json:"covered"`
	Background  map[string]int       `json:"background"`
	GapsContain []string             `json:"gaps_contain"`
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
			checkInvariants(t, rep)
			for name, want := range want.Covered {
				var got *report.Server
				for i := range rep.Servers {
					if sameServer(rep.Servers[i].Name, name) {
						got = &rep.Servers[i]
					}
				}
				if got == nil {
					t.Errorf("server %s not in report", name)
					continue
				}
				if s, e := got.Start.UTC().Format(time.RFC3339), got.End.UTC().Format(time.RFC3339); s != want[0] || e != want[1] {
					t.Errorf("server %s covers %s – %s, want %s – %s", name, s, e, want[0], want[1])
				}
			}
			for kind, n := range want.Background {
				if rep.Background[kind] != n {
					t.Errorf("background %s = %d, want %d", kind, rep.Background[kind], n)
				}
			}
			for kind := range rep.Background {
				for _, e := range rep.Timeline {
					if e.Kind == kind && e.Error == 18456 && strings.Contains(e.Text, "Password did not match") {
						t.Errorf("timeline shows an application login failure: %s", e.Text)
					}
				}
			}
			gaps := strings.Join(rep.Gaps, "\n")
			for _, g := range want.GapsContain {
				if !strings.Contains(gaps, g) {
					t.Errorf("gaps do not mention %q:\n%s", g, gaps)
				}
			}
			for name, method := range want.Clocks {
				found := false
				for _, s := range rep.Servers {
					if strings.EqualFold(words.HostPart(s.Name), name) || strings.EqualFold(s.Name, name) {
						found = true
						if string(s.Clock) != method {
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
			if used[i] || string(inc.Category) != w.Category {
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
		if w.Confidence != "" && string(inc.Confidence) != w.Confidence {
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
		if inc.Ongoing != w.Ongoing {
			t.Errorf("incident %d (%s) ongoing = %v, want %v", inc.ID, inc.Category, inc.Ongoing, w.Ongoing)
		}
		var chain []string
		for _, st := range inc.Chain {
			chain = append(chain, st.Text)
		}
		for _, s := range w.ChainContains {
			if !strings.Contains(strings.Join(chain, "\n"), s) {
				t.Errorf("incident %d chain does not contain %q:\n%s", inc.ID, s, strings.Join(chain, "\n"))
			}
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
		if !strings.EqualFold(got.AG, w.AG) || !sameServer(got.From, w.From) || !sameServer(got.To, w.To) || string(got.Mode) != w.Mode {
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
	return strings.EqualFold(got, want) || strings.EqualFold(words.HostPart(got), want)
}

func containsServer(list []string, s string) bool {
	for _, x := range list {
		if sameServer(x, s) {
			return true
		}
	}
	return false
}

func describe(incs []report.Incident) string {
	var parts []string
	for _, inc := range incs {
		parts = append(parts, string(inc.Category)+"("+strings.Join(inc.Servers, ",")+")")
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// checkInvariants holds for every report: one cause is one incident (no two
// incidents share a category and a root cause), every failover appears once,
// a connection window that names an incident lies within it and on its
// servers, and an incident is ongoing only when its end is the end of the
// logs.
func checkInvariants(t *testing.T, rep *Report) {
	t.Helper()
	seen := map[string]int{}
	for _, inc := range rep.Incidents {
		k := string(inc.Category) + "|" + inc.RootCause
		if id, ok := seen[k]; ok {
			t.Errorf("incidents %d and %d have the same cause: %s", id, inc.ID, inc.RootCause)
		}
		seen[k] = inc.ID
		if inc.Ongoing && inc.End.Before(rep.End.Add(-time.Hour)) {
			t.Errorf("incident %d is ongoing but ends at %s, an hour before the logs (%s)", inc.ID, inc.End, rep.End)
		}
	}
	fos := map[string]bool{}
	for _, fo := range rep.Failovers {
		k := strings.ToUpper(fo.AG) + "|" + fo.At.UTC().Format(time.RFC3339Nano)
		if fos[k] {
			t.Errorf("failover of %s at %s listed twice", fo.AG, fo.At)
		}
		fos[k] = true
		if fo.IncidentID == 0 {
			t.Errorf("failover of %s at %s belongs to no incident", fo.AG, fo.At)
		}
	}
	for _, w := range rep.Connections {
		var id int
		if _, err := fmt.Sscanf(w.Cause, "incident %d:", &id); err != nil {
			continue
		}
		if id < 1 || id > len(rep.Incidents) {
			t.Errorf("window %s -> %s names incident %d of %d", w.Server, w.Partner, id, len(rep.Incidents))
			continue
		}
		inc := rep.Incidents[id-1]
		if !containsServer(inc.Servers, w.Server) || !containsServer(inc.Servers, w.Partner) {
			t.Errorf("window %s -> %s names incident %d on %v", w.Server, w.Partner, id, inc.Servers)
		}
		if w.Start.Before(inc.Start.Add(-time.Minute)) || w.Start.After(inc.End.Add(time.Minute)) {
			t.Errorf("window %s -> %s at %s names incident %d (%s – %s)", w.Server, w.Partner, w.Start, id, inc.Start, inc.End)
		}
	}
}
