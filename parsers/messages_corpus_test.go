package parsers

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusDir is the shared folder of real third-party logs (see its
// PROVENANCE.md). It is not part of the repository; tests skip without it.
var corpusDir = filepath.Join("..", "..", "shared", "corpus")

// corpusLine is one timestamped ERRORLOG line split into its parts.
type corpusLine struct {
	file string
	line int
	msg  string
	err  int // number of the "Error: N" header right before, same source
}

// readCorpusErrorlogs decodes every ERRORLOG-like corpus file with
// NewTextReader and returns its timestamped lines.
func readCorpusErrorlogs(t *testing.T) []corpusLine {
	t.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	var out []corpusLine
	files := 0
	for _, e := range entries {
		name := strings.ToLower(e.Name())
		if e.IsDir() || !(strings.Contains(name, "errorlog") || strings.Contains(name, "sqlserver") || strings.Contains(name, "mssql")) {
			continue
		}
		files++
		f, err := os.Open(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(NewTextReader(f))
		sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		n, pendingErr, pendingSrc := 0, 0, ""
		for sc.Scan() {
			n++
			line := strings.TrimRight(sc.Text(), "\r")
			if !IsErrorlogTimestamp([]byte(line)) || len(line) < 24 {
				continue
			}
			// "<date> <time> <source> <message>"
			rest := strings.TrimLeft(line[22:], "0123456789") // 2- or 3-digit fraction
			rest = strings.TrimLeft(rest, " ")
			src, msg, _ := strings.Cut(rest, " ")
			msg = strings.TrimLeft(msg, " ")
			cl := corpusLine{file: e.Name(), line: n, msg: msg}
			if pendingErr != 0 && src == pendingSrc {
				cl.err = pendingErr
			}
			pendingErr = 0
			if h, ok := strings.CutPrefix(msg, "Error: "); ok {
				num, _, _ := strings.Cut(h, ",")
				if v, err := strconv.Atoi(num); err == nil {
					pendingErr, pendingSrc = v, src
				}
			}
			out = append(out, cl)
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		f.Close()
	}
	if files == 0 {
		t.Skip("no ERRORLOG files in the corpus")
	}
	return out
}

func TestClassifyCorpus(t *testing.T) {
	lines := readCorpusErrorlogs(t)
	kinds := map[Kind]int{}
	counts := map[string]int{}
	for _, cl := range lines {
		pos := cl.file + ":" + strconv.Itoa(cl.line)
		ev := &Event{Message: cl.msg, Error: cl.err}
		matched := ClassifyMessage(ev)
		kinds[ev.Kind]++
		check := func(what string, cond bool) {
			counts[what]++
			if !cond {
				t.Errorf("%s: %s: got kind %q error %d AG %q from %q to %q db %q replica %q id %q reason %q\n\t%s",
					pos, what, ev.Kind, ev.Error, ev.AG, ev.From, ev.To, ev.Database, ev.Replica, ev.ReplicaID, ev.Reason, cl.msg)
			}
		}
		m := cl.msg
		switch {
		case strings.Contains(m, "The state of the local availability replica"):
			check("19406", ev.Kind == KindReplicaStateChange && ev.AG != "" && ev.From != "" && ev.To != "" &&
				strings.HasPrefix(ev.Reason, "The state changed because") && !strings.Contains(ev.Reason, "For more information"))
		case strings.Contains(m, "has been successfully established"):
			check("35202", ev.Kind == KindConnectionEstablished && ev.AG != "" && ev.Replica != "" && ev.ReplicaID != "" &&
				ev.Field("from_replica") != "" && ev.Field("from_replica_id") != "")
		case strings.Contains(m, "is changing roles from"):
			check("1480", ev.Kind == KindDatabaseRoleChange && ev.Database != "" && ev.From != "" && ev.To != "" && ev.Reason != "")
		case strings.HasPrefix(m, "A connection timeout has occurred"):
			check("35201/35206", ev.Kind == KindConnectionTimeout && ev.Replica != "" && len(ev.ReplicaID) >= 32)
		case strings.Contains(m, "Availability Groups connection with"):
			check("35266/35267", (ev.Kind == KindDatabaseConnected || ev.Kind == KindDatabaseDisconnected) &&
				ev.Database != "" && ev.Replica != "" && ev.ReplicaID != "" && ev.Field("partner_role") != "")
		case strings.Contains(m, "has lost quorum"):
			check("41092 quorum", ev.Kind == KindQuorumLost && ev.Error == 41092)
		case strings.Contains(m, "Windows Server Failover Clustering service") || strings.Contains(m, "Windows Server Failover Clustering node"):
			check("41048-41055", ev.Kind == KindClusterUnavailable || ev.Kind == KindClusterWaiting || ev.Kind == KindClusterOnline)
		case strings.Contains(m, "Login failed for user"):
			check("18456", ev.Kind == KindLoginFailed && ev.Login != "" && ev.Client != "" && ev.Reason != "")
		case strings.HasPrefix(m, "UTC adjustment:"):
			_, ok := ParseUTCAdjustment(ev.Field("utc_adjustment"))
			check("utc", ev.Kind == KindServerInfo && ok)
		case strings.HasPrefix(m, "Microsoft SQL Server 20"):
			check("banner", ev.Kind == KindStartup && ev.Field("build") != "")
		case strings.Contains(m, "preparing to transition to the"):
			check("41074/41075", ev.Kind == KindRoleTransition && ev.AG != "" && (ev.To == "PRIMARY" || ev.To == "RESOLVING"))
		case strings.Contains(m, "lease"):
			if strings.Contains(m, "excess lease time") {
				check("19424", ev.Error == 19424 && ev.Kind == KindMessage)
			} else if strings.Contains(m, "stop the lease renewal") {
				check("19420", ev.Kind == KindLeaseStopped && ev.AG != "")
			} else if strings.Contains(m, "availability group '") {
				check("lease", ev.Kind == KindLeaseExpired && ev.AG != "")
			}
		}
		// A header number the table knows must come out as that template's kind.
		if cl.err != 0 && len(table.byNum[cl.err]) > 0 {
			check("header "+strconv.Itoa(cl.err), matched && ev.Error == cl.err)
		}
	}
	for _, what := range []string{"19406", "35202", "1480", "35201/35206", "35266/35267", "41092 quorum", "18456", "utc", "banner", "lease"} {
		if counts[what] == 0 {
			t.Errorf("corpus has no %s line: the test would be vacuous", what)
		}
	}
	t.Logf("%d lines; checked %v; kinds %v", len(lines), counts, kinds)
}
