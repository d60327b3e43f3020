package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestNoProgressOffTerminal: progress lines are for terminals; on a pipe or a
// file stderr holds only the messages about inputs.
func TestNoProgressOffTerminal(t *testing.T) {
	r := agt(t, runOpts{}, filepath.Join(testdata, "demo"))
	r.expectCode(t, 0)
	if strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "MB read") || strings.Contains(r.stderr, "files,") {
		t.Errorf("progress printed on a pipe:\n%q", r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if line != "" && !strings.HasPrefix(line, "agtriage: ignored ") {
			t.Errorf("unexpected stderr line %q", line)
		}
	}
}
