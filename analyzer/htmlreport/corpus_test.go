package htmlreport

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/report"
)

// corpusDir is the shared folder of real third-party logs; the tests that
// use it skip when it is absent.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// corpusReports analyzes the real lab ERRORLOGs of a two-node AG (with the
// lab's cluster log excerpt) and the whole corpus, or skips.
func corpusReports(t *testing.T) map[string]*report.Report {
	t.Helper()
	lab, _ := filepath.Glob(filepath.Join(corpusDir, "failoverdetector_ze-2016-v*_ERRORLOG*"))
	if len(lab) == 0 {
		t.Skip("shared corpus not present")
	}
	if excerpt := filepath.Join(corpusDir, "failoverdetector_cluster_log_information_excerpt.txt"); fileExists(excerpt) {
		lab = append(lab, excerpt)
	}
	out := map[string]*report.Report{}
	for name, paths := range map[string][]string{"corpus-lab": lab, "corpus-all": {corpusDir}} {
		rep, err := analyzer.AnalyzePaths(paths, analyzer.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Failovers) == 0 {
			t.Fatalf("%s: no failover found in the real lab logs", name)
		}
		out[name] = rep
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestCorpus renders the reports of the real logs: the page keeps its
// structure, stays under 1 MB, and in the browser shows a lane per replica,
// a band per incident and an arrow per failover without any error.
func TestCorpus(t *testing.T) {
	reps := corpusReports(t)
	tmp := t.TempDir()
	for name, rep := range reps {
		page := render(t, rep, Options{})
		t.Logf("%s: %d servers, %d incidents, %d failovers: %d bytes", name, len(rep.Servers), len(rep.Incidents), len(rep.Failovers), len(page))
		if len(page) > 1<<20 {
			t.Errorf("%s: page is %d bytes", name, len(page))
		}
		if findChromium() == "" || testing.Short() || name != "corpus-all" {
			continue // the whole corpus holds the lab's logs
		}
		path := writePage(t, tmp, name, rep, Options{})
		v := open(t, path, openOpts{shot: name, narrow: 390})
		v.expectClean(t, name)
		v.expectChart(t, name, rep)
		v.expectFits(t, name)
		v.Narrow.expectFits(t, name+" at 390 px")
	}
}
