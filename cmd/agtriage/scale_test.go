package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/bigbundle"
)

// peakLimit is the peak resident memory allowed while analyzing a large
// bundle: the readers stream and the analyzer keeps only AG-relevant events.
const peakLimit = 80 << 20

// TestScalePeakMemory generates a 200 MB three-replica bundle of UTF-16LE
// ERRORLOGs, runs the CLI on it and checks that the incident is found and that
// peak RSS stays under peakLimit. Set AGTRIAGE_SCALE_MB=2048 to run it on 2 GB
// (about a minute on two cores); -short skips it.
func TestScalePeakMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("scale test skipped with -short")
	}
	size := int64(200)
	if s := os.Getenv("AGTRIAGE_SCALE_MB"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("AGTRIAGE_SCALE_MB=%q: %v", s, err)
		}
		size = n
	}
	dir := t.TempDir()
	written, err := bigbundle.Write(dir, size<<20)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-q", "-f", "json", dir)
	start := time.Now()
	out, err := cmd.Output()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("agtriage: %v", err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this platform")
	}
	peak := ru.Maxrss * 1024 // kilobytes on Linux
	t.Logf("%d MB of UTF-16LE ERRORLOG in %v: %.0f MB/s, peak RSS %d MB", written>>20, elapsed.Round(time.Millisecond),
		float64(written)/1e6/elapsed.Seconds(), peak>>20)
	if peak > peakLimit {
		t.Errorf("peak RSS %d MB, want under %d MB", peak>>20, peakLimit>>20)
	}
	var rep struct {
		Incidents []struct{ Category, RootCause string } `json:"incidents"`
		Failovers []struct{ From, To, Mode string }      `json:"failovers"`
		Inputs    []struct {
			Events, Unrecognized int
		} `json:"inputs"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Failovers) != 1 || rep.Failovers[0].From != "SQLNODE1" || rep.Failovers[0].To != "SQLNODE2" {
		t.Errorf("failovers %+v, want SQLNODE1 -> SQLNODE2", rep.Failovers)
	}
	cats := map[string]bool{}
	for _, inc := range rep.Incidents {
		cats[inc.Category] = true
	}
	if !cats["lease_expiry"] || !cats["endpoint_handshake"] {
		t.Errorf("incidents %+v, want a lease expiry and an endpoint handshake failure", rep.Incidents)
	}
	for _, in := range rep.Inputs {
		if in.Unrecognized != 0 {
			t.Errorf("input with %d unrecognized lines", in.Unrecognized)
		}
	}
}
