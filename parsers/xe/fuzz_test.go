package xe

import (
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// FuzzInterpret gives Interpret any event name and field values: it must
// not panic, must set a Kind, and must keep the Fields as they were.
func FuzzInterpret(f *testing.F) {
	f.Add("availability_replica_state_change", "previous_state", "PRIMARY_NORMAL", "current_state", "RESOLVING_NORMAL")
	f.Add("alwayson_ddl_executed", "statement", "ALTER AVAILABILITY GROUP [ag 1 FORCE_FAILOVER_ALLOW_DATA_LOSS", "availability_group_name", "ag 1")
	f.Add("error_reported", "error_number", "19407", "message", "The lease between availability group 'AG1' and the Windows Server Failover Cluster has expired.")
	f.Add("sp_server_diagnostics_component_result", "component", "QUERY_PROCESSING", "state", "3")
	f.Add("scheduler_monitor_non_yielding_ring_buffer_recorded", "duration", "-1", "node_id", "x")
	f.Add("wait_info", "wait_type", "PREEMPTIVE_OS_GETPROCADDRESS", "duration", "99999999999999999999")
	f.Fuzz(func(t *testing.T, name, n1, v1, n2, v2 string) {
		ev := &parsers.Event{Name: name, Fields: []parsers.Field{{Name: n1, Value: v1}, {Name: n2, Value: v2}}}
		Interpret(ev)
		if ev.Kind == "" {
			t.Fatal("Kind left empty")
		}
		if len(ev.Fields) != 2 || ev.Fields[0].Value != v1 || ev.Fields[1].Value != v2 {
			t.Fatalf("fields changed: %+v", ev.Fields)
		}
	})
}
