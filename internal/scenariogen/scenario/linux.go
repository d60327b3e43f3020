package scenario

import (
	"fmt"
	"time"
)

// LinuxStartup writes the start of SQL Server 2025 on Linux up to "Recovery
// is complete" (an AG of cluster type EXTERNAL: no WSFC messages) and
// returns the time the AG replica starts.
func (r *Replica) LinuxStartup(at time.Time, pid int, g AG) time.Time {
	r.LinuxHeader(at, pid)
	r.Log(at.Add(20*ms), "Server", "SQL Server is starting at normal priority base (=7). This is an informational message only. No user action is required.")
	r.Log(at.Add(60*ms), "Server", "Detected 31906 MB of RAM, 29977 MB of available memory, 3999 MB of available page file. This is an informational message; no user action is required.")
	t := at.Add(1200 * ms)
	r.Log(t, "spid21s", "Starting up database 'master'.")
	r.Log(t.Add(900*ms), "spid21s", "SQL Server Audit is starting the audits. This is an informational message. No user action is required.")
	r.Log(t.Add(920*ms), "spid21s", fmt.Sprintf("Server name is '%s'. This is an informational message only. No user action is required.", r.Name()))
	r.Err(t.Add(940*ms), "spid30s", 26022, 10, 1, "Server is listening on [ 'any' <ipv4> 1433] accept sockets 1.")
	r.Log(t.Add(950*ms), "spid30s", "SQL Server is now ready for client connections. This is an informational message; no user action is required.")
	r.Log(t.Add(1000*ms), "spid44s", "Always On Availability Groups: The availability replica manager is starting. "+InfoOnly)
	r.ManagerState(t.Add(1000*ms), "PENDING_WSFC_COMMUNICATION")
	r.Log(t.Add(1010*ms), "spid44s", "Always On Availability Groups: The availability replica manager is waiting for the instance of SQL Server to allow client connections. "+InfoOnly)
	r.ManagerState(t.Add(1100*ms), "ONLINE")
	r.Log(t.Add(1120*ms), "spid44s", MsgReplicaStarting(g.Name))
	for i, db := range g.DBs {
		r.Err(t.Add(1150*ms+time.Duration(i)*20*ms), fmt.Sprintf("spid%ds", 31+i), 35262, 17, 1, fmt.Sprintf("Skipping the default startup of database '%s' because the database belongs to an availability group (Group ID:  65536). The database will be started by the availability group. This is an informational message only. No user action is required.", db))
	}
	r.Log(t.Add(1400*ms), "spid44s", "The Database Mirroring endpoint is now listening for connections.")
	r.Err(t.Add(1410*ms), "spid44s", 26022, 10, 1, "Server is listening on [ 'any' <ipv4> 5022] accept sockets 1.")
	r.Log(t.Add(1900*ms), "spid21s", "Recovery is complete. This is an informational message only. No user action is required.")
	return t.Add(2 * sec)
}

// LinuxHeader writes the block that opens a Linux errorlog.
func (r *Replica) LinuxHeader(at time.Time, pid int) {
	r.Log(at, "Server", "Microsoft SQL Server 2025 (RTM-CU3) (KB5077896) - 17.0.4025.3 (X64)",
		"\tFeb 25 2026 20:54:27",
		"\tCopyright (C) 2025 Microsoft Corporation",
		"\tEnterprise Edition: Core-based Licensing (64-bit) on Linux (Red Hat Enterprise Linux 9.4 (Plow)) <X64>")
	r.Log(at, "Server", "UTC adjustment: "+UtcAdjustment(r.Offset))
	r.Log(at, "Server", "(c) Microsoft Corporation.")
	r.Log(at, "Server", "All rights reserved.")
	r.Log(at, "Server", fmt.Sprintf("Server process ID is %d.", pid))
	r.Log(at, "Server", "Logging SQL Server messages in file '/var/opt/mssql/log/errorlog'.")
	r.Log(at, "Server", "Registry startup parameters:",
		"\t -d /var/opt/mssql/data/master.mdf",
		"\t -l /var/opt/mssql/data/mastlog.ldf",
		"\t -e /var/opt/mssql/log/errorlog")
}
