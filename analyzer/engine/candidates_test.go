package engine

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/analyzer/rules"
)

// TestCandidatesKeepEveryCause checks that looking for a finding's cause
// among its candidates (by time) finds what looking among all findings
// finds: the default rules' links on random findings of their categories,
// short and long, same and other servers.
func TestCandidatesKeepEveryCause(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var cats []report.Category
	for _, r := range rules.Default {
		cats = append(cats, r.Category)
	}
	servers := []string{"SQLA", "SQLB", "SQLC"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	durations := []time.Duration{0, time.Second, 40 * time.Second, 3 * time.Minute, 50 * time.Minute, 2 * time.Hour, 30 * time.Hour, 9 * 24 * time.Hour}
	checked := 0
	for round := range 1000 {
		c := newCorrelation(rules.Default)
		var fs []*rule.Finding
		for range 5 + rng.IntN(120) {
			start := base.Add(time.Duration(rng.Int64N(int64(6 * time.Hour))))
			f := &rule.Finding{
				Category: cats[rng.IntN(len(cats))], Start: start, End: start.Add(durations[rng.IntN(len(durations))]),
				Servers: []string{servers[rng.IntN(len(servers))]}, AGs: []string{"AG1"},
				Partner: servers[rng.IntN(len(servers))],
			}
			if f.Category == report.CatFailover {
				modes := []report.Mode{report.ModeAutomatic, report.ModeManual, report.ModeUnknown}
				f.Failover = &report.Failover{AG: "AG1", From: f.Servers[0], To: f.Partner, Mode: modes[rng.IntN(len(modes))], At: start}
			}
			fs = append(fs, f)
		}
		fs = c.mergeFindings(fs)
		idx := map[*rule.Finding]int{}
		for i, f := range fs {
			idx[f] = i
			if f.End.Sub(f.Start) >= longFinding {
				c.long = append(c.long, f)
			}
		}
		for _, f := range fs {
			g1, l1 := c.explainer(f, fs, idx)
			g2, l2 := c.explainerAmong(f, fs, idx)
			if g1 != g2 || l1 != l2 {
				t.Fatalf("round %d: %s at %s: candidates give %v, all findings %v", round, f.Category, f.Start, g1, g2)
			}
			if g2 != nil {
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d findings had a cause: the test does not reach the links", checked)
	}
}
