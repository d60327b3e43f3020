package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestHostileCLI covers the command-line side of issue 12: a named pipe or
// a device named directly, flag values that match nothing, and a date the
// JSON writer cannot print, each next to a good bundle that must be read in
// full.
func TestHostileCLI(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	full := parseReport(t, agt(t, runOpts{}, "-f", "json", demo).stdout)
	tmp := t.TempDir()
	goodEvents := func(t *testing.T, out string) {
		t.Helper()
		got := parseReport(t, out)
		if g, w := strings.Join(got.incidentKeys(), "\n"), strings.Join(full.incidentKeys(), "\n"); g != w {
			t.Errorf("the good bundle was not read in full: incidents\n%s\nwant\n%s", g, w)
		}
	}

	t.Run("fifo-named-directly", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no named pipes")
		}
		fifo := filepath.Join(tmp, "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
		r := agt(t, runOpts{}, "-f", "json", fifo, demo)
		r.expectCode(t, 0)
		if !strings.Contains(r.stderr, "fifo: empty file") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		goodEvents(t, r.stdout)
	})
	t.Run("device-named-directly", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		r := agt(t, runOpts{}, "-f", "json", "/dev/zero", demo)
		r.expectCode(t, 1)
		if !strings.Contains(r.stderr, "skipped /dev/zero: character device") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		goodEvents(t, r.stdout)
	})
	t.Run("utc-offset-unknown-server", func(t *testing.T) {
		r := agt(t, runOpts{}, "-f", "json", "--utc-offset", "NOSUCH=+01:00", demo)
		r.expectCode(t, 1)
		if !strings.Contains(r.stderr, "--utc-offset NOSUCH: no server of that name") || !strings.Contains(r.stderr, "SQLAG01") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		if !strings.Contains(r.stdout, "--utc-offset NOSUCH") {
			t.Errorf("the report does not carry the warning")
		}
		goodEvents(t, r.stdout)
	})
	t.Run("utc-offset-known-server", func(t *testing.T) {
		r := agt(t, runOpts{}, "-f", "json", "--utc-offset", "sqlag01=-05:00", demo)
		if strings.Contains(r.stderr, "--utc-offset") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("server-nonexistent-path", func(t *testing.T) {
		r := agt(t, runOpts{}, "-f", "json", "--server", "X=/nonexistent", demo)
		r.expectCode(t, 2)
		if !strings.Contains(r.stderr, "--server X=/nonexistent: no such file or folder") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("server-path-outside-inputs", func(t *testing.T) {
		r := agt(t, runOpts{}, "-f", "json", "--server", "X="+tmp, demo)
		r.expectCode(t, 1)
		if !strings.Contains(r.stderr, "none of the files read is under that path") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		goodEvents(t, r.stdout)
	})
	t.Run("year-9999-json", func(t *testing.T) {
		dir := filepath.Join(tmp, "future", "SQLAG09")
		os.MkdirAll(dir, 0o755)
		log := "2024-03-12 02:14:00.00 Server      UTC adjustment: -5:00\n" +
			"9999-12-31 23:59:59.99 spid9s      Starting up database 'future'.\n"
		os.WriteFile(filepath.Join(dir, "ERRORLOG"), []byte(log), 0o644)
		for _, f := range []string{"json", "markdown"} {
			r := agt(t, runOpts{}, "-f", f, filepath.Dir(dir), demo)
			r.expectCode(t, 1)
			if !strings.Contains(r.stderr, "date outside 1990-2100") || strings.Contains(r.stdout, "10000-") || strings.Contains(r.stdout, "106751") {
				t.Errorf("%s: stderr:\n%s", f, r.stderr)
			}
			if f == "json" {
				goodEvents(t, r.stdout)
			}
		}
	})
}
