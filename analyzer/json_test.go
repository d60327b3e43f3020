package analyzer

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/analyzer/jsonreport"
	"github.com/agtriage/agtriage/analyzer/redact"
)

// TestWriteJSONStreamsSameBytes: the streaming writer writes exactly what
// json.Encoder writes for the whole report, on the scenario bundles and on
// an empty report.
func TestWriteJSONStreamsSameBytes(t *testing.T) {
	reports := []*Report{{}, {Tool: "x <&> y", AGs: []string{}}}
	dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*"))
	dirs = append(dirs, filepath.Join("..", "testdata", "demo"))
	for _, d := range dirs {
		rep, err := AnalyzePaths([]string{d}, Options{})
		if err != nil {
			continue
		}
		reports = append(reports, rep, redact.Report(rep, redact.Options{}))
	}
	if len(reports) < 6 {
		t.Fatalf("only %d reports", len(reports))
	}
	for i, rep := range reports {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			t.Fatal(err)
		}
		if err := jsonreport.Write(&got, rep); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := got.String(), want.String()
			n := 0
			for n < len(g) && n < len(w) && g[n] == w[n] {
				n++
			}
			t.Fatalf("report %d differs at byte %d:\n got %q\nwant %q", i, n, g[max(0, n-80):min(len(g), n+80)], w[max(0, n-80):min(len(w), n+80)])
		}
	}
}
