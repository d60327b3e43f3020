package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestUsageErrors: bad flags and values exit with 2 and say what is wrong,
// without writing a report.
func TestUsageErrors(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"no-input", nil, []string{"no input", "-h"}},
		{"unknown-flag", []string{"--bogus-flag", demo}, []string{"--bogus-flag"}},
		{"unknown-shorthand", []string{"-Z", demo}, []string{"-Z"}},
		{"bad-bool", []string{"--quiet=maybe", demo}, []string{"maybe"}},
		{"missing-flag-value", []string{demo, "--since"}, []string{"since"}},
		{"format-bogus", []string{"--format", "bogus", demo}, []string{`"bogus"`, "markdown, html, json or events"}},
		{"format-short", []string{"-f", "xml", demo}, []string{`"xml"`}},
		{"since-garbage", []string{"--since", "yesterday", demo}, []string{"--since", `"yesterday"`, "RFC 3339"}},
		{"until-garbage", []string{"--until", "2024-13-45", demo}, []string{"--until", "2024-13-45"}},
		{"since-after-until", []string{"--since", "2024-03-12 13:00", "--until", "2024-03-12 12:00", demo}, []string{"--since", "after", "--until"}},
		{"tz-unknown", []string{"--tz", "Mars/Olympus_Mons", demo}, []string{"--tz", "Mars/Olympus_Mons"}},
		{"utc-offset-no-equals", []string{"--utc-offset", "SQLAG01", demo}, []string{"--utc-offset", `"SQLAG01"`, "SERVER=±hh:mm"}},
		{"utc-offset-no-server", []string{"--utc-offset", "=+02:00", demo}, []string{"--utc-offset", "SERVER=±hh:mm"}},
		{"utc-offset-bad-value", []string{"--utc-offset", "SQLAG01=two hours", demo}, []string{"--utc-offset", `"two hours"`, "+02:00"}},
		{"utc-offset-out-of-range", []string{"--utc-offset", "SQLAG01=+25:00", demo}, []string{"--utc-offset", "+25:00"}},
		{"server-no-equals", []string{"--server", "SQLAG01", demo}, []string{"--server", `"SQLAG01"`, "NAME=PATH"}},
		{"server-no-name", []string{"--server", "=" + demo, demo}, []string{"--server", "NAME=PATH"}},
		{"server-no-path", []string{"--server", "SQLAG01=", demo}, []string{"--server", "NAME=PATH"}},
		{"output-no-folder", []string{"-o", filepath.Join(t.TempDir(), "missing", "report.md"), demo}, []string{"report.md", "missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := agt(t, runOpts{}, tc.args...)
			r.expectCode(t, 2)
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
				}
			}
			if !strings.HasPrefix(r.stderr, "agtriage: ") {
				t.Errorf("stderr does not start with the program name:\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("something was written on stdout:\n%s", clip(r.stdout))
			}
		})
	}
}

// TestHelpAndVersion: -h, --help and --version exit with 0.
func TestHelpAndVersion(t *testing.T) {
	for _, flag := range []string{"-h", "--help"} {
		t.Run(flag, func(t *testing.T) {
			r := agt(t, runOpts{}, flag)
			r.expectCode(t, 0)
			// Help goes to stdout so that "agtriage -h | less" works.
			for _, s := range []string{"Usage:", "Examples:", "agtriage -o report.md incident.zip", "--since", "--utc-offset", "--redact", "--format"} {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("help does not mention %q:\n%s", s, r.stdout)
				}
			}
		})
	}
	t.Run("version", func(t *testing.T) {
		r := agt(t, runOpts{}, "--version")
		r.expectCode(t, 0)
		if !regexp.MustCompile(`^agtriage \d+\.\d+\.\d+\S*\n$`).MatchString(r.stdout) {
			t.Errorf("--version printed %q", r.stdout)
		}
		js := agt(t, runOpts{}, "-f", "json", filepath.Join(testdata, "demo"))
		if rep := parseReport(t, js.stdout); rep.Tool+"\n" != r.stdout {
			t.Errorf("the report says %q, --version %q", rep.Tool, r.stdout)
		}
	})
}

// TestTimeWindow: --since and --until narrow the report and the events.
func TestTimeWindow(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	full := parseReport(t, agt(t, runOpts{}, "-f", "json", demo).stdout)
	if len(full.Incidents) < 2 || len(full.Timeline) == 0 {
		t.Fatalf("the demo has %d incidents: too few to test the window", len(full.Incidents))
	}
	cut := time.Date(2024, 3, 12, 12, 0, 0, 0, time.UTC) // between the outage and the failback
	for _, tc := range []struct {
		name  string
		args  []string
		since time.Time
		until time.Time
	}{
		{"since", []string{"--since", "2024-03-12 12:00"}, cut, time.Time{}},
		{"since-rfc3339-zone", []string{"--since", "2024-03-12T13:00:00+01:00"}, cut, time.Time{}},
		{"until", []string{"--until", "2024-03-12T12:00:00Z"}, time.Time{}, cut},
		{"both", []string{"--since", "2024-03-12 07:00", "--until", "2024-03-12 08:00"}, cut.Add(-5 * time.Hour), cut.Add(-4 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := agt(t, runOpts{}, append([]string{"-f", "json", demo}, tc.args...)...)
			r.expectCode(t, 0)
			rep := parseReport(t, r.stdout)
			if len(rep.Timeline) == 0 || len(rep.Timeline) >= len(full.Timeline) {
				t.Errorf("%d timeline entries, %d without the window", len(rep.Timeline), len(full.Timeline))
			}
			if len(rep.Incidents) == 0 || len(rep.Incidents) >= len(full.Incidents) {
				t.Errorf("%d incidents, %d without the window", len(rep.Incidents), len(full.Incidents))
			}
			for _, e := range rep.Timeline {
				if (!tc.since.IsZero() && e.Time.Before(tc.since)) || (!tc.until.IsZero() && e.Time.After(tc.until)) {
					t.Errorf("timeline entry at %v outside the window: %.100s", e.Time, e.Text)
				}
			}
			ev := agt(t, runOpts{}, append([]string{"-f", "events", demo}, tc.args...)...)
			ev.expectCode(t, 0)
			for _, e := range checkEventLines(t, ev.stdout, -1) {
				at, _ := time.Parse(time.RFC3339Nano, e["time"].(string))
				if (!tc.since.IsZero() && at.Before(tc.since)) || (!tc.until.IsZero() && at.After(tc.until)) {
					t.Fatalf("event at %v outside the window", at)
				}
			}
		})
	}
}

// TestTZ: --tz shows local times beside UTC.
func TestTZ(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	plain := agt(t, runOpts{}, demo)
	r := agt(t, runOpts{}, "--tz", "Europe/Paris", demo)
	r.expectCode(t, 0)
	// 07:14:02 UTC on 12 March 2024 is 08:14:02 in Paris (CET, +01:00).
	if !regexp.MustCompile(`2024-03-12 08:14:02(\.\d+)? (CET|\+01:00)`).MatchString(r.stdout) {
		t.Errorf("no Paris time for the outage start in the report:\n%s", clip(r.stdout))
	}
	if strings.Contains(plain.stdout, "CET") {
		t.Error("the report without --tz shows CET times")
	}
	ny := agt(t, runOpts{}, "--tz", "America/New_York", demo)
	ny.expectCode(t, 0)
	// On 12 March 2024 New York is on daylight time (EDT, -04:00).
	if !regexp.MustCompile(`2024-03-12 03:14:02(\.\d+)? (EDT|-04:00)`).MatchString(ny.stdout) {
		t.Errorf("no New York time for the outage start in the report:\n%s", clip(ny.stdout))
	}
}

// TestOverrides: --utc-offset and --server change clocks and attribution.
func TestOverrides(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	r := agt(t, runOpts{}, "-f", "json", "--utc-offset", "SQLAG02=+02:00", demo)
	r.expectCode(t, 0)
	var found bool
	for _, s := range parseReport(t, r.stdout).Servers {
		if s.Name == "SQLAG02" {
			found = true
		}
	}
	if !found || !strings.Contains(r.stdout, `"clock": "override"`) || !strings.Contains(r.stdout, `"utc_offset": "+02:00"`) {
		t.Errorf("--utc-offset SQLAG02=+02:00 is not in the report's servers:\n%s", clip(r.stdout))
	}

	r = agt(t, runOpts{}, "-f", "json", "--server", "REPLICA-B="+filepath.Join(demo, "SQLAG02"), demo)
	r.expectCode(t, 0)
	rep := parseReport(t, r.stdout)
	if names := strings.Join(rep.serverNames(), ","); names != "REPLICA-B,SQLAG01,SQLAG03-DR" {
		t.Errorf("servers %s, want REPLICA-B,SQLAG01,SQLAG03-DR", names)
	}
}

// TestAGFilter: --ag keeps only the named group.
func TestAGFilter(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	full := parseReport(t, agt(t, runOpts{}, "-f", "json", demo).stdout)
	same := parseReport(t, agt(t, runOpts{}, "-f", "json", "--ag", "AG1", demo).stdout)
	if strings.Join(same.incidentKeys(), "\n") != strings.Join(full.incidentKeys(), "\n") ||
		strings.Join(same.failoverKeys(), "\n") != strings.Join(full.failoverKeys(), "\n") {
		t.Errorf("--ag AG1 changed the demo's findings, which all concern AG1")
	}
	if len(full.Failovers) == 0 {
		t.Fatal("the demo has no failovers")
	}
	other := agt(t, runOpts{}, "-f", "json", "--ag", "AG2", demo)
	rep := parseReport(t, other.stdout)
	if len(rep.Failovers) != 0 {
		t.Errorf("--ag AG2 kept AG1's failovers: %v", rep.failoverKeys())
	}
	for _, ag := range rep.AGs {
		if ag == "AG1" {
			t.Error("--ag AG2 reports AG1 in its scope")
		}
	}
}

// TestOutputFile: -o writes the report to a file, and a run that reads
// nothing leaves an existing file alone.
func TestOutputFile(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	tmp := t.TempDir()
	want := agt(t, runOpts{}, demo)
	for _, tc := range []struct{ name, format string }{{"report.md", "markdown"}, {"report.json", "json"}, {"events.jsonl", "events"}} {
		t.Run(tc.format, func(t *testing.T) {
			path := filepath.Join(tmp, tc.name)
			r := agt(t, runOpts{}, "-o", path, "-f", tc.format, demo)
			r.expectCode(t, 0)
			if r.stdout != "" {
				t.Errorf("-o also wrote to stdout: %s", clip(r.stdout))
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			stdout := agt(t, runOpts{}, "-f", tc.format, demo).stdout
			if string(got) != stdout {
				t.Errorf("-o %s differs from the report on stdout (%d vs %d bytes)", tc.name, len(got), len(stdout))
			}
		})
	}
	// Without -f, the extension of -o chooses the format; -f wins over it.
	for _, tc := range []struct{ name, flag, format string }{
		{"auto.html", "", "html"}, {"auto.HTM", "", "html"}, {"auto.json", "", "json"},
		{"auto.jsonl", "", "events"}, {"auto.md", "", "markdown"}, {"auto.txt", "", "markdown"},
		{"forced.md", "json", "json"}, {"forced.html", "markdown", "markdown"},
	} {
		t.Run("extension-"+tc.name, func(t *testing.T) {
			path := filepath.Join(tmp, tc.name)
			args := []string{"-o", path, demo}
			if tc.flag != "" {
				args = append([]string{"-f", tc.flag}, args...)
			}
			agt(t, runOpts{}, args...).expectCode(t, 0)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := agt(t, runOpts{}, "-f", tc.format, demo).stdout; string(got) != want {
				t.Errorf("-o %s %v did not write the %s report (%d vs %d bytes): %s", tc.name, tc.flag, tc.format, len(got), len(want), clip(string(got)))
			}
		})
	}
	t.Run("dash-is-stdout", func(t *testing.T) {
		r := agt(t, runOpts{dir: tmp}, "-o", "-", demo)
		r.expectCode(t, 0)
		if r.stdout != want.stdout {
			t.Error("-o - does not write the report on stdout")
		}
		if _, err := os.Stat(filepath.Join(tmp, "-")); err == nil {
			t.Error(`-o - created a file named "-"`)
		}
	})
	t.Run("nothing-readable-keeps-file", func(t *testing.T) {
		path := filepath.Join(tmp, "old.md")
		if err := os.WriteFile(path, []byte("yesterday's report\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := agt(t, runOpts{}, "-o", path, filepath.Join(tmp, "no-such-folder"))
		r.expectCode(t, 2)
		if got, _ := os.ReadFile(path); string(got) != "yesterday's report\n" {
			t.Errorf("a failed run overwrote the report with %q", got)
		}
		fresh := filepath.Join(tmp, "fresh.md")
		agt(t, runOpts{}, "-o", fresh, filepath.Join(tmp, "no-such-folder")).expectCode(t, 2)
		if _, err := os.Stat(fresh); err == nil {
			t.Error("a run that read nothing created the output file")
		}
	})
	t.Run("partial-writes-file", func(t *testing.T) {
		path := filepath.Join(tmp, "partial.md")
		r := agt(t, runOpts{}, "-o", path, demo, filepath.Join(tmp, "no-such-folder"))
		r.expectCode(t, 1)
		if got, _ := os.ReadFile(path); !strings.HasPrefix(string(got), "# Always On incident report") {
			t.Errorf("partial run wrote %q", clip(string(got)))
		}
	})
	t.Run("stdout-full", func(t *testing.T) {
		f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full")
		}
		f.Close()
		r := agt(t, runOpts{}, "-o", "/dev/full", demo)
		r.expectCode(t, 2)
		if !strings.Contains(r.stderr, "no space") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
}

// TestRulesFlag checks that --rules documents every rule of the analyzer.
func TestRulesFlag(t *testing.T) {
	r := agt(t, runOpts{}, "--rules")
	r.expectCode(t, 0)
	for _, name := range []string{"cluster-outage", "lease-expiry", "endpoint-handshake", "failover-limit", "GRANT CONNECT"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("--rules output lacks %q", name)
		}
	}
}

// TestEventsFromStdin checks that the events view of standard input (read
// once, unlike files, which the view reads twice) has every event.
func TestEventsFromStdin(t *testing.T) {
	path := filepath.Join(testdata, "demo", "SQLAG01", "ERRORLOG")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fromFile := agt(t, runOpts{}, "-f", "events", path)
	fromStdin := agt(t, runOpts{stdin: bytes.NewReader(data)}, "-f", "events", "-")
	fromFile.expectCode(t, 0)
	fromStdin.expectCode(t, 0)
	n := strings.Count(fromFile.stdout, "\n")
	if n < 100 || strings.Count(fromStdin.stdout, "\n") != n {
		t.Errorf("%d events from the file, %d from stdin", n, strings.Count(fromStdin.stdout, "\n"))
	}
}
