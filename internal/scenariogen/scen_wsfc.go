package main

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

const msg983 = "Unable to access availability database '%s' because the database replica is not in the PRIMARY or SECONDARY role. Connections to an availability database is permitted only when the database replica is in the PRIMARY or SECONDARY role. Try the operation again later."

// wsfcOutageFailoverConnect is the classic chain: WSFC outage on the primary,
// automatic failover, failback, then the old primary's endpoint rejects the
// secondary's service account (State 84) until CONNECT is granted.
func wsfcOutageFailoverConnect() *scenario.Bundle { return classic(false) }

// demo is the same story told with three replicas: a DR replica SQLAG03-DR in
// another time zone, and SQLAG01's log cycled at midnight (ERRORLOG.1 and
// ERRORLOG).
func demo() *scenario.Bundle { return classic(true) }

func classic(isDemo bool) *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"SalesDB", "InventoryDB"}}
	r1 := scenario.NewReplica("SQLAG01", "10.10.1.11", `CONTOSO\sqlsvc`, scenario.Hours(-5))
	r2 := scenario.NewReplica("SQLAG02", "10.10.1.12", `CONTOSO\sqlsvc02`, scenario.Hours(-5))
	r1.Action, r2.Action = !isDemo, !isDemo
	var r3 *scenario.Replica
	fix := utc("2024-03-12 13:26:41.380")
	backupEvery, retryEvery := 15*time.Minute, 15*time.Second
	if isDemo {
		r3 = scenario.NewReplica("SQLAG03-DR", "10.20.5.13", `CONTOSO\sqlsvc03`, scenario.Hours(1))
		fix = utc("2024-03-12 13:09:31.620")
		backupEvery, retryEvery = scenario.Hours(1), 45*time.Second
	}

	// SQLAG02 was patched and restarted the evening before; SQLAG01's log
	// was cycled at midnight.
	t := r2.Startup(utc("2024-03-12 03:10:04.21"), 5128, g)
	r2.StartAsSecondary(t, g, r1)
	r2.AgentXPs(utc("2024-03-12 03:12:30.40"), "spid64")
	if isDemo {
		r1.CycledHeader(utc("2024-03-11 23:00:00.47"), 4312)
		r1.LogBackups(utc("2024-03-11 23:00:00"), utc("2024-03-12 05:00:00"), backupEvery, g)
		r1.Connected(t.Add(1410*time.Millisecond), "spid61s", g, r2)
		r1.DBConnections(t.Add(2600*time.Millisecond), "spid61s", g, r2, true, true)
		r1.Cycle(utc("2024-03-12 05:00:00.51"), 4312)
		t3 := r3.Startup(utc("2024-03-12 01:45:10.08"), 3720, g)
		r3.StartAsSecondary(t3, g, r1)
		r3.CheckDB(utc("2024-03-12 04:00:31.11"), "spid77", "master")
	} else {
		r1.CycledHeader(utc("2024-03-12 05:00:00.52"), 4312)
	}
	r1.LogBackups(utc("2024-03-12 05:00:00"), utc("2024-03-12 07:14:00"), backupEvery, g)
	r1.FullBackup(utc("2024-03-12 06:00:41.87"), "SalesDB", 1482231)
	r1.LoginFailed(utc("2024-03-12 05:47:12.66"), 8, "svc_reporting", "Password did not match that for the login provided.", "10.10.5.40")
	r1.LoginFailed(utc("2024-03-12 05:47:13.02"), 8, "svc_reporting", "Password did not match that for the login provided.", "10.10.5.40")
	r2.CheckDB(utc("2024-03-12 06:30:12.08"), "spid71", "master")

	// 02:14 local: the cluster service on SQLAG01 goes away.
	t0 := utc("2024-03-12 07:14:02.310")
	r1.WSFC(t0, "Server", 41048)
	r1.WSFC(t0.Add(20*time.Millisecond), "Server", 41049)
	for i := 0; i < 4; i++ {
		r1.Log(t0.Add(time.Duration(40+10*i)*time.Millisecond), "spid26s", scenario.MsgLostQuorum)
	}
	r1.ManagerState(t0.Add(50*time.Millisecond), "OFFLINE")
	r1.Err(t0.Add(700*time.Millisecond), "Server", 19407, 16, 1, scenario.MsgLeaseExpired(g.Name))
	r1.LeaseExpiredXE(t0.Add(700*time.Millisecond), g)
	r1.Log(t0.Add(710*time.Millisecond), "Server", scenario.MsgLeaseOffline(g.Name))
	r1.StateChange(t0.Add(720*time.Millisecond), "Server", g, "PRIMARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonLease)
	r1.DBConnections(t0.Add(760*time.Millisecond), "spid33s", g, r2, true, false)
	r1.RoleChange(t0.Add(800*time.Millisecond), "spid52s", g, "PRIMARY", "RESOLVING")
	r1.Log(t0.Add(1200*time.Millisecond), "spid26s", scenario.WsfcMsg[41050])
	r1.Err(t0.Add(3100*time.Millisecond), "Logon", 983, 14, 1, fmt.Sprintf(msg983, "SalesDB"))
	r1.Err(t0.Add(9400*time.Millisecond), "Logon", 983, 14, 1, fmt.Sprintf(msg983, "SalesDB"))

	r2.ConnectionLost(t0.Add(1100*time.Millisecond), "spid47s", r1)
	r2.DBConnections(t0.Add(1200*time.Millisecond), "spid33s", g, r1, false, false)
	r2.FailoverValidation(t0.Add(3400*time.Millisecond), g, true)
	fo1 := r2.Promote(t0.Add(3500*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL")
	for _, d := range []string{"07:14:37.91", "07:16:02.44", "07:19:12.05", "07:24:48.30"} {
		r2.ConnectTimeout(utc("2024-03-12 "+d), "spid47s", r1)
	}
	r2.LogBackups(utc("2024-03-12 07:30:00"), utc("2024-03-12 13:05:00"), backupEvery, g)

	if isDemo {
		drFollow(t0.Add(1300*time.Millisecond), fo1, g, r3, r1, r2)
	}

	// 02:31 local: WSFC back on SQLAG01, which rejoins as secondary.
	t1 := utc("2024-03-12 07:31:40.150")
	r1.WSFCRecovery(t1, "spid26s", 41051)
	r1.ManagerState(t1.Add(200*time.Millisecond), "ONLINE")
	r1.Log(t1.Add(300*time.Millisecond), "spid26s", scenario.MsgReplicaStarting(g.Name))
	r1.StateChange(t1.Add(900*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r1.RoleChange(t1.Add(950*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(t1.Add(2500*time.Millisecond), g, r1, r2)

	// 08:05 local: the DBA fails back to SQLAG01.
	fo2 := scenario.ManualFailoverTo(utc("2024-03-12 13:05:11.204"), g, r2, r1)
	r2.ConnectionLost(fo2.Add(10*time.Second), "spid47s", r1)
	if isDemo {
		drFollow(fo2.Add(-1500*time.Millisecond), fo2, g, r3, r2, r1)
	}
	i := 0
	for at := fo2.Add(4 * time.Second); at.Before(fix.Add(-2 * time.Second)); at = at.Add(5*time.Second + time.Duration(i*137%400)*time.Millisecond) {
		r1.Log(at, "Logon", scenario.MsgHandshake84(r2.Account, r2.IP))
		r1.ErrorReported(at, 28048, 10, 1, scenario.MsgHandshake84(r2.Account, r2.IP))
		i++
	}
	for at := fo2.Add(25 * time.Second); at.Before(fix.Add(-5 * time.Second)); at = at.Add(retryEvery + time.Duration(i*71%300)*time.Millisecond) {
		r2.ConnectTimeout(at, "spid47s", r1)
		i++
	}
	// GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\sqlsvc02] on SQLAG01.
	scenario.Reconnect(fix, g, r2, r1)
	r1.LogBackups(utc("2024-03-12 13:15:00"), utc("2024-03-12 14:00:00"), backupEvery, g)
	r2.CheckDB(utc("2024-03-12 13:40:05.77"), "spid71", "msdb")

	b := &scenario.Bundle{
		Name:     "wsfc-outage-failover-connect",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 02:14 local (07:14 UTC) the cluster service on SQLAG01 stopped: the node lost quorum, the AG1 lease expired and SQLAG01 went to RESOLVING, and the cluster failed AG1 over automatically to SQLAG02 within five seconds. The WSFC service on SQLAG01 came back at 07:31 UTC and SQLAG01 rejoined as secondary. At 13:05 UTC the DBA failed back to SQLAG01 with ALTER AVAILABILITY GROUP [AG1] FAILOVER. From then on SQLAG02 could not connect to SQLAG01's mirroring endpoint: SQLAG01 rejected its service account CONTOSO\\sqlsvc02 every five seconds (28048, State 84, missing CONNECT permission, client 10.10.1.12) and SQLAG02 logged connection timeouts, until CONNECT was granted at 13:26 UTC and the replicas reconnected.",
			Incidents: []scenario.Incident{
				{Category: "cluster_outage", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"WSFC", "SQLAG01"}, Confidence: "certain"},
				{Category: "failover", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"SQLAG01"}, Confidence: "certain"},
				{Category: "endpoint_handshake", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{`CONTOSO\sqlsvc02`, "SQLAG02"}, Confidence: "certain",
					FixContains: []string{`GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\sqlsvc02]`}},
			},
			Failovers: []scenario.Failover{
				{AG: "AG1", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo1)},
				{AG: "AG1", From: "SQLAG02", To: "SQLAG01", Mode: "manual", At: rfc(fo2)},
			},
			Clocks: map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
	if isDemo {
		b.Name = "demo"
		b.Replicas = append(b.Replicas, r3)
		b.Expected.Clocks["SQLAG03-DR"] = "errorlog"
		b.Expected.Description = "Three replicas of AG1: SQLAG01 and SQLAG02 in New York (UTC-5), the asynchronous DR replica SQLAG03-DR in Frankfurt (UTC+1). " + b.Expected.Description + " SQLAG03-DR, whose account CONTOSO\\sqlsvc03 still had CONNECT, followed both role changes without trouble."
	}
	return b
}

// drFollow writes what an asynchronous DR replica logs when the primary of g
// moves from oldP to newP: the old connection times out, the replica restarts
// its AG replica (41094) and reconnects to the new primary after done.
func drFollow(at, done time.Time, g scenario.AG, dr, oldP, newP *scenario.Replica) {
	dr.ConnectionLost(at.Add(9*time.Second), "spid50s", oldP)
	dr.DBConnections(at.Add(9100*time.Millisecond), "spid50s", g, oldP, false, false)
	dr.Log(done.Add(900*time.Millisecond), "spid88s", fmt.Sprintf("Always On: The local replica of availability group '%s' is restarting because the existing primary replica restarted or the availability group failed over to a new primary replica. %s", g.Name, scenario.InfoOnly))
	dr.StateChange(done.Add(950*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	dr.RoleChange(done.Add(990*time.Millisecond), "spid52s", g, "SECONDARY", "RESOLVING")
	dr.StateChange(done.Add(2100*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	dr.RoleChange(done.Add(2150*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(done.Add(3900*time.Millisecond), g, dr, newP)
}
