// Command scenariogen writes the incident scenario bundles under
// testdata/scenarios and the demo bundle under testdata/demo.
//
// Each bundle holds one folder per replica (ERRORLOG generations in UTF-16LE
// with BOM and CRLF, like a Windows ERRORLOG, AlwaysOn_health.xml with one
// event_data document per line and, in the cluster-* scenarios, the node's
// cluster.log as Get-ClusterLog writes it; replicas marked so write their
// AlwaysOn_health events as a binary AlwaysOn_health_0_<FILETIME>.xel with
// internal/xelwrite, or their errorlog as SQL Server on Linux does: 8-bit
// Windows-1252 text with LF) and an expected.json with the incidents,
// failovers and clock methods the analyzer must report. Every scenario is
// written from UTC event times and each replica's UTC offset, so the local
// ERRORLOG times and the XEvent UTC times agree. The output is deterministic:
// run it again and git sees no change.
//
// This package holds the scenarios, one builder per incident; the writers
// they call (replicas, ERRORLOG, XEvent, cluster-log and event-log files,
// expected.json) are in internal/scenariogen/scenario.
//
// Usage, from the repository root:
//
//	go run ./internal/scenariogen [-root testdata]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// scenarios lists every bundle builder; the demo is written to root/demo.
var scenarios = []func() *scenario.Bundle{
	wsfcOutageFailoverConnect,
	leaseTimeoutStall,
	manualFailover,
	forcedFailover,
	endpointOwnerChange,
	certificateExpired,
	quorumStorm,
	quiet,
	clockInferred,
	clusterLeaseCPU,
	clusterFailoverLimit,
	clusterNetworkPartition,
	xelBundle,
	twoAGs,
	linux8bit,
	logFullDisconnected,
	handshakeAfterFailback,
	outagesRecovered,
	lostPrimaryAlone,
	restartLongDisconnect,
	healthFailoverFCL5,
	healthLeaseFCL3,
	crashEventLog,
	hostCrashBoot,
	hostCrashCriticalOnly,
}

// pending lists the bundles whose expectations wait for analyzer work; they
// are written to root/pending, which the analyzer's scenario test does not
// walk.
var pending = []func() *scenario.Bundle{}

func main() {
	root := flag.String("root", "testdata", "testdata directory to write scenarios/ and demo/ into")
	flag.Parse()
	if err := writeAll(*root); err != nil {
		fmt.Fprintln(os.Stderr, "scenariogen:", err)
		os.Exit(1)
	}
}

// writeAll (re)writes every scenario bundle and the demo under root.
func writeAll(root string) error {
	for _, build := range scenarios {
		b := build()
		if err := b.Write(filepath.Join(root, "scenarios", b.Name)); err != nil {
			return err
		}
	}
	for _, build := range pending {
		b := build()
		if err := b.Write(filepath.Join(root, "pending", b.Name)); err != nil {
			return err
		}
	}
	return demo().Write(filepath.Join(root, "demo"))
}

// utc parses a UTC time "2006-01-02 15:04:05.000".
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999", s)
	if err != nil {
		panic(err) // scenario literals only
	}
	return t
}

// rfc formats a failover time for expected.json.
func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }
