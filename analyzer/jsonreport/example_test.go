package jsonreport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/jsonreport"
)

// Analyze a bundle and write its report as JSON; a program reading it back
// needs only the fields it uses.
func ExampleWrite() {
	rep, err := analyzer.AnalyzePaths([]string{"../../testdata/scenarios/manual-failover"}, analyzer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	if err := jsonreport.Write(&out, rep); err != nil {
		log.Fatal(err)
	}
	var back struct {
		Incidents []struct {
			Category  string `json:"category"`
			RootCause string `json:"root_cause"`
		} `json:"incidents"`
		Failovers []struct {
			From string `json:"from"`
			To   string `json:"to"`
			Mode string `json:"mode"`
		} `json:"failovers"`
	}
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		log.Fatal(err)
	}
	for _, f := range back.Failovers {
		fmt.Printf("%s → %s (%s)\n", f.From, f.To, f.Mode)
	}
	fmt.Println(back.Incidents[0].Category)
	// Output:
	// SQLAG01 → SQLAG02 (manual)
	// failover
}
