package clusterlog

import (
	"bufio"
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

const benchSize = 64 << 20

var (
	benchOnce sync.Once
	benchData []byte
)

// benchLog returns a 64 MB UTF-16LE cluster log (BOM, CRLF) built from
// realistic lines: mostly RCM, RHS, RES and NETFT chatter, with [hadrag]
// health and lease lines, performance rows, System and Operational channel
// lines and continuations mixed in.
func benchLog() []byte {
	benchOnce.Do(func() {
		common := []string{
			"INFO  [RCM] rcm::RcmGroup::UpdateStateIfChanged: (AG%d, Online --> Online)",
			"INFO  [RHS] Resource AG%d called SetResourceLockedMode. LockedModeEnabled0, LockedModeReason0.",
			"INFO  [RES] SQL Server Availability Group <AG%d>: [hadrag] Resource Alive result 1.",
			"DBG   [NETFTAPI] received NsiParameterNotification for fe80::1c2d:7a1f:4e6b:9a1%d (IpDadStatePreferred)",
			"INFO  [GUM] Node 1: executing request locally, gumId:%d, my action: /rcm/gum/SetGroupPersistentState",
			"INFO  [RES] Network Name <AG1_SQLAGL%d>: Netbios: Slow Operation, FinishWithReply: 0",
			"DBG   [RHS] IsAliveCall::CallIntoResource(AG%d)",
		}
		rare := []string{
			"ERR   [RES] SQL Server Availability Group <AG%d>: [hadrag] Availability Group is not healthy with given HealthCheckTimeout and FailureConditionLevel",
			"WARN  [RHS] Resource AG%d IsAlive has indicated failure.",
			"INFO  [RCM] move of group AG%d from SQLNODE1(1) to SQLNODE2(2) of type MoveType::Failover is about to succeed, failoverCount=1, lastFailoverTime=2024/03/12-08:02:30.002 targeted=false",
			"INFO  [IM] got event: Remote endpoint 10.10.1.1%d:~3343~ unreachable from 10.10.1.11:~3343~",
		}
		var b bytes.Buffer
		b.WriteString("[=== Cluster ===]\r\nUTC = localtime + time zone offset; the time zone offset of this machine is 300 minutes, or 5 hours\r\nCurrent node: name (SQLNODE1) id (1)\r\n[=== Cluster Logs ===]\r\n")
		t := time.Date(2024, 3, 12, 8, 14, 3, 0, time.UTC)
		for i := 0; b.Len() < benchSize/2; i++ {
			t = t.Add(time.Duration(i%97) * time.Millisecond)
			prefix := fmt.Sprintf("%08x.%08x::%s ", 0xd1c+i%3, 0x1a2c+i%11, t.Format("2006/01/02-15:04:05.000"))
			switch {
			case i%500 == 7:
				b.WriteString(prefix + "ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Lease timeout detected, logging perf counter data collected so far\r\n")
				b.WriteString(prefix + "ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)\r\n")
				for j := 0; j < 5; j++ {
					fmt.Fprintf(&b, "%sERR   [RES] SQL Server Availability Group <AG1>: [hadrag] 3/12/2024 8:14:%d.0, %d.5, 812646400.000000, 0.004000, 0.012000\r\n", prefix, j*10, 90+j)
				}
			case i%200 == 11:
				b.WriteString("[System] " + prefix + "DBG   The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk. \r\nRun the Validate a Configuration wizard to check your network configuration.\r\n")
			case i%200 == 13:
				b.WriteString("[Operational] " + prefix + "INFO  Clustered role 'AG1' is moving from cluster node 'SQLNODE1' to cluster node 'SQLNODE2'.\r\n")
			case i%20 == 3:
				fmt.Fprintf(&b, prefix+rare[i%len(rare)]+"\r\n", i%4)
			default:
				fmt.Fprintf(&b, prefix+common[i%len(common)]+"\r\n", i%9)
			}
		}
		benchData = utf16le(b.String())
	})
	return benchData
}

// BenchmarkReader measures the reader on UTF-16LE input (MB/s of input).
func BenchmarkReader(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := NewReader(bytes.NewReader(data), "bench")
		n := 0
		for ev, err := range r.Events() {
			if err != nil {
				b.Fatal(err)
			}
			if ev != nil {
				n++
			}
		}
		if n == 0 || r.Stats().Events != n || r.Stats().ByKind[parsers.KindLeaseExpired] == 0 {
			b.Fatalf("%d events", n)
		}
	}
}

// BenchmarkBaseline only decodes the same UTF-16 input and splits it into
// lines: the floor BenchmarkReader is compared with.
func BenchmarkBaseline(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sc := bufio.NewScanner(parsers.NewTextReader(bytes.NewReader(data)))
		sc.Buffer(make([]byte, 64*1024), DefaultMaxLineBytes)
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n == 0 {
			b.Fatal(sc.Err(), n)
		}
	}
}
