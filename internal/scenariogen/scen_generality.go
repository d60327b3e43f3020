package main

import (
	"fmt"
	"time"
)

// The scenarios of this file vary the inputs rather than the story: a
// bundle whose AlwaysOn_health data are binary .xel files of named
// instances, two availability groups on the same replicas, and SQL Server
// on Linux with an 8-bit errorlog.

// xelBundle: a lease expiry and automatic failover between two named
// instances; each replica folder holds its ERRORLOG and its
// AlwaysOn_health_0_<FILETIME>.xel.
func xelBundle() *Bundle {
	g := AG{Name: "AGInventory", DBs: []string{"Inventory", "InventoryHist"}}
	r1 := NewReplica("NODEA", "10.70.0.21", `CONTOSO\svc_prod`, hours(-4))
	r2 := NewReplica("NODEB", "10.70.0.22", `CONTOSO\svc_prod`, hours(-4))
	for _, r := range []*Replica{r1, r2} {
		r.Instance, r.XEL = "PROD", true
	}
	t := r2.Startup(utc("2024-10-14 09:20:31.52"), 5120, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-10-14 04:00:00.27"), 2908)
	r1.LogBackups(utc("2024-10-14 04:00:00"), utc("2024-10-14 16:40:00"), hours(1), g)
	r1.LoginFailed(utc("2024-10-14 12:05:44.18"), 8, "inv_report", "Password did not match that for the login provided.", "10.70.5.40")

	ts := utc("2024-10-14 16:41:09.730")
	r1.leaseLoss(ts, g, false, r2)
	r2.ConnectionLost(ts.Add(700*ms), "spid52s", r1)
	r2.DBConnections(ts.Add(800*ms), "spid33s", g, r1, false, false)
	r2.FailoverValidation(ts.Add(1900*ms), g, true)
	fo := r2.promote(ts.Add(2000*ms), "spid91s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(12*sec), g, r1, r2)
	r2.LogBackups(utc("2024-10-14 17:00:00"), utc("2024-10-14 19:00:00"), hours(1), g)

	return &Bundle{
		Name:     "xel-bundle",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "Two named instances, NODEA\\PROD and NODEB\\PROD, in UTC-4; the bundle holds each node's ERRORLOG and its AlwaysOn_health session as the binary AlwaysOn_health_0_<FILETIME>.xel SQL Server writes, not an XML export. At 12:41 local (16:41 UTC) SQL Server on the primary NODEA\\PROD stopped receiving the lease signal from the cluster (19421); the AGInventory lease expired (19407, availability_group_lease_expired, 41091), NODEA went RESOLVING and the cluster failed the AG over automatically to NODEB\\PROD. NODEA rejoined as secondary 12 seconds later.",
			Incidents: []Incident{
				{Category: "lease_expiry", Server: "NODEA", AG: "AGInventory", RootCauseContains: []string{"NODEA"}},
			},
			Failovers: []Failover{{AG: "AGInventory", From: "NODEA", To: "NODEB", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"NODEA": "errorlog", "NODEB": "errorlog"},
		},
	}
}

// twoAGs: AGSales and AGHR share the replicas SQLAG01 and SQLAG02; only
// AGSales is failed over (manually, on SQLAG02), AGHR stays on SQLAG01.
func twoAGs() *Bundle {
	sales := AG{Name: "AGSales", DBs: []string{"SalesDB", "SalesStaging"}}
	hr := AG{Name: "AGHR", DBs: []string{"HRDB"}}
	both := AG{Name: sales.Name, DBs: append(append([]string(nil), sales.DBs...), hr.DBs...)}
	r1 := NewReplica("SQLAG01", "10.80.0.11", `CONTOSO\sqlsvc`, hours(1))
	r2 := NewReplica("SQLAG02", "10.80.0.12", `CONTOSO\sqlsvc`, hours(1))
	t := r2.Startup(utc("2024-12-02 06:10:40.08"), 3876, both)
	r2.Log(t.Add(-1200*ms), "spid26s", msgReplicaStarting(hr.Name))
	t = r2.StartAsSecondary(t, sales, r1)
	r2.StartAsSecondary(t.Add(400*ms), hr, r1)
	r1.CycledHeader(utc("2024-12-02 00:00:00.35"), 4460)
	r1.Connected(t.Add(-1800*ms), "spid61s", sales, r2)
	r1.Connected(t.Add(1700*ms), "spid61s", hr, r2)
	r1.DBConnections(t.Add(-900*ms), "spid61s", sales, r2, true, true)
	r1.DBConnections(t.Add(2600*ms), "spid61s", hr, r2, true, true)
	r1.LogBackups(utc("2024-12-02 00:00:00"), utc("2024-12-02 14:00:00"), hours(2), sales)
	r1.LogBackups(utc("2024-12-02 00:30:00"), utc("2024-12-02 16:00:00"), hours(2), hr)
	r1.CheckDB(utc("2024-12-02 03:12:40.55"), "spid72", "HRDB")

	fo := manualFailoverTo(utc("2024-12-02 14:15:06.402"), sales, r1, r2)
	reconnect(fo.Add(2900*ms), sales, r1, r2)
	r2.LogBackups(utc("2024-12-02 16:00:00"), utc("2024-12-02 18:00:00"), hours(2), sales)
	r1.LogBackups(utc("2024-12-02 16:30:00"), utc("2024-12-02 18:00:00"), hours(2), hr)

	return &Bundle{
		Name:     "two-ags",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "Two availability groups, AGSales and AGHR, run on the same replicas SQLAG01 (primary of both) and SQLAG02 (UTC+1). At 15:15 local (14:15 UTC) the DBA ran ALTER AVAILABILITY GROUP [AGSales] FAILOVER; on SQLAG02: AGSales moved to SQLAG02 and its replicas reconnected at once. AGHR was not touched and stayed primary on SQLAG01 all day; its connections (35202, 35266) and log backups are routine.",
			Incidents: []Incident{
				{Category: "failover", Server: "SQLAG02", AG: "AGSales", RootCauseContains: []string{"SQLAG02"}, Confidence: "certain"},
			},
			Failovers: []Failover{{AG: "AGSales", From: "SQLAG01", To: "SQLAG02", Mode: "manual", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// linuxStartup writes the start of SQL Server 2025 on Linux up to "Recovery
// is complete" (an AG of cluster type EXTERNAL: no WSFC messages) and
// returns the time the AG replica starts.
func (r *Replica) linuxStartup(at time.Time, pid int, g AG) time.Time {
	r.linuxHeader(at, pid)
	r.Log(at.Add(20*ms), "Server", "SQL Server is starting at normal priority base (=7). This is an informational message only. No user action is required.")
	r.Log(at.Add(60*ms), "Server", "Detected 31906 MB of RAM, 29977 MB of available memory, 3999 MB of available page file. This is an informational message; no user action is required.")
	t := at.Add(1200 * ms)
	r.Log(t, "spid21s", "Starting up database 'master'.")
	r.Log(t.Add(900*ms), "spid21s", "SQL Server Audit is starting the audits. This is an informational message. No user action is required.")
	r.Log(t.Add(920*ms), "spid21s", fmt.Sprintf("Server name is '%s'. This is an informational message only. No user action is required.", r.Name()))
	r.Err(t.Add(940*ms), "spid30s", 26022, 10, 1, "Server is listening on [ 'any' <ipv4> 1433] accept sockets 1.")
	r.Log(t.Add(950*ms), "spid30s", "SQL Server is now ready for client connections. This is an informational message; no user action is required.")
	r.Log(t.Add(1000*ms), "spid44s", "Always On Availability Groups: The availability replica manager is starting. "+infoOnly)
	r.ManagerState(t.Add(1000*ms), "PENDING_WSFC_COMMUNICATION")
	r.Log(t.Add(1010*ms), "spid44s", "Always On Availability Groups: The availability replica manager is waiting for the instance of SQL Server to allow client connections. "+infoOnly)
	r.ManagerState(t.Add(1100*ms), "ONLINE")
	r.Log(t.Add(1120*ms), "spid44s", msgReplicaStarting(g.Name))
	for i, db := range g.DBs {
		r.Err(t.Add(1150*ms+time.Duration(i)*20*ms), fmt.Sprintf("spid%ds", 31+i), 35262, 17, 1, fmt.Sprintf("Skipping the default startup of database '%s' because the database belongs to an availability group (Group ID:  65536). The database will be started by the availability group. This is an informational message only. No user action is required.", db))
	}
	r.Log(t.Add(1400*ms), "spid44s", "The Database Mirroring endpoint is now listening for connections.")
	r.Err(t.Add(1410*ms), "spid44s", 26022, 10, 1, "Server is listening on [ 'any' <ipv4> 5022] accept sockets 1.")
	r.Log(t.Add(1900*ms), "spid21s", "Recovery is complete. This is an informational message only. No user action is required.")
	return t.Add(2 * sec)
}

// linuxHeader writes the block that opens a Linux errorlog.
func (r *Replica) linuxHeader(at time.Time, pid int) {
	r.Log(at, "Server", "Microsoft SQL Server 2025 (RTM-CU3) (KB5077896) - 17.0.4025.3 (X64)",
		"\tFeb 25 2026 20:54:27",
		"\tCopyright (C) 2025 Microsoft Corporation",
		"\tEnterprise Edition: Core-based Licensing (64-bit) on Linux (Red Hat Enterprise Linux 9.4 (Plow)) <X64>")
	r.Log(at, "Server", "UTC adjustment: "+utcAdjustment(r.Offset))
	r.Log(at, "Server", "(c) Microsoft Corporation.")
	r.Log(at, "Server", "All rights reserved.")
	r.Log(at, "Server", fmt.Sprintf("Server process ID is %d.", pid))
	r.Log(at, "Server", "Logging SQL Server messages in file '/var/opt/mssql/log/errorlog'.")
	r.Log(at, "Server", "Registry startup parameters:",
		"\t -d /var/opt/mssql/data/master.mdf",
		"\t -l /var/opt/mssql/data/mastlog.ldf",
		"\t -e /var/opt/mssql/log/errorlog")
}

// linux8bit: SQL Server 2025 on Linux (cluster type EXTERNAL, Pacemaker).
// The mirroring endpoint of the primary is recreated, which drops the
// CONNECT grant of the partner's login: 28048 State 84 until GRANT CONNECT.
func linux8bit() *Bundle {
	g := AG{Name: "AGShop", DBs: []string{"Café", "Orders"}}
	r1 := NewReplica("sqllnx1", "10.90.0.11", "dbm_login", 0)
	r2 := NewReplica("sqllnx2", "10.90.0.12", "dbm_login", 0)
	r1.Linux, r2.Linux = true, true
	// sqllnx1, the primary, cycled its errorlog at midnight.
	r1.linuxHeader(utc("2025-02-10 00:00:00.42"), 811)
	r1.Log(utc("2025-02-10 00:00:00.58"), "spid63", "The error log has been reinitialized. See the previous log for older entries.")
	t := r2.linuxStartup(utc("2025-02-10 06:01:40.77"), 794, g)
	r2.StateChange(t, "spid44s", g, "NOT_AVAILABLE", "RESOLVING_NORMAL", reasonStartup)
	r2.StateChange(t.Add(300*ms), "spid44s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", reasonComingOnline)
	r2.RoleChange(t.Add(350*ms), "spid52s", g, "RESOLVING", "SECONDARY")
	reconnect(t.Add(1200*ms), g, r2, r1)
	r1.LogBackups(utc("2025-02-10 07:00:00"), utc("2025-02-10 11:00:00"), hours(1), g)

	// 10:12: the DBA drops and recreates the endpoint on sqllnx1 (to change
	// its port back); the grant to dbm_login is gone.
	blip := utc("2025-02-10 10:12:03.440")
	r1.ConnectionLost(blip, "spid58s", r2)
	r1.DBConnections(blip.Add(100*ms), "spid58s", g, r2, true, false)
	r2.ConnectionLost(blip.Add(700*ms), "spid47s", r1)
	r2.DBConnections(blip.Add(800*ms), "spid47s", g, r1, false, false)
	fix := utc("2025-02-10 10:19:27.610")
	i := 0
	for at := blip.Add(5 * sec); at.Before(fix.Add(-2 * sec)); at = at.Add(5*sec + time.Duration(i*97%300)*ms) {
		r1.Log(at, "Logon", msgHandshake84(r2.Account, r2.IP))
		r1.ErrorReported(at, 28048, 10, 1, msgHandshake84(r2.Account, r2.IP))
		i++
	}
	for at := blip.Add(15 * sec); at.Before(fix.Add(-5 * sec)); at = at.Add(20*sec + time.Duration(i*61%400)*ms) {
		r2.ConnectTimeout(at, "spid47s", r1)
		i++
	}
	// GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [dbm_login] on sqllnx1.
	reconnect(fix, g, r2, r1)

	return &Bundle{
		Name:     "linux-8bit",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "SQL Server 2025 on Linux (RHEL 9, UTC), AG AGShop of cluster type EXTERNAL managed by Pacemaker, so no WSFC messages. The errorlogs are 8-bit files with LF line ends; the database Café is written in Windows-1252 (0xE9). At 10:12 the DBA dropped and recreated the mirroring endpoint on the primary sqllnx1, which dropped the CONNECT permission of the endpoint login dbm_login: the connections broke (35206, 35267) and every reconnection of sqllnx2 (10.90.0.12) was refused with 28048 State 84 until GRANT CONNECT was run again at 10:19.",
			Incidents: []Incident{
				{Category: "endpoint_handshake", Server: "sqllnx1", AG: "AGShop", RootCauseContains: []string{"dbm_login"}, Confidence: "certain",
					FixContains: []string{"GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [dbm_login]"}},
			},
			Failovers: []Failover{},
			Clocks:    map[string]string{"sqllnx1": "errorlog", "sqllnx2": "errorlog"},
		},
	}
}
