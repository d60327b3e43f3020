package htmlreport

import (
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
)

// TestClusterOutages: an outage runs from "unavailable" or "quorum lost" to
// "node is online"; without it, to the last "online" message before the
// next outage; without any, to the end of the server's logs (open). A
// startup's "online" messages make no outage.
func TestClusterOutages(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	e := func(m int, server, kind string, errno int) report.TimelineEntry {
		return report.TimelineEntry{Time: at(m), Server: server, Kind: kind, Error: errno, Text: kind}
	}
	r := &report.Report{
		End:     at(100),
		Servers: []report.Server{{Name: "A", End: at(90)}, {Name: "B", End: at(95)}, {Name: "C", End: at(99)}},
		Timeline: []report.TimelineEntry{
			e(0, "A", "cluster_online", 41051), e(0, "A", "cluster_online", 41055), // startup
			e(10, "A", "cluster_unavailable", 41048),
			e(11, "A", "quorum_lost", 41092), // same outage
			e(12, "A", "cluster_online", 41051),
			e(15, "A", "cluster_online", 41053),
			e(16, "A", "cluster_online", 41055),
			e(20, "B", "quorum_lost", 0),
			e(22, "B", "cluster_online", 41051),
			e(30, "B", "cluster_unavailable", 41048),
			e(40, "C", "cluster_unavailable", 41048),
			{Time: at(45), Server: "C", Kind: "cluster_online", Text: "Local WSFC node is online."},
			e(50, "A", "cluster_unavailable", 41049),
		},
	}
	want := []outage{
		{server: "A", start: at(10), end: at(16)},
		{server: "B", start: at(20), end: at(22)},
		{server: "B", start: at(30), end: at(95), open: true},
		{server: "C", start: at(40), end: at(45)},
		{server: "A", start: at(50), end: at(90), open: true},
	}
	got := clusterOutages(r)
	if len(got) != len(want) {
		t.Fatalf("%d outages, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.server != w.server || !g.start.Equal(w.start) || !g.end.Equal(w.end) || g.open != w.open {
			t.Errorf("outage %d: %s %v–%v open %v, want %s %v–%v open %v", i, g.server, g.start, g.end, g.open, w.server, w.start, w.end, w.open)
		}
	}
}
