package main

import (
	"fmt"
	"time"
)

// stall writes the precursors of a lease timeout on r: long I/O (833), a
// non-yielding scheduler and the stack dump it triggers.
func (r *Replica) stall(at time.Time) {
	r.Log(at.Add(-25*sec), "spid19s", "SQL Server has encountered 4 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [E:\\SQLData\\SalesDB.mdf] in database id 5.  The OS file handle is 0x0000000000000D3C.  The offset of the latest long I/O is: 0x00000a3b5e0000.  The duration of the long I/O is: 41250 ms.")
	r.Log(at, "Server", "Process 0:0:0 (0x1a2c) Worker 0x000001E3A8C30160 appears to be non-yielding on Scheduler 2. Thread creation time: 13358329561021. Approx Thread CPU Used: kernel 15 ms, user 60406 ms. Process Utilization 95%. System Idle 2%. Interval: 70416 ms.")
	d := at.Add(180 * ms)
	local := d.Add(r.Offset)
	for _, l := range []string{
		"Using 'dbghelp.dll' version '4.0.5'",
		"**Dump thread - spid = 0, EC = 0x0000000000000000",
		"***Stack Dump being sent to " + instDir + "\\Log\\SQLDump0001.txt",
		"* *******************************************************************************",
		"*",
		"* BEGIN STACK DUMP:",
		"*   " + local.Format("01/02/06 15:04:05") + " spid 0",
		"*",
		"* Non-yielding Scheduler",
		"*",
		"* *******************************************************************************",
	} {
		r.Log(d, "Server", l)
	}
	r.Log(d.Add(2100*ms), "Server", "Stack Signature for the dump is 0x00000000000001E4")
	r.Log(d.Add(2900*ms), "Server", "External dump process return code 0x20000001.", "External dump process returned no errors.")
}

// leaseLoss writes the primary's side of a lease expiry (19419 or 19421,
// then 19407, 41091, PRIMARY_NORMAL -> RESOLVING_NORMAL, 1480).
func (r *Replica) leaseLoss(at time.Time, g AG, sqlSide bool, peer *Replica) {
	if sqlSide {
		r.Err(at, "Server", 19419, 16, 1, msgNoProcessSignal(g.Name))
	} else {
		r.Err(at, "Server", 19421, 16, 1, msgNoClusterSignal(g.Name))
	}
	r.Err(at.Add(10*ms), "Server", 19407, 16, 1, msgLeaseExpired(g.Name))
	r.LeaseExpiredXE(at.Add(10*ms), g)
	r.Log(at.Add(20*ms), "Server", msgLeaseOffline(g.Name))
	r.StateChange(at.Add(30*ms), "Server", g, "PRIMARY_NORMAL", "RESOLVING_NORMAL", reasonLease)
	r.DBConnections(at.Add(60*ms), "spid33s", g, peer, true, false)
	r.RoleChange(at.Add(90*ms), "spid52s", g, "PRIMARY", "RESOLVING")
}

// rejoin writes an old primary becoming secondary after a failover, and the
// reconnection to the new primary.
func rejoin(at time.Time, g AG, old, newP *Replica) {
	old.Log(at, "spid88s", msgPrepResolving(g.Name))
	old.StateChange(at.Add(400*ms), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", reasonWSFC)
	old.RoleChange(at.Add(450*ms), "spid52s", g, "RESOLVING", "SECONDARY")
	reconnect(at.Add(2200*ms), g, old, newP)
}

// leaseTimeoutStall: I/O stall and non-yielding scheduler on the primary, the
// lease expires and the AG fails over automatically.
func leaseTimeoutStall() *Bundle {
	g := AG{Name: "AG1", DBs: []string{"SalesDB", "Archive"}}
	r1 := NewReplica("SQLAG01", "10.10.2.21", `CONTOSO\sqlsvc`, hours(1))
	r2 := NewReplica("SQLAG02", "10.10.2.22", `CONTOSO\sqlsvc`, hours(1))
	t := r2.Startup(utc("2024-05-06 21:40:02.17"), 6012, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-05-06 23:00:00.44"), 2264)
	r1.LogBackups(utc("2024-05-06 23:00:00"), utc("2024-05-07 01:12:00"), 20*minute, g)
	r1.FullBackup(utc("2024-05-07 00:05:12.30"), "Archive", 612044)
	r1.LoginFailed(utc("2024-05-07 00:31:45.91"), 5, `CONTOSO\svc_bi`, "Could not find a login matching the name provided.", "10.10.7.80")

	ts := utc("2024-05-07 01:12:40.520")
	r1.stall(ts)
	r1.leaseLoss(ts.Add(3200*ms), g, true, r2)
	r2.ConnectionLost(ts.Add(3700*ms), "spid47s", r1)
	r2.DBConnections(ts.Add(3800*ms), "spid33s", g, r1, false, false)
	r2.FailoverValidation(ts.Add(4900*ms), g, true)
	fo := r2.promote(ts.Add(5000*ms), "spid88s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(14*sec), g, r1, r2)
	r2.LogBackups(utc("2024-05-07 01:20:00"), utc("2024-05-07 03:00:00"), 20*minute, g)
	r2.CheckDB(utc("2024-05-07 02:30:44.12"), "spid66", "msdb")

	return &Bundle{
		Name:     "lease-timeout-stall",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "At 02:12 local (01:12 UTC) the primary SQLAG01 stalled: I/O requests on SalesDB.mdf took more than 15 seconds (833), a worker became non-yielding on scheduler 2 and SQL Server wrote a stack dump. The dump froze the lease worker, the cluster did not receive the process event signal (19419) and the AG1 lease expired (19407, 41091), so SQLAG01 went to RESOLVING and the cluster failed AG1 over automatically to SQLAG02. SQLAG01 rejoined as secondary 14 seconds later.",
			Incidents: []Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"SQLAG01"}},
			},
			Failovers: []Failover{{AG: "AG1", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// clockInferred: a small automatic failover after a lease timeout; SQLAG02's
// collected ERRORLOG is a tail without the startup block, so its UTC offset
// must be inferred from events present in both its ERRORLOG and its XEvents.
func clockInferred() *Bundle {
	g := AG{Name: "AGPayroll", DBs: []string{"Payroll", "PayrollHist"}}
	r1 := NewReplica("SQLAG01", "10.60.0.11", `CONTOSO\sqlsvc`, hours(2))
	r2 := NewReplica("SQLAG02", "10.60.0.12", `CONTOSO\sqlsvc`, hours(2))
	r1.CycledHeader(utc("2024-07-01 22:00:00.38"), 3384)
	r1.LogBackups(utc("2024-07-01 22:00:00"), utc("2024-07-02 13:27:00"), hours(1), g)
	r2.CheckDB(utc("2024-07-02 09:02:13.45"), "spid58", "master")
	r2.AgentXPs(utc("2024-07-02 09:02:13.60"), "spid58")
	r2.CheckDB(utc("2024-07-02 09:06:40.02"), "spid58", "msdb")
	r2.LoginFailed(utc("2024-07-02 11:48:20.77"), 38, `CONTOSO\hr_app`, "Failed to open the explicitly specified database 'Payroll'.", "10.60.4.25")

	ts := utc("2024-07-02 13:27:51.400")
	r1.leaseLoss(ts, g, false, r2)
	r2.ConnectionLost(ts.Add(600*ms), "spid47s", r1)
	r2.DBConnections(ts.Add(700*ms), "spid33s", g, r1, false, false)
	fo := r2.promote(ts.Add(2100*ms), "spid90s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(11*sec), g, r1, r2)
	r2.LogBackups(utc("2024-07-02 14:00:00"), utc("2024-07-02 16:00:00"), hours(1), g)
	r2.Log(utc("2024-07-02 15:12:09.31"), "spid71", fmt.Sprintf("Setting database option READ_COMMITTED_SNAPSHOT to ON for database '%s'.", "PayrollHist"))

	return &Bundle{
		Name:     "clock-inferred",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "At 15:27 local (13:27 UTC) SQL Server on the primary SQLAG01 stopped receiving the lease signal from the cluster (19421); the AGPayroll lease expired (19407, 41091) and the cluster failed the AG over automatically to SQLAG02. SQLAG01 rejoined as secondary. The ERRORLOG collected from SQLAG02 is a tail that starts mid-day without the startup block, so it has no UTC adjustment line; its clock (UTC+2, like SQLAG01) can only be inferred from the state changes, 1480 and 35202 messages that also appear in its AlwaysOn_health events.",
			Incidents: []Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AGPayroll", RootCauseContains: []string{"SQLAG01"}},
			},
			Failovers: []Failover{{AG: "AGPayroll", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "inferred"},
		},
	}
}
