package scenario

import (
	"fmt"
	"time"
)

const (
	ms     = time.Millisecond
	sec    = time.Second
	minute = time.Minute
)

var banner = []string{
	"\tJul 27 2023 18:11:00 ",
	"\tCopyright (C) 2019 Microsoft Corporation",
	"\tEnterprise Edition: Core-based Licensing (64-bit) on Windows Server 2019 Datacenter 10.0 <X64> (Build 17763: ) (Hypervisor)",
	"",
}

const instDir = `C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL`

// service is the instance's service id: MSSQLSERVER or the instance name.
func (r *Replica) service() string {
	if r.Instance != "" {
		return r.Instance
	}
	return "MSSQLSERVER"
}

// dir is the instance's MSSQL folder.
func (r *Replica) dir() string {
	return `C:\Program Files\Microsoft SQL Server\MSSQL15.` + r.service() + `\MSSQL`
}

// queryPipe is the instance's named pipe.
func (r *Replica) queryPipe() string {
	if r.Instance != "" {
		return `\\.\pipe\MSSQL$` + r.Instance + `\sql\query`
	}
	return `\\.\pipe\sql\query`
}

// spnPort is the port or instance part of the SQL Server SPN.
func (r *Replica) spnPort() string {
	if r.Instance != "" {
		return r.Instance
	}
	return "1433"
}

// UtcAdjustment formats the offset as the ERRORLOG does: -5:00, 1:00, 5:30, 0:00.
func UtcAdjustment(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%d:%02d", sign, int(d.Hours()), int(d.Minutes())%60)
}

// header writes the block that opens every ERRORLOG (startup and cycle).
func (r *Replica) header(at time.Time, pid int, withUTC bool) {
	r.Log(at, "Server", "Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) ", banner...)
	t := at.Add(130 * ms)
	if withUTC {
		r.Log(t, "Server", "UTC adjustment: "+UtcAdjustment(r.Offset))
	}
	r.Log(t, "Server", "(c) Microsoft Corporation.")
	r.Log(t.Add(10*ms), "Server", "All rights reserved.")
	r.Log(t.Add(10*ms), "Server", fmt.Sprintf("Server process ID is %d.", pid))
	r.Log(t.Add(10*ms), "Server", "System Manufacturer: 'VMware, Inc.', System Model: 'VMware7,1'.")
	r.Log(t.Add(10*ms), "Server", "Authentication mode is MIXED.")
	r.Log(t.Add(10*ms), "Server", fmt.Sprintf("Logging SQL Server messages in file '%s\\Log\\ERRORLOG'.", r.dir()))
	r.Log(t.Add(10*ms), "Server", fmt.Sprintf("The service account is '%s'. This is an informational message; no user action is required.", r.Account))
	r.Log(t.Add(10*ms), "Server", "Registry startup parameters: ",
		"\t -d "+r.dir()+`\DATA\master.mdf`,
		"\t -e "+r.dir()+`\Log\ERRORLOG`,
		"\t -l "+r.dir()+`\DATA\mastlog.ldf`,
		"\t -T 1222")
	r.Log(t.Add(10*ms), "Server", "Command Line Startup Parameters:", "\t -s \""+r.service()+"\"")
}

// Cycle writes the tail of the old ERRORLOG and the header of the new one, as
// sp_cycle_errorlog (a nightly Agent job) does.
func (r *Replica) Cycle(at time.Time, pid int) {
	r.Log(at, "spid71", "Attempting to cycle error log. This is an informational message only; no user action is required.")
	r.NewLog()
	r.CycledHeader(at.Add(10*ms), pid)
}

// CycledHeader writes the opening of an ERRORLOG that sp_cycle_errorlog
// started (the previous generation is not part of the bundle).
func (r *Replica) CycledHeader(at time.Time, pid int) {
	r.header(at, pid, true)
	r.Log(at.Add(160*ms), "spid71", "The error log has been reinitialized. See the previous log for older entries.")
}

// Startup writes an instance start up to "Recovery is complete" and the
// availability replica manager start with the WSFC handshake (41050..41055).
// g's databases are skipped (35262). It returns the time the AG replica
// starts, after which the caller writes the AG's state changes.
func (r *Replica) Startup(at time.Time, pid int, g AG) time.Time {
	r.header(at, pid, true)
	t := at.Add(2500 * ms)
	r.Log(t, "Server", "SQL Server detected 2 sockets with 4 cores per socket and 4 logical processors per socket, 8 total logical processors; using 8 logical processors based on SQL Server licensing. This is an informational message; no user action is required.")
	r.Log(t, "Server", "SQL Server is starting at normal priority base (=7). This is an informational message only. No user action is required.")
	r.Log(t.Add(10*ms), "Server", "Detected 65535 MB of RAM. This is an informational message; no user action is required.")
	r.Log(t.Add(10*ms), "Server", "Using locked pages in the memory manager.")
	r.Log(t.Add(400*ms), "Server", "Default collation: SQL_Latin1_General_CP1_CI_AS (us_english 1033)")
	r.Log(t.Add(600*ms), "Server", "Query Store settings initialized with enabled = 1, ")
	r.Log(t.Add(700*ms), "Server", "The maximum number of dedicated administrator connections for this instance is '1'")
	r.Log(t.Add(720*ms), "Server", "Node configuration: node 0: CPU mask: 0x00000000000000ff:0 Active CPU mask: 0x00000000000000ff:0. This message provides a description of the NUMA configuration for this computer. This is an informational message only. No user action is required.")
	r.Log(t.Add(760*ms), "Server", "Using dynamic lock allocation.  Initial allocation of 2500 Lock blocks and 5000 Lock Owner blocks per node.  This is an informational message only.  No user action is required.")
	t = t.Add(900 * ms)
	r.Log(t, "spid10s", "Starting up database 'master'.")
	r.Log(t.Add(200*ms), "spid10s", "Resource governor reconfiguration succeeded.")
	r.Log(t.Add(220*ms), "spid10s", "SQL Server Audit is starting the audits. This is an informational message. No user action is required.")
	r.Log(t.Add(230*ms), "spid10s", "SQL Server Audit has started the audits. This is an informational message. No user action is required.")
	r.Log(t.Add(300*ms), "spid10s", "SQL Trace ID 1 was started by login \"sa\".")
	r.Log(t.Add(310*ms), "spid10s", fmt.Sprintf("Server name is '%s'. This is an informational message only. No user action is required.", r.Name()))
	r.Log(t.Add(400*ms), "spid14s", "A self-generated certificate was successfully loaded for encryption.")
	r.Err(t.Add(410*ms), "spid14s", 26022, 10, 1, fmt.Sprintf("Server is listening on [ %s <ipv4> 1433].", r.IP))
	r.Log(t.Add(420*ms), "spid14s", "Server local connection provider is ready to accept connection on [ \\\\.\\pipe\\SQLLocal\\"+r.service()+" ].")
	r.Log(t.Add(420*ms), "spid14s", "Server local connection provider is ready to accept connection on [ "+r.queryPipe()+" ].")
	r.Log(t.Add(430*ms), "spid10s", "Database mirroring has been enabled on this instance of SQL Server.")
	r.Log(t.Add(440*ms), "Server", "Server is listening on [ ::1 <ipv6> 1434].")
	r.Log(t.Add(440*ms), "Server", "Server is listening on [ 127.0.0.1 <ipv4> 1434].")
	r.Log(t.Add(440*ms), "Server", "Dedicated admin connection support was established for listening locally on port 1434.")
	r.Log(t.Add(450*ms), "spid26s", msgManagerStarting)
	r.ManagerState(t.Add(450*ms), "PENDING_WSFC_COMMUNICATION")
	r.Log(t.Add(460*ms), "spid14s", "SQL Server is now ready for client connections. This is an informational message; no user action is required.")
	r.Log(t.Add(470*ms), "spid26s", WsfcMsg[41050])
	for i, db := range g.DBs {
		r.Log(t.Add(480*ms+time.Duration(i)*10*ms), fmt.Sprintf("spid%ds", 30+i), fmt.Sprintf("Starting up database '%s'.", db))
	}
	r.Log(t.Add(490*ms), "Server", "SQL Server is attempting to register a Service Principal Name (SPN) for the SQL Server service. Kerberos authentication will not be possible until a SPN is registered for the SQL Server service. This is an informational message. No user action is required.")
	r.Log(t.Add(500*ms), "spid26s", WsfcMsg[41051])
	r.Log(t.Add(530*ms), "spid26s", WsfcMsg[41052])
	r.Log(t.Add(560*ms), "spid26s", WsfcMsg[41053])
	r.Log(t.Add(590*ms), "spid26s", WsfcMsg[41054])
	r.Log(t.Add(620*ms), "spid26s", WsfcMsg[41055])
	r.Log(t.Add(700*ms), "spid26s", msgManagerWaiting)
	r.ManagerState(t.Add(700*ms), "ONLINE")
	r.Log(t.Add(720*ms), "Server", fmt.Sprintf("The SQL Server Network Interface library successfully registered the Service Principal Name (SPN) [ MSSQLSvc/%s.contoso.com:%s ] for the SQL Server service.", r.Host, r.spnPort()))
	r.Log(t.Add(750*ms), "spid26s", MsgReplicaStarting(g.Name))
	for i, db := range g.DBs {
		r.Err(t.Add(780*ms+time.Duration(i)*20*ms), fmt.Sprintf("spid%ds", 30+i), 35262, 17, 1, fmt.Sprintf("Skipping the default startup of database '%s' because the database belongs to an availability group (Group ID:  65536). The database will be started by the availability group. This is an informational message only. No user action is required.", db))
	}
	r.Log(t.Add(900*ms), "spid12s", "Starting up database 'msdb'.")
	r.Log(t.Add(950*ms), "spid11s", "Clearing tempdb database.")
	r.Log(t.Add(1400*ms), "spid11s", "Starting up database 'tempdb'.")
	r.Log(t.Add(1600*ms), "spid11s", "The tempdb database has 8 data file(s).")
	r.Log(t.Add(1650*ms), "spid40s", "The Service Broker endpoint is in disabled or stopped state.")
	r.Err(t.Add(1660*ms), "spid40s", 26022, 10, 1, "Server is listening on [ 'any' <ipv4> 5022].")
	r.Log(t.Add(1670*ms), "spid40s", "The Database Mirroring endpoint is now listening for connections.")
	r.Log(t.Add(1700*ms), "spid40s", "Service Broker manager has started.")
	r.Log(t.Add(1900*ms), "spid10s", "Recovery is complete. This is an informational message only. No user action is required.")
	return t.Add(2 * sec)
}

// StartAsSecondary writes the replica's start as a secondary of g after
// Startup and its connection to primary.
func (r *Replica) StartAsSecondary(at time.Time, g AG, primary *Replica) time.Time {
	r.StateChange(at, "spid26s", g, "NOT_AVAILABLE", "RESOLVING_NORMAL", ReasonStartup)
	r.StateChange(at.Add(240*ms), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", ReasonWSFC)
	r.RoleChange(at.Add(300*ms), "spid45s", g, "RESOLVING", "SECONDARY")
	r.Connected(at.Add(1100*ms), "spid45s", g, primary)
	r.DBConnections(at.Add(2300*ms), "spid33s", g, primary, false, true)
	r.CommitPolicy(at.Add(2400*ms), "spid33s", primary, 3)
	return at.Add(3 * sec)
}

// Shutdown writes an orderly stop requested by the Service Control Manager.
func (r *Replica) Shutdown(at time.Time, g AG, primary bool) {
	r.Log(at, "spid9s", "SQL Server is terminating in response to a 'stop' request from Service Control Manager. This is an informational message only. No user action is required.")
	r.Log(at.Add(20*ms), "spid9s", msgManagerShutdown)
	r.ManagerState(at.Add(20*ms), "OFFLINE")
	r.Log(at.Add(40*ms), "spid9s", msgReplicaStopping(g.Name))
	from := "SECONDARY_NORMAL"
	if primary {
		from = "PRIMARY_NORMAL"
		r.Log(at.Add(50*ms), "Server", msgStopLease(g.Name))
	}
	r.StateChange(at.Add(60*ms), "spid9s", g, from, "RESOLVING_NORMAL", reasonShutdown)
	r.Log(at.Add(400*ms), "spid9s", "SQL Server shutdown has been initiated")
	r.Log(at.Add(420*ms), "spid9s", "SQL Trace was stopped due to server shutdown. Trace ID = '1'. This is an informational message only; no user action is required.")
}
