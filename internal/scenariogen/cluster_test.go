package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/clusterlog"
)

var (
	// [Channel] pid.tid::YYYY/MM/DD-HH:MM:SS.mmm LEVEL [COMP] text, the level
	// padded to five columns and one blank.
	clRecordRE = regexp.MustCompile(`^(?:\[(System|Operational)\] )?([0-9a-f]{8})\.([0-9a-f]{8})::(\d{4}/\d{2}/\d{2}-\d{2}:\d{2}:\d{2}\.\d{3}) (INFO  |WARN  |ERR   |DBG   )(?:\[([A-Za-z]+)\] )?(\S.*)$`)
	clZoneRE   = regexp.MustCompile(`^UTC = localtime \+ time zone offset; the time zone offset of this machine is (-?\d+) minutes(, or (-?\d+) hours)?$`)
	clNodeRE   = regexp.MustCompile(`^Current node: name \((\S+)\) id \((\d+)\)$`)
	utcAdjRE   = regexp.MustCompile(`^UTC adjustment: (-?)(\d+):(\d{2})$`)
	movingRE   = regexp.MustCompile(`^Clustered role '(\w+)' is moving from cluster node '(\S+)' to cluster node '(\S+)'\.$`)
	perfLineRE = regexp.MustCompile(`\[hadrag\] (Date/Time, Processor time|\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{1,2}\.0, )`)
	removedRE  = regexp.MustCompile(`^Cluster node '(\S+)' was removed from the active failover cluster membership\.`)
)

// clLine is one parsed cluster.log record.
type clLine struct {
	no      int
	channel string
	at      time.Time
	comp    string
	text    string
}

// sqlLine is one ERRORLOG record on the UTC timeline.
type sqlLine struct {
	at   time.Time
	text string
}

// nodeLogs holds what the consistency checks need of one replica folder.
type nodeLogs struct {
	cl        []clLine
	errorlog  []sqlLine
	primaryAt []time.Time // XEvent arrivals in PRIMARY_NORMAL
	resolving []time.Time // XEvent PRIMARY_NORMAL -> RESOLVING_NORMAL
}

// parseClusterLog checks the layout of a generated cluster.log the way
// Get-ClusterLog writes it and returns its records; host and bias (minutes,
// UTC = local + bias) must match the header.
func parseClusterLog(t *testing.T, name string, data []byte, host string, bias int) []clLine {
	t.Helper()
	lines := decodeErrorlog(t, name, data) // UTF-16LE, BOM, CRLF
	if len(lines) < 5 || lines[0] != scenario.SecCluster {
		t.Fatalf("%s: does not open with %s", name, scenario.SecCluster)
	}
	m := clZoneRE.FindStringSubmatch(lines[1])
	if m == nil {
		t.Fatalf("%s:2: no time zone offset line: %q", name, lines[1])
	}
	got, _ := strconv.Atoi(m[1])
	if got != bias {
		t.Errorf("%s:2: time zone offset %d minutes, the ERRORLOG's UTC adjustment gives %d", name, got, bias)
	}
	if m[3] != "" {
		if h, _ := strconv.Atoi(m[3]); h*60 != got {
			t.Errorf("%s:2: %s hours disagrees with %s minutes", name, m[3], m[1])
		}
	}
	if !strings.HasPrefix(lines[2], "The logs were generated using Coordinated Universal Time (UTC).") {
		t.Errorf("%s:3: logs not declared UTC: %q", name, lines[2])
	}
	nodeSeen := false
	sections := []string{}
	section := scenario.SecCluster
	var out []clLine
	var last time.Time
	prevRecord := false // the previous line is a record or its continuation
	for i, l := range lines {
		no := i + 1
		if strings.HasPrefix(l, "[=== ") && strings.HasSuffix(l, " ===]") {
			section, last, prevRecord = l, time.Time{}, false
			sections = append(sections, l)
			continue
		}
		inEvents := section == scenario.SecSystem || section == scenario.SecOperational || section == scenario.SecLogs
		if !inEvents {
			if n := clNodeRE.FindStringSubmatch(l); n != nil {
				nodeSeen = true
				if n[1] != host {
					t.Errorf("%s:%d: current node %s in folder %s", name, no, n[1], host)
				}
			}
			if clRecordRE.MatchString(l) {
				t.Errorf("%s:%d: record in header section %s", name, no, section)
			}
			continue
		}
		r := clRecordRE.FindStringSubmatch(l)
		if r == nil {
			if l == "" && section != scenario.SecLogs {
				continue // blank paragraph lines of an event text, or a section's end
			}
			if !prevRecord || section == scenario.SecLogs {
				t.Errorf("%s:%d: not a record nor a continuation in %s: %q", name, no, section, l)
			}
			continue
		}
		prevRecord = true
		want := map[string]string{scenario.SecSystem: "System", scenario.SecOperational: "Operational", scenario.SecLogs: ""}[section]
		if r[1] != want {
			t.Errorf("%s:%d: channel %q in section %s", name, no, r[1], section)
		}
		if (r[6] == "") != (section != scenario.SecLogs) && !strings.HasPrefix(r[7], "lost quorum (status") {
			t.Errorf("%s:%d: component %q in section %s", name, no, r[6], section)
		}
		at, err := time.Parse("2006/01/02-15:04:05.000", r[4])
		if err != nil {
			t.Errorf("%s:%d: %v", name, no, err)
			continue
		}
		if at.Before(last) {
			t.Errorf("%s:%d: time goes backwards in %s", name, no, section)
		}
		last = at
		out = append(out, clLine{no: no, channel: r[1], at: at, comp: r[6], text: r[7]})
	}
	if !nodeSeen {
		t.Errorf("%s: no 'Current node' line", name)
	}
	if want := []string{scenario.SecCluster, scenario.SecNodes, scenario.SecResources, scenario.SecSystem, scenario.SecOperational, scenario.SecLogs}; strings.Join(sections, "|") != strings.Join(want, "|") {
		t.Errorf("%s: sections %q, want %q", name, sections, want)
	}
	return out
}

// readNode gathers a replica folder's files on the UTC timeline. The
// ERRORLOG's own UTC adjustment converts its local times.
func readNode(t *testing.T, files map[string][]byte, host string) (*nodeLogs, int) {
	t.Helper()
	n := &nodeLogs{}
	var offset time.Duration
	found := false
	var local []sqlLine
	for rel, data := range files {
		if filepath.Dir(rel) != host || !strings.HasPrefix(filepath.Base(rel), "ERRORLOG") {
			continue
		}
		for _, l := range decodeErrorlog(t, rel, data) {
			m := stampRE.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			at, err := time.Parse("2006-01-02 15:04:05.00", m[1])
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			if a := utcAdjRE.FindStringSubmatch(strings.TrimSpace(m[3])); a != nil {
				h, _ := strconv.Atoi(a[2])
				mi, _ := strconv.Atoi(a[3])
				offset = time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute
				if a[1] == "-" {
					offset = -offset
				}
				found = true
			}
			local = append(local, sqlLine{at: at, text: m[3]})
		}
	}
	if !found {
		t.Fatalf("%s: no UTC adjustment in the ERRORLOG", host)
	}
	for _, l := range local {
		n.errorlog = append(n.errorlog, sqlLine{at: l.at.Add(-offset), text: l.text})
	}
	xe := files[filepath.Join(host, "AlwaysOn_health.xml")]
	for _, line := range strings.Split(strings.TrimSuffix(string(xe), "\n"), "\n") {
		var d xeDoc
		if err := xml.Unmarshal([]byte(line), &d); err != nil || d.Name != "availability_replica_state_change" {
			continue
		}
		at, _ := time.Parse("2006-01-02T15:04:05.000Z", d.Timestamp)
		switch from, to := d.field("previous_state"), d.field("current_state"); {
		case to == "PRIMARY_NORMAL":
			n.primaryAt = append(n.primaryAt, at)
		case from == "PRIMARY_NORMAL" && to == "RESOLVING_NORMAL":
			n.resolving = append(n.resolving, at)
		}
	}
	return n, int(-offset / time.Minute)
}

// sqlNear reports whether the ERRORLOG has a record starting with prefix
// within [at+lo, at+hi].
func (n *nodeLogs) sqlNear(at time.Time, lo, hi time.Duration, prefix string) bool {
	for _, l := range n.errorlog {
		if d := l.at.Sub(at); d >= lo && d <= hi && strings.HasPrefix(l.text, prefix) {
			return true
		}
	}
	return false
}

func near(ts []time.Time, at time.Time, lo, hi time.Duration) bool {
	for _, x := range ts {
		if d := x.Sub(at); d >= lo && d <= hi {
			return true
		}
	}
	return false
}

// TestClusterLogsAreConsistent checks every generated cluster.log: the
// Get-ClusterLog layout and encoding, the node and time zone in its header
// against the folder and the ERRORLOG's UTC adjustment, and its UTC times
// against the SQL Server logs of the same incident: a lease timeout next to
// 19407, a role move just before the target's PRIMARY_NORMAL, a node removal
// next to that node's 41049, a lost quorum next to 41092, a health-check
// failure just before 41093, and a refused failover after which no replica
// becomes primary.
func TestClusterLogsAreConsistent(t *testing.T) {
	withCluster := 0
	for dir, b := range allBundles() {
		files, err := b.Files()
		if err != nil {
			t.Fatal(err)
		}
		logs, ids := map[string]*nodeLogs{}, map[string]bool{}
		for _, r := range b.Replicas {
			name := filepath.Join(r.Host, "cluster.log")
			data, ok := files[name]
			if !ok {
				continue
			}
			n, bias := readNode(t, files, r.Host)
			n.cl = parseClusterLog(t, filepath.Join(dir, name), data, r.Host, bias)
			logs[r.Host] = n
			ids[fmt.Sprint(r.NodeID)] = true
		}
		if len(logs) == 0 {
			continue
		}
		withCluster++
		t.Run(dir, func(t *testing.T) {
			if len(logs) != len(b.Replicas) || len(ids) != len(logs) {
				t.Fatalf("%d replicas, %d cluster logs with %d distinct node ids", len(b.Replicas), len(logs), len(ids))
			}
			var lastPrimary time.Time
			for _, n := range logs {
				for _, p := range n.primaryAt {
					if p.After(lastPrimary) {
						lastPrimary = p
					}
				}
			}
			moves := 0
			for host, n := range logs {
				for _, l := range n.cl {
					pos := fmt.Sprintf("%s/cluster.log:%d", host, l.no)
					switch {
					case strings.HasSuffix(l.text, "[hadrag] Lease timeout detected, logging perf counter data collected so far"):
						if !n.sqlNear(l.at, -2*time.Second, 2*time.Second, "The lease between availability group") {
							t.Errorf("%s: lease timeout at %s UTC without 19407 in the ERRORLOG within 2 s", pos, l.at)
						}
					case strings.HasSuffix(l.text, "[hadrag] Failure detected, diagnostics heartbeat is lost"):
						if !n.sqlNear(l.at, 0, 2*time.Second, "Always On: The local replica of availability group 'AG1' is going offline because the corresponding resource") {
							t.Errorf("%s: health-check failure at %s UTC without 41093 within 2 s", pos, l.at)
						}
					case l.comp == "QUORUM" && strings.Contains(l.text, "Lost quorum"):
						if !n.sqlNear(l.at, -2*time.Second, 2*time.Second, scenario.MsgLostQuorum) {
							t.Errorf("%s: lost quorum at %s UTC without 41092 within 2 s", pos, l.at)
						}
					case strings.HasPrefix(l.text, "Not failing over group "):
						if !near(n.resolving, l.at, -5*time.Second, 0) {
							t.Errorf("%s: refused failover at %s UTC, but the replica did not leave PRIMARY_NORMAL just before", pos, l.at)
						}
						if lastPrimary.After(l.at) {
							t.Errorf("%s: refused failover at %s UTC, yet a replica became primary at %s", pos, l.at, lastPrimary)
						}
					}
					if m := movingRE.FindStringSubmatch(l.text); m != nil && l.channel == scenario.ChOperational {
						moves++
						to := logs[m[3]]
						if m[2] != host || to == nil || !near(to.primaryAt, l.at, 0, 10*time.Second) {
							t.Errorf("%s: move %s -> %s at %s UTC not followed by PRIMARY_NORMAL on %s within 10 s", pos, m[2], m[3], l.at, m[3])
						}
						ok := false
						for _, f := range b.Expected.Failovers {
							fat, _ := time.Parse(time.RFC3339, f.At)
							if d := fat.Sub(l.at); f.From == m[2] && f.To == m[3] && d > -2*time.Second && d < 12*time.Second {
								ok = true
							}
						}
						if !ok {
							t.Errorf("%s: move %s -> %s at %s UTC is not an expected failover", pos, m[2], m[3], l.at)
						}
					}
					if m := removedRE.FindStringSubmatch(l.text); m != nil && l.channel == scenario.ChSystem {
						gone := logs[m[1]]
						if m[1] == host || gone == nil || !gone.sqlNear(l.at, -5*time.Second, 5*time.Second, scenario.WsfcMsg[41049]) {
							t.Errorf("%s: node %s removed at %s UTC, but its ERRORLOG has no 41049 within 5 s", pos, m[1], l.at)
						}
					}
				}
			}
			if moves != len(b.Expected.Failovers) {
				t.Errorf("%d role moves in the cluster logs, %d failovers expected", moves, len(b.Expected.Failovers))
			}
		})
	}
	if withCluster < 3 {
		t.Errorf("%d bundles with cluster logs, want at least 3", withCluster)
	}
}

// clusterWant is what the project's cluster-log reader must find in one
// generated cluster.log.
type clusterWant struct {
	kind  parsers.Kind
	check func(ev *parsers.Event) bool
	what  string
}

func fieldFloat(ev *parsers.Event, name string) float64 {
	f, err := strconv.ParseFloat(ev.Field(name), 64)
	if err != nil {
		return -1
	}
	return f
}

// TestClusterLogsReadBack reads every generated cluster.log with
// parsers/clusterlog: no warnings, the node and the UTC offset from the
// header, one event per record, the signals each scenario is built on, and
// no signal out of the routine chatter.
func TestClusterLogsReadBack(t *testing.T) {
	wants := map[string][]clusterWant{
		"cluster-lease-cpu/SQLAG01": {
			{parsers.KindLeaseExpired, func(ev *parsers.Event) bool {
				return fieldFloat(ev, "cpu_max") >= 98 && fieldFloat(ev, "cpu_avg") >= 98 && fieldFloat(ev, "mem_min_bytes") > 0 && fieldFloat(ev, "mem_min_bytes") < 400<<20 && ev.Field("perf_rows") == "5"
			}, "lease timeout with 5 perf rows, CPU >= 98 %, < 400 MB available"},
			{parsers.KindRoleMove, func(ev *parsers.Event) bool { return ev.From == "SQLAG01" && ev.To == "SQLAG02" && ev.AG == "AG1" }, "role move SQLAG01 -> SQLAG02"},
			{parsers.KindResourceFailed, func(ev *parsers.Event) bool { return ev.Field("resource") == "AG1" }, "AG1 IsAlive failure"},
		},
		"cluster-failover-limit/SQLAG01": {
			{parsers.KindFailoverLimit, func(ev *parsers.Event) bool {
				return ev.Field("failover_count") == "3" && ev.Field("failover_threshold_setting") == "2"
			}, "Not failing over group, failoverCount 3, threshold 2"},
			{parsers.KindFailoverLimit, func(ev *parsers.Event) bool { return ev.Field("event_id") == "1254" }, "System event 1254"},
			{parsers.KindHealthFailure, func(ev *parsers.Event) bool { return strings.Contains(ev.Message, "diagnostics heartbeat is lost") }, "health-check timeout"},
			{parsers.KindRoleMove, func(ev *parsers.Event) bool { return ev.From == "SQLAG01" && ev.To == "SQLAG02" }, "role move SQLAG01 -> SQLAG02"},
		},
		"cluster-failover-limit/SQLAG02": {
			{parsers.KindRoleMove, func(ev *parsers.Event) bool { return ev.From == "SQLAG02" && ev.To == "SQLAG01" }, "role move SQLAG02 -> SQLAG01"},
			{parsers.KindHealthFailure, func(ev *parsers.Event) bool { return true }, "health-check failure"},
		},
		"cluster-network-partition/SQLAG01": {
			{parsers.KindNodeRemoved, func(ev *parsers.Event) bool { return ev.Field("node") == "SQLAG02" }, "1135 for SQLAG02"},
			{parsers.KindHeartbeatLost, func(ev *parsers.Event) bool { return ev.Field("remote_endpoint") == "10.16.0.12:~3343~" }, "SQLAG02 unreachable"},
		},
		"cluster-network-partition/SQLAG03": {
			{parsers.KindNodeRemoved, func(ev *parsers.Event) bool { return ev.Field("node") == "SQLAG02" }, "1135 for SQLAG02"},
		},
		"cluster-network-partition/SQLAG02": {
			{parsers.KindQuorumLost, func(ev *parsers.Event) bool { return ev.Process == "QUORUM" }, "[QUORUM] Lost quorum"},
			{parsers.KindQuorumLost, func(ev *parsers.Event) bool { return ev.Field("event_id") == "1177" }, "System event 1177"},
			{parsers.KindHeartbeatLost, func(ev *parsers.Event) bool { return ev.Field("remote_node") == "1" }, "connection to node 1 broken"},
			{parsers.KindHeartbeatLost, func(ev *parsers.Event) bool { return strings.Contains(ev.Message, "missed more than 40 percent") }, "NetFT missed heartbeats"},
		},
	}
	seen := map[string]bool{}
	for dir, b := range allBundles() {
		files, err := b.Files()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Replicas {
			data, ok := files[filepath.Join(r.Host, "cluster.log")]
			if !ok {
				continue
			}
			key := filepath.Base(dir) + "/" + r.Host
			seen[key] = true
			rd := clusterlog.NewReader(bytes.NewReader(data), key+"/cluster.log")
			var evs []*parsers.Event
			for ev, err := range rd.Events() {
				if err != nil {
					t.Errorf("%s: %v", key, err)
					continue
				}
				evs = append(evs, ev)
			}
			st := rd.Stats()
			if st.Server != r.Host || !st.HasUTCOffset || st.UTCOffset != r.Offset || st.Clock != parsers.ClockUTC {
				t.Errorf("%s: server %q, offset %v (%v), clock %v; want %s, %v, UTC", key, st.Server, st.UTCOffset, st.HasUTCOffset, st.Clock, r.Host, r.Offset)
			}
			// Records are the lines with a pid.tid:: stamp; the performance
			// rows after a lease timeout are folded into its event.
			records, folded := 0, 0
			for _, l := range decodeErrorlog(t, key, data) {
				if clRecordRE.MatchString(l) {
					records++
					if perfLineRE.MatchString(l) {
						folded++
					}
				}
			}
			if st.Records != records || len(evs) != records-folded {
				t.Errorf("%s: reader found %d records and %d events; the file has %d records, %d of them performance rows", key, st.Records, len(evs), records, folded)
			}
			for _, ev := range evs {
				routine := ev.Process == "GUM" || ev.Process == "DM" || strings.HasSuffix(ev.Message, "Resource Alive result 1.") || strings.Contains(ev.Message, "RESOURCECONTROL")
				if routine && ev.Kind != parsers.KindMessage {
					t.Errorf("%s:%d: routine line read as %s: %q", key, ev.Line, ev.Kind, ev.Message)
				}
			}
			for _, w := range wants[key] {
				found := false
				for _, ev := range evs {
					if ev.Kind == w.kind && w.check(ev) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: no %s event: %s", key, w.kind, w.what)
				}
			}
		}
	}
	for key := range wants {
		if !seen[key] {
			t.Errorf("%s: no such cluster.log", key)
		}
	}
}
