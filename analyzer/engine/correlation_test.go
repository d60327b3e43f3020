package engine

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/analyzer/rules"
	"github.com/agtriage/agtriage/parsers"
)

// TestOngoingFromRoot: an incident is ongoing only when its root finding
// is, whatever its consequences.
func TestOngoingFromRoot(t *testing.T) {
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	root := &rule.Finding{Rule: rules.ClusterOutageRule.Name, Category: report.CatClusterOutage, Start: at, End: at.Add(5 * time.Minute), Servers: []string{"A"}, Title: "outage", RootCause: "outage"}
	open := &rule.Finding{Rule: rules.ReplicaDisconnectedRule.Name, Category: report.CatReplicaDisconnected, Start: at.Add(time.Minute), End: at.Add(3 * time.Hour), Ongoing: true,
		Servers: []string{"B", "A"}, Partner: "A", Key: "A|B", Consequence: "B could not reach A until the end of the logs"}
	incs := buildIncidents([]*rule.Finding{root, open}, rules.Default, map[*report.ConnectionWindow]string{})
	if len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
	if incs[0].Ongoing {
		t.Error("incident ongoing because of a consequence")
	}
	if !strings.Contains(incs[0].RootCause, "until the end of the logs") {
		t.Errorf("root cause %q does not name the open disconnection", incs[0].RootCause)
	}
	root.Ongoing = true
	if incs = buildIncidents([]*rule.Finding{root, open}, rules.Default, map[*report.ConnectionWindow]string{}); !incs[0].Ongoing {
		t.Error("incident not ongoing though its root is")
	}
}

// TestMergeSameCause: the same problem reported from two replicas' logs is
// one finding; different keys stay apart.
func TestMergeSameCause(t *testing.T) {
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	hs := func(server, key string, d time.Duration) *rule.Finding {
		return &rule.Finding{Rule: rules.EndpointHandshakeRule.Name, Category: report.CatEndpointHandshake, Start: at.Add(d), End: at.Add(d + 10*time.Minute),
			Servers: []string{server, "B"}, Partner: "B", Key: key, Title: key, RootCause: key, Chain: []report.Step{{Time: at.Add(d), Text: key}}}
	}
	incs := buildIncidents([]*rule.Finding{hs("A", "L|A|84|B", 0), hs("A", "L|A|84|B", 5*time.Minute), hs("A", "L|A|85|B", time.Minute)}, rules.Default, map[*report.ConnectionWindow]string{})
	if len(incs) != 2 {
		t.Fatalf("%d incidents, want 2 (State 84 merged, State 85 apart)", len(incs))
	}
	if len(incs[0].Chain) != 2 {
		t.Errorf("merged incident has %d steps, want 2", len(incs[0].Chain))
	}
}

// TestEventsOnePassEqualsTwo: events kept from the first pass (small files)
// are the same as those of a second read (large files).
func TestEventsOnePassEqualsTwo(t *testing.T) {
	for _, dir := range []string{"demo", "scenarios/xel-bundle", "scenarios/cluster-lease-cpu", "scenarios/clock-inferred"} {
		files, _ := inputs.Collect([]string{filepath.Join("..", "..", "testdata", filepath.FromSlash(dir))})
		run := func(budget int64) []string {
			defer func(b int64) { keepBudget = b }(keepBudget)
			keepBudget = budget
			var out []string
			if _, err := Events(files, Options{}, func(ev *parsers.Event) error {
				out = append(out, fmt.Sprintf("%+v", *ev))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		once, twice := run(1<<40), run(0)
		if len(once) != len(twice) || len(once) == 0 {
			t.Fatalf("%s: %d events in one pass, %d in two", dir, len(once), len(twice))
		}
		for i := range once {
			if once[i] != twice[i] {
				t.Fatalf("%s: event %d differs:\none pass:  %s\ntwo passes: %s", dir, i, once[i], twice[i])
			}
		}
	}
}
