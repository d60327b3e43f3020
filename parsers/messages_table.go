package parsers

import "strings"

// The SQL Server message templates agtriage understands. Patterns are written
// from the sys.messages texts (SIGNALS.md) and checked against real ERRORLOGs;
// each covers only the distinctive start of a message, so version-dependent
// boilerplate at the end does not matter. Patterns are matched after the
// feature prefix ("Always On:", "AlwaysOn:", "Always On Availability Groups")
// has been removed, see messageBody. Within a group of templates that share
// their first two words, the first match wins, so specific patterns come
// before general ones.
//
// Values the table puts into events that are not copied from the text:
//
//   - To of KindRoleTransition: "PRIMARY" (41074), "RESOLVING" (41075),
//     "OFFLINE" (41093), "RESTARTING" (41094); of KindReplicaState:
//     "starting", "stopping"; of KindManagerState: "starting", "waiting",
//     "offline" (41092, also on KindQuorumLost), "cancelled" (41089); of
//     KindEndpointState: "listening", "stopped", "failed".
//   - Reason of KindStall: the stall* labels below; of KindShutdown:
//     "system shutdown", "service stop", "shutdown initiated", "Ctrl-C" (or
//     the text after "SQL Server is terminating").
//
// Extra Fields by name: from_replica, from_replica_id (35202, 35203, 35204),
// partner_role, local_role (35266/35267), suspend_reason, suspend_source_id,
// suspend_source (35264), endpoint_type ("Database Mirroring" or "Service
// Broker"), inner_error (the wrapped error number: 28048 -> 28034, 35207,
// 41144, 41160, 1474, 9642), inner_state (9642), wrapper_user (raw 28048
// user), certificate_reason, protocol, os_error, os_message, address, port,
// resource, node, scheduler, seconds, count, file, wait_type, signature,
// resource_pool, error_type (41653), group_id (35262), excess_ms (19424),
// version and build (startup banner), server_name, service_account,
// utc_adjustment.
var messageTemplates = concatTemplates(
	replicaTemplates,
	clusterTemplates,
	leaseTemplates,
	connectionTemplates,
	endpointTemplates(),
	handshakeTemplates(),
	dataTemplates,
	loginTemplates,
	stallTemplates,
	instanceTemplates,
)

func concatTemplates(groups ...[]template) []template {
	var all []template
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

// Stall labels (Reason of KindStall).
const (
	stallStackDump      = "stack dump"
	stallNonYielding    = "non-yielding scheduler"
	stallIOCP           = "non-yielding IOCP listener"
	stallResMon         = "non-yielding resource monitor"
	stallStalledIOCP    = "stalled IOCP listener"
	stallStalledResMon  = "stalled resource monitor"
	stallDeadlocked     = "deadlocked schedulers"
	stallLatch          = "latch timeout"
	stallLongIO         = "long I/O"
	stallQueryResources = "query processor out of resources"
	stallMemory         = "memory"
	stallPagedOut       = "memory paged out"
	stallWorkers        = "worker threads exhausted"
)

// Roles and states.
var replicaTemplates = []template{
	{num: 19406, kind: KindReplicaStateChange, post: postStateChangeReason,
		pattern: "The state of the local availability replica in availability group '{ag}' has changed from '{from}' to '{to}'.{x:reason}"},
	// 1480: the first %S_MSG is "availability group" or "mirrored"; the 2005
	// text ended in "due to %S_MSG." right after the roles.
	{num: 1480, kind: KindDatabaseRoleChange,
		pattern: `The availability group database "{database}" is changing roles from "{from}" to "{to}" because the mirroring session or availability group failed over due to {reason}.`},
	{num: 1480, kind: KindDatabaseRoleChange,
		pattern: `The mirrored database "{database}" is changing roles from "{from}" to "{to}" because the mirroring session or availability group failed over due to {reason}.`},
	{num: 1480, kind: KindDatabaseRoleChange,
		pattern: `The mirrored database "{database}" is changing roles from "{from}" to "{to}" due to {reason}.`},

	// 41074/41075: newer builds end the sentence after "role", older ones add
	// "in response to a request from the WSFC cluster"; both match.
	{num: 41074, kind: KindRoleTransition, to: "PRIMARY",
		pattern: "The local replica of availability group '{ag}' is preparing to transition to the primary role"},
	{num: 41075, kind: KindRoleTransition, to: "RESOLVING",
		pattern: "The local replica of availability group '{ag}' is preparing to transition to the resolving role"},
	{num: 41091, kind: KindLeaseExpired,
		pattern: "The local replica of availability group '{ag}' is going offline because either the lease expired or lease renewal failed"},
	{num: 41093, kind: KindRoleTransition, to: "OFFLINE",
		pattern: "The local replica of availability group '{ag}' is going offline because the corresponding resource in the Windows Server Failover Clustering (WSFC) cluster is no longer online"},
	{num: 41094, kind: KindRoleTransition, to: "RESTARTING",
		pattern: "The local replica of availability group '{ag}' is restarting because the existing primary replica restarted or the availability group failed over to a new primary replica"},
	{kind: KindReplicaState, to: "starting", pattern: "The local replica of availability group '{ag}' is starting."},
	{kind: KindReplicaState, to: "stopping", pattern: "The local replica of availability group '{ag}' is stopping."},

	// Failed failovers.
	{num: 41142, kind: KindFailoverFailed,
		pattern: "The availability replica for availability group '{ag}' on this instance of SQL Server cannot become the primary replica. One or more databases are not synchronized"},
	{num: 41125, kind: KindFailoverFailed,
		pattern: "The availability replica for availability group '{ag}' on this instance of SQL Server cannot become the primary replica because the WSFC cluster was started in Force Quorum mode"},
	{num: 41104, kind: KindFailoverFailed,
		pattern: "Failover of the availability group '{ag}' to the local replica failed because the availability group resource did not come online"},
	{num: 41131, kind: KindFailoverFailed,
		pattern: "Failed to bring availability group '{ag}' online. The operation timed out."},
	{num: 41134, kind: KindFailoverFailed,
		pattern: "Cannot bring the availability group '{ag}' online. The local instance was not the previous primary replica"},
	{num: 41160, kind: KindFailoverFailed,
		pattern: "Failed to designate the local availability replica of availability group '{ag}' as the primary replica. The operation encountered SQL Server error {#f:inner_error} "},

	// Database-level health detection.
	{num: 41653, kind: KindHealthFailure,
		pattern: "Database '{database}' encountered an error (error type: {#f:error_type} '{reason}') causing failure of the availability group '{ag}'"},
}

// WSFC, quorum and the availability replica manager.
var clusterTemplates = []template{
	{num: 41048, kind: KindClusterUnavailable, pattern: "Local Windows Server Failover Clustering service has become unavailable."},
	{num: 41049, kind: KindClusterUnavailable, pattern: "Local Windows Server Failover Clustering node is no longer online."},
	{num: 41050, kind: KindClusterWaiting, pattern: "Waiting for local Windows Server Failover Clustering service to start."},
	{num: 41051, kind: KindClusterOnline, pattern: "Local Windows Server Failover Clustering service started."},
	{num: 41052, kind: KindClusterWaiting, pattern: "Waiting for local Windows Server Failover Clustering node to start."},
	{num: 41053, kind: KindClusterOnline, pattern: "Local Windows Server Failover Clustering node started."},
	{num: 41054, kind: KindClusterWaiting, pattern: "Waiting for local Windows Server Failover Clustering node to come online."},
	{num: 41055, kind: KindClusterOnline, pattern: "Local Windows Server Failover Clustering node is online."},

	// 41092 means quorum loss or an orderly stop depending on its reason.
	{num: 41092, kind: KindManagerState, to: "offline", needText: true, post: postManagerOffline,
		pattern: "The availability replica manager is going offline because {reason}."},
	{kind: KindManagerState, to: "starting", pattern: "The availability replica manager is starting."},
	{kind: KindManagerState, to: "waiting", pattern: "The availability replica manager is waiting for {reason}."},
	{num: 41089, kind: KindManagerState, to: "cancelled", pattern: "startup has been cancelled, because {reason}."},

	{num: 41005, kind: KindClusterError,
		pattern: "Failed to obtain the Windows Server Failover Clustering (WSFC) resource handle for cluster resource with name or ID '{f:resource}' (Error code {#f:os_error})"},
	{num: 41015, kind: KindClusterError,
		pattern: "Failed to obtain the Windows Server Failover Clustering (WSFC) node handle (Error code {#f:os_error}) for node '{f:node}'"},
	{num: 41047, kind: KindClusterError,
		pattern: "Failed to obtain the Windows Server Failover Clustering (WSFC) node state for the local WSFC node (Error code {#f:os_error})"},
	{num: 41034, kind: KindClusterError,
		pattern: "Failed to set the Windows Server Failover Clustering (WSFC) registry value corresponding to name '{f:name}' (Error code {#f:os_error})"},
	// 41022 as written in a real quorum-loss storm (the v1 ERRORLOG.2 sample).
	{num: 41022, kind: KindClusterError,
		pattern: "Failed to create a Windows Server Failover Clustering (WSFC) notification port with notification filter {#f:filter} and notification key {#f:key} (Error code {#f:os_error})"},
	{num: 41066, kind: KindClusterError,
		pattern: "Cannot bring the Windows Server Failover Clustering (WSFC) resource (ID '{f:resource}') online (Error code {#f:os_error})"},
	{num: 41143, kind: KindClusterError,
		pattern: "Cannot process the operation. The local replica of availability Group '{ag}' is in a failed state."},
	{num: 41144, kind: KindClusterError,
		pattern: "The local availability replica of availability group '{ag}' is in a failed state. The replica failed to read or update the persisted configuration data (SQL Server error: {#f:inner_error})"},
	{num: 41146, kind: KindClusterError,
		pattern: "Failed to bring Availability Group '{ag}' online. The Windows Server Failover Clustering (WSFC) service may not be running"},
	{num: 41095, kind: KindClusterError,
		pattern: "Explicitly transitioning the state of the Windows Server Failover Clustering (WSFC) resource that corresponds to availability group '{ag}' to Failed."},
	// 41161 follows a failed read of the configuration from the cluster (seen
	// right after 41005 in the v1 ERRORLOG.1 sample); the AG is taken offline.
	{num: 41161, kind: KindClusterError,
		pattern: "Failed to validate the Cyclic Redundancy Check (CRC) of the configuration of availability group '{ag}'."},
}

// Lease between SQL Server and the cluster resource DLL.
var leaseTemplates = []template{
	{num: 19407, kind: KindLeaseExpired,
		pattern: "The lease between availability group '{ag}' and the Windows Server Failover Cluster has expired."},
	{num: 19419, kind: KindLeaseExpired,
		pattern: "Windows Server Failover Cluster did not receive a process event signal from SQL Server hosting availability group '{ag}' within the lease timeout period."},
	{num: 19421, kind: KindLeaseExpired,
		pattern: "SQL Server hosting availability group '{ag}' did not receive a process event signal from the Windows Server Failover Cluster within the lease timeout period."},
	{num: 19422, kind: KindLeaseExpired,
		pattern: "The renewal of the lease between availability group '{ag}' and the Windows Server Failover Cluster failed because SQL Server encountered Windows error with error code ('{#f:os_error}')"},
	{num: 19423, kind: KindLeaseExpired,
		pattern: "The lease of availability group '{ag}' lease is no longer valid to start the lease renewal process."},
	{num: 41195, kind: KindLeaseExpired,
		pattern: "Availability group '{ag}' failed to process the WSFC lease-renewal command."},
	{num: 19420, kind: KindLeaseStopped,
		pattern: "The availability group '{ag}' is being asked to stop the lease renewal because the availability group is going offline."},
	{num: 19424, kind: KindMessage, needText: true,
		pattern: "The lease worker of availability group '{ag}' is now sleeping the excess lease time ({#f:excess_ms} ms)"},
}

// Replica and database connections.
var connectionTemplates = []template{
	{num: 35201, kind: KindConnectionTimeout,
		pattern: "A connection timeout has occurred while attempting to establish a connection to availability replica '{replica}' with id [{replica_id}]"},
	{num: 35206, kind: KindConnectionTimeout,
		pattern: "A connection timeout has occurred on a previously established connection to availability replica '{replica}' with id [{replica_id}]"},
	{num: 35202, kind: KindConnectionEstablished,
		pattern: "A connection for availability group '{ag}' from availability replica '{f:from_replica}' with id [{f:from_replica_id}] to '{replica}' with id [{replica_id}] has been successfully established."},
	// 35266/35267: the first %S_MSG is the partner's role, the second the local one.
	{num: 35266, kind: KindDatabaseConnected,
		pattern: "connection with {f:partner_role} database established for {f:local_role} database '{database}' on the availability replica '{replica}' with Replica ID: {{{replica_id}}}"},
	{num: 35267, kind: KindDatabaseDisconnected,
		pattern: "connection with {f:partner_role} database terminated for {f:local_role} database '{database}' on the availability replica '{replica}' with Replica ID: {{{replica_id}}}"},

	// For connection errors between two instances Replica is the second
	// (far) one, as in 35202.
	{num: 35203, kind: KindConnectionError,
		pattern: "Unable to establish a connection between instance '{f:from_replica}' with id [{f:from_replica_id}] and '{replica}' with id [{replica_id}] due to a transport version mismatch."},
	{num: 35204, kind: KindConnectionError, reason: "database mirroring endpoint disabled or stopped",
		pattern: "The connection between server instances '{f:from_replica}' with id [{f:from_replica_id}] and '{replica}' with id [{replica_id}] has been disabled because the database mirroring endpoint was either disabled or stopped."},
	{num: 35207, kind: KindConnectionError,
		pattern: "Connection attempt on availability group id '{f:ag_id}' from replica id '{f:from_replica_id}' to replica id '{replica_id}' failed because of error {#f:inner_error}, severity {#_}, state {#_}."},
	{num: 35250, kind: KindConnectionError, pattern: "The connection to the primary replica is not active."},
	{num: 35256, kind: KindConnectionError,
		pattern: "The session timeout value was exceeded while waiting for a response from the other availability replica in the session."},
	{num: 1474, kind: KindConnectionError,
		pattern: "Database mirroring connection error {#f:inner_error} '{reason}' for '{f:far_endpoint_address}'."},
	{num: 1479, kind: KindConnectionError,
		pattern: `The mirroring connection to "{replica}" has timed out for database "{database}" after {#f:seconds} seconds without a response.`},
	{num: 9642, kind: KindConnectionError,
		pattern: "An error occurred in a Service Broker/Database Mirroring transport connection endpoint, Error: {#f:inner_error}, State: {#f:inner_state}. (Near endpoint role: {f:near_endpoint_role}, far endpoint address: '{f:far_endpoint_address}')"},
}

// endpointTypes are the %S_MSG values naming an endpoint.
var endpointTypes = []string{"Database Mirroring", "Service Broker"}

// endpointTemplates returns the endpoint state messages (9666, 9690-9693,
// 26022-26024) for each endpoint type.
func endpointTemplates() []template {
	var ts []template
	for _, ep := range endpointTypes {
		fs := []Field{{Name: "endpoint_type", Value: ep}}
		ts = append(ts,
			template{num: 9666, kind: KindEndpointState, to: "stopped", fields: fs,
				pattern: "The " + ep + " endpoint is in disabled or stopped state."},
			template{num: 9690, kind: KindEndpointState, to: "listening", fields: fs,
				pattern: "The " + ep + " endpoint is now listening for connections."},
			template{num: 9691, kind: KindEndpointState, to: "stopped", fields: fs,
				pattern: "The " + ep + " endpoint has stopped listening for connections."},
			template{num: 9692, kind: KindEndpointState, to: "failed", fields: fs,
				pattern: "The " + ep + " endpoint cannot listen on port {#f:port} because it is in use by another process."},
			template{num: 9693, kind: KindEndpointState, to: "failed", fields: fs,
				pattern: "The " + ep + " endpoint cannot listen for connections due to the following error: '{reason}'."},
		)
	}
	return append(ts,
		template{num: 26022, kind: KindEndpointState, to: "listening",
			pattern: "Server is listening on [ {f:address} <{f:protocol}> {#f:port}]"},
		template{num: 26023, kind: KindEndpointState, to: "failed",
			pattern: "Server TCP provider failed to listen on [ {f:address} <{f:protocol}> {#f:port}]. Tcp port is already in use."},
		template{num: 26024, kind: KindEndpointState, to: "failed",
			pattern: "Server failed to listen on {f:address} <{f:protocol}> {#f:port}. Error: {f:os_error}."},
		template{num: 15141, kind: KindEndpointOwnership,
			pattern: "The server principal owns one or more {f:object_type}(s) and cannot be dropped."},
		template{num: 15173, kind: KindEndpointOwnership,
			pattern: "Server principal '{login}' has granted one or more permission(s)."},
	)
}

// Inner handshake messages. They are both standalone templates and the
// vocabulary for the text inside the 28047/28048 wrappers.
var innerHandshakeTemplates = []template{
	{num: 28034, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. The login '{login}' does not have CONNECT permission on the endpoint. State {#state}."},
	{num: 28035, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. The certificate used by the peer is invalid due to the following reason: {f:certificate_reason}. State {#state}."},
	{num: 28036, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. The certificate used by this endpoint was not found: {f:certificate_reason}. Use DBCC CHECKDB in master database to verify the metadata integrity of the endpoints. State {#state}."},
	{num: 28027, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. There is no compatible {f:protocol}. State {#state}."},
	{num: 28031, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. An OS call failed: ({f:os_error}) {f:os_message}. State {#state}."},
	{num: 28045, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. The certificate used by the peer does not match the one in MASTER database with same issuer name and serial number. State {#state}."},
	{num: 28080, kind: KindHandshakeFailure, post: postHandshakeInner,
		pattern: "Connection handshake failed. The {f:endpoint_type} endpoint is not configured. State {#state}."},
	// Any other handshake text: keep the message, take the last "State N".
	{kind: KindHandshakeFailure, post: postHandshakeUnknown,
		pattern: "Connection handshake failed.{x:rest}"},
}

// handshakeTemplates returns the inner handshake messages and the
// 28047/28048 wrappers logged by Logon for each endpoint type.
func handshakeTemplates() []template {
	ts := append([]template(nil), innerHandshakeTemplates...)
	for _, ep := range endpointTypes {
		fs := []Field{{Name: "endpoint_type", Value: ep}}
		ts = append(ts,
			template{num: 28048, kind: KindHandshakeFailure, fields: fs, post: postHandshakeWrapper,
				pattern: ep + " login attempt by user '{x:user}' failed with error: '{x:rest}"},
			template{num: 28047, kind: KindHandshakeFailure, fields: fs, post: postHandshakeWrapper,
				pattern: ep + " login attempt failed with error: '{x:rest}"},
		)
	}
	return ts
}

// Data movement and synchronization (prefix "Always On Availability Groups"
// already removed for 35264/35265).
var dataTemplates = []template{
	{num: 35264, kind: KindDataMovementSuspended, post: postSuspendReason,
		pattern: `data movement for database '{database}' has been suspended for the following reason: "{f:suspend_reason}" (Source ID {#f:suspend_source_id}; Source string: '{f:suspend_source}')`},
	// Some texts carry no source part.
	{num: 35264, kind: KindDataMovementSuspended,
		pattern: `data movement for database '{database}' has been suspended for the following reason: {reason}.`},
	{num: 35265, kind: KindDataMovementResumed,
		pattern: "data movement for database '{database}' has been resumed."},

	{num: 35268, kind: KindDatabaseNotSynced,
		pattern: "Synchronization of a secondary database, '{database}', was interrupted"},
	{num: 35273, kind: KindDatabaseNotSynced,
		pattern: "Bypassing recovery for database '{database}' because it is marked as an inaccessible availability database."},
	{num: 35274, kind: KindDatabaseNotSynced,
		pattern: "Recovery for availability database '{database}' is pending until the secondary replica receives additional transaction log from the primary"},
	{num: 35275, kind: KindDatabaseNotSynced,
		pattern: "A previous RESTORE WITH CONTINUE_AFTER_ERROR operation or being removed while in the SUSPECT state from an availability group left the '{database}' database in a potentially damaged state."},
	{num: 35276, kind: KindDatabaseNotSynced,
		pattern: "Failed to allocate and schedule an {_} task for database '{database}'."},
	{num: 35278, kind: KindDatabaseNotSynced,
		pattern: "Availability database '{database}', which is in the secondary role, is being restarted to resynchronize with the current primary database."},
	{num: 9002, kind: KindDatabaseNotSynced, needText: true, reason: "AVAILABILITY_REPLICA",
		pattern: "The transaction log for database '{database}' is full due to 'AVAILABILITY_REPLICA'."},
	// 35262 is normal at startup: recognized (Error, Database) but not a signal.
	{num: 35262, kind: KindMessage, needText: true,
		pattern: "Skipping the default startup of database '{database}' because the database belongs to an availability group (Group ID: {#f:group_id})."},
}

// Client logins.
var loginTemplates = []template{
	{num: 18456, kind: KindLoginFailed, post: postLoginReason,
		pattern: "Login failed for user '{login}'.{x:rest}"},
	{num: 976, kind: KindLoginFailed,
		pattern: "The target database, '{database}', is participating in an availability group and is currently not accessible for queries."},
	{num: 983, kind: KindLoginFailed,
		pattern: "Unable to access availability database '{database}' because the database replica is not in the PRIMARY or SECONDARY role."},
	{num: 17187, kind: KindLoginFailed,
		pattern: "SQL Server is not ready to accept new client connections."},
	{num: 17806, kind: KindLoginFailed, post: postLoginReason,
		pattern: "SSPI handshake failed with error code {f:os_error} while establishing a connection with integrated security; the connection has been closed.{x:rest}"},
}

// Stalls: contributing factors of lease and health incidents. Stack-dump
// banner lines lose their leading "*" in messageBody.
var stallTemplates = []template{
	{kind: KindStall, reason: stallStackDump, pattern: "BEGIN STACK DUMP"},
	{kind: KindStall, reason: stallStackDump, pattern: "Stack Signature for the dump is {f:signature}"},
	{kind: KindStall, reason: stallNonYielding, pattern: "Non-yielding Scheduler"},
	{kind: KindStall, reason: stallIOCP, pattern: "Non-yielding IOCP Listener"},
	{kind: KindStall, reason: stallResMon, pattern: "Non-yielding Resource Monitor"},
	{kind: KindStall, reason: stallStalledIOCP, pattern: "Stalled IOCP Listener"},
	{kind: KindStall, reason: stallStalledResMon, pattern: "Stalled Resource Monitor"},
	{kind: KindStall, reason: stallDeadlocked, pattern: "Deadlocked Schedulers"},
	{num: 17883, kind: KindStall, reason: stallNonYielding,
		pattern: "Process {_} appears to be non-yielding on Scheduler {#f:scheduler}."},
	{kind: KindStall, reason: stallIOCP,
		pattern: "IO Completion Listener {_} appears to be non-yielding on Node {#f:node}."},
	{kind: KindStall, reason: stallResMon,
		pattern: "Resource Monitor {_} appears to be non-yielding on Node {#f:node}."},
	{num: 17884, kind: KindStall, reason: stallDeadlocked,
		pattern: "New queries assigned to process on Node {#f:node} have not been picked up by a worker thread in the last {#f:seconds} seconds."},
	{num: 17888, kind: KindStall, reason: stallDeadlocked,
		pattern: "All schedulers on Node {#f:node} appear deadlocked due to a large number of worker threads waiting on {f:wait_type}."},
	{num: 17890, kind: KindStall, reason: stallPagedOut,
		pattern: "A significant part of sql server process memory has been paged out."},
	{kind: KindStall, reason: stallLatch, pattern: "Latch timeout"},
	{kind: KindStall, reason: stallLatch, pattern: "A time-out occurred while waiting for buffer latch"},
	{kind: KindStall, reason: stallLatch, pattern: "Time-out occurred while waiting for buffer latch"},
	{kind: KindStall, reason: stallLatch, pattern: "Timeout occurred while waiting for latch"},
	{num: 833, kind: KindStall, reason: stallLongIO,
		pattern: "SQL Server has encountered {#f:count} occurrence(s) of I/O requests taking longer than {#f:seconds} seconds to complete on file [{f:file}]"},
	{kind: KindStall, reason: stallLongIO, pattern: "Long Sync IO"},
	{num: 8623, kind: KindStall, reason: stallQueryResources,
		pattern: "The query processor ran out of internal resources"},
	{num: 701, kind: KindStall, reason: stallMemory,
		pattern: "There is insufficient system memory in resource pool '{f:resource_pool}' to run this query."},
	{kind: KindStall, reason: stallMemory, pattern: "There is insufficient system memory"},
	{kind: KindStall, reason: stallMemory, pattern: "There is insufficient memory"},
	{num: 35217, kind: KindStall, reason: stallWorkers,
		pattern: "The thread pool for {_} was unable to start a new worker thread because there are not enough available worker threads."},
}

// Instance life cycle and facts.
var instanceTemplates = []template{
	{kind: KindStartup, post: postStartupBanner, pattern: "Microsoft SQL Server {x:rest}"},
	{num: 17147, kind: KindShutdown, reason: "system shutdown",
		pattern: "SQL Server is terminating because of a system shutdown."},
	{num: 17148, kind: KindShutdown, reason: "service stop",
		pattern: "SQL Server is terminating in response to a 'stop' request from Service Control Manager."},
	{kind: KindShutdown, pattern: "SQL Server is terminating {reason}."},
	{kind: KindShutdown, reason: "shutdown initiated", pattern: "SQL Server shutdown has been initiated"},
	{kind: KindShutdown, reason: "Ctrl-C", pattern: "SQL Server shutdown due to Ctrl-C or Ctrl-Break signal."},
	{kind: KindServerInfo, pattern: "Server name is '{f:server_name}'."},
	{kind: KindServerInfo, pattern: "The service account is '{f:service_account}'."},
	{kind: KindServerInfo, post: postUTCAdjustment, pattern: "UTC adjustment: {f:utc_adjustment}"},
}

// ---- post functions ----

// postStateChangeReason keeps the 19406 reason sentence(s) without the
// "For more information ..." boilerplate, which differs by version.
func postStateChangeReason(ev *Event, m *match) bool {
	r := m.get("x:reason")
	if i := findLit(r, "For more information"); i >= 0 {
		r = strings.TrimSpace(r[:i])
	}
	setStr(&ev.Reason, r)
	return true
}

// postManagerOffline tells quorum loss from an orderly stop of the
// availability replica manager (41092).
func postManagerOffline(ev *Event, m *match) bool {
	if findLit(m.get("reason"), "lost quorum") >= 0 {
		ev.Kind = KindQuorumLost
	}
	return true
}

// postSuspendReason sets Reason to the quoted reason with its source part,
// e.g. `"system" (Source ID 2; Source string: 'SUSPEND_FROM_REDO')`.
func postSuspendReason(ev *Event, m *match) bool {
	sp, ok := m.spanOf("f:suspend_reason")
	if !ok || sp.start == 0 {
		return false
	}
	setStr(&ev.Reason, m.body[sp.start-1:m.end])
	return true
}

// postHandshakeInner completes a recognized inner handshake message: the whole
// text is the reason.
func postHandshakeInner(ev *Event, m *match) bool {
	setStr(&ev.Reason, m.body)
	return true
}

// postHandshakeUnknown handles a handshake text that is not in the table.
func postHandshakeUnknown(ev *Event, m *match) bool {
	if n, ok := trailingState(m.body); ok && ev.HandshakeState == 0 {
		ev.HandshakeState = n
	}
	setStr(&ev.Reason, m.body)
	return true
}

// postHandshakeWrapper unpacks 28047/28048:
//
//	Database Mirroring login attempt by user 'DOM\svc$.' failed with error: 'Connection handshake failed. The login 'DOM\svc$' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.0.0.12]
//
// The inner message is the text between "error: '" and the last "'" before
// "[CLIENT:". Login comes from the inner message when it names one (28034).
// Otherwise it is the wrapper's user, less one trailing '.': in every known
// sample SQL Server prints the user of 28048 as '%s.' (the inner 28034 of the
// same line shows the name without it). A login that really ends in '.' would
// lose it there; the raw value is kept in Fields as wrapper_user.
func postHandshakeWrapper(ev *Event, m *match) bool {
	rest := m.get("x:rest")
	region := rest
	if i := strings.Index(region, "[CLIENT:"); i >= 0 {
		region = region[:i]
		setStr(&ev.Client, clientAddress(rest))
	}
	inner := strings.TrimSpace(region)
	if i := strings.LastIndexByte(inner, '\''); i >= 0 {
		inner = strings.TrimSpace(inner[:i])
	}
	if inner == "" {
		return false
	}
	setStr(&ev.Reason, inner)
	var in Event
	for i := range innerHandshakeTemplates {
		if t := handshakeInner(i); t.apply(&in, inner) {
			break
		}
	}
	if in.Error != 0 {
		setField(ev, "inner_error", itoa(in.Error))
	}
	if ev.HandshakeState == 0 {
		ev.HandshakeState = in.HandshakeState
	}
	for _, f := range in.Fields {
		setField(ev, f.Name, f.Value)
	}
	user := m.get("x:user")
	login := in.Login
	if login == "" && user != "" {
		login = strings.TrimSuffix(user, ".")
	}
	if login != user && user != "" {
		setField(ev, "wrapper_user", user)
	}
	setStr(&ev.Login, login)
	return true
}

// handshakeInner returns the compiled inner handshake template i (the copy
// held by the index, whose pattern has been compiled).
func handshakeInner(i int) *template {
	return table.byKey["Connection handshake"][i]
}

// postLoginReason fills Reason ("Reason: ..." up to the client part) and
// Client of 18456 and 17806.
func postLoginReason(ev *Event, m *match) bool {
	rest := m.get("x:rest")
	setStr(&ev.Client, clientAddress(rest))
	if i := strings.Index(rest, "[CLIENT:"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.Index(rest, "Reason:"); i >= 0 {
		rest = rest[i+len("Reason:"):]
	}
	setStr(&ev.Reason, strings.TrimSpace(rest))
	return true
}

// postStartupBanner accepts "Microsoft SQL Server 2017 (RTM) - 14.0.1000.169
// (X64)" and its 2005..2025 variants: the text must carry " - " and a dotted
// build number. Fields version (the banner after "Microsoft SQL Server") and
// build.
func postStartupBanner(ev *Event, m *match) bool {
	rest := m.get("x:rest")
	i := strings.Index(rest, " - ")
	if i < 0 {
		return false
	}
	build := rest[i+3:]
	if j := strings.IndexByte(build, ' '); j >= 0 {
		build = build[:j]
	}
	if len(build) < 3 || build[0] < '0' || build[0] > '9' || strings.IndexByte(build, '.') < 0 {
		return false
	}
	setField(ev, "version", rest)
	setField(ev, "build", build)
	return true
}

// postUTCAdjustment accepts only a well-formed offset.
func postUTCAdjustment(ev *Event, m *match) bool {
	_, ok := ParseUTCAdjustment(m.get("f:utc_adjustment"))
	return ok
}
