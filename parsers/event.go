package parsers

import (
	"iter"
	"strconv"
	"time"
)

// Source names the kind of input an Event came from.
type Source string

// The input kinds agtriage reads.
const (
	SourceErrorlog   Source = "errorlog"   // SQL Server ERRORLOG text
	SourceXEvent     Source = "xevent"     // Extended Events data exported as XML
	SourceXEL        Source = "xel"        // binary .xel file
	SourceClusterlog Source = "clusterlog" // WSFC Get-ClusterLog output
)

// Kind classifies what an event means for an availability group. Readers set it
// from the message template or the XEvent name; KindMessage is everything else.
type Kind string

// Event kinds. The string values appear in JSON output and are stable.
const (
	KindMessage Kind = "message" // any other log record, kept for counts and context

	// Instance life cycle and facts.
	KindStartup    Kind = "startup"     // startup banner: the instance (re)started
	KindShutdown   Kind = "shutdown"    // the instance is stopping
	KindServerInfo Kind = "server_info" // Server name, service account, UTC adjustment

	// Cluster (WSFC) and quorum.
	KindClusterUnavailable Kind = "cluster_unavailable" // 41048, 41049: local WSFC service/node went away
	KindClusterWaiting     Kind = "cluster_waiting"     // 41050, 41052, 41054: waiting for WSFC to come back
	KindClusterOnline      Kind = "cluster_online"      // 41051, 41053, 41055: WSFC service/node back
	KindQuorumLost         Kind = "quorum_lost"         // 41092 (lost quorum) and cluster-log quorum loss
	KindClusterError       Kind = "cluster_error"       // 41005, 41015, 41034, 41022, 41143, 41144 ... cluster API failures
	KindManagerState       Kind = "manager_state"       // availability replica manager starting/offline (41092 shutdown, XE manager_state_change)

	// Lease and health.
	KindLeaseExpired  Kind = "lease_expired"  // 19407, 19419, 19421-19423, 41091, 41195, XE availability_group_lease_expired
	KindLeaseStopped  Kind = "lease_stopped"  // 19420: orderly stop of the lease (planned offline or failover)
	KindHealthFailure Kind = "health_failure" // 41653, sp_server_diagnostics component in error
	KindStall         Kind = "stall"          // non-yielding scheduler, stack dump, long I/O (833), memory pressure

	// Roles and failover.
	KindReplicaStateChange Kind = "replica_state_change" // 19406 text, XE availability_replica_state_change
	KindReplicaState       Kind = "replica_state"        // XE availability_replica_state; "replica ... is starting/stopping"
	KindRoleTransition     Kind = "role_transition"      // 41074, 41075, 41093, 41094: the cluster asks for a role change
	KindDatabaseRoleChange Kind = "database_role_change" // 1480
	KindFailoverFailed     Kind = "failover_failed"      // 41142, 41104, 41131, 41134, 41125, 41160; validation false
	KindFailoverValidation Kind = "failover_validation"  // XE availability_replica_automatic_failover_validation
	KindDDL                Kind = "ddl"                  // XE alwayson_ddl_executed (FAILOVER, FORCE_FAILOVER_ALLOW_DATA_LOSS ...)

	// Replica connections.
	KindConnectionTimeout     Kind = "connection_timeout"     // 35201, 35206
	KindConnectionEstablished Kind = "connection_established" // 35202
	KindConnectionError       Kind = "connection_error"       // 35203, 35204, 35207, 35250, 1474, 1479, 9642
	KindDatabaseDisconnected  Kind = "database_disconnected"  // 35267
	KindDatabaseConnected     Kind = "database_connected"     // 35266

	// Endpoints.
	KindHandshakeFailure  Kind = "handshake_failure"  // 28034, 28047, 28048 and the other 28xxx handshake errors
	KindEndpointOwnership Kind = "endpoint_ownership" // 15141, 15173
	KindEndpointState     Kind = "endpoint_state"     // 9666, 9690-9693, 26022-26024

	// Data movement and synchronization.
	KindDataMovementSuspended Kind = "data_movement_suspended"    // 35264, XE data_movement_suspend_resume
	KindDataMovementResumed   Kind = "data_movement_resumed"      // 35265
	KindSyncState             Kind = "sync_state"                 // XE hadr_db_partner_set_sync_state
	KindRedoBlocked           Kind = "redo_blocked"               // XE lock_redo_blocked
	KindDatabaseNotSynced     Kind = "database_not_synchronizing" // 35268, 35273-35276, 35278, 9002 AVAILABILITY_REPLICA

	// Logins.
	KindLoginFailed Kind = "login_failed" // 18456, 976, 983, 17187, 17806

	// WSFC cluster log (and System event log texts found in it).
	KindNodeRemoved    Kind = "node_removed"     // 1135: node removed from the active membership
	KindHeartbeatLost  Kind = "heartbeat_lost"   // [NETFT]/[IM]/[NODE]: missed heartbeats, connection to a node lost
	KindResourceFailed Kind = "resource_failed"  // IsAlive failed, Online for resource failed, 1069, 1205
	KindRoleMove       Kind = "role_move"        // clustered role moving from node X to node Y
	KindFailoverLimit  Kind = "failover_limit"   // Not failing over group ... failoverCount (1254)
	KindRHSTerminated  Kind = "rhs_terminated"   // the resource hosting subsystem crashed (1146)
	KindSQLServiceDown Kind = "sql_service_down" // [hadrag] SQL server service is not alive
)

// Clock says how trustworthy an event's Time is.
type Clock uint8

const (
	// ClockUTC means Time is UTC: the source writes UTC (XEvent), or the local
	// time was converted with a known offset.
	ClockUTC Clock = iota
	// ClockLocal means the UTC offset is unknown: Time holds the local wall
	// clock as if it were UTC and must not be ordered against other servers.
	ClockLocal
)

// String returns "utc" or "local".
func (c Clock) String() string {
	switch c {
	case ClockUTC:
		return "utc"
	case ClockLocal:
		return "local"
	}
	return "Clock(" + strconv.Itoa(int(c)) + ")"
}

// Event is one normalized log record. Every reader emits Events; the analyzer
// consumes them. Structured fields are empty when the record does not carry them.
type Event struct {
	// Time is the moment of the event, in UTC when Clock is ClockUTC.
	Time time.Time
	// Local is the time as written in a local-time log (ERRORLOG), with the
	// wall-clock digits stored in a UTC time.Time. Zero for UTC sources.
	Local time.Time
	// Clock tells whether Time is known to be UTC.
	Clock Clock

	Server string // SQL Server instance (or cluster node) the record came from
	Source Source // kind of input
	File   string // path of the input file
	Line   int    // 1-based line of the record's first line; 0 for binary inputs
	Offset int64  // byte offset of the record in the file (always set for binary and XML inputs)

	// Process is the ERRORLOG source column (Server, spid23s, Logon, Backup),
	// or the cluster-log component.
	Process string
	// Name is the XEvent name (error_reported, availability_replica_state_change ...).
	Name string
	// Kind is what the event means for an availability group
	// (KindMessage when nothing more specific is known).
	Kind Kind

	Error    int // SQL Server error number; recognized from the text when the log omits it
	Severity int // the error's severity (0 when not known)
	State    int // the error's state (not the handshake state)

	AG        string // availability group
	Replica   string // availability replica (remote replica for connection messages)
	ReplicaID string // availability replica id (GUID) when known
	Database  string // database the event is about
	From      string // previous state or role
	To        string // new state or role
	Reason    string // why: state-change reason sentence, suspend reason, lease state, ddl statement ...
	Login     string // login name of a failed or refused connection
	Client    string // client address ([CLIENT: x])
	// HandshakeState is the "State N" of an endpoint handshake failure (84, 85, 58, 21 ...).
	HandshakeState int

	Message string // the message text (for ERRORLOG, continuation lines joined with \n)

	// Fields holds everything else the source carried (XEvent data and action
	// values, cluster-log performance rows), in source order.
	Fields []Field

	// Repeats counts further events identical to this one (same kind, text
	// and fields but for numbers) that were folded into it, the last at
	// LastTime. Readers never fold; the analyzer folds long storms (a
	// handshake failure every 5 seconds for weeks) to keep memory flat.
	Repeats int
	// LastTime is the time of the last folded event (zero when Repeats is 0).
	LastTime time.Time
}

// Until returns the time of the last event folded into e (its own time when
// none was).
func (e *Event) Until() time.Time {
	if e.Repeats > 0 && e.LastTime.After(e.Time) {
		return e.LastTime
	}
	return e.Time
}

// Field is a name/value pair that has no dedicated Event field.
type Field struct {
	Name  string // as the source names it (an XEvent field, "node", "EventID" ...)
	Value string // the value as text
}

// Field returns the value of the named extra field, or "".
func (e *Event) Field(name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Position returns "file:line" (or "file@offset" for inputs without lines).
func (e *Event) Position() string {
	return Position(e.File, e.Line, e.Offset)
}

// Reader is what every input reader provides: a stream of events and the
// statistics of the file, complete once the stream has ended.
//
// Events yields each event with a nil error. A non-nil error is either a
// *Warning (a problem at a position; reading goes on) or a fatal error after
// which the stream ends. The Event pointers are fresh for each event and may be
// kept by the caller.
type Reader interface {
	// Events returns the stream of events; it may be ranged over once.
	Events() iter.Seq2[*Event, error]
	// Stats returns the file's statistics, complete once Events has ended.
	Stats() *FileStats
}
