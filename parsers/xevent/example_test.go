package xevent_test

import (
	"fmt"
	"strings"

	"github.com/agtriage/agtriage/parsers/xevent"
)

// Reading an AlwaysOn_health export saved from sys.fn_xe_file_target_read_file:
// one event document per line.
func Example() {
	export := `<event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-11T09:02:41.540Z"><data name="previous_state"><value>1</value><text><![CDATA[PRIMARY_NORMAL]]></text></data><data name="current_state"><value>2</value><text><![CDATA[RESOLVING_NORMAL]]></text></data><data name="availability_group_name"><value><![CDATA[agOrders]]></value></data><data name="availability_replica_name"><value><![CDATA[SQLNODE1]]></value></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:02:41.532Z"><data name="error_number"><value>19407</value></data><data name="severity"><value>16</value></data><data name="message"><value><![CDATA[The lease between availability group 'agOrders' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster.]]></value></data></event>
<event name="error_reported" package="sqlserver" timestamp="2024-03-11T09:02:41.533Z"><data name="error_number"`
	r := xevent.NewReader(strings.NewReader(export), "AlwaysOn_health.xml")
	for ev, err := range r.Events() {
		if err != nil {
			fmt.Println("warning:", err)
			continue
		}
		fmt.Println(ev.Position(), ev.Time.Format("15:04:05.000Z"), ev.Kind, ev.AG, ev.From, ev.To, ev.Error)
	}
	s := r.Stats()
	fmt.Println(s.Events, "events,", s.TotalWarnings, "warning")
	// Output:
	// AlwaysOn_health.xml:1 09:02:41.540Z replica_state_change agOrders PRIMARY_NORMAL RESOLVING_NORMAL 0
	// AlwaysOn_health.xml:2 09:02:41.532Z lease_expired agOrders   19407
	// warning: AlwaysOn_health.xml:3: truncated export: event "error_reported" is incomplete, the file ends at offset 1184
	// 2 events, 1 warning
}
