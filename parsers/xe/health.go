package xe

import (
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// The health events: sp_server_diagnostics component results as the SQLDIAG
// log (component_health_result: component and state_desc in lower case,
// state an integer) and system_health / AlwaysOn_health
// (sp_server_diagnostics_component_result: component and state are maps
// whose labels are upper case) store them, the resource DLL's IsAlive
// verdicts, and the scheduler-monitor and wait events of system_health.

// componentStates names the sp_server_diagnostics states by number.
var componentStates = [...]string{"unknown", "clean", "warning", "error"}

// interpretComponent fills a component result: Reason is the component
// (lower case, "query_processing"), To the state ("error"), AG the group of
// an availability-group row; Kind follows the state.
func interpretComponent(ev *parsers.Event) {
	comp := ev.Field("component")
	if comp == "" {
		comp = ev.Field("component_name")
	}
	ctype := ev.Field("component_type")
	state := componentState(ev)
	switch state {
	case "error":
		ev.Kind = parsers.KindHealthFailure
	case "warning":
		ev.Kind = parsers.KindHealthWarning
	default:
		ev.Kind = parsers.KindHealthReport
	}
	if isAGComponent(ctype) {
		ev.AG = comp
	} else {
		comp = strings.ToLower(comp)
	}
	ev.Reason = comp
	ev.To = state
	setHealthServer(ev, "node_name")
	fcl := ev.Field("failure_condition_level")
	if fcl != "" {
		fcl = "(failure_condition_level " + fcl + ")"
	}
	what := "component"
	if ev.AG != "" {
		what = "availability group"
	}
	ev.Message = joinMsg(ev.Name+":", what, comp, "state", state, fcl)
}

// componentState returns the state of an sp_server_diagnostics component
// result in lower case ("clean", "warning", "error", "unknown"), from
// state_desc, the state map's label or its number; "" when the event has
// none.
func componentState(ev *parsers.Event) string {
	if d := ev.Field("state_desc"); d != "" {
		return strings.ToLower(d)
	}
	s := ev.Field("state")
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		if n >= 0 && n < len(componentStates) {
			return componentStates[n]
		}
		return s
	}
	return strings.ToLower(s)
}

// isAGComponent reports whether a component_type names an availability
// group row ("Always On:AvailabilityGroup" in sp_server_diagnostics,
// "alwaysOn:AvailabilityGroup" in the SQLDIAG log).
func isAGComponent(t string) bool {
	return strings.Contains(strings.ToLower(t), "availabilitygroup")
}

// setHealthServer sets Server, when the event carries no
// server_instance_name, from the instance name and the named node field: the
// node for a default instance, node\instance for a named one.
func setHealthServer(ev *parsers.Event, nodeField string) {
	if ev.Server != "" {
		return
	}
	node, inst := ev.Field(nodeField), ev.Field("instance_name")
	switch {
	case strings.Contains(inst, `\`):
		ev.Server = inst
	case node == "":
		ev.Server = inst
	case inst == "" || strings.EqualFold(inst, "MSSQLSERVER"):
		ev.Server = node
	default:
		ev.Server = node + `\` + inst
	}
}

// interpretIsAlive fills an availability_group_is_alive_failure event.
func interpretIsAlive(ev *parsers.Event) {
	ev.Kind = parsers.KindIsAliveFailure
	ev.AG = ev.Field("availability_group_name")
	ev.Reason = ev.Field("reason")
	setHealthServer(ev, "server_name")
	ev.Message = joinMsg(ev.Name+":", ev.AG, ev.Reason)
}

// interpretInfo fills a SQLDIAG info_message: the resource DLL's own
// message (its cluster-log lines, such as a component's state change).
func interpretInfo(ev *parsers.Event) {
	ev.Message = ev.Field("message")
	if ev.Message == "" {
		ev.Message = genericMsg(ev)
	}
	setHealthServer(ev, "node_name")
}

// interpretCPU fills a scheduler_monitor_system_health_ring_buffer_recorded
// event: the SQL Server process CPU, the idle CPU and what other processes
// used (100 - idle - process).
func interpretCPU(ev *parsers.Event) {
	ev.Kind = parsers.KindCPUSample
	proc, okP := number(ev.Field("process_utilization"))
	idle, okI := number(ev.Field("system_idle"))
	if !okP || !okI {
		ev.Message = genericMsg(ev)
		return
	}
	other := max(100-idle-proc, 0)
	ev.Message = "CPU: SQL Server " + strconv.FormatInt(proc, 10) + "%, other processes " +
		strconv.FormatInt(other, 10) + "%, idle " + strconv.FormatInt(idle, 10) + "%"
}

// interpretNonYield fills a scheduler_monitor_non_yielding_ring_buffer_recorded
// event (and its IOCP and resource-monitor variants): a stall.
func interpretNonYield(ev *parsers.Event) {
	ev.Kind = parsers.KindStall
	ev.Reason = "non-yielding scheduler"
	switch {
	case strings.Contains(ev.Name, "iocp"):
		ev.Reason = "non-yielding IOCP listener"
	case strings.Contains(ev.Name, "_rm_"):
		ev.Reason = "non-yielding resource monitor"
	}
	parts := []string{ev.Name + ":", ev.Field("opcode")}
	if s := ev.Field("scheduler"); s != "" {
		parts = append(parts, "scheduler "+s)
	}
	if s := ev.Field("worker"); s != "" {
		parts = append(parts, "worker "+s)
	}
	if s := ev.Field("process_utilization"); s != "" {
		parts = append(parts, "process CPU "+s+"%")
	}
	if s := ev.Field("system_idle"); s != "" {
		parts = append(parts, "system idle "+s+"%")
	}
	ev.Message = joinMsg(parts...)
}

// interpretWait fills a wait_info or wait_info_external event: Reason is the
// wait type; Kind is KindLongWait when the duration (ms) reaches the
// threshold system_health uses for that wait.
func interpretWait(ev *parsers.Event) {
	wt := ev.Field("wait_type")
	ev.Reason = wt
	d, ok := number(ev.Field("duration"))
	if ok && d >= longWaitMs(ev.Name, wt) {
		ev.Kind = parsers.KindLongWait
	}
	if !ok {
		ev.Message = genericMsg(ev)
		return
	}
	msg := ev.Name + ": " + wt + " waited " + strconv.FormatFloat(float64(d)/1000, 'f', -1, 64) + " s"
	if s := ev.Field("session_id"); s != "" {
		msg += " (session " + s + ")"
	}
	ev.Message = msg
}

// longWaitMs is the duration from which a wait counts as long: the
// system_health predicates (u_tables.sql) capture lock waits from 30 s,
// other wait_info waits from 15 s and preemptive waits from 5 s.
func longWaitMs(event, waitType string) int64 {
	switch {
	case event == "wait_info_external":
		return 5_000
	case strings.HasPrefix(strings.ToUpper(waitType), "LCK_M_"):
		return 30_000
	}
	return 15_000
}

// stallErrors are the error numbers that report a stall even when the
// message text is missing or not in English.
var stallErrors = map[int]bool{17883: true, 17884: true, 17888: true, 845: true, 833: true}

func number(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}
