package analyzer_test

import (
	"fmt"
	"log"

	"github.com/agtriage/agtriage/analyzer"
)

// The README's "library in five lines", run on the scenario of a manual
// failover.
func ExampleAnalyzePaths() {
	rep, err := analyzer.AnalyzePaths([]string{"../testdata/scenarios/manual-failover"}, analyzer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, inc := range rep.Incidents {
		fmt.Println(inc.Start.Format("15:04:05"), inc.Category, inc.RootCause)
	}
	// Output:
	// 04:30:02 failover A DBA failed AGOrders over manually from SQLAG01 to SQLAG02 (ALTER AVAILABILITY GROUP [AGOrders] FAILOVER;).
}
