package analyzer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/analyzer/mdreport"
)

// TestReadmeExcerpt checks that the report excerpt in the README is what
// `agtriage testdata/demo` prints today.
func TestReadmeExcerpt(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Skip(err)
	}
	s := string(readme)
	a := strings.Index(s, "````markdown\n")
	if a < 0 {
		t.Fatal("no ````markdown excerpt in the README")
	}
	a += len("````markdown\n")
	b := strings.Index(s[a:], "````\n")
	if b < 0 {
		t.Fatal("unterminated excerpt")
	}
	rep, err := AnalyzePaths([]string{filepath.Join("..", "testdata", "demo")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := mdreport.Write(&md, rep, mdreport.Options{}); err != nil {
		t.Fatal(err)
	}
	out := strings.ReplaceAll(md.String(), "../testdata/", "testdata/")
	for _, line := range strings.Split(s[a:a+b], "\n") {
		if line != "" && !strings.Contains(out, line) {
			t.Errorf("README excerpt line not in today's report: %q", line)
		}
	}
}
