package rule_test

import (
	"fmt"
	"log"
	"time"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/agstate"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/analyzer/rules"
)

// A rule written outside the analyzer: it reports every failover after which
// an AG had no primary for more than three seconds, reads the failovers from
// the shared RolesResult, and says that a cluster outage on the old primary
// explains it, so that its finding joins the outage's incident instead of
// standing alone.
func Example() {
	slow := &rule.Rule{
		Name:     "slow-failover",
		Category: "slow_failover",
		Doc:      "Reports failovers after which the AG had no primary for more than 3 s.",
		Rank:     65, // after the failover itself (60)
		Requires: []*rule.Result{agstate.RolesResult},
		Links: []rule.Link{
			{Cause: report.CatClusterOutage, Effect: "slow_failover", Before: time.Minute, After: 5 * time.Minute, SameServer: true},
		},
		Run: func(pass *rule.Pass) {
			for _, fo := range agstate.RolesOf(pass).Failovers() {
				if fo.NoPrimary <= 3 {
					continue
				}
				pass.Report(&rule.Finding{
					Start: fo.At, End: fo.At, Servers: []string{fo.From, fo.To}, AGs: []string{fo.AG},
					Title:     "Slow failover of " + fo.AG,
					RootCause: fmt.Sprintf("%s had no primary for %.1f s.", fo.AG, fo.NoPrimary),
				})
			}
		},
	}
	rules := append(append([]*rule.Rule{}, rules.Default...), slow)
	rep, err := analyzer.AnalyzePaths([]string{"../../testdata/demo"}, analyzer.Options{Rules: rules})
	if err != nil {
		log.Fatal(err)
	}
	for _, inc := range rep.Incidents {
		fmt.Println(inc.ID, inc.Category, inc.Rules)
	}
	// Output:
	// 1 cluster_outage [cluster-outage lease-expiry slow-failover failover replica-disconnected]
	// 2 failover [failover]
	// 3 endpoint_handshake [endpoint-handshake replica-disconnected]
}
