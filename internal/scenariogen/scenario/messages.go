package scenario

import (
	"fmt"
	"strings"
	"time"
)

// Message texts, as SQL Server writes them (SIGNALS.md templates, spacing as
// in real logs: two spaces after the period in 19406, 35202 and 35206).

const InfoOnly = "This is an informational message only. No user action is required."

// Reasons of 19406, as seen in real logs.
const (
	ReasonStartup      = "The state changed because the local instance of SQL Server is starting up."
	ReasonWSFC         = "The state changed because the availability group state has changed in Windows Server Failover Clustering (WSFC)."
	ReasonComingOnline = "The state changed because the availability group is coming online."
	ReasonOnlineDone   = "The state changed because the local replica has completed processing Online command from Windows Server Failover Clustering (WSFC)."
	ReasonLease        = "The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired."
	ReasonGoingOffline = "The state changed because the availability group is going offline."
	reasonShutdown     = "The state changed because the local instance of SQL Server is shutting down."
)

// XE map keys of hadr_availability_replica_role.
var roleKey = map[string]string{
	"RESOLVING_NORMAL": "0", "RESOLVING_PENDING_FAILOVER": "1", "PRIMARY_PENDING": "2",
	"PRIMARY_NORMAL": "3", "SECONDARY_NORMAL": "4", "NOT_AVAILABLE": "5",
}

// AG is an availability group and its databases.
type AG struct {
	Name string
	DBs  []string
}

// ID is the availability group id (deterministic).
func (g AG) ID() string { return guid("ag/" + g.Name) }

// StateChange logs 19406 and the availability_replica_state_change event.
func (r *Replica) StateChange(at time.Time, src string, g AG, from, to, reason string) {
	r.Log(at, src, fmt.Sprintf("The state of the local availability replica in availability group '%s' has changed from '%s' to '%s'.  %s  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.", g.Name, from, to, reason))
	r.XE(at.Add(time.Millisecond), "availability_replica_state_change",
		dataVT("previous_state", roleKey[from], from),
		dataVT("current_state", roleKey[to], to),
		dataV("availability_group_id", g.ID()),
		dataV("availability_group_name", g.Name),
		dataV("availability_replica_id", r.ID()),
		dataV("availability_replica_name", r.Name()))
}

// RoleChange logs 1480 for every database of g ("PRIMARY" -> "RESOLVING" ...).
func (r *Replica) RoleChange(at time.Time, src string, g AG, from, to string) {
	for i, db := range g.DBs {
		t := at.Add(time.Duration(i) * 20 * time.Millisecond)
		r.Err(t, src, 1480, 10, 1, fmt.Sprintf(`The availability group database "%s" is changing roles from "%s" to "%s" because the mirroring session or availability group failed over due to role synchronization. %s`, db, from, to, InfoOnly))
		r.Log(t.Add(10*time.Millisecond), src, fmt.Sprintf("State information for database '%s' - Hardened Lsn: '(%d:%d:1)'    Commit LSN: '(%d:%d:12)'    Commit Time: '%s'", db, 1210+i*37, 88000+at.Minute()*16, 1210+i*37, 87800+at.Minute()*16, commitTime(at.Add(r.Offset))))
	}
}

func commitTime(local time.Time) string {
	// "Mar 12 2024  2:13AM" style (day and hour padded with a space).
	h := local.Hour() % 12
	if h == 0 {
		h = 12
	}
	ampm := "AM"
	if local.Hour() >= 12 {
		ampm = "PM"
	}
	return fmt.Sprintf("%s %2d %d %2d:%02d%s", local.Format("Jan"), local.Day(), local.Year(), h, local.Minute(), ampm)
}

// Connected logs 35202 for a connection from r to peer.
func (r *Replica) Connected(at time.Time, src string, g AG, peer *Replica) {
	r.Err(at, src, 35202, 10, 7, MsgConnected(g, r, peer))
}

func MsgConnected(g AG, from, to *Replica) string {
	return fmt.Sprintf("A connection for availability group '%s' from availability replica '%s' with id  [%s] to '%s' with id [%s] has been successfully established.  %s", g.Name, from.Name(), from.ID(), to.Name(), to.ID(), InfoOnly)
}

// ConnectTimeout logs 35201 (new connection to peer timed out).
func (r *Replica) ConnectTimeout(at time.Time, src string, peer *Replica) {
	r.Err(at, src, 35201, 10, 7, fmt.Sprintf("A connection timeout has occurred while attempting to establish a connection to availability replica '%s' with id [%s]. Either a networking or firewall issue exists, or the endpoint address provided for the replica is not the database mirroring endpoint of the host server instance.", peer.Name(), peer.ID()))
}

// ConnectionLost logs 35206 (established connection to peer timed out).
func (r *Replica) ConnectionLost(at time.Time, src string, peer *Replica) {
	r.Err(at, src, 35206, 10, 7, fmt.Sprintf("A connection timeout has occurred on a previously established connection to availability replica '%s' with id [%s].  Either a networking or a firewall issue exists or the availability replica has transitioned to the resolving role.", peer.Name(), peer.ID()))
}

// DBConnections logs 35266 (up=true) or 35267 for every database of g. The
// local replica is primary when localPrimary is set.
func (r *Replica) DBConnections(at time.Time, src string, g AG, peer *Replica, localPrimary, up bool) {
	other, local := "primary", "secondary"
	if localPrimary {
		other, local = "secondary", "primary"
	}
	verb, num := "established", 35266
	if !up {
		verb, num = "terminated", 35267
	}
	for i, db := range g.DBs {
		r.Err(at.Add(time.Duration(i)*30*time.Millisecond), src, num, 10, 1, fmt.Sprintf("Always On Availability Groups connection with %s database %s for %s database '%s' on the availability replica '%s' with Replica ID: {%s}. %s", other, verb, local, db, peer.Name(), strings.ToLower(peer.ID()), InfoOnly))
	}
}

// CommitPolicy logs the DbMgr chatter that follows role changes and reconnects.
func (r *Replica) CommitPolicy(at time.Time, src string, peer *Replica, n int) {
	for i := 0; i < n; i++ {
		state := "1"
		if i%3 == 2 {
			state = "4"
		}
		r.Log(at.Add(time.Duration(i)*10*time.Millisecond), src, fmt.Sprintf("DbMgrPartnerCommitPolicy::SetSyncAndRecoveryPoint: %s:%s", peer.ID(), state))
	}
}

// Fixed single-line AG texts.
func msgPrepPrimary(ag string) string {
	return fmt.Sprintf("Always On: The local replica of availability group '%s' is preparing to transition to the primary role in response to a request from the Windows Server Failover Clustering (WSFC) cluster. %s", ag, InfoOnly)
}

func MsgPrepResolving(ag string) string {
	return fmt.Sprintf("Always On: The local replica of availability group '%s' is preparing to transition to the resolving role in response to a request from the Windows Server Failover Clustering (WSFC) cluster. %s", ag, InfoOnly)
}

func MsgLeaseOffline(ag string) string {
	return fmt.Sprintf("Always On: The local replica of availability group '%s' is going offline because either the lease expired or lease renewal failed. %s", ag, InfoOnly)
}

func MsgLeaseExpired(ag string) string {
	return fmt.Sprintf("The lease between availability group '%s' and the Windows Server Failover Cluster has expired. A connectivity issue occurred between the instance of SQL Server and the Windows Server Failover Cluster. To determine whether the availability group is failing over correctly, check the corresponding availability group resource in the Windows Server Failover Cluster.", ag)
}

func msgNoProcessSignal(ag string) string {
	return fmt.Sprintf("Windows Server Failover Cluster did not receive a process event signal from SQL Server hosting availability group '%s' within the lease timeout period.", ag)
}

func msgNoClusterSignal(ag string) string {
	return fmt.Sprintf("SQL Server hosting availability group '%s' did not receive a process event signal from the Windows Server Failover Cluster within the lease timeout period.", ag)
}

func msgStopLease(ag string) string {
	return fmt.Sprintf("The availability group '%s' is being asked to stop the lease renewal because the availability group is going offline. %s", ag, InfoOnly)
}

func msgExcessSleep(ag string, ms int) string {
	return fmt.Sprintf("The lease worker of availability group '%s' is now sleeping the excess lease time (%d ms) supplied during online. %s", ag, ms, InfoOnly)
}

func MsgReplicaStarting(ag string) string {
	return fmt.Sprintf("Always On: The local replica of availability group '%s' is starting. %s", ag, InfoOnly)
}

func msgReplicaStopping(ag string) string {
	return fmt.Sprintf("Always On: The local replica of availability group '%s' is stopping. %s", ag, InfoOnly)
}

func MsgResourceOffline(ag string) string {
	return fmt.Sprintf("Always On: The local replica of availability group '%s' is going offline because the corresponding resource in the Windows Server Failover Clustering (WSFC) cluster is no longer online. %s", ag, InfoOnly)
}

const (
	msgManagerStarting = "Always On: The availability replica manager is starting. " + InfoOnly
	msgManagerWaiting  = "Always On: The availability replica manager is waiting for the instance of SQL Server to allow client connections. " + InfoOnly
	MsgLostQuorum      = "Always On: The availability replica manager is going offline because the local Windows Server Failover Clustering (WSFC) node has lost quorum. " + InfoOnly
	msgManagerShutdown = "Always On: The availability replica manager is going offline because SQL Server is shutting down. " + InfoOnly
	Msg41022           = `Failed to create a Windows Server Failover Clustering (WSFC) notification port with notification filter 778567686 and notification key 3 (Error code 5073).  If this is a WSFC availability group, the WSFC service may not be running or may not be accessible in its current state, or the specified arguments are invalid.  Otherwise, contact your primary support provider.  For information about this error code, see "System Error Codes" in the Windows Development documentation.`
)

// WsfcMsg holds the WSFC service and node messages 41048..41055.
var WsfcMsg = map[int]string{
	41048: "Always On Availability Groups: Local Windows Server Failover Clustering service has become unavailable. " + InfoOnly,
	41049: "Always On Availability Groups: Local Windows Server Failover Clustering node is no longer online. " + InfoOnly,
	41050: "Always On Availability Groups: Waiting for local Windows Server Failover Clustering service to start. " + InfoOnly,
	41051: "Always On Availability Groups: Local Windows Server Failover Clustering service started. " + InfoOnly,
	41052: "Always On Availability Groups: Waiting for local Windows Server Failover Clustering node to start. " + InfoOnly,
	41053: "Always On Availability Groups: Local Windows Server Failover Clustering node started. " + InfoOnly,
	41054: "Always On Availability Groups: Waiting for local Windows Server Failover Clustering node to come online. " + InfoOnly,
	41055: "Always On Availability Groups: Local Windows Server Failover Clustering node is online. " + InfoOnly,
}

// WSFC logs one of 41048..41055.
func (r *Replica) WSFC(at time.Time, src string, num int) {
	r.Err(at, src, num, 10, 1, WsfcMsg[num])
}

// WSFCRecovery logs 41050..41055 starting at at, a few centiseconds apart.
func (r *Replica) WSFCRecovery(at time.Time, src string, from int) {
	for i, num := 0, from; num <= 41055; i, num = i+1, num+1 {
		r.WSFC(at.Add(time.Duration(i)*30*time.Millisecond), src, num)
	}
}

// ManagerState adds availability_replica_manager_state_change.
func (r *Replica) ManagerState(at time.Time, state string) {
	key := map[string]string{"ONLINE": "0", "OFFLINE": "1", "PENDING_WSFC_COMMUNICATION": "2"}[state]
	r.XE(at, "availability_replica_manager_state_change", dataVT("current_state", key, state))
}

// LeaseExpiredXE adds availability_group_lease_expired.
func (r *Replica) LeaseExpiredXE(at time.Time, g AG) {
	now := 1_000_000 + at.Hour()*3_600_000 + at.Minute()*60_000 + at.Second()*1000
	r.XE(at, "availability_group_lease_expired",
		dataV("new_timeout", fmt.Sprint(now+20000)),
		dataV("current_time", fmt.Sprint(now)),
		dataV("lease_interval", "20000"),
		dataVT("state", "2", "LeaseExpired"),
		dataV("availability_group_id", g.ID()),
		dataV("availability_group_name", g.Name))
}

// DDL adds alwayson_ddl_executed (phase begin or commit).
func (r *Replica) DDL(at time.Time, g AG, phase, statement string) {
	key := map[string]string{"begin": "0", "commit": "1", "rollback": "2"}[phase]
	r.XE(at, "alwayson_ddl_executed",
		dataVT("ddl_action", "1", "alter"),
		dataVT("ddl_phase", key, phase),
		dataS("statement", statement),
		dataV("availability_group_id", g.ID()),
		dataV("availability_group_name", g.Name))
}

// FailoverValidation adds availability_replica_automatic_failover_validation.
func (r *Replica) FailoverValidation(at time.Time, g AG, joinedAndSynced bool) {
	r.XE(at, "availability_replica_automatic_failover_validation",
		dataV("forced_quorum", "false"),
		dataV("joined_and_synchronized", fmt.Sprint(joinedAndSynced)),
		dataV("previous_primary_or_automatic_failover_target", "true"),
		dataV("availability_group_id", g.ID()),
		dataV("availability_group_name", g.Name),
		dataV("availability_replica_id", r.ID()),
		dataV("availability_replica_name", r.Name()))
}

// MsgHandshake84 is the 28048 line a replica logs when peer's service account
// lacks CONNECT on its endpoint.
func MsgHandshake84(login, client string) string {
	return fmt.Sprintf("Database Mirroring login attempt by user '%s.' failed with error: 'Connection handshake failed. The login '%s' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: %s]", login, login, client)
}

// MsgCertExpired is the 28047 line of an endpoint whose certificate expired.
func MsgCertExpired(client string) string {
	return fmt.Sprintf("Database Mirroring login attempt failed with error: 'Connection handshake failed. The certificate used by this endpoint was not found: Certificate expired. Use DBCC CHECKDB in master database to verify the metadata integrity of the endpoints. State 85.'.  [CLIENT: %s]", client)
}
