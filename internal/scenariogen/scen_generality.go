package main

import (
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// The scenarios of this file vary the inputs rather than the story: a
// bundle whose AlwaysOn_health data are binary .xel files of named
// instances, two availability groups on the same replicas, and SQL Server
// on Linux with an 8-bit errorlog.

// xelBundle: a lease expiry and automatic failover between two named
// instances; each replica folder holds its ERRORLOG and its
// AlwaysOn_health_0_<FILETIME>.xel.
func xelBundle() *scenario.Bundle {
	g := scenario.AG{Name: "AGInventory", DBs: []string{"Inventory", "InventoryHist"}}
	r1 := scenario.NewReplica("NODEA", "10.70.0.21", `CONTOSO\svc_prod`, scenario.Hours(-4))
	r2 := scenario.NewReplica("NODEB", "10.70.0.22", `CONTOSO\svc_prod`, scenario.Hours(-4))
	for _, r := range []*scenario.Replica{r1, r2} {
		r.Instance, r.XEL = "PROD", true
	}
	t := r2.Startup(utc("2024-10-14 09:20:31.52"), 5120, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-10-14 04:00:00.27"), 2908)
	r1.LogBackups(utc("2024-10-14 04:00:00"), utc("2024-10-14 16:40:00"), scenario.Hours(1), g)
	r1.LoginFailed(utc("2024-10-14 12:05:44.18"), 8, "inv_report", "Password did not match that for the login provided.", "10.70.5.40")

	ts := utc("2024-10-14 16:41:09.730")
	r1.LeaseLoss(ts, g, false, r2)
	r2.ConnectionLost(ts.Add(700*time.Millisecond), "spid52s", r1)
	r2.DBConnections(ts.Add(800*time.Millisecond), "spid33s", g, r1, false, false)
	r2.FailoverValidation(ts.Add(1900*time.Millisecond), g, true)
	fo := r2.Promote(ts.Add(2000*time.Millisecond), "spid91s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(12*time.Second), g, r1, r2)
	r2.LogBackups(utc("2024-10-14 17:00:00"), utc("2024-10-14 19:00:00"), scenario.Hours(1), g)

	return &scenario.Bundle{
		Name:     "xel-bundle",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "Two named instances, NODEA\\PROD and NODEB\\PROD, in UTC-4; the bundle holds each node's ERRORLOG and its AlwaysOn_health session as the binary AlwaysOn_health_0_<FILETIME>.xel SQL Server writes, not an XML export. At 12:41 local (16:41 UTC) SQL Server on the primary NODEA\\PROD stopped receiving the lease signal from the cluster (19421); the AGInventory lease expired (19407, availability_group_lease_expired, 41091), NODEA went RESOLVING and the cluster failed the AG over automatically to NODEB\\PROD. NODEA rejoined as secondary 12 seconds later.",
			Incidents: []scenario.Incident{
				{Category: "lease_expiry", Server: "NODEA", AG: "AGInventory", RootCauseContains: []string{"NODEA"}},
			},
			Failovers: []scenario.Failover{{AG: "AGInventory", From: "NODEA", To: "NODEB", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"NODEA": "errorlog", "NODEB": "errorlog"},
		},
	}
}

// twoAGs: AGSales and AGHR share the replicas SQLAG01 and SQLAG02; only
// AGSales is failed over (manually, on SQLAG02), AGHR stays on SQLAG01.
func twoAGs() *scenario.Bundle {
	sales := scenario.AG{Name: "AGSales", DBs: []string{"SalesDB", "SalesStaging"}}
	hr := scenario.AG{Name: "AGHR", DBs: []string{"HRDB"}}
	both := scenario.AG{Name: sales.Name, DBs: append(append([]string(nil), sales.DBs...), hr.DBs...)}
	r1 := scenario.NewReplica("SQLAG01", "10.80.0.11", `CONTOSO\sqlsvc`, scenario.Hours(1))
	r2 := scenario.NewReplica("SQLAG02", "10.80.0.12", `CONTOSO\sqlsvc`, scenario.Hours(1))
	t := r2.Startup(utc("2024-12-02 06:10:40.08"), 3876, both)
	r2.Log(t.Add(-1200*time.Millisecond), "spid26s", scenario.MsgReplicaStarting(hr.Name))
	t = r2.StartAsSecondary(t, sales, r1)
	r2.StartAsSecondary(t.Add(400*time.Millisecond), hr, r1)
	r1.CycledHeader(utc("2024-12-02 00:00:00.35"), 4460)
	r1.Connected(t.Add(-1800*time.Millisecond), "spid61s", sales, r2)
	r1.Connected(t.Add(1700*time.Millisecond), "spid61s", hr, r2)
	r1.DBConnections(t.Add(-900*time.Millisecond), "spid61s", sales, r2, true, true)
	r1.DBConnections(t.Add(2600*time.Millisecond), "spid61s", hr, r2, true, true)
	r1.LogBackups(utc("2024-12-02 00:00:00"), utc("2024-12-02 14:00:00"), scenario.Hours(2), sales)
	r1.LogBackups(utc("2024-12-02 00:30:00"), utc("2024-12-02 16:00:00"), scenario.Hours(2), hr)
	r1.CheckDB(utc("2024-12-02 03:12:40.55"), "spid72", "HRDB")

	fo := scenario.ManualFailoverTo(utc("2024-12-02 14:15:06.402"), sales, r1, r2)
	scenario.Reconnect(fo.Add(2900*time.Millisecond), sales, r1, r2)
	r2.LogBackups(utc("2024-12-02 16:00:00"), utc("2024-12-02 18:00:00"), scenario.Hours(2), sales)
	r1.LogBackups(utc("2024-12-02 16:30:00"), utc("2024-12-02 18:00:00"), scenario.Hours(2), hr)

	return &scenario.Bundle{
		Name:     "two-ags",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "Two availability groups, AGSales and AGHR, run on the same replicas SQLAG01 (primary of both) and SQLAG02 (UTC+1). At 15:15 local (14:15 UTC) the DBA ran ALTER AVAILABILITY GROUP [AGSales] FAILOVER; on SQLAG02: AGSales moved to SQLAG02 and its replicas reconnected at once. AGHR was not touched and stayed primary on SQLAG01 all day; its connections (35202, 35266) and log backups are routine.",
			Incidents: []scenario.Incident{
				{Category: "failover", Server: "SQLAG02", AG: "AGSales", RootCauseContains: []string{"SQLAG02"}, Confidence: "certain"},
			},
			Failovers: []scenario.Failover{{AG: "AGSales", From: "SQLAG01", To: "SQLAG02", Mode: "manual", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// linux8bit: SQL Server 2025 on Linux (cluster type EXTERNAL, Pacemaker).
// The mirroring endpoint of the primary is recreated, which drops the
// CONNECT grant of the partner's login: 28048 State 84 until GRANT CONNECT.
func linux8bit() *scenario.Bundle {
	g := scenario.AG{Name: "AGShop", DBs: []string{"Café", "Orders"}}
	r1 := scenario.NewReplica("sqllnx1", "10.90.0.11", "dbm_login", 0)
	r2 := scenario.NewReplica("sqllnx2", "10.90.0.12", "dbm_login", 0)
	r1.Linux, r2.Linux = true, true
	// sqllnx1, the primary, cycled its errorlog at midnight.
	r1.LinuxHeader(utc("2025-02-10 00:00:00.42"), 811)
	r1.Log(utc("2025-02-10 00:00:00.58"), "spid63", "The error log has been reinitialized. See the previous log for older entries.")
	t := r2.LinuxStartup(utc("2025-02-10 06:01:40.77"), 794, g)
	r2.StateChange(t, "spid44s", g, "NOT_AVAILABLE", "RESOLVING_NORMAL", scenario.ReasonStartup)
	r2.StateChange(t.Add(300*time.Millisecond), "spid44s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonComingOnline)
	r2.RoleChange(t.Add(350*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(t.Add(1200*time.Millisecond), g, r2, r1)
	r1.LogBackups(utc("2025-02-10 07:00:00"), utc("2025-02-10 11:00:00"), scenario.Hours(1), g)

	// 10:12: the DBA drops and recreates the endpoint on sqllnx1 (to change
	// its port back); the grant to dbm_login is gone.
	blip := utc("2025-02-10 10:12:03.440")
	r1.ConnectionLost(blip, "spid58s", r2)
	r1.DBConnections(blip.Add(100*time.Millisecond), "spid58s", g, r2, true, false)
	r2.ConnectionLost(blip.Add(700*time.Millisecond), "spid47s", r1)
	r2.DBConnections(blip.Add(800*time.Millisecond), "spid47s", g, r1, false, false)
	fix := utc("2025-02-10 10:19:27.610")
	i := 0
	for at := blip.Add(5 * time.Second); at.Before(fix.Add(-2 * time.Second)); at = at.Add(5*time.Second + time.Duration(i*97%300)*time.Millisecond) {
		r1.Log(at, "Logon", scenario.MsgHandshake84(r2.Account, r2.IP))
		r1.ErrorReported(at, 28048, 10, 1, scenario.MsgHandshake84(r2.Account, r2.IP))
		i++
	}
	for at := blip.Add(15 * time.Second); at.Before(fix.Add(-5 * time.Second)); at = at.Add(20*time.Second + time.Duration(i*61%400)*time.Millisecond) {
		r2.ConnectTimeout(at, "spid47s", r1)
		i++
	}
	// GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [dbm_login] on sqllnx1.
	scenario.Reconnect(fix, g, r2, r1)

	return &scenario.Bundle{
		Name:     "linux-8bit",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "SQL Server 2025 on Linux (RHEL 9, UTC), AG AGShop of cluster type EXTERNAL managed by Pacemaker, so no WSFC messages. The errorlogs are 8-bit files with LF line ends; the database Café is written in Windows-1252 (0xE9). At 10:12 the DBA dropped and recreated the mirroring endpoint on the primary sqllnx1, which dropped the CONNECT permission of the endpoint login dbm_login: the connections broke (35206, 35267) and every reconnection of sqllnx2 (10.90.0.12) was refused with 28048 State 84 until GRANT CONNECT was run again at 10:19.",
			Incidents: []scenario.Incident{
				{Category: "endpoint_handshake", Server: "sqllnx1", AG: "AGShop", RootCauseContains: []string{"dbm_login"}, Confidence: "certain",
					FixContains: []string{"GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [dbm_login]"}},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"sqllnx1": "errorlog", "sqllnx2": "errorlog"},
		},
	}
}
