package xel_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/agtriage/agtriage/parsers/xel"
)

func Example() {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "xel", "sample.xel"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	r := xel.NewReader(f, "AlwaysOn_health_0.xel")
	for ev, err := range r.Events() {
		if err != nil {
			fmt.Println("warning:", err)
			continue
		}
		msg := ev.Message
		if len(msg) > 60 {
			msg = msg[:60] + "..."
		}
		fmt.Println(ev.Position(), ev.Time.Format("15:04:05.0000000Z"), ev.Kind, ev.Error)
		fmt.Println("   ", msg)
	}
	s := r.Stats()
	fmt.Println(s.Format, s.Encoding, s.Server, s.Events, "events in", s.Bytes, "bytes")
	// Output:
	// AlwaysOn_health_0.xel@4173 07:00:01.2345678Z connection_established 35202
	//     A connection for availability group 'AG1' from availability ...
	// AlwaysOn_health_0.xel@4800 07:00:02.0000000Z replica_state_change 0
	//     availability_replica_state_change: AG1 replica 'SQLAG01' PRI...
	// AlwaysOn_health_0.xel@5197 07:00:03.0000000Z cluster_unavailable 41048
	//     Always On Availability Groups: Local Windows Server Failover...
	// xel binary SQLAG01 3 events in 5632 bytes
}
