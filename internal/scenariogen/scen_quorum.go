package main

import (
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// quorumStorm: the secondary's WSFC node loses quorum and SQL Server logs
// the lost-quorum message 140 times within one second, as real logs do.
func quorumStorm() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"Claims"}}
	r1 := scenario.NewReplica("SQLAG01", "10.70.0.11", `CONTOSO\sqlsvc`, scenario.Hours(5.5))
	r2 := scenario.NewReplica("SQLAG02", "10.70.0.12", `CONTOSO\sqlsvc`, scenario.Hours(5.5))
	t := r2.Startup(utc("2024-12-01 17:00:06.61"), 6604, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-12-01 18:30:00.27"), 2740)
	r1.LogBackups(utc("2024-12-01 18:30:00"), utc("2024-12-02 11:00:00"), scenario.Hours(1), g)

	ts := utc("2024-12-02 08:41:17.020")
	r2.WSFC(ts, "Server", 41049)
	for i := 0; i < 140; i++ {
		at := ts.Add(20*time.Millisecond + time.Duration(i)*6*time.Millisecond)
		if i < 139 {
			r2.Err(at, "spid29s", 41022, 16, 0, scenario.Msg41022)
		}
		r2.Log(at, "spid29s", scenario.MsgLostQuorum)
	}
	r2.ManagerState(ts.Add(30*time.Millisecond), "OFFLINE")
	r2.StateChange(ts.Add(900*time.Millisecond), "spid29s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r2.RoleChange(ts.Add(930*time.Millisecond), "spid52s", g, "SECONDARY", "RESOLVING")
	r2.DBConnections(ts.Add(960*time.Millisecond), "spid33s", g, r1, false, false)
	r2.Log(ts.Add(980*time.Millisecond), "spid29s", scenario.WsfcMsg[41050])
	r1.ConnectionLost(ts.Add(10200*time.Millisecond), "spid61s", r2)
	r1.DBConnections(ts.Add(10300*time.Millisecond), "spid61s", g, r2, true, false)
	for i := 1; i <= 7; i++ {
		r1.ConnectTimeout(ts.Add(time.Duration(i)*30*time.Second+time.Duration(i*37)*time.Millisecond), "spid61s", r2)
	}

	back := ts.Add(4*time.Minute + 12*time.Second)
	r2.WSFCRecovery(back, "spid29s", 41051)
	r2.ManagerState(back.Add(200*time.Millisecond), "ONLINE")
	r2.Log(back.Add(300*time.Millisecond), "spid29s", scenario.MsgReplicaStarting(g.Name))
	r2.StateChange(back.Add(800*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r2.RoleChange(back.Add(850*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(back.Add(2400*time.Millisecond), g, r2, r1)

	return &scenario.Bundle{
		Name:     "quorum-storm",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 14:11 local (08:41 UTC) the WSFC node of the secondary SQLAG02 lost quorum. Within one second SQL Server on SQLAG02 logged 140 'lost quorum' messages and 139 41022 errors (it cannot create the WSFC notification port while the cluster service is down); SQLAG02 went RESOLVING and the primary SQLAG01 lost its connection. The node rejoined about four minutes later (41051..41055), SQLAG02 became secondary again and reconnected. This is one cluster outage, not 140; the primary did not move.",
			Incidents: []scenario.Incident{
				{Category: "cluster_outage", Server: "SQLAG02", AG: "AG1", RootCauseContains: []string{"SQLAG02", "WSFC"}, Confidence: "certain"},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// quiet: a normal day. No incident, no failover.
func quiet() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"Inventory", "Shipping"}}
	r1 := scenario.NewReplica("SQLAG01", "10.80.0.11", `CONTOSO\sqlsvc`, 0)
	r2 := scenario.NewReplica("SQLAG02", "10.80.0.12", `CONTOSO\sqlsvc`, 0)
	t := r2.Startup(utc("2025-01-14 23:10:00.17"), 5016, g)
	r2.StartAsSecondary(t, g, r1)
	// SQLAG01's side of that connection is before its ERRORLOG (cycled at
	// midnight) but still in its AlwaysOn_health file.
	r1.ErrorReported(t.Add(1410*time.Millisecond), 35202, 10, 7, scenario.MsgConnected(g, r1, r2))
	r2.CheckDB(utc("2025-01-15 02:00:55.30"), "spid73", "master")
	r2.CheckDB(utc("2025-01-15 02:05:08.91"), "spid73", "msdb")
	r1.CycledHeader(utc("2025-01-15 00:00:00.33"), 3808)
	r1.LogBackups(utc("2025-01-15 00:00:00"), utc("2025-01-15 18:00:00"), 30*time.Minute, g)
	r1.FullBackup(utc("2025-01-15 01:00:12.52"), "Inventory", 804412)
	r1.FullBackup(utc("2025-01-15 01:20:40.07"), "Shipping", 212077)
	r1.AgentXPs(utc("2025-01-15 01:00:02.12"), "spid81")
	r1.LoginFailed(utc("2025-01-15 09:14:02.66"), 8, "app_orders", "Password did not match that for the login provided.", "10.80.3.17")
	r1.LoginFailed(utc("2025-01-15 09:14:07.91"), 8, "app_orders", "Password did not match that for the login provided.", "10.80.3.17")
	r1.LoginFailed(utc("2025-01-15 13:30:44.05"), 5, `CONTOSO\tmpuser`, "Could not find a login matching the name provided.", "10.80.6.3")

	return &scenario.Bundle{
		Name:     "quiet",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "A normal day. SQLAG02 was restarted after patching the evening before and joined as secondary at once; SQLAG01's log was cycled at midnight. Log backups every 30 minutes, nightly full backups and CHECKDB, and a few failed logins of an application with a wrong password. Nothing for the analyzer to report.",
			Incidents:   []scenario.Incident{},
			Failovers:   []scenario.Failover{},
			Clocks:      map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}
