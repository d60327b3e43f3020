package eventxml_test

import (
	"fmt"
	"strings"

	"github.com/agtriage/agtriage/parsers/eventxml"
)

// Reading the output of `wevtutil qe System /f:xml`: bare <Event> elements.
func Example() {
	export := `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-FailoverClustering' Guid='{BAF908EA-3421-4CA9-9B84-6689B8C6F85F}'/><EventID>1135</EventID><Level>1</Level><TimeCreated SystemTime='2024-03-14T07:17:20.2304560Z'/><EventRecordID>88120</EventRecordID><Channel>System</Channel><Computer>SQLNODE2.contoso.local</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='NodeName'>SQLNODE1</Data></EventData></Event>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager'/><EventID Qualifiers='49152'>7034</EventID><Level>2</Level><TimeCreated SystemTime='2024-03-14T07:18:02.5000000Z'/><EventRecordID>88121</EventRecordID><Channel>System</Channel><Computer>SQLNODE2.contoso.local</Computer></System><EventData><Data Name='param1'>SQL Server (MSSQLSERVER)</Data><Data Name='param2'>1</Data></EventData></Event>`
	r := eventxml.NewReader(strings.NewReader(export), "System.xml")
	for ev, err := range r.Events() {
		if err != nil {
			fmt.Println("warning:", err)
			continue
		}
		fmt.Println(ev.Time.Format("15:04:05Z"), ev.Server, ev.Kind, ev.Field("EventID"), ev.Message)
	}
	// Output:
	// 07:17:20Z SQLNODE2 node_removed 1135 Cluster node 'SQLNODE1' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster.
	// 07:18:02Z SQLNODE2 sql_service_down 7034 The SQL Server (MSSQLSERVER) service terminated unexpectedly. It has done this 1 time(s).
}
