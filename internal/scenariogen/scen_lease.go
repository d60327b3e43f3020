package main

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// rejoin writes an old primary becoming secondary after a failover, and the
// reconnection to the new primary.
func rejoin(at time.Time, g scenario.AG, old, newP *scenario.Replica) {
	old.Log(at, "spid88s", scenario.MsgPrepResolving(g.Name))
	old.StateChange(at.Add(400*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	old.RoleChange(at.Add(450*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(at.Add(2200*time.Millisecond), g, old, newP)
}

// leaseTimeoutStall: I/O stall and non-yielding scheduler on the primary, the
// lease expires and the AG fails over automatically.
func leaseTimeoutStall() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"SalesDB", "Archive"}}
	r1 := scenario.NewReplica("SQLAG01", "10.10.2.21", `CONTOSO\sqlsvc`, scenario.Hours(1))
	r2 := scenario.NewReplica("SQLAG02", "10.10.2.22", `CONTOSO\sqlsvc`, scenario.Hours(1))
	t := r2.Startup(utc("2024-05-06 21:40:02.17"), 6012, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-05-06 23:00:00.44"), 2264)
	r1.LogBackups(utc("2024-05-06 23:00:00"), utc("2024-05-07 01:12:00"), 20*time.Minute, g)
	r1.FullBackup(utc("2024-05-07 00:05:12.30"), "Archive", 612044)
	r1.LoginFailed(utc("2024-05-07 00:31:45.91"), 5, `CONTOSO\svc_bi`, "Could not find a login matching the name provided.", "10.10.7.80")

	ts := utc("2024-05-07 01:12:40.520")
	r1.Stall(ts)
	r1.LeaseLoss(ts.Add(3200*time.Millisecond), g, true, r2)
	r2.ConnectionLost(ts.Add(3700*time.Millisecond), "spid47s", r1)
	r2.DBConnections(ts.Add(3800*time.Millisecond), "spid33s", g, r1, false, false)
	r2.FailoverValidation(ts.Add(4900*time.Millisecond), g, true)
	fo := r2.Promote(ts.Add(5000*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(14*time.Second), g, r1, r2)
	r2.LogBackups(utc("2024-05-07 01:20:00"), utc("2024-05-07 03:00:00"), 20*time.Minute, g)
	r2.CheckDB(utc("2024-05-07 02:30:44.12"), "spid66", "msdb")

	return &scenario.Bundle{
		Name:     "lease-timeout-stall",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 02:12 local (01:12 UTC) the primary SQLAG01 stalled: I/O requests on SalesDB.mdf took more than 15 seconds (833), a worker became non-yielding on scheduler 2 and SQL Server wrote a stack dump. The dump froze the lease worker, the cluster did not receive the process event signal (19419) and the AG1 lease expired (19407, 41091), so SQLAG01 went to RESOLVING and the cluster failed AG1 over automatically to SQLAG02. SQLAG01 rejoined as secondary 14 seconds later.",
			Incidents: []scenario.Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"SQLAG01"}},
			},
			Failovers: []scenario.Failover{{AG: "AG1", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// clockInferred: a small automatic failover after a lease timeout; SQLAG02's
// collected ERRORLOG is a tail without the startup block, so its UTC offset
// must be inferred from events present in both its ERRORLOG and its XEvents.
func clockInferred() *scenario.Bundle {
	g := scenario.AG{Name: "AGPayroll", DBs: []string{"Payroll", "PayrollHist"}}
	r1 := scenario.NewReplica("SQLAG01", "10.60.0.11", `CONTOSO\sqlsvc`, scenario.Hours(2))
	r2 := scenario.NewReplica("SQLAG02", "10.60.0.12", `CONTOSO\sqlsvc`, scenario.Hours(2))
	r1.CycledHeader(utc("2024-07-01 22:00:00.38"), 3384)
	r1.LogBackups(utc("2024-07-01 22:00:00"), utc("2024-07-02 13:27:00"), scenario.Hours(1), g)
	r2.CheckDB(utc("2024-07-02 09:02:13.45"), "spid58", "master")
	r2.AgentXPs(utc("2024-07-02 09:02:13.60"), "spid58")
	r2.CheckDB(utc("2024-07-02 09:06:40.02"), "spid58", "msdb")
	r2.LoginFailed(utc("2024-07-02 11:48:20.77"), 38, `CONTOSO\hr_app`, "Failed to open the explicitly specified database 'Payroll'.", "10.60.4.25")

	ts := utc("2024-07-02 13:27:51.400")
	r1.LeaseLoss(ts, g, false, r2)
	r2.ConnectionLost(ts.Add(600*time.Millisecond), "spid47s", r1)
	r2.DBConnections(ts.Add(700*time.Millisecond), "spid33s", g, r1, false, false)
	fo := r2.Promote(ts.Add(2100*time.Millisecond), "spid90s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(11*time.Second), g, r1, r2)
	r2.LogBackups(utc("2024-07-02 14:00:00"), utc("2024-07-02 16:00:00"), scenario.Hours(1), g)
	r2.Log(utc("2024-07-02 15:12:09.31"), "spid71", fmt.Sprintf("Setting database option READ_COMMITTED_SNAPSHOT to ON for database '%s'.", "PayrollHist"))

	return &scenario.Bundle{
		Name:     "clock-inferred",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 15:27 local (13:27 UTC) SQL Server on the primary SQLAG01 stopped receiving the lease signal from the cluster (19421); the AGPayroll lease expired (19407, 41091) and the cluster failed the AG over automatically to SQLAG02. SQLAG01 rejoined as secondary. The ERRORLOG collected from SQLAG02 is a tail that starts mid-day without the startup block, so it has no UTC adjustment line; its clock (UTC+2, like SQLAG01) can only be inferred from the state changes, 1480 and 35202 messages that also appear in its AlwaysOn_health events.",
			Incidents: []scenario.Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AGPayroll", RootCauseContains: []string{"SQLAG01"}},
			},
			Failovers: []scenario.Failover{{AG: "AGPayroll", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "inferred"},
		},
	}
}
