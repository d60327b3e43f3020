package clusterlog_test

import (
	"fmt"
	"strings"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/clusterlog"
)

func Example() {
	log := `[=== Cluster Logs ===]
00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Lease timeout detected, logging perf counter data collected so far
00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)
00000b10.00001d0c::2024/03/12-15:20:44.101 ERR   [RES] SQL Server Availability Group <AG1>: [hadrag] 3/12/2024 15:19:44.0, 98.5, 402653184.000000, 0.004000, 0.012000
[Operational] 00000e40.00000c50::2024/03/12-15:20:46.019 INFO  Clustered role 'AG1' is moving from cluster node 'SQLNODE1' to cluster node 'SQLNODE3'.
`
	r := clusterlog.NewReader(strings.NewReader(log), "SQLNODE1_cluster.log")
	for ev, err := range r.Events() {
		if err != nil {
			fmt.Println("warning:", err)
			continue
		}
		fmt.Println(ev.Time.Format("2006-01-02 15:04:05.000Z07:00"), ev.Process, ev.Kind, ev.AG)
		switch ev.Kind {
		case parsers.KindRoleMove:
			fmt.Println("  from", ev.From, "to", ev.To)
		case parsers.KindLeaseExpired:
			fmt.Println("  cpu_max", ev.Field("cpu_max"), "mem_min_bytes", ev.Field("mem_min_bytes"))
		}
	}
	s := r.Stats()
	fmt.Println(s.Lines, "lines,", s.Records, "records,", s.Events, "events,", r.Sections(), "section")
	// Output:
	// 2024-03-12 15:20:44.101Z RES lease_expired AG1
	//   cpu_max 98.5 mem_min_bytes 402653184
	// 2024-03-12 15:20:46.019Z Operational role_move AG1
	//   from SQLNODE1 to SQLNODE3
	// 5 lines, 4 records, 2 events, 1 section
}
