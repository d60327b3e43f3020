package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/bigbundle"
)

// TestSpeedVsIconv is the whole-process comparison of issue 16, run only on
// request (AGTRIAGE_SPEED=1; it is not a timed unit test): on one noise-heavy
// UTF-16LE ERRORLOG of AGTRIAGE_SPEED_MB megabytes (default 200; login
// failures, backups, DBCC, checkpoint chatter, one failover) it alternates
// `iconv -f UTF-16LE -t UTF-8 FILE | wc -l` and `agtriage -q -f json FILE`
// AGTRIAGE_SPEED_RUNS times (default 7) and logs the median wall times,
// their ratio, the median CPU time (user + system) and the peak RSS. AGTRIAGE_SPEED_BASE names another
// agtriage binary timed in the same rounds (before/after comparisons). It
// fails when peak RSS reaches 50 MB, and when the ratio of medians exceeds
// AGTRIAGE_SPEED_MAX if that is set. It skips when iconv or sh is absent.
func TestSpeedVsIconv(t *testing.T) {
	if os.Getenv("AGTRIAGE_SPEED") == "" {
		t.Skip("set AGTRIAGE_SPEED=1 to compare agtriage with iconv | wc -l")
	}
	for _, tool := range []string{"iconv", "wc", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	mb, runs := envInt(t, "AGTRIAGE_SPEED_MB", 200), envInt(t, "AGTRIAGE_SPEED_RUNS", 7)
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("agtriage-single-%dMB", mb)) // shared with the analyzer benchmark
	file := filepath.Join(dir, bigbundle.Replicas[0], "ERRORLOG")
	if _, err := os.Stat(file); err != nil {
		if _, err := bigbundle.WriteReplica(dir, 0, int64(mb)<<20); err != nil {
			t.Fatal(err)
		}
	}
	type tool struct {
		name  string
		args  []string
		times []time.Duration
		cpu   []time.Duration // user + system, the processes it waited for included
		rss   int64
	}
	tools := []*tool{
		{name: "iconv | wc -l", args: []string{"sh", "-c", `iconv -f UTF-16LE -t UTF-8 "$1" | wc -l`, "sh", file}},
		{name: "agtriage", args: []string{bin, "-q", "-f", "json", file}},
	}
	if base := os.Getenv("AGTRIAGE_SPEED_BASE"); base != "" {
		tools = append(tools, &tool{name: "base " + base, args: []string{base, "-q", "-f", "json", file}})
	}
	for range runs {
		for _, tl := range tools {
			cmd := exec.Command(tl.args[0], tl.args[1:]...)
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v", tl.name, err)
			}
			tl.times = append(tl.times, time.Since(start))
			tl.cpu = append(tl.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				tl.rss = max(tl.rss, ru.Maxrss*1024)
			}
		}
	}
	median := func(d []time.Duration) time.Duration {
		d = slices.Clone(d)
		slices.Sort(d)
		return d[len(d)/2]
	}
	ref := median(tools[0].times)
	for _, tl := range tools {
		m := median(tl.times)
		t.Logf("%-22s median %v of %d runs (%.0f MB/s), %.2fx iconv | wc -l, CPU %v, peak RSS %d MB", tl.name, m.Round(time.Millisecond), runs,
			float64(mb<<20)/1e6/m.Seconds(), float64(m)/float64(ref), median(tl.cpu).Round(time.Millisecond), tl.rss>>20)
	}
	if rss := tools[1].rss; rss >= 50<<20 {
		t.Errorf("agtriage peak RSS %d MB, want under 50 MB", rss>>20)
	}
	if s := os.Getenv("AGTRIAGE_SPEED_MAX"); s != "" {
		limit, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("AGTRIAGE_SPEED_MAX=%q: %v", s, err)
		}
		if r := float64(median(tools[1].times)) / float64(ref); r > limit {
			t.Errorf("agtriage takes %.2fx the time of iconv | wc -l, want at most %.2fx", r, limit)
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}
