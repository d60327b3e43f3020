package xe

import (
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// interpret fills the structured fields of an XE event: Kind, the
// availability group and replica, states, the error number, Server and a
// one-line Message. Fields are left as read.
func interpret(ev *parsers.Event) {
	ev.Kind = parsers.KindMessage
	if s := ev.Field("server_instance_name"); s != "" {
		ev.Server = s
	}
	switch ev.Name {
	case "availability_replica_state_change":
		ev.Kind = parsers.KindReplicaStateChange
		ev.From = strings.ToUpper(ev.Field("previous_state"))
		ev.To = strings.ToUpper(ev.Field("current_state"))
		setReplica(ev)
		// The event describes the local replica: its name is the server's.
		if ev.Server == "" {
			ev.Server = ev.Replica
		}
		ev.Message = joinMsg(ev.Name+":", ev.AG, quoted("replica", ev.Replica), ev.From, "->", ev.To)
	case "availability_replica_state":
		ev.Kind = parsers.KindReplicaState
		ev.To = ev.Field("current_state")
		setReplica(ev)
		ev.Message = joinMsg(ev.Name+":", ev.AG, quoted("replica", ev.Replica), ev.To)
	case "availability_group_lease_expired":
		ev.Kind = parsers.KindLeaseExpired
		ev.AG = ev.Field("availability_group_name")
		ev.Reason = ev.Field("state")
		ev.Message = joinMsg(ev.Name+":", ev.AG, ev.Reason)
	case "availability_replica_automatic_failover_validation":
		ev.Kind = parsers.KindFailoverValidation
		setReplica(ev)
		ev.Reason = invalidatingFlags(ev)
		verdict := "valid"
		if ev.Reason != "" {
			verdict = "invalid: " + ev.Reason
		}
		ev.Message = joinMsg(ev.Name+":", ev.AG, quoted("replica", ev.Replica), verdict)
	case "availability_replica_manager_state_change":
		ev.Kind = parsers.KindManagerState
		ev.To = ev.Field("current_state")
		ev.Message = joinMsg(ev.Name+":", ev.To)
	case "alwayson_ddl_executed":
		ev.Kind = parsers.KindDDL
		ev.AG = ev.Field("availability_group_name")
		ev.Message = ev.Field("statement")
		ev.Reason = failoverClause(ev.Message)
		if ev.Message == "" {
			ev.Message = joinMsg(ev.Name+":", ev.AG, ev.Field("ddl_action"), ev.Field("ddl_phase"))
		}
	case "hadr_db_partner_set_sync_state":
		ev.Kind = parsers.KindSyncState
		ev.ReplicaID = ev.Field("replica_id")
		ev.Database = ev.Field("database_name")
		ev.Message = genericMsg(ev)
	case "lock_redo_blocked":
		ev.Kind = parsers.KindRedoBlocked
		ev.Database = ev.Field("database_name")
		ev.Message = genericMsg(ev)
	case "data_movement_suspend_resume":
		switch strings.ToUpper(ev.Field("suspend_status")) {
		case "SUSPENDED", "SUSPENDED_INVALID":
			ev.Kind = parsers.KindDataMovementSuspended
		case "RESUMED":
			ev.Kind = parsers.KindDataMovementResumed
		}
		setReplica(ev)
		ev.Database = firstField(ev, "database_name", "database_replica_name")
		ev.Reason = ev.Field("suspend_reason")
		ev.Message = genericMsg(ev)
	case "sp_server_diagnostics_component_result", "component_health_result":
		interpretComponent(ev)
	case "availability_group_is_alive_failure":
		interpretIsAlive(ev)
	case "scheduler_monitor_system_health_ring_buffer_recorded":
		interpretCPU(ev)
	case "scheduler_monitor_non_yielding_ring_buffer_recorded", "scheduler_monitor_non_yielding_iocp_ring_buffer_recorded",
		"scheduler_monitor_non_yielding_rm_ring_buffer_recorded":
		interpretNonYield(ev)
	case "wait_info", "wait_info_external":
		interpretWait(ev)
	case "info_message":
		interpretInfo(ev)
	case "error_reported":
		ev.Error = atoi(firstField(ev, "error_number", "error"))
		ev.Severity = atoi(ev.Field("severity"))
		ev.State = atoi(ev.Field("state"))
		ev.Message = ev.Field("message")
		parsers.ClassifyMessage(ev)
		if ev.Kind == "" {
			ev.Kind = parsers.KindMessage
		}
		if ev.Kind == parsers.KindMessage && stallErrors[ev.Error] {
			ev.Kind = parsers.KindStall // 17883, 17884, 845, 833 in another language
		}
	default:
		ev.Message = genericMsg(ev)
	}
}

// setReplica fills AG, Replica and ReplicaID from the availability_* fields.
func setReplica(ev *parsers.Event) {
	ev.AG = ev.Field("availability_group_name")
	ev.Replica = ev.Field("availability_replica_name")
	ev.ReplicaID = ev.Field("availability_replica_id")
}

// invalidatingFlags lists the failover-validation flags that prevent an
// automatic failover: forced_quorum TRUE, joined_and_synchronized FALSE,
// previous_primary_or_automatic_failover_target FALSE.
func invalidatingFlags(ev *parsers.Event) string {
	var bad []string
	for _, c := range [...]struct {
		name  string
		wrong string
	}{
		{"forced_quorum", "TRUE"},
		{"joined_and_synchronized", "FALSE"},
		{"previous_primary_or_automatic_failover_target", "FALSE"},
	} {
		if v := ev.Field(c.name); strings.EqualFold(v, c.wrong) {
			bad = append(bad, c.name+" "+c.wrong)
		}
	}
	return strings.Join(bad, ", ")
}

// clauseSpacer separates a bracketed name and a semicolon from the next word
// ("[ag1]FAILOVER;" is valid T-SQL).
var clauseSpacer = strings.NewReplacer("]", "] ", ";", " ; ")

// failoverClause returns "FAILOVER" or "FORCE_FAILOVER_ALLOW_DATA_LOSS" when
// stmt is an ALTER AVAILABILITY GROUP ... FAILOVER statement of that kind
// (case-insensitive, any white space), else "".
func failoverClause(stmt string) string {
	words := strings.Fields(clauseSpacer.Replace(strings.ToUpper(stmt)))
	if len(words) < 5 || words[0] != "ALTER" || words[1] != "AVAILABILITY" || words[2] != "GROUP" {
		return ""
	}
	// Skip the group name: a bare word, a [bracketed] or "quoted" name that
	// may contain spaces.
	i := 3
	if open := words[i][0]; open == '[' || open == '"' {
		closer := byte(']')
		if open == '"' {
			closer = '"'
		}
		for ; i < len(words); i++ {
			w := words[i]
			if (i > 3 || len(w) > 1) && strings.HasSuffix(w, string(closer)) {
				break
			}
		}
	}
	if i+1 >= len(words) {
		return ""
	}
	switch words[i+1] {
	case "FAILOVER":
		return "FAILOVER"
	case "FORCE_FAILOVER_ALLOW_DATA_LOSS":
		return "FORCE_FAILOVER_ALLOW_DATA_LOSS"
	}
	return ""
}

// maxMessage bounds the generic one-line rendering of an event.
const maxMessage = 300

// genericMsg renders an event as "name: field=value, ..." on one line.
func genericMsg(ev *parsers.Event) string {
	var b strings.Builder
	b.WriteString(ev.Name)
	for i, f := range ev.Fields {
		if b.Len() >= maxMessage {
			b.WriteString(" ...")
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
		b.WriteByte('=')
		v := strings.Join(strings.Fields(f.Value), " ")
		if len(v) > 80 {
			v = v[:80] + "..."
		}
		b.WriteString(v)
	}
	return b.String()
}

// joinMsg joins the non-empty parts with spaces.
func joinMsg(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// quoted renders "label 'value'", or "" when value is empty.
func quoted(label, value string) string {
	if value == "" {
		return ""
	}
	return label + " '" + value + "'"
}

func firstField(ev *parsers.Event, names ...string) string {
	for _, n := range names {
		if v := ev.Field(n); v != "" {
			return v
		}
	}
	return ""
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}
