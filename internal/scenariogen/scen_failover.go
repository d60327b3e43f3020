package main

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// manualFailover: a planned failover SQLAG01 -> SQLAG02 run on SQLAG02.
func manualFailover() *scenario.Bundle {
	g := scenario.AG{Name: "AGOrders", DBs: []string{"Orders", "Billing"}}
	r1 := scenario.NewReplica("SQLAG01", "10.30.0.11", `CONTOSO\sqlsvc`, scenario.Hours(5.5))
	r2 := scenario.NewReplica("SQLAG02", "10.30.0.12", `CONTOSO\sqlsvc`, scenario.Hours(5.5))
	t := r2.Startup(utc("2024-06-17 17:50:11.04"), 7340, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-06-17 18:30:00.29"), 1896)
	r1.LogBackups(utc("2024-06-17 18:30:00"), utc("2024-06-18 04:30:00"), scenario.Hours(1), g)
	r1.FullBackup(utc("2024-06-17 20:30:15.66"), "Orders", 902211)
	r1.LoginFailed(utc("2024-06-18 03:02:51.20"), 8, "app_orders", "Password did not match that for the login provided.", "10.30.8.14")

	fo := scenario.ManualFailoverTo(utc("2024-06-18 04:30:02.118"), g, r1, r2)
	scenario.Reconnect(fo.Add(3100*time.Millisecond), g, r1, r2)
	r2.LogBackups(utc("2024-06-18 05:00:00"), utc("2024-06-18 08:00:00"), scenario.Hours(1), g)

	return &scenario.Bundle{
		Name:     "manual-failover",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "Planned maintenance at 10:00 local (04:30 UTC): the DBA ran ALTER AVAILABILITY GROUP [AGOrders] FAILOVER; on the synchronized secondary SQLAG02. SQLAG01 stopped its lease (19420), went RESOLVING and came back as secondary within seconds; SQLAG02 became primary and the replicas reconnected at once. Nothing else happened.",
			Incidents: []scenario.Incident{
				{Category: "failover", Server: "SQLAG02", AG: "AGOrders", RootCauseContains: []string{"SQLAG02"}, Confidence: "certain"},
			},
			Failovers: []scenario.Failover{{AG: "AGOrders", From: "SQLAG01", To: "SQLAG02", Mode: "manual", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// forcedFailover: the primary's host dies; the DBA forces the AG onto the
// asynchronous DR replica; the old primary returns with suspended databases.
func forcedFailover() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"Ledger", "LedgerAudit"}}
	r1 := scenario.NewReplica("SQLAG01", "10.40.0.11", `CONTOSO\sqlsvc`, 0)
	r2 := scenario.NewReplica("SQLAG02", "10.40.1.12", `CONTOSO\sqlsvc`, 0)
	t := r2.Startup(utc("2024-08-19 21:15:40.55"), 2948, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-08-20 00:00:00.31"), 4312)
	r1.LogBackups(utc("2024-08-20 00:00:00"), utc("2024-08-20 09:41:00"), 30*time.Minute, g)
	r1.AgentXPs(utc("2024-08-20 02:00:00.84"), "spid83")
	// 09:41: the host of SQLAG01 loses power; its ERRORLOG just stops.
	down := utc("2024-08-20 09:41:31.000")
	r2.ConnectionLost(down.Add(9200*time.Millisecond), "spid50s", r1)
	r2.DBConnections(down.Add(9300*time.Millisecond), "spid50s", g, r1, false, false)
	r2.Log(down.Add(21*time.Second), "spid88s", scenario.MsgResourceOffline(g.Name))
	r2.StateChange(down.Add(21100*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r2.RoleChange(down.Add(21200*time.Millisecond), "spid52s", g, "SECONDARY", "RESOLVING")
	for _, d := range []string{"09:42:20.13", "09:45:41.77", "09:50:02.40", "09:56:19.05"} {
		r2.ConnectTimeout(utc("2024-08-20 "+d), "spid50s", r1)
	}
	force := utc("2024-08-20 10:02:14.507")
	stmt := "ALTER AVAILABILITY GROUP [AG1] FORCE_FAILOVER_ALLOW_DATA_LOSS;"
	r2.DDL(force, g, "begin", stmt)
	fo := r2.Promote(force.Add(300*time.Millisecond), "spid64", g, "RESOLVING_NORMAL")
	r2.DDL(fo.Add(250*time.Millisecond), g, "commit", stmt)
	r2.LogBackups(utc("2024-08-20 10:30:00"), utc("2024-08-20 12:00:00"), 30*time.Minute, g)

	// 10:48: SQLAG01 is back and rejoins as secondary, suspended.
	r1.NewLog()
	t = r1.Startup(utc("2024-08-20 10:48:05.12"), 4420, g)
	r1.Log(t.Add(-4*time.Second), "Server", "This instance of SQL Server last reported using a process ID of 4312 at 8/20/2024 9:41:02 AM (local) 8/20/2024 9:41:02 AM (UTC). This is an informational message only; no user action is required.")
	r1.StateChange(t, "spid26s", g, "NOT_AVAILABLE", "RESOLVING_NORMAL", scenario.ReasonStartup)
	r1.StateChange(t.Add(900*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r1.RoleChange(t.Add(950*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(t.Add(1800*time.Millisecond), g, r1, r2)
	for i, db := range g.DBs {
		r1.Err(t.Add(3500*time.Millisecond).Add(time.Millisecond*40*scenario.MsDur(i)), "spid40s", 35264, 10, 1, fmt.Sprintf(`Always On Availability Groups data movement for database '%s' has been suspended for the following reason: "system" (Source ID 1; Source string: 'SUSPEND_FROM_PARTNER'). To resume data movement on the database, you will need to resume the database manually. For information about how to resume an availability database, see SQL Server Books Online.`, db))
	}
	resume := utc("2024-08-20 11:20:33.910")
	for i, db := range g.DBs {
		at := resume.Add(time.Millisecond * 2300 * scenario.MsDur(i))
		r1.Err(at, "spid71", 35265, 10, 1, fmt.Sprintf("Always On Availability Groups data movement for database '%s' has been resumed. %s", db, scenario.InfoOnly))
		r1.CommitPolicy(at.Add(300*time.Millisecond), "spid40s", r2, 2)
	}

	return &scenario.Bundle{
		Name:     "forced-failover",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 09:41 UTC the host of the primary SQLAG01 died: its ERRORLOG stops without a shutdown. SQLAG02, an asynchronous-commit DR replica, lost the connection and went RESOLVING; automatic failover was not possible. At 10:02 the DBA ran ALTER AVAILABILITY GROUP [AG1] FORCE_FAILOVER_ALLOW_DATA_LOSS; on SQLAG02, which became primary. When SQLAG01 came back at 10:48 it rejoined as secondary with data movement suspended on both databases (35264, SUSPEND_FROM_PARTNER) until the DBA resumed them at 11:20.",
			Incidents: []scenario.Incident{
				// The suspension is the forced failover's consequence: one
				// incident, whose fix includes resuming the databases.
				{Category: "failover", Server: "SQLAG02", AG: "AG1", RootCauseContains: []string{"SQLAG01", "FORCE_FAILOVER_ALLOW_DATA_LOSS", "SUSPEND_FROM_PARTNER"},
					Confidence: "certain", FixContains: []string{"ALTER DATABASE [Ledger] SET HADR RESUME;"}},
			},
			Failovers: []scenario.Failover{{AG: "AG1", From: "SQLAG01", To: "SQLAG02", Mode: "forced", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}
