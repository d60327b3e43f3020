package analyzer

import (
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/analyzer/mdreport"
)

// TestGoldenScenarios compares the Markdown report of every scenario folder
// and of the demo bundle with testdata/golden/scenario-<name>.md (rewrite them
// with go test ./analyzer -run GoldenScenarios -update after a deliberate
// change, and read the diff).
func TestGoldenScenarios(t *testing.T) {
	for _, dir := range scenarioDirs(t) {
		name := "scenario-" + filepath.Base(dir)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			GoldenMarkdown(t, name, analyzeDir(t, dir), mdreport.Options{})
		})
	}
}
