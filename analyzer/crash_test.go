package analyzer

import (
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/evtxwrite"
	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// TestCrashWithoutDownTime: a host crash recorded only by Kernel-Power 41
// at the next boot starts when the partner lost sight of the host for good,
// not at an earlier connection blip that healed, and not at the boot.
func TestCrashWithoutDownTime(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04:05.00", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	g := scenario.AG{Name: "AGT", DBs: []string{"T1"}}
	r1 := scenario.NewReplica("SQLT01", "10.9.0.1", `CORP\sqlt`, scenario.Hours(-5))
	r2 := scenario.NewReplica("SQLT02", "10.9.0.2", `CORP\sqlt`, scenario.Hours(-5))
	t0 := r2.Startup(utc("2025-10-01 20:00:00.00"), 5000, g)
	r2.StartAsSecondary(t0, g, r1)
	r1.CycledHeader(utc("2025-10-02 00:00:00.00"), 3000)
	// 01:10: a blip that healed two minutes later.
	r2.ConnectionLost(utc("2025-10-02 01:10:00.00"), "spid40s", r1)
	r2.Connected(utc("2025-10-02 01:12:00.00"), "spid40s", g, r1)
	// 02:30: the crash; the failover follows.
	r2.ConnectionLost(utc("2025-10-02 02:30:09.00"), "spid40s", r1)
	r2.StateChange(utc("2025-10-02 02:30:20.00"), "spid77s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r2.Promote(utc("2025-10-02 02:30:25.00"), "spid77s", g, "RESOLVING_NORMAL")
	// 03:05: the boot.
	r1.Sys(evtxwrite.KernelPower41(utc("2025-10-02 03:05:00.00"), "SQLT01.corp.local", 0))
	b := &scenario.Bundle{Name: "crash-41", Replicas: []*scenario.Replica{r1, r2}}
	dir := t.TempDir()
	if err := b.Write(dir); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var chain []string
	for _, inc := range rep.Incidents {
		if inc.Category != "crash" {
			continue
		}
		if want := utc("2025-10-02 02:30:09.00"); !inc.Start.Equal(want) {
			t.Errorf("crash starts at %s, want %s", inc.Start, want)
		}
		for _, st := range inc.Chain {
			chain = append(chain, st.Text)
		}
	}
	if got := strings.Join(chain, "\n"); !strings.Contains(got, "SQLT01 went down by 02:30:09 UTC, when SQLT02 lost its connection to it") {
		t.Errorf("no crash, or its chain does not date it from the lasting loss:\n%s", got)
	}
}

// TestFailoverTriggerNodeRemoved: the surviving node's record that the
// primary's node was removed from the cluster (1135) names the trigger of
// the automatic failover, though the primary logged nothing.
func TestFailoverTriggerNodeRemoved(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04:05.00", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	g := scenario.AG{Name: "AGN", DBs: []string{"N1"}}
	r1 := scenario.NewReplica("SQLN01", "10.9.1.1", `CORP\sqln`, scenario.Hours(1))
	r2 := scenario.NewReplica("SQLN02", "10.9.1.2", `CORP\sqln`, scenario.Hours(1))
	t0 := r2.Startup(utc("2025-10-01 20:00:00.00"), 5000, g)
	r2.StartAsSecondary(t0, g, r1)
	r1.CycledHeader(utc("2025-10-02 00:00:00.00"), 3000)
	r2.Sys(evtxwrite.NodeRemoved(utc("2025-10-02 02:30:05.00"), "SQLN02.corp.local", "SQLN01"))
	r2.StateChange(utc("2025-10-02 02:30:20.00"), "spid77s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r2.Promote(utc("2025-10-02 02:30:25.00"), "spid77s", g, "RESOLVING_NORMAL")
	dir := t.TempDir()
	if err := (&scenario.Bundle{Name: "node-removed", Replicas: []*scenario.Replica{r1, r2}}).Write(dir); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failovers) != 1 {
		t.Fatalf("%d failovers: %+v", len(rep.Failovers), rep.Failovers)
	}
	if fo := rep.Failovers[0]; fo.From != "SQLN01" || !strings.Contains(fo.Trigger, "node of SQLN01 removed from the cluster at 02:30:05 UTC (logged by SQLN02)") {
		t.Errorf("failover from %s, trigger %q: want the removal of SQLN01's node", fo.From, fo.Trigger)
	}
}
