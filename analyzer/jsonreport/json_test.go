package jsonreport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/internal/reporttest"
	"github.com/agtriage/agtriage/analyzer/jsonreport"
	"github.com/agtriage/agtriage/analyzer/report"
)

// whole is the report as encoding/json writes it in one piece: what the
// streaming writer must reproduce byte for byte.
func whole(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func streamed(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jsonreport.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWriteMatchesEncoder compares the streaming writer with
// json.Encoder on the sample report, on an empty one, on one whose
// values need escaping and on the report of every scenario bundle.
func TestWriteMatchesEncoder(t *testing.T) {
	odd := reporttest.Sample()
	odd.Servers[0].Name = "<SQL&1>\u2028\"x\""
	odd.Inputs = append(odd.Inputs, report.Input{File: "a\tb", Start: time.Time{}.In(time.FixedZone("X", 3600))})
	odd.Incidents[0].Databases = nil // a nil list: null, not []
	odd.Warnings = []string{}
	many := reporttest.Sample() // lists long enough to be streamed inside their structs
	for i := range 1000 {
		many.Servers[0].Files = append(many.Servers[0].Files, fmt.Sprintf("bundle/SQLA/ERRORLOG.%d", i))
		many.Incidents[0].Servers = append(many.Incidents[0].Servers, fmt.Sprintf("<node%d>", i))
	}
	reports := map[string]*report.Report{"sample": reporttest.Sample(), "empty": {}, "odd": odd, "big": reporttest.Big(300), "many": many}
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "scenarios", "*", "expected.json"))
	if len(dirs) < 5 {
		t.Fatalf("%d scenarios", len(dirs))
	}
	for _, d := range dirs {
		r, err := analyzer.AnalyzePaths([]string{filepath.Dir(d)}, analyzer.Options{})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		reports[filepath.Base(filepath.Dir(d))] = r
	}
	for name, r := range reports {
		want, got := whole(t, r), streamed(t, r)
		if !bytes.Equal(want, got) {
			i := 0
			for i < min(len(want), len(got)) && want[i] == got[i] {
				i++
			}
			t.Errorf("%s: differs from json.Encoder at byte %d:\n got %q\nwant %q", name, i,
				got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
		}
	}
}
