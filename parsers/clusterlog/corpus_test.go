package clusterlog

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// corpusDir holds real third-party logs (see its PROVENANCE.md). It lives
// outside the repository; the tests skip when it is missing.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

func corpusFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Skipf("corpus file not available: %v", err)
	}
	return data
}

// stamped matches a line that holds a cluster-log timestamp anywhere.
var stamped = regexp.MustCompile(`[0-9A-Fa-f]+\.[0-9A-Fa-f]+::\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d\.\d{3}`)

// TestCorpus reads the real FailoverDetector excerpts: every line with a
// timestamp becomes an event (none is unrecognized or warned about), and the
// counts agree with the text.
func TestCorpus(t *testing.T) {
	for _, name := range []string{
		"failoverdetector_unittest_ClusterLog_TestCase_0.txt",
		"failoverdetector_cluster_log_information_excerpt.txt",
	} {
		t.Run(name, func(t *testing.T) {
			data := corpusFile(t, name)
			evs, warns, r := readAll(t, data, name, 0)
			for _, w := range warns {
				t.Errorf("warning: %v", w)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(lines) != r.Stats().Lines {
				t.Errorf("Lines = %d, text has %d", r.Stats().Lines, len(lines))
			}
			m := byLine(evs)
			n := 0
			for i, ln := range lines {
				if stamped.MatchString(ln) {
					n++
					if m[i+1] == nil {
						t.Errorf("line %d has a timestamp but no event: %q", i+1, ln)
					}
				}
			}
			if n != r.Stats().Records || n != len(evs) {
				t.Errorf("%d timestamped lines, %d records, %d events", n, r.Stats().Records, len(evs))
			}
			removed, quorum := 0, 0
			for _, ln := range lines {
				removed += strings.Count(ln, "was removed from the active failover cluster membership")
				quorum += strings.Count(ln, "shutting down because quorum was lost")
			}
			s := r.Stats()
			if s.ByKind[parsers.KindNodeRemoved] != removed || s.ByKind[parsers.KindQuorumLost] < quorum {
				t.Errorf("node_removed %d (text %d), quorum_lost %d (text >= %d)",
					s.ByKind[parsers.KindNodeRemoved], removed, s.ByKind[parsers.KindQuorumLost], quorum)
			}
		})
	}
}

// TestCorpusTestCase0 checks the events of the FailoverDetector unit-test
// cluster log: role failed (1205), node removed (1135), quorum lost (1177,
// continued on an un-prefixed line) and RHS terminated (1146).
func TestCorpusTestCase0(t *testing.T) {
	name := "failoverdetector_unittest_ClusterLog_TestCase_0.txt"
	evs, _, r := readAll(t, corpusFile(t, name), name, 0)
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, string(ev.Kind))
		if ev.Process != "System" || ev.Field("channel") != "System" {
			t.Errorf("line %d: process %q channel %q", ev.Line, ev.Process, ev.Field("channel"))
		}
	}
	want := "resource_failed node_removed quorum_lost message rhs_terminated node_removed quorum_lost rhs_terminated"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("kinds\n got %s\nwant %s", got, want)
	}
	if evs[0].AG != "ag1023" || evs[1].Replica != "ze-2016-v1" {
		t.Errorf("AG %q, node %q", evs[0].AG, evs[1].Replica)
	}
	if q := evs[2]; !strings.Contains(q.Message, "witness disk.\nRun the Validate a Configuration wizard") {
		t.Errorf("1177 continuation not joined: %q", q.Message)
	}
	if r.Stats().Continuations != 2 || r.Stats().Unrecognized != 0 {
		t.Errorf("continuations %d unrecognized %d", r.Stats().Continuations, r.Stats().Unrecognized)
	}
}

// TestCorpusRoleMoves checks the hand-collected excerpt: its leading line
// numbers are read, and the "Clustered role 'ag1023' is moving" lines become
// role moves with From and To (the failovers v1->v2 at 18:51:58 UTC and
// v2->v1 at 18:56:37 UTC match the v1 ERRORLOGs of the same lab).
func TestCorpusRoleMoves(t *testing.T) {
	name := "failoverdetector_cluster_log_information_excerpt.txt"
	data := corpusFile(t, name)
	evs, _, _ := readAll(t, data, name, 0)
	var moves []string
	for _, ev := range evs {
		if ev.Kind == parsers.KindRoleMove && ev.AG == "ag1023" && ev.Field("channel") == "Operational" {
			moves = append(moves, ev.Time.Format("15:04:05.000")+" "+ev.From+">"+ev.To+" #"+ev.Field("log_line"))
		}
	}
	want := []string{
		"18:51:58.828 ze-2016-v1>ze-2016-v2 #381",
		"18:56:37.336 ze-2016-v2>ze-2016-v1 #382",
		"20:16:33.785 ze-2016-v1>ze-2016-v2 #412",
		"21:32:48.945 ze-2016-v1>ze-2016-v2 #404",
		"22:19:06.718 ze-2016-v1>ze-2016-v1 #517",
	}
	if strings.Join(moves, "\n") != strings.Join(want, "\n") {
		t.Errorf("role moves\n got %q\nwant %q", moves, want)
	}
	text := string(data)
	if n := strings.Count(text, "Clustered role 'ag1023' is moving"); n != len(moves) {
		t.Errorf("%d moves in the text, %d events", n, len(moves))
	}
	// The RCM move lines with the failover count.
	var rcm []string
	for _, ev := range evs {
		if ev.Kind == parsers.KindRoleMove && ev.Process == "RCM" {
			rcm = append(rcm, ev.From+">"+ev.To+" "+ev.Field("move_type")+" "+ev.Field("failover_count"))
		}
	}
	if got := strings.Join(rcm, ", "); got != "ze-2016-v2>ze-2016-v1 Manual 2, ze-2016-v2>ze-2016-v2 NodeDown 2" {
		t.Errorf("RCM moves: %s", got)
	}
}
