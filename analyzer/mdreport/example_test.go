package mdreport_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"strings"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/mdreport"
)

// Analyze a bundle and write its report as Markdown; here only the
// section headings are printed.
func ExampleWrite() {
	rep, err := analyzer.AnalyzePaths([]string{"../../testdata/scenarios/manual-failover"}, analyzer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var md bytes.Buffer
	if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(&md)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "## ") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// ## Scope
	// ## Summary
	// ## Incidents
	// ## Replica roles
	// ## Failovers
	// ## Replica connection windows
	// ## Timeline
	// ## Coverage and warnings
}
