package winevent_test

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/winevent"
)

// A reader of an event-log format fills a Record; Fill gives the Event.
func ExampleRecord_Fill() {
	rec := winevent.Record{
		Provider: "Microsoft-Windows-FailoverClustering",
		EventID:  "1135",
		Level:    "1",
		Channel:  "System",
		Computer: "SQLNODE2.contoso.local",
		RecordID: "88120",
		Time:     time.Date(2024, 3, 14, 7, 17, 20, 230456000, time.UTC),
		Data:     []parsers.Field{{Name: "NodeName", Value: "SQLNODE1"}},
	}
	var ev parsers.Event
	rec.Fill(&ev)
	fmt.Println(ev.Server, ev.Kind, ev.Replica, ev.Field("Level"))
	fmt.Println(ev.Message)
	// Output:
	// SQLNODE2 node_removed SQLNODE1 Critical
	// Cluster node 'SQLNODE1' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster.
}
