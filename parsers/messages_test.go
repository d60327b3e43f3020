package parsers

import (
	"strings"
	"testing"
	"time"
)

// want is the expected classification of one message. Only the fields that
// are set are compared, except Kind and Error, which are always compared.
type want struct {
	Kind                 Kind
	Error                int
	AG, From, To, Reason string
	Database             string
	Replica, ReplicaID   string
	Login, Client        string
	HandshakeState       int
	Fields               map[string]string
}

func checkEvent(t *testing.T, ev *Event, w want) {
	t.Helper()
	if ev.Kind != w.Kind {
		t.Errorf("Kind = %q, want %q", ev.Kind, w.Kind)
	}
	if ev.Error != w.Error {
		t.Errorf("Error = %d, want %d", ev.Error, w.Error)
	}
	str := []struct {
		name, got, want string
	}{
		{"AG", ev.AG, w.AG}, {"From", ev.From, w.From}, {"To", ev.To, w.To},
		{"Reason", ev.Reason, w.Reason}, {"Database", ev.Database, w.Database},
		{"Replica", ev.Replica, w.Replica}, {"ReplicaID", ev.ReplicaID, w.ReplicaID},
		{"Login", ev.Login, w.Login}, {"Client", ev.Client, w.Client},
	}
	for _, s := range str {
		if s.got != s.want {
			t.Errorf("%s = %q, want %q", s.name, s.got, s.want)
		}
	}
	if ev.HandshakeState != w.HandshakeState {
		t.Errorf("HandshakeState = %d, want %d", ev.HandshakeState, w.HandshakeState)
	}
	for k, v := range w.Fields {
		if got := ev.Field(k); got != v {
			t.Errorf("Field(%q) = %q, want %q", k, got, v)
		}
	}
}

const (
	info    = " This is an informational message only. No user action is required."
	guidA   = "BC4D3F26-FB15-4263-8F7B-B357C4DBFA13"
	guidB   = "38C7F87-E603-4422-A5A6-2DA5C983AE55"
	guidLow = "c4ad5ea4-8a99-41fa-893e-189154c24b49"
)

var classifyTests = []struct {
	name string
	msg  string
	err  int // preset ev.Error (XEvent error_number or ERRORLOG header)
	want want
}{
	// 19406 replica state changes, reason without the version-specific tail.
	{name: "19406 lease", msg: "The state of the local availability replica in availability group 'ag1023' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired.  For more information, see the SQL Server error log or cluster log.  If this is a Windows Server Failover Clustering (WSFC) availability group, you can also see the WSFC management console.",
		want: want{Kind: KindReplicaStateChange, Error: 19406, AG: "ag1023", From: "PRIMARY_NORMAL", To: "RESOLVING_NORMAL",
			Reason: "The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired."}},
	{name: "19406 newer tail", msg: "The state of the local availability replica in availability group 'ag' has changed from 'SECONDARY_NORMAL' to 'RESOLVING_PENDING_FAILOVER'. The state changed because the availability group state has changed in Windows Server Failover Clustering (WSFC). For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.",
		want: want{Kind: KindReplicaStateChange, Error: 19406, AG: "ag", From: "SECONDARY_NORMAL", To: "RESOLVING_PENDING_FAILOVER",
			Reason: "The state changed because the availability group state has changed in Windows Server Failover Clustering (WSFC)."}},
	{name: "19406 xevent preset", err: 19406, msg: "The state of the local availability replica in availability group 'AG 1' has changed from 'RESOLVING_NORMAL' to 'PRIMARY_PENDING'.  The state changed because the availability group is coming online.  For more information, see the SQL Server error log.",
		want: want{Kind: KindReplicaStateChange, Error: 19406, AG: "AG 1", From: "RESOLVING_NORMAL", To: "PRIMARY_PENDING",
			Reason: "The state changed because the availability group is coming online."}},
	{name: "19406 no reason", msg: "The state of the local availability replica in availability group 'ag' has changed from 'NOT_AVAILABLE' to 'RESOLVING_NORMAL'.",
		want: want{Kind: KindReplicaStateChange, Error: 19406, AG: "ag", From: "NOT_AVAILABLE", To: "RESOLVING_NORMAL"}},

	// 1480.
	{name: "1480", msg: `The availability group database "test1020" is changing roles from "SECONDARY" to "RESOLVING" because the mirroring session or availability group failed over due to role synchronization.` + info,
		want: want{Kind: KindDatabaseRoleChange, Error: 1480, Database: "test1020", From: "SECONDARY", To: "RESOLVING", Reason: "role synchronization"}},
	{name: "1480 mirrored", msg: `The mirrored database "Sales" is changing roles from "PRIMARY" to "SECONDARY" because the mirroring session or availability group failed over due to a failover from partner.` + info,
		want: want{Kind: KindDatabaseRoleChange, Error: 1480, Database: "Sales", From: "PRIMARY", To: "SECONDARY", Reason: "a failover from partner"}},
	{name: "1480 sql2005", msg: `The mirrored database "Sales" is changing roles from "MIRROR" to "PRINCIPAL" due to Failover.`,
		want: want{Kind: KindDatabaseRoleChange, Error: 1480, Database: "Sales", From: "MIRROR", To: "PRINCIPAL", Reason: "Failover"}},

	// Connections.
	{name: "35201", msg: "A connection timeout has occurred while attempting to establish a connection to availability replica 'ZE-2016-V2\\SQL17RTM01' with id [" + guidA + "]. Either a networking or firewall issue exists, or the endpoint address provided for the replica is not the database mirroring endpoint of the host server instance.",
		want: want{Kind: KindConnectionTimeout, Error: 35201, Replica: `ZE-2016-V2\SQL17RTM01`, ReplicaID: guidA}},
	{name: "35206 two spaces", msg: "A connection timeout has occurred on a previously established connection to availability replica 'ZE-2016-V1\\SQL17RTM01' with id [" + guidB + "].  Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.",
		want: want{Kind: KindConnectionTimeout, Error: 35206, Replica: `ZE-2016-V1\SQL17RTM01`, ReplicaID: guidB}},
	{name: "35206 xevent", err: 35206, msg: "A connection timeout has occurred on a previously established connection to availability replica 'SQL2' with id [" + guidB + "]. Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.",
		want: want{Kind: KindConnectionTimeout, Error: 35206, Replica: "SQL2", ReplicaID: guidB}},
	{name: "35202 double space", msg: "A connection for availability group 'ag1023' from availability replica 'ZE-2016-V1\\SQL17RTM01' with id  [" + guidB + "] to 'ZE-2016-V2\\SQL17RTM01' with id [" + guidA + "] has been successfully established.  This is an informational message only. No user action is required.",
		want: want{Kind: KindConnectionEstablished, Error: 35202, AG: "ag1023", Replica: `ZE-2016-V2\SQL17RTM01`, ReplicaID: guidA,
			Fields: map[string]string{"from_replica": `ZE-2016-V1\SQL17RTM01`, "from_replica_id": guidB}}},
	{name: "35267", msg: "Always On Availability Groups connection with secondary database terminated for primary database 'AutoHa-Sample' on the availability replica 'SQLServer-0' with Replica ID: {" + guidLow + "}." + info,
		want: want{Kind: KindDatabaseDisconnected, Error: 35267, Database: "AutoHa-Sample", Replica: "SQLServer-0", ReplicaID: guidLow,
			Fields: map[string]string{"partner_role": "secondary", "local_role": "primary"}}},
	{name: "35266 AlwaysOn 2014", msg: "AlwaysOn Availability Groups connection with primary database established for secondary database 'db1' on the availability replica 'N2' with Replica ID: {" + guidLow + "}." + info,
		want: want{Kind: KindDatabaseConnected, Error: 35266, Database: "db1", Replica: "N2", ReplicaID: guidLow,
			Fields: map[string]string{"partner_role": "primary", "local_role": "secondary"}}},
	{name: "35203", msg: "Unable to establish a connection between instance 'N1' with id [" + guidA + "] and 'N2' with id [" + guidB + "] due to a transport version mismatch.",
		want: want{Kind: KindConnectionError, Error: 35203, Replica: "N2", ReplicaID: guidB, Fields: map[string]string{"from_replica": "N1"}}},
	{name: "35204", msg: "The connection between server instances 'N1' with id [" + guidA + "] and 'N2' with id [" + guidB + "] has been disabled because the database mirroring endpoint was either disabled or stopped. Restart the endpoint by using the ALTER ENDPOINT Transact-SQL statement with STATE = STARTED.",
		want: want{Kind: KindConnectionError, Error: 35204, Replica: "N2", ReplicaID: guidB, Reason: "database mirroring endpoint disabled or stopped"}},
	{name: "35207", msg: "Connection attempt on availability group id '" + guidLow + "' from replica id '" + guidA + "' to replica id '" + guidB + "' failed because of error 10060, severity 16, state 1.",
		want: want{Kind: KindConnectionError, Error: 35207, ReplicaID: guidB, Fields: map[string]string{"inner_error": "10060", "ag_id": guidLow}}},
	{name: "35250", msg: "The connection to the primary replica is not active.  The command cannot be processed.",
		want: want{Kind: KindConnectionError, Error: 35250}},
	{name: "35256", msg: "The session timeout value was exceeded while waiting for a response from the other availability replica in the session. That replica or the network might be down.",
		want: want{Kind: KindConnectionError, Error: 35256}},
	{name: "1474", msg: "Database mirroring connection error 4 'An error occurred while receiving data: '10054(An existing connection was forcibly closed by the remote host.)'.' for 'TCP://sql2.contoso.com:5022'.",
		want: want{Kind: KindConnectionError, Error: 1474, Reason: "An error occurred while receiving data: '10054(An existing connection was forcibly closed by the remote host.)'.",
			Fields: map[string]string{"inner_error": "4", "far_endpoint_address": "TCP://sql2.contoso.com:5022"}}},
	{name: "1479", msg: `The mirroring connection to "TCP://sql2:5022" has timed out for database "Sales" after 10 seconds without a response.  Check the service and network connections.`,
		want: want{Kind: KindConnectionError, Error: 1479, Replica: "TCP://sql2:5022", Database: "Sales", Fields: map[string]string{"seconds": "10"}}},
	{name: "9642", err: 9642, msg: "An error occurred in a Service Broker/Database Mirroring transport connection endpoint, Error: 8474, State: 11. (Near endpoint role: Target, far endpoint address: '')",
		want: want{Kind: KindConnectionError, Error: 9642, Fields: map[string]string{"inner_error": "8474", "inner_state": "11", "near_endpoint_role": "Target"}}},

	// Data movement.
	{name: "35264", msg: `Always On Availability Groups data movement for database 'Sales' has been suspended for the following reason: "system" (Source ID 2; Source string: 'SUSPEND_FROM_REDO'). To resume data movement on the database, you will need to resume the database manually.`,
		want: want{Kind: KindDataMovementSuspended, Error: 35264, Database: "Sales", Reason: `"system" (Source ID 2; Source string: 'SUSPEND_FROM_REDO')`,
			Fields: map[string]string{"suspend_source_id": "2", "suspend_source": "SUSPEND_FROM_REDO", "suspend_reason": "system"}}},
	{name: "35265 AlwaysOn", msg: "AlwaysOn Availability Groups data movement for database 'Sales' has been resumed." + info,
		want: want{Kind: KindDataMovementResumed, Error: 35265, Database: "Sales"}},

	// Handshake family.
	{name: "28048 wrapper", msg: `Database Mirroring login attempt by user 'DOM\svc$.' failed with error: 'Connection handshake failed. The login 'DOM\svc$' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.0.0.12]`,
		want: want{Kind: KindHandshakeFailure, Error: 28048, Login: `DOM\svc$`, Client: "10.0.0.12", HandshakeState: 84,
			Reason: `Connection handshake failed. The login 'DOM\svc$' does not have CONNECT permission on the endpoint. State 84.`,
			Fields: map[string]string{"endpoint_type": "Database Mirroring", "inner_error": "28034", "wrapper_user": `DOM\svc$.`}}},
	{name: "28048 xevent preset", err: 28048, msg: `Database Mirroring login attempt by user 'CONTOSO\sqlsvc.' failed with error: 'Connection handshake failed. The login 'CONTOSO\sqlsvc' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 192.168.10.21]`,
		want: want{Kind: KindHandshakeFailure, Error: 28048, Login: `CONTOSO\sqlsvc`, Client: "192.168.10.21", HandshakeState: 84,
			Reason: `Connection handshake failed. The login 'CONTOSO\sqlsvc' does not have CONNECT permission on the endpoint. State 84.`,
			Fields: map[string]string{"inner_error": "28034"}}},
	{name: "28048 unknown inner state", msg: `Service Broker login attempt by user 'NT AUTHORITY\SYSTEM.' failed with error: 'Connection handshake failed. Something new happened. State 117.'.  [CLIENT: <local machine>]`,
		want: want{Kind: KindHandshakeFailure, Error: 28048, Login: `NT AUTHORITY\SYSTEM`, Client: "<local machine>", HandshakeState: 117,
			Reason: "Connection handshake failed. Something new happened. State 117.", Fields: map[string]string{"endpoint_type": "Service Broker", "inner_error": ""}}},
	{name: "28047 cert expired", msg: `Database Mirroring login attempt failed with error: 'Connection handshake failed. The certificate used by this endpoint was not found: Certificate expired. Use DBCC CHECKDB in master database to verify the metadata integrity of the endpoints. State 85.'.  [CLIENT: 10.1.1.5]`,
		want: want{Kind: KindHandshakeFailure, Error: 28047, Client: "10.1.1.5", HandshakeState: 85,
			Reason: "Connection handshake failed. The certificate used by this endpoint was not found: Certificate expired. Use DBCC CHECKDB in master database to verify the metadata integrity of the endpoints. State 85.",
			Fields: map[string]string{"inner_error": "28036", "certificate_reason": "Certificate expired"}}},
	{name: "28036 alone", msg: "Connection handshake failed. The certificate used by this endpoint was not found: Certificate expired. Use DBCC CHECKDB in master database to verify the metadata integrity of the endpoints. State 85.",
		want: want{Kind: KindHandshakeFailure, Error: 28036, HandshakeState: 85, Reason: "Connection handshake failed. The certificate used by this endpoint was not found: Certificate expired. Use DBCC CHECKDB in master database to verify the metadata integrity of the endpoints. State 85.",
			Fields: map[string]string{"certificate_reason": "Certificate expired"}}},
	{name: "28034 alone", msg: `Connection handshake failed. The login 'DOM\svc$' does not have CONNECT permission on the endpoint. State 84.`,
		want: want{Kind: KindHandshakeFailure, Error: 28034, Login: `DOM\svc$`, HandshakeState: 84,
			Reason: `Connection handshake failed. The login 'DOM\svc$' does not have CONNECT permission on the endpoint. State 84.`}},
	{name: "28031", msg: "Connection handshake failed. An OS call failed: (80090331) 0x80090331(The client and server cannot communicate, because they do not possess a common algorithm.). State 58.",
		want: want{Kind: KindHandshakeFailure, Error: 28031, HandshakeState: 58,
			Reason: "Connection handshake failed. An OS call failed: (80090331) 0x80090331(The client and server cannot communicate, because they do not possess a common algorithm.). State 58.",
			Fields: map[string]string{"os_error": "80090331"}}},
	{name: "28027", msg: "Connection handshake failed. There is no compatible authentication protocol. State 21.",
		want: want{Kind: KindHandshakeFailure, Error: 28027, HandshakeState: 21, Reason: "Connection handshake failed. There is no compatible authentication protocol. State 21.",
			Fields: map[string]string{"protocol": "authentication protocol"}}},
	{name: "28035", msg: "Connection handshake failed. The certificate used by the peer is invalid due to the following reason: Certificate not yet valid. State 89.",
		want: want{Kind: KindHandshakeFailure, Error: 28035, HandshakeState: 89, Reason: "Connection handshake failed. The certificate used by the peer is invalid due to the following reason: Certificate not yet valid. State 89."}},
	{name: "28045", msg: "Connection handshake failed. The certificate used by the peer does not match the one in MASTER database with same issuer name and serial number. State 90.",
		want: want{Kind: KindHandshakeFailure, Error: 28045, HandshakeState: 90, Reason: "Connection handshake failed. The certificate used by the peer does not match the one in MASTER database with same issuer name and serial number. State 90."}},
	{name: "28080", msg: "Connection handshake failed. The Database Mirroring endpoint is not configured. State 42.",
		want: want{Kind: KindHandshakeFailure, Error: 28080, HandshakeState: 42, Reason: "Connection handshake failed. The Database Mirroring endpoint is not configured. State 42.",
			Fields: map[string]string{"endpoint_type": "Database Mirroring"}}},
	{name: "handshake unknown", msg: "Connection handshake failed. A brand new problem. State 999.",
		want: want{Kind: KindHandshakeFailure, HandshakeState: 999, Reason: "Connection handshake failed. A brand new problem. State 999."}},

	// Endpoint ownership and state.
	{name: "15141", msg: "The server principal owns one or more endpoint(s) and cannot be dropped.",
		want: want{Kind: KindEndpointOwnership, Error: 15141, Fields: map[string]string{"object_type": "endpoint"}}},
	{name: "15173", msg: "Server principal 'CONTOSO\\olddba' has granted one or more permission(s). Revoke the permission(s) before dropping the server principal.",
		want: want{Kind: KindEndpointOwnership, Error: 15173, Login: `CONTOSO\olddba`}},
	{name: "9666", msg: "The Service Broker endpoint is in disabled or stopped state.",
		want: want{Kind: KindEndpointState, Error: 9666, To: "stopped", Fields: map[string]string{"endpoint_type": "Service Broker"}}},
	{name: "9690", msg: "The Database Mirroring endpoint is now listening for connections.",
		want: want{Kind: KindEndpointState, Error: 9690, To: "listening", Fields: map[string]string{"endpoint_type": "Database Mirroring"}}},
	{name: "9691", msg: "The Database Mirroring endpoint has stopped listening for connections.",
		want: want{Kind: KindEndpointState, Error: 9691, To: "stopped"}},
	{name: "9692", msg: "The Database Mirroring endpoint cannot listen on port 5022 because it is in use by another process.",
		want: want{Kind: KindEndpointState, Error: 9692, To: "failed", Fields: map[string]string{"port": "5022"}}},
	{name: "9693", msg: "The Database Mirroring endpoint cannot listen for connections due to the following error: '10049(The requested address is not valid in its context.)'.",
		want: want{Kind: KindEndpointState, Error: 9693, To: "failed", Reason: "10049(The requested address is not valid in its context.)"}},
	{name: "26022", msg: "Server is listening on [ 'any' <ipv4> 5022].",
		want: want{Kind: KindEndpointState, Error: 26022, To: "listening", Fields: map[string]string{"address": "'any'", "protocol": "ipv4", "port": "5022"}}},
	{name: "26022 accept sockets", msg: "Server is listening on [ ::1 <ipv6> 1434] accept sockets 1.",
		want: want{Kind: KindEndpointState, Error: 26022, To: "listening", Fields: map[string]string{"port": "1434"}}},
	{name: "26023", msg: "Server TCP provider failed to listen on [ 'any' <ipv4> 5022]. Tcp port is already in use.",
		want: want{Kind: KindEndpointState, Error: 26023, To: "failed"}},
	{name: "26024", msg: "Server failed to listen on 10.0.0.9 <ipv4> 5022. Error: 0x2741. To proceed, notify your system administrator.",
		want: want{Kind: KindEndpointState, Error: 26024, To: "failed", Fields: map[string]string{"os_error": "0x2741"}}},

	// Cluster and quorum.
	{name: "41048", msg: "Always On Availability Groups: Local Windows Server Failover Clustering service has become unavailable." + info,
		want: want{Kind: KindClusterUnavailable, Error: 41048}},
	{name: "41049", msg: "Always On Availability Groups: Local Windows Server Failover Clustering node is no longer online." + info,
		want: want{Kind: KindClusterUnavailable, Error: 41049}},
	{name: "41050", msg: "Always On Availability Groups: Waiting for local Windows Server Failover Clustering service to start." + info,
		want: want{Kind: KindClusterWaiting, Error: 41050}},
	{name: "41051 AlwaysOn", msg: "AlwaysOn Availability Groups: Local Windows Server Failover Clustering service started." + info,
		want: want{Kind: KindClusterOnline, Error: 41051}},
	{name: "41052", msg: "Always On Availability Groups: Waiting for local Windows Server Failover Clustering node to start." + info,
		want: want{Kind: KindClusterWaiting, Error: 41052}},
	{name: "41053", msg: "Always On Availability Groups: Local Windows Server Failover Clustering node started." + info,
		want: want{Kind: KindClusterOnline, Error: 41053}},
	{name: "41054", msg: "Always On Availability Groups: Waiting for local Windows Server Failover Clustering node to come online." + info,
		want: want{Kind: KindClusterWaiting, Error: 41054}},
	{name: "41055", msg: "Always On Availability Groups: Local Windows Server Failover Clustering node is online." + info,
		want: want{Kind: KindClusterOnline, Error: 41055}},
	{name: "41092 quorum", msg: "Always On: The availability replica manager is going offline because the local Windows Server Failover Clustering (WSFC) node has lost quorum." + info,
		want: want{Kind: KindQuorumLost, Error: 41092, To: "offline", Reason: "the local Windows Server Failover Clustering (WSFC) node has lost quorum"}},
	{name: "41092 shutdown AlwaysOn", msg: "AlwaysOn: The availability replica manager is going offline because SQL Server is shutting down." + info,
		want: want{Kind: KindManagerState, Error: 41092, To: "offline", Reason: "SQL Server is shutting down"}},
	{name: "manager starting", msg: "Always On: The availability replica manager is starting." + info,
		want: want{Kind: KindManagerState, To: "starting"}},
	{name: "manager starting 2025", msg: "Always On Availability Groups: The availability replica manager is starting." + info,
		want: want{Kind: KindManagerState, To: "starting"}},
	{name: "manager waiting", msg: "Always On: The availability replica manager is waiting for the instance of SQL Server to allow client connections." + info,
		want: want{Kind: KindManagerState, To: "waiting", Reason: "the instance of SQL Server to allow client connections"}},
	{name: "41089", msg: "Always On Availability Groups startup has been cancelled, because SQL Server is shutting down." + info,
		want: want{Kind: KindManagerState, Error: 41089, To: "cancelled", Reason: "SQL Server is shutting down"}},
	{name: "41005", msg: "Failed to obtain the Windows Server Failover Clustering (WSFC) resource handle for cluster resource with name or ID '8c9184c9-d4c0-40f8-a7ba-795eadbf9b68' (Error code 1722).  If this is a WSFC availability group, the WSFC service may not be running.",
		want: want{Kind: KindClusterError, Error: 41005, Fields: map[string]string{"resource": "8c9184c9-d4c0-40f8-a7ba-795eadbf9b68", "os_error": "1722"}}},
	{name: "41015", msg: "Failed to obtain the Windows Server Failover Clustering (WSFC) node handle (Error code 5042) for node 'NODE2'.",
		want: want{Kind: KindClusterError, Error: 41015, Fields: map[string]string{"node": "NODE2"}}},
	{name: "41034", msg: "Failed to set the Windows Server Failover Clustering (WSFC) registry value corresponding to name 'ag1' (Error code 5050).",
		want: want{Kind: KindClusterError, Error: 41034}},
	{name: "41047", msg: "Failed to obtain the Windows Server Failover Clustering (WSFC) node state for the local WSFC node (Error code 1753).",
		want: want{Kind: KindClusterError, Error: 41047}},
	{name: "41022 storm", msg: "Failed to create a Windows Server Failover Clustering (WSFC) notification port with notification filter 778567686 and notification key 3 (Error code 5073).  If this is a WSFC availability group, the WSFC service may not be running.",
		want: want{Kind: KindClusterError, Error: 41022, Fields: map[string]string{"os_error": "5073"}}},
	{name: "41066", msg: "Cannot bring the Windows Server Failover Clustering (WSFC) resource (ID 'abc') online (Error code 5942).",
		want: want{Kind: KindClusterError, Error: 41066}},
	{name: "41143 two spaces", msg: "Cannot process the operation.  The local replica of availability Group 'ag1023' is in a failed state.  A previous operation to read or update persisted configuration data for the availability group has failed.",
		want: want{Kind: KindClusterError, Error: 41143, AG: "ag1023"}},
	{name: "41144", msg: "The local availability replica of availability group 'ag1023' is in a failed state.  The replica failed to read or update the persisted configuration data (SQL Server error: 41034).",
		want: want{Kind: KindClusterError, Error: 41144, AG: "ag1023", Fields: map[string]string{"inner_error": "41034"}}},
	{name: "41146", msg: "Failed to bring Availability Group 'ag1' online.  The Windows Server Failover Clustering (WSFC) service may not be running, or it may not be accessible in its current state.",
		want: want{Kind: KindClusterError, Error: 41146, AG: "ag1"}},
	{name: "41161", msg: "Failed to validate the Cyclic Redundancy Check (CRC) of the configuration of availability group 'ag1023'.  The operation encountered SQL Server error 41005, and the availability group has been taken offline.",
		want: want{Kind: KindClusterError, Error: 41161, AG: "ag1023"}},
	{name: "41095", msg: "Always On: Explicitly transitioning the state of the Windows Server Failover Clustering (WSFC) resource that corresponds to availability group 'ag1' to Failed. The resource state is not consistent.",
		want: want{Kind: KindClusterError, Error: 41095, AG: "ag1"}},

	// Lease.
	{name: "19407", err: 19407, msg: "The lease between availability group 'ag1023' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster.",
		want: want{Kind: KindLeaseExpired, Error: 19407, AG: "ag1023"}},
	{name: "19419", msg: "Windows Server Failover Cluster did not receive a process event signal from SQL Server hosting availability group 'ag1023' within the lease timeout period.",
		want: want{Kind: KindLeaseExpired, Error: 19419, AG: "ag1023"}},
	{name: "19421", msg: "SQL Server hosting availability group 'JBAG' did not receive a process event signal from the Windows Server Failover Cluster within the lease timeout period.",
		want: want{Kind: KindLeaseExpired, Error: 19421, AG: "JBAG"}},
	{name: "19422", msg: "The renewal of the lease between availability group 'ag' and the Windows Server Failover Cluster failed because SQL Server encountered Windows error with error code ('1460').",
		want: want{Kind: KindLeaseExpired, Error: 19422, AG: "ag", Fields: map[string]string{"os_error": "1460"}}},
	{name: "19423", msg: "The lease of availability group 'ag' lease is no longer valid to start the lease renewal process.",
		want: want{Kind: KindLeaseExpired, Error: 19423, AG: "ag"}},
	{name: "41091", msg: "Always On: The local replica of availability group 'JBAG' is going offline because either the lease expired or lease renewal failed." + info,
		want: want{Kind: KindLeaseExpired, Error: 41091, AG: "JBAG"}},
	{name: "41195", msg: "Availability group 'ag' failed to process the WSFC lease-renewal command. The local availability replica lease is no longer valid to process the lease renewal command.",
		want: want{Kind: KindLeaseExpired, Error: 41195, AG: "ag"}},
	{name: "19420", msg: "The availability group 'ag1023' is being asked to stop the lease renewal because the availability group is going offline." + info,
		want: want{Kind: KindLeaseStopped, Error: 19420, AG: "ag1023"}},
	{name: "19424 noise", msg: "The lease worker of availability group 'ag1023' is now sleeping the excess lease time (164797 ms) supplied during online." + info,
		want: want{Kind: KindMessage, Error: 19424, AG: "ag1023", Fields: map[string]string{"excess_ms": "164797"}}},

	// Role transitions and local replica state.
	{name: "41074 short", msg: "Always On: The local replica of availability group 'ag1023' is preparing to transition to the primary role." + info,
		want: want{Kind: KindRoleTransition, Error: 41074, AG: "ag1023", To: "PRIMARY"}},
	{name: "41075 long", msg: "Always On: The local replica of availability group 'Contoso-ag' is preparing to transition to the resolving role in response to a request from the Windows Server Failover Clustering (WSFC) cluster." + info,
		want: want{Kind: KindRoleTransition, Error: 41075, AG: "Contoso-ag", To: "RESOLVING"}},
	{name: "41093", msg: "Always On: The local replica of availability group 'ag1023' is going offline because the corresponding resource in the Windows Server Failover Clustering (WSFC) cluster is no longer online." + info,
		want: want{Kind: KindRoleTransition, Error: 41093, AG: "ag1023", To: "OFFLINE"}},
	{name: "41094", msg: "AlwaysOn: The local replica of availability group 'ag' is restarting because the existing primary replica restarted or the availability group failed over to a new primary replica." + info,
		want: want{Kind: KindRoleTransition, Error: 41094, AG: "ag", To: "RESTARTING"}},
	{name: "replica starting", msg: "Always On: The local replica of availability group 'ag1023' is starting." + info,
		want: want{Kind: KindReplicaState, AG: "ag1023", To: "starting"}},
	{name: "replica stopping", msg: "Always On: The local replica of availability group 'ag1023' is stopping." + info,
		want: want{Kind: KindReplicaState, AG: "ag1023", To: "stopping"}},

	// Failed failover.
	{name: "41142", msg: "The availability replica for availability group 'ag' on this instance of SQL Server cannot become the primary replica. One or more databases are not synchronized or have not joined the availability group.",
		want: want{Kind: KindFailoverFailed, Error: 41142, AG: "ag"}},
	{name: "41125", msg: "The availability replica for availability group 'ag' on this instance of SQL Server cannot become the primary replica because the WSFC cluster was started in Force Quorum mode.",
		want: want{Kind: KindFailoverFailed, Error: 41125, AG: "ag"}},
	{name: "41104", msg: "Failover of the availability group 'ag' to the local replica failed because the availability group resource did not come online due to a previous error.",
		want: want{Kind: KindFailoverFailed, Error: 41104, AG: "ag"}},
	{name: "41131", msg: "Failed to bring availability group 'ag' online.  The operation timed out. Verify that the local Windows Server Failover Clustering (WSFC) node is online.",
		want: want{Kind: KindFailoverFailed, Error: 41131, AG: "ag"}},
	{name: "41134", msg: "Cannot bring the availability group 'ag' online. The local instance was not the previous primary replica when the availability group went offline.",
		want: want{Kind: KindFailoverFailed, Error: 41134, AG: "ag"}},
	{name: "41160", msg: "Failed to designate the local availability replica of availability group 'ag' as the primary replica. The operation encountered SQL Server error 41066 and has been terminated.",
		want: want{Kind: KindFailoverFailed, Error: 41160, AG: "ag", Fields: map[string]string{"inner_error": "41066"}}},

	// Health.
	{name: "41653", err: 41653, msg: "Database 'AutoHa-Sample' encountered an error (error type: 2 'DB_SHUTDOWN') causing failure of the availability group 'Contoso-ag'.  Refer to the SQL Server error log for information about the errors that were encountered.",
		want: want{Kind: KindHealthFailure, Error: 41653, Database: "AutoHa-Sample", AG: "Contoso-ag", Reason: "DB_SHUTDOWN", Fields: map[string]string{"error_type": "2"}}},

	// Not synchronizing.
	{name: "35268", msg: "Synchronization of a secondary database, 'Sales', was interrupted, leaving the database in an inconsistent state.",
		want: want{Kind: KindDatabaseNotSynced, Error: 35268, Database: "Sales"}},
	{name: "35273", msg: "Bypassing recovery for database 'Sales' because it is marked as an inaccessible availability database.",
		want: want{Kind: KindDatabaseNotSynced, Error: 35273, Database: "Sales"}},
	{name: "35274", msg: "Recovery for availability database 'Sales' is pending until the secondary replica receives additional transaction log from the primary before it complete and come online.",
		want: want{Kind: KindDatabaseNotSynced, Error: 35274, Database: "Sales"}},
	{name: "35275", msg: "A previous RESTORE WITH CONTINUE_AFTER_ERROR operation or being removed while in the SUSPECT state from an availability group left the 'Sales' database in a potentially damaged state.",
		want: want{Kind: KindDatabaseNotSynced, Error: 35275, Database: "Sales"}},
	{name: "35276", msg: "Failed to allocate and schedule an Always On Availability Groups task for database 'Sales'. Manual intervention may be required.",
		want: want{Kind: KindDatabaseNotSynced, Error: 35276, Database: "Sales"}},
	{name: "35278", msg: "Availability database 'test10200423', which is in the secondary role, is being restarted to resynchronize with the current primary database." + info,
		want: want{Kind: KindDatabaseNotSynced, Error: 35278, Database: "test10200423"}},
	{name: "9002 AR", err: 9002, msg: "The transaction log for database 'ContosoAnalyticsDb' is full due to 'AVAILABILITY_REPLICA'.",
		want: want{Kind: KindDatabaseNotSynced, Error: 9002, Database: "ContosoAnalyticsDb", Reason: "AVAILABILITY_REPLICA"}},
	{name: "35262 noise", msg: "Skipping the default startup of database 'test1' because the database belongs to an availability group (Group ID:  65536). The database will be started by the availability group.",
		want: want{Kind: KindMessage, Error: 35262, Database: "test1", Fields: map[string]string{"group_id": "65536"}}},

	// Logins.
	{name: "18456", err: 18456, msg: "Login failed for user 'REDMOND\\zeche'. Reason: Failed to open the explicitly specified database 'test1019'. [CLIENT: 2001:4898:e0:388:9553:4cc4:f95e:24ea]",
		want: want{Kind: KindLoginFailed, Error: 18456, Login: `REDMOND\zeche`, Client: "2001:4898:e0:388:9553:4cc4:f95e:24ea",
			Reason: "Failed to open the explicitly specified database 'test1019'."}},
	{name: "18456 sa", msg: "Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 172.20.0.1]",
		want: want{Kind: KindLoginFailed, Error: 18456, Login: "sa", Client: "172.20.0.1", Reason: "Password did not match that for the login provided."}},
	{name: "976", msg: "The target database, 'test10200423', is participating in an availability group and is currently not accessible for queries. Either data movement is suspended or the availability replica is not enabled for read access.",
		want: want{Kind: KindLoginFailed, Error: 976, Database: "test10200423"}},
	{name: "983", msg: "Unable to access availability database 'test10200423' because the database replica is not in the PRIMARY or SECONDARY role. Connections to an availability database is permitted only when the database replica is in the PRIMARY or SECONDARY role.",
		want: want{Kind: KindLoginFailed, Error: 983, Database: "test10200423"}},
	{name: "17187", msg: "SQL Server is not ready to accept new client connections. Wait a few minutes before trying again. [CLIENT: 10.0.0.4]",
		want: want{Kind: KindLoginFailed, Error: 17187}},
	{name: "17806", msg: "SSPI handshake failed with error code 0x8009030c, state 14 while establishing a connection with integrated security; the connection has been closed. Reason: AcceptSecurityContext failed. [CLIENT: 10.0.0.7]",
		want: want{Kind: KindLoginFailed, Error: 17806, Client: "10.0.0.7", Reason: "AcceptSecurityContext failed.", Fields: map[string]string{"os_error": "0x8009030c, state 14"}}},

	// Stalls.
	{name: "stack dump banner", msg: "* BEGIN STACK DUMP:",
		want: want{Kind: KindStall, Reason: "stack dump"}},
	{name: "stack dump kind", msg: "*   Non-yielding Scheduler",
		want: want{Kind: KindStall, Reason: "non-yielding scheduler"}},
	{name: "stack signature", msg: "Stack Signature for the dump is 0x00000001A2B3C4D5",
		want: want{Kind: KindStall, Reason: "stack dump", Fields: map[string]string{"signature": "0x00000001A2B3C4D5"}}},
	{name: "17883", msg: "Process 0:0:0 (0x1a2c) Worker 0x00000004E0B8C160 appears to be non-yielding on Scheduler 3. Thread creation time: 13156838338217. Approx Thread CPU Used: kernel 0 ms, user 70000 ms.",
		want: want{Kind: KindStall, Error: 17883, Reason: "non-yielding scheduler", Fields: map[string]string{"scheduler": "3"}}},
	{name: "IOCP", msg: "IO Completion Listener (0x2b4c) Worker 0x0000000004DA6160 appears to be non-yielding on Node 0. Approx CPU Used: kernel 0 ms, user 15000 ms. Interval: 15002.",
		want: want{Kind: KindStall, Reason: "non-yielding IOCP listener", Fields: map[string]string{"node": "0"}}},
	{name: "resource monitor", msg: "Resource Monitor (0x1a04) Worker 0x000000000542C160 appears to be non-yielding on Node 0. Memory freed: 0 KB.",
		want: want{Kind: KindStall, Reason: "non-yielding resource monitor"}},
	{name: "stalled IOCP", msg: "* Stalled IOCP Listener",
		want: want{Kind: KindStall, Reason: "stalled IOCP listener"}},
	{name: "deadlocked dump", msg: "*  Deadlocked Schedulers",
		want: want{Kind: KindStall, Reason: "deadlocked schedulers"}},
	{name: "17884", msg: "New queries assigned to process on Node 0 have not been picked up by a worker thread in the last 60 seconds. Blocking or long-running queries can contribute to this condition.",
		want: want{Kind: KindStall, Error: 17884, Reason: "deadlocked schedulers", Fields: map[string]string{"seconds": "60"}}},
	{name: "17888", msg: "All schedulers on Node 0 appear deadlocked due to a large number of worker threads waiting on LCK_M_S. Process Utilization 0%.",
		want: want{Kind: KindStall, Error: 17888, Reason: "deadlocked schedulers", Fields: map[string]string{"wait_type": "LCK_M_S"}}},
	{name: "17890", msg: "A significant part of sql server process memory has been paged out. This may result in a performance degradation. Duration: 0 seconds. Working set (KB): 1086000, committed (KB): 2219312, memory utilization: 48%.",
		want: want{Kind: KindStall, Error: 17890, Reason: "memory paged out"}},
	{name: "833", msg: "SQL Server has encountered 12 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [E:\\Data\\Sales.mdf] in database id 5.  The OS file handle is 0x0000000000000B2C.",
		want: want{Kind: KindStall, Error: 833, Reason: "long I/O", Fields: map[string]string{"count": "12", "seconds": "15", "file": `E:\Data\Sales.mdf`}}},
	{name: "long sync io", msg: "Long Sync IO: Scheduler 2 had 1 Sync IOs in nonpreemptive mode longer than 1000 ms",
		want: want{Kind: KindStall, Reason: "long I/O"}},
	{name: "latch timeout", msg: "A time-out occurred while waiting for buffer latch -- type 4, bp 0000000C1A2B3C40, page 1:12345, stat 0x10b, database id: 5, allocation unit Id: 72057594038910976, task 0x000000000C1A2B3C : 0, waittime 300 seconds.",
		want: want{Kind: KindStall, Reason: "latch timeout"}},
	{name: "8623", msg: "The query processor ran out of internal resources and could not produce a query plan.",
		want: want{Kind: KindStall, Error: 8623, Reason: "query processor out of resources"}},
	{name: "701", msg: "There is insufficient system memory in resource pool 'default' to run this query.",
		want: want{Kind: KindStall, Error: 701, Reason: "memory", Fields: map[string]string{"resource_pool": "default"}}},
	{name: "insufficient memory", msg: "There is insufficient memory available in the buffer pool.",
		want: want{Kind: KindStall, Reason: "memory"}},
	{name: "35217", msg: "The thread pool for Always On Availability Groups was unable to start a new worker thread because there are not enough available worker threads.  This may degrade Always On Availability Groups performance.",
		want: want{Kind: KindStall, Error: 35217, Reason: "worker threads exhausted"}},

	// Instance life cycle and facts.
	{name: "banner 2017", msg: "Microsoft SQL Server 2017 (RTM) - 14.0.1000.169 (X64) \n\tAug 22 2017 17:04:49 \n\tCopyright (C) 2017 Microsoft Corporation",
		want: want{Kind: KindStartup, Fields: map[string]string{"version": "2017 (RTM) - 14.0.1000.169 (X64)", "build": "14.0.1000.169"}}},
	{name: "banner 2025", msg: "Microsoft SQL Server 2025 (RTM-CU3) (KB5071234) - 17.0.4025.3 (X64)",
		want: want{Kind: KindStartup, Fields: map[string]string{"build": "17.0.4025.3"}}},
	{name: "banner 2008R2", msg: "Microsoft SQL Server 2008 R2 (RTM) - 10.50.1600.1 (X64) ",
		want: want{Kind: KindStartup, Fields: map[string]string{"build": "10.50.1600.1"}}},
	{name: "shutdown system", msg: "SQL Server is terminating because of a system shutdown." + info,
		want: want{Kind: KindShutdown, Error: 17147, Reason: "system shutdown"}},
	{name: "shutdown scm", msg: "SQL Server is terminating in response to a 'stop' request from Service Control Manager." + info,
		want: want{Kind: KindShutdown, Error: 17148, Reason: "service stop"}},
	{name: "shutdown initiated", msg: "SQL Server shutdown has been initiated",
		want: want{Kind: KindShutdown, Reason: "shutdown initiated"}},
	{name: "shutdown ctrl-c", msg: "SQL Server shutdown due to Ctrl-C or Ctrl-Break signal. This is an informational message only.",
		want: want{Kind: KindShutdown, Reason: "Ctrl-C"}},
	{name: "server name", msg: "Server name is 'ZE-2016-V1\\SQL17RTM01'." + info,
		want: want{Kind: KindServerInfo, Fields: map[string]string{"server_name": `ZE-2016-V1\SQL17RTM01`}}},
	{name: "service account", msg: "The service account is 'NT Service\\MSSQLSERVER'. This is an informational message; no user action is required.",
		want: want{Kind: KindServerInfo, Fields: map[string]string{"service_account": `NT Service\MSSQLSERVER`}}},
	{name: "utc adjustment", msg: "UTC adjustment: -7:00",
		want: want{Kind: KindServerInfo, Fields: map[string]string{"utc_adjustment": "-7:00"}}},
	{name: "utc adjustment trailing blank", msg: "UTC adjustment: 5:30 ",
		want: want{Kind: KindServerInfo, Fields: map[string]string{"utc_adjustment": "5:30"}}},
}

func TestClassifyMessage(t *testing.T) {
	for _, tc := range classifyTests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &Event{Message: tc.msg, Error: tc.err}
			got := ClassifyMessage(ev)
			if !got {
				t.Fatalf("ClassifyMessage(%q) = false, want true", tc.msg)
			}
			checkEvent(t, ev, tc.want)
		})
	}
}

// TestClassifyEveryNumber makes sure each error number of the table is
// exercised by at least one case above.
func TestClassifyEveryNumber(t *testing.T) {
	seen := map[int]bool{}
	for _, tc := range classifyTests {
		seen[tc.want.Error] = true
	}
	for _, tpl := range table.all {
		if tpl.num != 0 && !seen[tpl.num] {
			t.Errorf("error %d (%q) has no test case", tpl.num, tpl.pattern)
		}
	}
}

func TestClassifyNegative(t *testing.T) {
	for _, msg := range []string{
		"",
		"   ",
		"Error: 19407, Severity: 16, State: 1.",
		"The tempdb database has 8 data file(s).",
		"The state of the local availability replica is fine.",
		"The state of the local availability replica in availability group 'ag' has changed from 'A'",
		"A connection timeout has occurred while attempting to establish a connection to availability replica 'X' with id",
		"A connection for availability group 'ag' from availability replica 'X' was closed.",
		"Always On is a feature.",
		"Always On Availability Groups",
		"AlwaysOnAvailability Groups: Local Windows Server Failover Clustering service started.",
		"Local Windows Server Failover Clustering service is fine.",
		"Login failed for user",
		"Login succeeded for user 'sa'.",
		"Connection handshake succeeded.",
		"Database Mirroring login attempt by user 'x' succeeded.",
		"Microsoft SQL Server Management Studio",
		"Microsoft SQL Server 2017 is great",
		"UTC adjustment: 25:00",
		"UTC adjustment: soon",
		"Server is listening on [ 'any' <ipv4> port].",
		"The lease worker of availability group 'ag' is now sleeping the excess lease time (many ms)",
		"Process ID 1234 is running.",
		"Starting up database 'master'.",
		"Recovery is complete. This is an informational message only. No user action is required.",
		"SQL Server is now ready for client connections. This is an informational message; no user action is required.",
		"SQL Server is starting at normal priority base (=7).",
		"The transaction log for database 'x' is full due to 'LOG_BACKUP'.",
		"The availability group database \"db\" is changing roles",
		"Stack Signature",
		"There is no problem.",
		"DbMgrPartnerCommitPolicy::SetSyncAndRecoveryPoint: BC4D3F26-FB15-4263-8F7B-B357C4DBFA13:4",
	} {
		ev := &Event{Message: msg}
		if ClassifyMessage(ev) {
			t.Errorf("ClassifyMessage(%q) = true (kind %q, error %d), want false", msg, ev.Kind, ev.Error)
		}
		if ev.Kind != KindMessage {
			t.Errorf("ClassifyMessage(%q): Kind = %q, want %q", msg, ev.Kind, KindMessage)
		}
	}
}

// TestClassifyPresetError covers the XEvent/ERRORLOG-header case where the
// number is known: the number's template wins, and a text that is not in the
// table (e.g. a localized server) still gets the number's kind.
func TestClassifyPresetError(t *testing.T) {
	// German text of 19407: unknown wording, known number.
	ev := &Event{Error: 19407, Message: "Die Lease zwischen der Verfügbarkeitsgruppe 'ag' und dem Windows Server-Failovercluster ist abgelaufen."}
	if !ClassifyMessage(ev) || ev.Kind != KindLeaseExpired || ev.AG != "" {
		t.Errorf("localized 19407: kind %q AG %q", ev.Kind, ev.AG)
	}
	// 41092 needs its text.
	ev = &Event{Error: 41092, Message: "Unbekannter Text"}
	if ClassifyMessage(ev) || ev.Kind != KindMessage {
		t.Errorf("localized 41092: kind %q, want message", ev.Kind)
	}
	// A preset number is never replaced, even when the text is another template's.
	ev = &Event{Error: 50000, Message: "The lease between availability group 'ag' and the Windows Server Failover Cluster has expired."}
	if !ClassifyMessage(ev) || ev.Error != 50000 || ev.Kind != KindLeaseExpired || ev.AG != "ag" {
		t.Errorf("preset 50000: error %d kind %q AG %q", ev.Error, ev.Kind, ev.AG)
	}
	// Fields already set (by the XEvent reader) are kept.
	ev = &Event{Error: 19407, AG: "from-xevent", Message: "The lease between availability group 'from-text' and the Windows Server Failover Cluster has expired."}
	if !ClassifyMessage(ev) || ev.AG != "from-xevent" {
		t.Errorf("preset AG: AG %q", ev.AG)
	}
	// Existing Fields are not modified in place.
	orig := []Field{{Name: "server_name", Value: "keep"}}
	ev = &Event{Message: "Server name is 'other'.", Fields: orig[:1:1]}
	ClassifyMessage(ev)
	if orig[0].Value != "keep" || ev.Field("server_name") != "keep" {
		t.Errorf("fields: orig %v, event %v", orig, ev.Fields)
	}
}

func TestMessageBody(t *testing.T) {
	for in, want := range map[string]string{
		"Always On: The x":                     "The x",
		"AlwaysOn: The x":                      "The x",
		"Always On Availability Groups: Wait":  "Wait",
		"AlwaysOn Availability Groups: Wait":   "Wait",
		"Always On Availability Groups  conn":  "conn",
		"Always On is a feature":               "Always On is a feature",
		"Always On Availability Groups":        "Always On Availability Groups",
		"  * BEGIN STACK DUMP:\r":              "BEGIN STACK DUMP:",
		"first line\nsecond line":              "first line",
		"Availability database 'x', which is ": "Availability database 'x', which is",
	} {
		if got := messageBody(in); got != want {
			t.Errorf("messageBody(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseUTCAdjustment(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"UTC adjustment: -7:00", -7 * time.Hour, true},
		{"-7:00", -7 * time.Hour, true},
		{"5:30", 5*time.Hour + 30*time.Minute, true},
		{"1:00", time.Hour, true},
		{"0:00", 0, true},
		{"-3:30", -(3*time.Hour + 30*time.Minute), true},
		{"+5:45", 5*time.Hour + 45*time.Minute, true},
		{"14:00", 14 * time.Hour, true},
		{"-12:00", -12 * time.Hour, true},
		{"14:30", 0, false},
		{"5:3", 0, false},
		{"5:60", 0, false},
		{"530", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"--7:00", 0, false},
		{"123:00", 0, false},
		{"a:00", 0, false},
	} {
		got, ok := ParseUTCAdjustment(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseUTCAdjustment(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCompilePatternErrors(t *testing.T) {
	for _, p := range []string{"{ag} starts with a capture", "unclosed {ag", "stray } brace", "two {a}{b} captures", "empty {} name"} {
		if _, err := compilePattern(p); err == nil {
			t.Errorf("compilePattern(%q) accepted a malformed pattern", p)
		}
	}
	if _, err := compilePattern("Replica ID: {{{replica_id}}}."); err != nil {
		t.Errorf("escaped braces: %v", err)
	}
}

// TestTableKeys checks that every template is reachable through the index
// from its own pattern text.
func TestTableKeys(t *testing.T) {
	for _, tpl := range table.all {
		lit := tpl.segs[0].lit
		found := false
		for _, c := range table.lookup(lit + "x") {
			if c == tpl {
				found = true
			}
		}
		if !found && !strings.HasSuffix(lit, " ") {
			// The literal is the whole first word run; try it as a message.
			for _, c := range table.lookup(lit) {
				if c == tpl {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("template %q is not reachable from its first words", tpl.pattern)
		}
	}
}
