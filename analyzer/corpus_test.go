package analyzer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// corpusDir is the shared folder of real third-party logs; tests using it
// skip when it is absent.
var corpusDir = filepath.Join("..", "..", "shared", "corpus")

// TestCorpusFailoversMatchClusterLog runs the analyzer over the real lab
// ERRORLOGs of both nodes and checks the failovers it finds against the role
// moves of the lab's cluster log excerpt: 'ag1023' moving from ze-2016-v1 to
// ze-2016-v2 at 2017/10/23-18:51:58 UTC and back at 18:56:37 UTC.
func TestCorpusFailoversMatchClusterLog(t *testing.T) {
	matches, _ := filepath.Glob(filepath.Join(corpusDir, "failoverdetector_ze-2016-v*_ERRORLOG*"))
	if len(matches) == 0 {
		t.Skip("shared corpus not present")
	}
	excerpt, err := os.ReadFile(filepath.Join(corpusDir, "failoverdetector_cluster_log_information_excerpt.txt"))
	if err != nil {
		t.Skip("cluster excerpt not present")
	}
	// The expected moves, read from the excerpt rather than typed in.
	type move struct {
		at       time.Time
		from, to string
	}
	var moves []move
	for _, line := range strings.Split(string(excerpt), "\n") {
		i := strings.Index(line, "::")
		j := strings.Index(line, "is moving from cluster node '")
		if i < 0 || j < 0 || !strings.Contains(line, "'ag1023'") {
			continue
		}
		at, err := time.Parse("2006/01/02-15:04:05.000", strings.Fields(line[i+2:])[0])
		if err != nil {
			t.Fatalf("excerpt time: %v", err)
		}
		rest := line[j+len("is moving from cluster node '"):]
		from := rest[:strings.IndexByte(rest, '\'')]
		k := strings.Index(rest, "to cluster node '")
		to := rest[k+len("to cluster node '"):]
		to = to[:strings.IndexByte(to, '\'')]
		if from != to { // the excerpt also has a move "from v1 to v1" that is no change of node
			moves = append(moves, move{at, from, to})
		}
	}
	if len(moves) < 2 {
		t.Fatalf("found %d moves in the excerpt, want at least 2", len(moves))
	}
	// The cluster excerpt is read too: its role moves join the failovers.
	files, _ := Collect(append(matches, filepath.Join(corpusDir, "failoverdetector_cluster_log_information_excerpt.txt")))
	rep, err := Analyze(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Servers {
		if !strings.HasPrefix(s.Name, "ZE-2016") {
			continue // the excerpt has no node header
		}
		if s.UTCOffset != "-07:00" || s.Clock != report.ClockErrorlog {
			t.Errorf("server %s: clock %s offset %s, want errorlog -07:00", s.Name, s.Clock, s.UTCOffset)
		}
	}
	// Every move the excerpt shows within the ERRORLOGs' span must be found,
	// between the same hosts. The cluster logs when a move starts; the
	// failover's time is when the new primary reached PRIMARY_NORMAL, so it
	// may come up to 15 s later.
	checked := 0
	for _, m := range moves {
		if m.at.Before(rep.Start) || m.at.After(rep.End) {
			continue
		}
		found := false
		for _, fo := range rep.Failovers {
			d := fo.At.Sub(m.at)
			if d < -2*time.Second || d > 15*time.Second {
				continue
			}
			found = true
			if !strings.EqualFold(words.HostPart(fo.From), m.from) || !strings.EqualFold(words.HostPart(fo.To), m.to) {
				t.Errorf("failover at %s: %s -> %s, cluster log says %s -> %s", fo.At, fo.From, fo.To, m.from, m.to)
			}
		}
		if !found {
			t.Errorf("cluster log move at %s (%s -> %s) not found among %d failovers", m.at, m.from, m.to, len(rep.Failovers))
		}
		checked++
	}
	// Each failover's causal chain quotes the cluster's move.
	moved := 0
	for _, inc := range rep.Incidents {
		for _, st := range inc.Chain {
			if strings.HasPrefix(st.Text, "The cluster moved role ag1023 from ze-2016-v") {
				moved++
			}
		}
	}
	if moved < checked {
		t.Errorf("%d chain steps quote the cluster's role move, want at least %d", moved, checked)
	}
	if checked < 2 {
		t.Errorf("only %d cluster moves fall inside the ERRORLOGs' span", checked)
	}
	for _, want := range []string{"2017-10-23T18:51:58Z", "2017-10-23T18:56:37Z"} {
		w, _ := time.Parse(time.RFC3339, want)
		ok := false
		for _, fo := range rep.Failovers {
			if d := fo.At.Sub(w); d >= -2*time.Second && d <= 5*time.Second {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no failover near %s", want)
		}
	}
	// The quorum-loss storm of 141 lines in one second is one outage.
	storm, _ := time.Parse(time.RFC3339, "2017-10-23T21:32:49Z")
	n := 0
	for _, inc := range rep.Incidents {
		if inc.Category == report.CatClusterOutage && !inc.Start.After(storm.Add(time.Second)) && !inc.End.Before(storm) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("quorum storm at %s: %d cluster_outage incidents, want 1", storm, n)
	}
}
