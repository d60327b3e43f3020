package xelwrite

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The metadata of the health sessions: the SQLDIAG log the availability
// group's resource DLL writes (component_health_result,
// availability_group_is_alive_failure, info_message) and the health events
// of system_health (sp_server_diagnostics_component_result, the
// scheduler-monitor ring-buffer events, wait_info, wait_info_external,
// error_reported), for tests and generated bundles.
//
// What rests on public sources: the event and field names (the SQLDIAG
// sample query in sql-docs view-and-read-failover-cluster-instance-
// diagnostics-log.md; microsoft/agdiag; public SQLDIAG and system_health
// shredding scripts, whose positional XPaths give the SQLDIAG field order:
// creation_time 3rd, component_type 4th, component 5th, state_desc 6th; and
// the scheduler-monitor field order), the component map's key 4 = EVENTS
// and the state keys 0-3 (the system_health and AlwaysOn_health
// predicates). What does not (no real SQLDIAG or system_health .xel was
// available): the object indexes, the package ids, the field types and
// offsets, the other map keys, and the labels of the is-alive reason map.
// The reader resolves all of them through the file's own metadata, so the
// tests hold whatever the real values are.

// Package ids of the health metadata.
const (
	PkgSQLDIAG = 4 // the resource DLL's events (package name sqlserver)
)

// More package0 types.
var (
	TypeFiletimeDef  = Type{12, "filetime", 8}
	TypeUint16Def    = Type{TypeUint16, "uint16", 2}
	TypeXMLDef       = Type{TypeXML, "xml", 0}
	TypeCallstackDef = Type{23, "callstack", 0}
	TypeAnsiDef      = Type{TypeAnsiString, "ansi_string", 0}
	TypeInt64Def     = Type{TypeInt64, "int64", 8}
)

// HealthTypes are the package0 types of the health sessions.
var HealthTypes = append(append([]Type(nil), Package0Types...), TypeFiletimeDef, TypeUint16Def, TypeXMLDef, TypeCallstackDef, TypeAnsiDef)

var (
	tXML      = TypeRID(TypeXML)
	tFiletime = TypeRID(12)
	tInt64    = TypeRID(TypeInt64)
	tPtr      = TypeRID(TypePtr)
	tStack    = TypeRID(23)
)

// Maps of the health events.
var (
	MapDiagComponent = Map{RID(KindMap, 140, PkgSQLServer2), "sp_server_diagnostics_component", false, 4, []MapEntry{
		{1, "SYSTEM"}, {2, "RESOURCE"}, {3, "QUERY_PROCESSING"}, {4, "EVENTS"}, {5, "IO_SUBSYSTEM"}}}
	MapDiagState = Map{RID(KindMap, 141, PkgSQLServer2), "sp_server_diagnostics_state", false, 4, []MapEntry{
		{0, "UNKNOWN"}, {1, "CLEAN"}, {2, "WARNING"}, {3, "ERROR"}}}
	MapWaitTypes = Map{RID(KindMap, 20, PkgSQLServer2), "wait_types", false, 4, []MapEntry{
		{1, "LCK_M_SCH_S"}, {3, "LCK_M_S"}, {5, "LCK_M_X"}, {66, "PAGEIOLATCH_SH"}, {68, "PAGEIOLATCH_EX"},
		{120, "WRITELOG"}, {187, "THREADPOOL"}, {200, "RESOURCE_SEMAPHORE"},
		{580, "PREEMPTIVE_OS_WRITEFILEGATHER"}, {620, "PREEMPTIVE_OS_CLUSTEROPS"}, {640, "PREEMPTIVE_CLUSAPI_CLUSTERRESOURCECONTROL"}}}
	MapOpcode = Map{RID(KindMap, 1, PkgPackage0), "event_opcode", false, 1, []MapEntry{{0, "Begin"}, {1, "End"}}}
	// MapIsAliveReason's labels are constructed (the real ones are not public).
	MapIsAliveReason = Map{RID(KindMap, 3, PkgSQLDIAG), "availability_group_is_alive_failure_reason", false, 4, []MapEntry{
		{0, "ResourceUnhealthy"}, {1, "LeaseExpired"}, {2, "ConnectionFailed"}}}
)

// The SQLDIAG events.
var (
	EvComponentHealth = Event{RID(KindEvent, 1, PkgSQLDIAG), "component_health_result", 0x0000000A, nil, []Field{
		{"state", tUint32, 0, 0}, {"failure_condition_level", tUint32, 4, 0}, {"creation_time", tFiletime, 8, 0},
		{"component_type", tString, 16, 0}, {"component", tString, 24, 0}, {"state_desc", tString, 32, 0},
		{"data", tXML, 40, 0}, {"node_name", tString, 48, 0}, {"instance_name", tString, 56, 0}}}
	EvIsAliveFailure = Event{RID(KindEvent, 2, PkgSQLDIAG), "availability_group_is_alive_failure", 0x0000000A, nil, []Field{
		{"reason", MapIsAliveReason.RID, 0, 0}, {"availability_group_name", tString, 4, 0},
		{"instance_name", tString, 12, 0}, {"server_name", tString, 20, 0}}}
	EvInfoMessage = Event{RID(KindEvent, 3, PkgSQLDIAG), "info_message", 0x0000000A, nil, []Field{
		{"message", tString, 0, 0}, {"instance_name", tString, 8, 0}, {"node_name", tString, 16, 0}}}
)

// The system_health events.
var (
	EvDiagComponentResult = Event{RID(KindEvent, 400, PkgSQLServer2), "sp_server_diagnostics_component_result", 0x0002000A,
		[]string{"collect_data"}, []Field{
			{"component", MapDiagComponent.RID, 0, 0}, {"state", MapDiagState.RID, 4, 0}, {"data", tXML, 8, 2}}}
	EvCPURingBuffer = Event{RID(KindEvent, 401, PkgSQLServer2), "scheduler_monitor_system_health_ring_buffer_recorded", 0x0000000A, nil, []Field{
		{"id", tUint32, 0, 0}, {"timestamp", tUint64, 4, 0}, {"process_utilization", tUint32, 12, 0},
		{"system_idle", tUint32, 16, 0}, {"user_mode_time", tUint64, 20, 0}, {"kernel_mode_time", tUint64, 28, 0},
		{"page_faults", tUint32, 36, 0}, {"working_set_delta", tInt64, 40, 0}, {"memory_utilization", tUint32, 48, 0}}}
	EvNonYieldRingBuffer = Event{RID(KindEvent, 402, PkgSQLServer2), "scheduler_monitor_non_yielding_ring_buffer_recorded", 0x0000000A, nil, []Field{
		{"id", tUint32, 0, 0}, {"timestamp", tUint64, 4, 0}, {"opcode", MapOpcode.RID, 12, 0}, {"node_id", tUint32, 13, 0},
		{"scheduler", tUint32, 17, 0}, {"worker", tPtr, 21, 0}, {"yields", tUint32, 29, 0},
		{"worker_utilization", tUint32, 33, 0}, {"process_utilization", tUint32, 37, 0}, {"system_idle", tUint32, 41, 0},
		{"user_mode_time", tUint64, 45, 0}, {"kernel_mode_time", tUint64, 53, 0}, {"page_faults", tUint32, 61, 0},
		{"working_set_delta", tInt64, 65, 0}, {"memory_utilization", tUint32, 73, 0}, {"call_stack", tStack, 77, 0}}}
	EvWaitInfo = Event{RID(KindEvent, 403, PkgSQLServer2), "wait_info", 0x0000000A, nil, []Field{
		{"wait_type", MapWaitTypes.RID, 0, 0}, {"opcode", MapOpcode.RID, 4, 0}, {"duration", tUint64, 5, 0},
		{"signal_duration", tUint64, 13, 0}, {"wait_resource", tPtr, 21, 0}}}
	EvWaitInfoExternal = Event{RID(KindEvent, 404, PkgSQLServer2), "wait_info_external", 0x0000000A, nil, []Field{
		{"wait_type", MapWaitTypes.RID, 0, 0}, {"opcode", MapOpcode.RID, 4, 0}, {"duration", tUint64, 5, 0}}}
)

// The actions system_health attaches to wait_info (session_id, sql_text)
// and the package0 callstack action.
var (
	ActSessionID = Action{RID(KindAction, 10, PkgSQLServer2), "session_id", "Collect session ID", TypeRID(TypeUint16)}
	ActSQLText   = Action{RID(KindAction, 11, PkgSQLServer2), "sql_text", "Collect SQL text", tString}
	ActCallstack = Action{RID(KindAction, 2, PkgPackage0), "callstack", "Collect the current call stack", tStack}
)

// SQLDIAG returns the packages of a SQLDIAG log's metadata.
func SQLDIAG() []Package {
	return []Package{
		{ID: PkgPackage0, Name: "package0", Flags: 0x0100000A, Types: HealthTypes},
		{ID: PkgSQLDIAG, Name: "sqlserver", Flags: 0x0000000A,
			Events: []Event{EvComponentHealth, EvIsAliveFailure, EvInfoMessage}, Maps: []Map{MapIsAliveReason}},
	}
}

// SystemHealth returns the packages of the system_health metadata (the
// health events of it).
func SystemHealth() []Package {
	return []Package{
		{ID: PkgPackage0, Name: "package0", Flags: 0x0100000A, Types: HealthTypes,
			Maps: []Map{MapOpcode}, Actions: []Action{ActCallstack}},
		{ID: PkgSQLServer, Name: "sqlserver", Flags: 0x0000000A,
			Events: []Event{EvErrorReported}, Maps: []Map{MapErrorCategory, MapErrorDestination}},
		{ID: PkgSQLServer2, Name: "sqlserver", Flags: 0x0000000A,
			Events:  []Event{EvDiagComponentResult, EvCPURingBuffer, EvNonYieldRingBuffer, EvWaitInfo, EvWaitInfoExternal},
			Maps:    []Map{MapDiagComponent, MapDiagState, MapWaitTypes},
			Actions: []Action{ActSessionID, ActSQLText}},
	}
}

// ActionValue is the value of one action attached to an event.
type ActionValue struct {
	Action Action
	Value  any // as for Add: an integer, a bool, a string or []byte
}

// AddWithActions encodes one event like Add and appends action values after
// its payload (XEL_FORMAT.md 4.1): bit 31 of the record word set, then
// {u32 RID, u32 length, value} per action, ended by an all-zero pair.
func (f *File) AddWithActions(e Event, at time.Time, actions []ActionValue, values ...any) error {
	if err := f.Add(e, at, values...); err != nil {
		return err
	}
	if len(actions) == 0 {
		return nil
	}
	rec := f.records[len(f.records)-1]
	binary.LittleEndian.PutUint32(rec[4:], binary.LittleEndian.Uint32(rec[4:])|1<<31)
	for _, a := range actions {
		v, err := f.actionBytes(a)
		if err != nil {
			return fmt.Errorf("%s action %s: %w", e.Name, a.Action.Name, err)
		}
		rec = binary.LittleEndian.AppendUint32(rec, a.Action.RID)
		rec = binary.LittleEndian.AppendUint32(rec, uint32(len(v)))
		rec = append(rec, v...)
	}
	rec = append(rec, make([]byte, 8)...)
	f.records[len(f.records)-1] = rec
	return nil
}

// actionBytes encodes an action value by its type: the bytes of a
// fixed-size type, the whole value of a variable-size one.
func (f *File) actionBytes(a ActionValue) ([]byte, error) {
	w, ok := f.width(a.Action.Type)
	if !ok {
		return nil, fmt.Errorf("type RID %#x not defined", a.Action.Type)
	}
	if w == 0 {
		switch x := a.Value.(type) {
		case string:
			return UTF16LE(x), nil
		case []byte:
			return x, nil
		}
		return nil, fmt.Errorf("variable-size value needs a string or []byte, got %T", a.Value)
	}
	n, err := integer(a.Value)
	if err != nil {
		return nil, err
	}
	b := make([]byte, w)
	for i := range b {
		b[i] = byte(n >> (8 * i))
	}
	return b, nil
}
