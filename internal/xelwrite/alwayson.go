package xelwrite

// The metadata of the AlwaysOn_health session as SQL Server 2017 RTM embeds
// it in its .xel files (FORMATS.md 3.2, XEL_FORMAT.md 3): package0 (id 0)
// with the base types, a first sqlserver package (id 3) with error_reported
// and its maps, and a second sqlserver package (id 8) with the Always On
// events. Object indexes, map keys, key sizes and field offsets are those of
// the real files. lock_redo_blocked is left out.

// Package ids of the AlwaysOn_health metadata.
const (
	PkgPackage0   = 0
	PkgSQLServer  = 3 // error_reported
	PkgSQLServer2 = 8 // the Always On events
)

// Package0Types are the types of package0 the session uses.
var Package0Types = []Type{
	{TypeInt32, "int32", 4}, {TypeInt64, "int64", 8}, {TypeUint8, "uint8", 1},
	{TypeUint32, "uint32", 4}, {TypeUint64, "uint64", 8}, {TypePtr, "ptr", 8},
	{TypeGUIDPtr, "guid_ptr", 8}, {TypeUnicodeString, "unicode_string", 0},
	{TypeGUID, "guid", 0}, {TypeBoolean, "boolean", 1},
}

// Maps of the session, with the keys and labels of the real metadata.
var (
	MapErrorCategory = Map{RID(KindMap, 56, PkgSQLServer), "error_category", false, 1, []MapEntry{
		{6, "BACKUP"}, {3, "FAILOVER"}, {8, "LAST"}, {4, "LOGON"}, {9, "NEXT"}, {5, "SECAUDIT"}, {2, "SERVER"}, {7, "SQLSNMP"}}}
	MapErrorDestination = Map{RID(KindMap, 94, PkgSQLServer), "error_destination", true, 4, []MapEntry{
		{16, "BUFFER"}, {1, "DEFAULT"}, {128, "DEFAULT_NO_USER"}, {4, "ERRORLOG"}, {8, "EVENTLOG"}, {32, "FILE"},
		{0, "NONE"}, {2, "USER"}, {64, "USER_WITH_SDS_TRANSLATION"}}}
	MapReplicaStatus = Map{RID(KindMap, 34, PkgSQLServer2), "hadr_availability_replica_status", false, 4, []MapEntry{
		{0, "Starting"}, {1, "Stopping"}}}
	MapDDLAction = Map{RID(KindMap, 40, PkgSQLServer2), "alwayson_ddl_action", false, 1, []MapEntry{
		{0, "create"}, {1, "drop"}, {2, "alter"}}}
	MapDDLPhase = Map{RID(KindMap, 41, PkgSQLServer2), "ddl_opcode", false, 1, []MapEntry{
		{0, "begin"}, {1, "commit"}, {2, "rollback"}}}
	MapReplicaRole = Map{RID(KindMap, 96, PkgSQLServer2), "hadr_availability_replica_role", false, 4, []MapEntry{
		{8, "COUNT"}, {7, "FORWARDER"}, {6, "GLOBAL_PRIMARY"}, {5, "NOT_AVAILABLE"}, {3, "PRIMARY_NORMAL"},
		{2, "PRIMARY_PENDING"}, {0, "RESOLVING_NORMAL"}, {1, "RESOLVING_PENDING_FAILOVER"}, {4, "SECONDARY_NORMAL"}}}
	MapManagerState = Map{RID(KindMap, 97, PkgSQLServer2), "availability_replica_manager_state", false, 4, []MapEntry{
		{2, "OFFLINE"}, {1, "ONLINE"}, {0, "PENDING_WSFC_COMMUNICATION"}}}
	MapCommitPolicy = Map{RID(KindMap, 110, PkgSQLServer2), "hadr_commit_policy", false, 4, []MapEntry{
		{4, "ArrayLast"}, {1, "Delay"}, {0, "DoNothing"}, {3, "KillAll"}, {2, "WaitForHarden"}}}
	MapSyncState = Map{RID(KindMap, 112, PkgSQLServer2), "hadr_sync_state", false, 4, []MapEntry{
		{128, "INVALID"}, {12, "LAST"}, {4, "LOG"}, {1, "NOT"}, {0, "NOT_JOINED"}, {8, "REDO"}, {2, "SUSPENDED"}}}
	MapLeaseState = Map{RID(KindMap, 118, PkgSQLServer2), "hadr_lease_worker_states", false, 4, []MapEntry{
		{4, "ExcessSleepSucceeded"}, {2, "FailedExcessSleepInvalidOnlineLease"}, {9, "FailedWithWindowsError"},
		{10, "Last"}, {8, "LeaseExpired"}, {6, "LeaseNotValid"}, {0, "LeaseWorkerStarted"}, {5, "RenewSucceeded"},
		{3, "SkipExcessSleep"}, {1, "StartedExcessLeaseSleep"}, {7, "StopLeaseRenewal"}}}
)

// Key returns the key of label in m, and whether m has it.
func (m Map) Key(label string) (uint32, bool) {
	for _, e := range m.Entries {
		if e.Label == label {
			return e.Key, true
		}
	}
	return 0, false
}

var (
	tInt32  = TypeRID(TypeInt32)
	tUint32 = TypeRID(TypeUint32)
	tUint64 = TypeRID(TypeUint64)
	tBool   = TypeRID(TypeBoolean)
	tString = TypeRID(TypeUnicodeString)
	tGUID   = TypeRID(TypeGUID)
)

// The events of the session, with the real field lists, types and offsets.
var (
	EvErrorReported = Event{RID(KindEvent, 38, PkgSQLServer), "error_reported", 0x0402000A, nil, []Field{
		{"error_number", tInt32, 0, 0}, {"severity", tInt32, 4, 0}, {"state", tInt32, 8, 0},
		{"user_defined", tBool, 12, 0}, {"category", MapErrorCategory.RID, 13, 0},
		{"destination", MapErrorDestination.RID, 14, 0}, {"is_intercepted", tBool, 18, 0},
		{"message", tString, 19, 0}}}
	EvPartnerSyncState = Event{RID(KindEvent, 305, PkgSQLServer2), "hadr_db_partner_set_sync_state", 0x0000000A, nil, []Field{
		{"database_id", tUint32, 0, 0}, {"commit_policy", MapCommitPolicy.RID, 4, 0},
		{"commit_policy_target", MapCommitPolicy.RID, 8, 0}, {"sync_state", MapSyncState.RID, 12, 0},
		{"sync_log_block", tUint64, 16, 0}, {"group_id", tGUID, 24, 0}, {"replica_id", tGUID, 32, 0},
		{"ag_database_id", tGUID, 40, 0}}}
	EvReplicaState = Event{RID(KindEvent, 358, PkgSQLServer2), "availability_replica_state", 0x0000000A, nil, []Field{
		{"current_state", MapReplicaStatus.RID, 0, 0}, {"availability_group_id", tGUID, 4, 0},
		{"availability_group_name", tString, 12, 0}, {"availability_replica_id", tGUID, 20, 0}}}
	EvReplicaStateChange = Event{RID(KindEvent, 360, PkgSQLServer2), "availability_replica_state_change", 0x0000000A, nil, []Field{
		{"previous_state", MapReplicaRole.RID, 0, 0}, {"current_state", MapReplicaRole.RID, 4, 0},
		{"availability_group_id", tGUID, 8, 0}, {"availability_group_name", tString, 16, 0},
		{"availability_replica_id", tGUID, 24, 0}, {"availability_replica_name", tString, 32, 0}}}
	EvManagerStateChange = Event{RID(KindEvent, 361, PkgSQLServer2), "availability_replica_manager_state_change", 0x0000000A, nil, []Field{
		{"current_state", MapManagerState.RID, 0, 0}}}
	EvLeaseExpired = Event{RID(KindEvent, 364, PkgSQLServer2), "availability_group_lease_expired", 0x0000000A, nil, []Field{
		{"new_timeout", tUint64, 0, 0}, {"current_time", tUint64, 8, 0}, {"lease_interval", tUint64, 16, 0},
		{"state", MapLeaseState.RID, 24, 0}, {"availability_group_id", tGUID, 28, 0},
		{"availability_group_name", tString, 36, 0}}}
	EvDDLExecuted = Event{RID(KindEvent, 389, PkgSQLServer2), "alwayson_ddl_executed", 0x0002000A, []string{"collect_statement"}, []Field{
		{"ddl_action", MapDDLAction.RID, 0, 0}, {"ddl_phase", MapDDLPhase.RID, 1, 0}, {"statement", tString, 2, 2},
		{"availability_group_id", tGUID, 10, 0}, {"availability_group_name", tString, 18, 0},
		{"nt_username", tString, 26, 0}, {"client_hostname", tString, 34, 0}, {"client_app_name", tString, 42, 0}}}
	EvFailoverValidation = Event{RID(KindEvent, 390, PkgSQLServer2), "availability_replica_automatic_failover_validation", 0x0000000A, nil, []Field{
		{"forced_quorum", tBool, 0, 0}, {"joined_and_synchronized", tBool, 1, 0},
		{"previous_primary_or_automatic_failover_target", tBool, 2, 0}, {"availability_group_id", tGUID, 3, 0},
		{"availability_group_name", tString, 11, 0}, {"availability_replica_id", tGUID, 19, 0},
		{"availability_replica_name", tString, 27, 0}}}
)

// AlwaysOnHealth returns the packages of the AlwaysOn_health metadata, to
// use as File.Packages.
func AlwaysOnHealth() []Package {
	return []Package{
		{ID: PkgPackage0, Name: "package0", Flags: 0x0100000A, Types: Package0Types},
		{ID: PkgSQLServer, Name: "sqlserver", Flags: 0x0000000A,
			Events: []Event{EvErrorReported}, Maps: []Map{MapErrorCategory, MapErrorDestination}},
		{ID: PkgSQLServer2, Name: "sqlserver", Flags: 0x0000000A,
			Events: []Event{EvPartnerSyncState, EvReplicaState, EvReplicaStateChange, EvManagerStateChange,
				EvLeaseExpired, EvDDLExecuted, EvFailoverValidation},
			Maps: []Map{MapReplicaStatus, MapDDLAction, MapDDLPhase, MapReplicaRole, MapManagerState,
				MapCommitPolicy, MapSyncState, MapLeaseState}},
	}
}
