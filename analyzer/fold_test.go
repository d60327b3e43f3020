package analyzer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/inputs"
)

// TestStormFolding analyzes a log with two storms of handshake failures
// (10,000 and 3,000 events, two hours apart): the analyzer keeps a bounded
// number of events, yet counts and time ranges stay exact and the pause still
// separates the two incidents.
func TestStormFolding(t *testing.T) {
	var b strings.Builder
	b.WriteString("2024-03-12 00:00:00.00 Server      UTC adjustment: 0:00\r\n")
	line := func(at time.Time) {
		fmt.Fprintf(&b, "%s Logon       Database Mirroring login attempt by user 'CORP\\svc.' failed with error: 'Connection handshake failed. The login 'CORP\\svc' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.1.1.2]\r\n",
			at.Format("2006-01-02 15:04:05.00"))
	}
	start := time.Date(2024, 3, 12, 1, 0, 0, 0, time.UTC)
	at := start
	for i := 0; i < 10000; i++ {
		line(at)
		at = at.Add(5 * time.Second)
	}
	firstEnd := at.Add(-5 * time.Second)
	at = at.Add(2 * time.Hour)
	second := at
	for i := 0; i < 3000; i++ {
		line(at)
		at = at.Add(5 * time.Second)
	}
	b.WriteString(at.Add(time.Hour).Format("2006-01-02 15:04:05.00") + " spid9s      Starting up database 'msdb'.\r\n")
	dir := filepath.Join(t.TempDir(), "SQLA")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "ERRORLOG"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := Collect([]string{filepath.Dir(dir)})
	results, _ := inputs.Read(files, nil, 1, nil, nil)
	if n := len(results[0].Events); n > 3*50 {
		t.Errorf("%d events kept for two storms, want at most %d (50 whole events per storm)", n, 3*50)
	}
	if results[0].Input.NotKept < 12000 {
		t.Errorf("NotKept %d", results[0].Input.NotKept)
	}
	rep, err := AnalyzePaths([]string{filepath.Dir(dir)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Incidents) != 2 {
		t.Fatalf("%d incidents, want 2: %s", len(rep.Incidents), describe(rep.Incidents))
	}
	for i, want := range []struct {
		n          int
		start, end time.Time
	}{{10000, start, firstEnd}, {3000, second, at.Add(-5 * time.Second)}} {
		inc := rep.Incidents[i]
		if !strings.Contains(inc.Summary, fmt.Sprintf("%d failed handshakes", want.n)) {
			t.Errorf("incident %d: %q, want %d failed handshakes", i+1, inc.Summary, want.n)
		}
		if !inc.Start.Equal(want.start) || inc.End.Before(want.end) {
			t.Errorf("incident %d from %s to %s, want %s to %s", i+1, inc.Start, inc.End, want.start, want.end)
		}
	}
}
