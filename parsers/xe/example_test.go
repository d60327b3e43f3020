package xe_test

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// A reader of XE data fills Name, Time and Fields; Interpret gives the rest.
func ExampleInterpret() {
	ev := &parsers.Event{
		Name: "availability_replica_state_change",
		Time: time.Date(2024, 3, 11, 9, 2, 41, 540e6, time.UTC),
		Fields: []parsers.Field{
			{Name: "previous_state", Value: "PRIMARY_NORMAL"},
			{Name: "previous_state_value", Value: "1"},
			{Name: "current_state", Value: "RESOLVING_NORMAL"},
			{Name: "current_state_value", Value: "2"},
			{Name: "availability_group_name", Value: "agOrders"},
			{Name: "availability_replica_name", Value: "SQLNODE1"},
		},
	}
	xe.Interpret(ev)
	fmt.Println(ev.Kind, ev.AG, ev.Replica, ev.Server, ev.From, ev.To)
	fmt.Println(ev.Message)
	// Output:
	// replica_state_change agOrders SQLNODE1 SQLNODE1 PRIMARY_NORMAL RESOLVING_NORMAL
	// availability_replica_state_change: agOrders replica 'SQLNODE1' PRIMARY_NORMAL -> RESOLVING_NORMAL
}
