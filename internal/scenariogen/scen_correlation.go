package main

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// The scenarios in this file are regression bundles for the correlation:
// each holds one story the analysis once told wrongly (one cause split in
// two incidents, an outage "ongoing" after the node came back, a primary
// that lost its role without a failover, a restart hiding a long
// disconnection).

// msgHandshake84Event is the text of the error_reported copy of a 28048
// State 84 line: the session records no client address.
func msgHandshake84Event(login string) string {
	return fmt.Sprintf("Database Mirroring login attempt by user '%s.' failed with error: 'Connection handshake failed. The login '%s' does not have CONNECT permission on the endpoint. State 84.'.", login, login)
}

// handshakeAfterFailback: a planned failover to SQLAG02 and a failback to
// SQLAG01; after the failback SQLAG02 cannot reconnect because its service
// account lost CONNECT on SQLAG01's endpoint. SQLAG01 logs every refusal in
// its ERRORLOG (with the client address) and in AlwaysOn_health (without):
// one cause, one incident, each handshake counted once.
func handshakeAfterFailback() *scenario.Bundle {
	g := scenario.AG{Name: "AGSales", DBs: []string{"Sales", "SalesArchive"}}
	r1 := scenario.NewReplica("SQLAG01", "10.10.5.11", `CONTOSO\sqlsvc01`, scenario.Hours(-5))
	r2 := scenario.NewReplica("SQLAG02", "10.10.5.12", `CONTOSO\sqlsvc02`, scenario.Hours(-5))
	t := r2.Startup(utc("2025-02-03 11:00:04.12"), 5120, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2025-02-03 11:30:00.40"), 2204)
	r1.LogBackups(utc("2025-02-03 12:00:00"), utc("2025-02-03 18:00:00"), scenario.Hours(1), g)

	fo := scenario.ManualFailoverTo(utc("2025-02-03 13:00:01.500"), g, r1, r2)
	scenario.Reconnect(fo.Add(2*time.Second), g, r1, r2)
	fb := scenario.ManualFailoverTo(utc("2025-02-03 14:20:03.250"), g, r2, r1)
	start, fix := fb.Add(2*time.Second), fb.Add(30*time.Minute)
	n := 0
	for at := start; at.Before(fix); at = at.Add(5*time.Second + time.Duration(n*71%400)*time.Millisecond) {
		r1.Log(at, "Logon", scenario.MsgHandshake84(r2.Account, r2.IP))
		r1.ErrorReported(at.Add(3*time.Millisecond), 28048, 10, 1, msgHandshake84Event(r2.Account))
		n++
	}
	for at := start.Add(15 * time.Second); at.Before(fix); at = at.Add(30 * time.Second) {
		r2.ConnectTimeout(at, "spid61s", r1)
	}
	// GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\sqlsvc02] on SQLAG01.
	scenario.Reconnect(fix.Add(4*time.Second), g, r2, r1)

	return &scenario.Bundle{
		Name:     "handshake-after-failback",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: fmt.Sprintf("A planned failover of AGSales to SQLAG02 at 13:00 UTC and a failback to SQLAG01 at 14:20. While SQLAG02 was primary, SQLAG02's service account lost CONNECT on SQLAG01's endpoint; after the failback SQLAG01 refused SQLAG02 %d times (28048 State 84, written both to the ERRORLOG with the client address and to AlwaysOn_health without it) until CONNECT was granted again at 14:50. One failover-and-failback incident and one handshake incident whose count is %d, not twice that.", n, n),
			Incidents: []scenario.Incident{
				{Category: "failover", Server: "SQLAG02", AG: "AGSales", Confidence: "certain"},
				{Category: "endpoint_handshake", Server: "SQLAG01", AG: "AGSales", RootCauseContains: []string{`CONTOSO\sqlsvc02`, "SQLAG02"}, Confidence: "certain",
					FixContains:   []string{`GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\sqlsvc02]`},
					ChainContains: []string{fmt.Sprintf("%d failed handshakes between", n)}},
			},
			Failovers: []scenario.Failover{
				{AG: "AGSales", From: "SQLAG01", To: "SQLAG02", Mode: "manual", At: rfc(fo)},
				{AG: "AGSales", From: "SQLAG02", To: "SQLAG01", Mode: "manual", At: rfc(fb)},
			},
			Clocks: map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// outagesRecovered: two WSFC outages of the secondary's node 80 minutes
// apart. The first recovers with only 41051 and the replica back to
// SECONDARY_NORMAL (no 41055); the second recovers fully, but the primary
// never logs its reconnection before the logs end. Two outages, neither
// ongoing.
func outagesRecovered() *scenario.Bundle {
	g := scenario.AG{Name: "AGHR", DBs: []string{"HR"}}
	r1 := scenario.NewReplica("SQLHR01", "10.20.7.11", `CONTOSO\sqlhr`, scenario.Hours(1))
	r2 := scenario.NewReplica("SQLHR02", "10.20.7.12", `CONTOSO\sqlhr`, scenario.Hours(1))
	t := r2.Startup(utc("2025-03-04 01:00:02.25"), 3304, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2025-03-04 01:30:00.16"), 1880)
	r1.LogBackups(utc("2025-03-04 02:00:00"), utc("2025-03-04 04:30:00"), 30*time.Minute, g)

	o1 := utc("2025-03-04 03:10:12.300")
	r2.WSFC(o1, "Server", 41048)
	r2.WSFC(o1.Add(20*time.Millisecond), "Server", 41049)
	r2.Log(o1.Add(40*time.Millisecond), "spid29s", scenario.MsgLostQuorum)
	r2.StateChange(o1.Add(200*time.Millisecond), "spid29s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r1.ConnectionLost(o1.Add(10*time.Second), "spid61s", r2)
	back1 := o1.Add(6*time.Minute + 4*time.Second)
	r2.WSFC(back1, "spid29s", 41051)
	r2.StateChange(back1.Add(500*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	scenario.Reconnect(back1.Add(2*time.Second), g, r2, r1)

	o2 := utc("2025-03-04 04:31:40.520")
	r2.WSFC(o2, "Server", 41048)
	r2.WSFC(o2.Add(20*time.Millisecond), "Server", 41049)
	r2.StateChange(o2.Add(200*time.Millisecond), "spid29s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r1.ConnectionLost(o2.Add(10*time.Second), "spid61s", r2)
	back2 := o2.Add(3*time.Minute + 9*time.Second)
	r2.WSFCRecovery(back2, "spid29s", 41050)
	r2.StateChange(back2.Add(600*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r2.Connected(back2.Add(2*time.Second), "spid47s", g, r1)
	for i := 1; i <= 30; i++ {
		r1.ConnectTimeout(o2.Add(time.Duration(i)*40*time.Second), "spid61s", r2)
	}

	return &scenario.Bundle{
		Name:     "outages-recovered",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "The WSFC node of the secondary SQLHR02 went away twice: at 03:10 UTC for six minutes (it came back with 41051 and the replica SECONDARY_NORMAL again, without a 41055) and at 04:31 for three minutes (41050..41055). After the second, SQLHR02 reconnected but the primary SQLHR01 kept logging connection timeouts until the logs end. Two outages, neither ongoing; the primary's open window is a consequence, named in the incident.",
			Incidents: []scenario.Incident{
				{Category: "cluster_outage", Server: "SQLHR02", AG: "AGHR", RootCauseContains: []string{"SQLHR02"}, Confidence: "certain"},
				{Category: "cluster_outage", Server: "SQLHR02", AG: "AGHR", RootCauseContains: []string{"SQLHR02", "until the end of the logs"}, Confidence: "certain"},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLHR01": "errorlog", "SQLHR02": "errorlog"},
		},
	}
}

// lostPrimaryAlone: only SQLFIN01's logs. It leaves the primary role of
// AGFin and becomes a secondary of SQLFIN02 (whose logs are missing), and
// later loses the primary role of AGFinRpt after a lease expiry and stays
// RESOLVING. Both are failovers seen from the old primary's side only. An
// application with a wrong password fills the log with login failures that
// do not concern the AG.
func lostPrimaryAlone() *scenario.Bundle {
	g := scenario.AG{Name: "AGFin", DBs: []string{"Ledger"}}
	g2 := scenario.AG{Name: "AGFinRpt", DBs: []string{"Reports"}}
	r1 := scenario.NewReplica("SQLFIN01", "10.30.9.11", `CONTOSO\sqlfin`, scenario.Hours(-8))
	r2 := scenario.NewReplica("SQLFIN02", "10.30.9.12", `CONTOSO\sqlfin`, scenario.Hours(-8)) // not in the bundle
	r1.CycledHeader(utc("2025-04-07 08:00:00.31"), 4410)
	r1.LogBackups(utc("2025-04-07 08:30:00"), utc("2025-04-07 12:00:00"), 30*time.Minute, g)
	for i := 0; i < 300; i++ {
		r1.LoginFailed(utc("2025-04-07 08:10:00.120").Add(time.Duration(i)*7*time.Second), 8, "app_fin", "Password did not match that for the login provided.", "10.30.20.5")
	}
	t := utc("2025-04-07 09:40:11.200")
	r1.Demote(t, "spid88s", g, r2)
	r1.DBConnections(t.Add(5*time.Second), "spid33s", g, r2, false, true)

	t2 := utc("2025-04-07 10:55:30.640")
	r1.Err(t2, "Server", 19407, 16, 1, scenario.MsgLeaseExpired(g2.Name))
	r1.StateChange(t2.Add(300*time.Millisecond), "spid90s", g2, "PRIMARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonGoingOffline)
	from, to := r1.LogRange()

	return &scenario.Bundle{
		Name:     "lost-primary-alone",
		Replicas: []*scenario.Replica{r1},
		Expected: scenario.Expected{
			Description: "Only SQLFIN01's ERRORLOG was collected. At 09:40 UTC SQLFIN01 left the primary role of AGFin and became a secondary of SQLFIN02 (35266 names its new primary); at 10:55 the lease of AGFinRpt expired on SQLFIN01, which went RESOLVING and stayed there. Both are failovers seen from the old primary's side; SQLFIN02's logs are missing. 300 login failures of the application app_fin (wrong password) are not about the AG.",
			Incidents: []scenario.Incident{
				{Category: "failover", Server: "SQLFIN01", AG: "AGFin", RootCauseContains: []string{"SQLFIN01", "SQLFIN02"}, Confidence: "possible"},
				{Category: "lease_expiry", Server: "SQLFIN01", AG: "AGFinRpt", RootCauseContains: []string{"AGFinRpt"}, Confidence: "possible"},
			},
			Failovers: []scenario.Failover{
				{AG: "AGFin", From: "SQLFIN01", To: "SQLFIN02", Mode: "unknown", At: rfc(t.Add(50 * time.Millisecond))},
				{AG: "AGFinRpt", From: "SQLFIN01", To: "", Mode: "automatic", At: rfc(t2.Add(300 * time.Millisecond))},
			},
			Clocks:      map[string]string{"SQLFIN01": "errorlog"},
			Covered:     map[string][2]string{"SQLFIN01": {rfc(from), rfc(to)}},
			Background:  map[string]int{"login_failed": 300},
			GapsContain: []string{"SQLFIN02 is named in the logs but none of its logs were given", "AGFinRpt"},
		},
	}
}

// restartLongDisconnect: the secondary is restarted for patching and comes
// back in three minutes, but a firewall change made with the patch blocks
// its endpoint for three hours. The restart explains the first minutes,
// not the rest.
func restartLongDisconnect() *scenario.Bundle {
	g := scenario.AG{Name: "AGOps", DBs: []string{"Ops"}}
	r1 := scenario.NewReplica("SQLOPS01", "10.40.2.11", `CONTOSO\sqlops`, 0)
	r2 := scenario.NewReplica("SQLOPS02", "10.40.2.12", `CONTOSO\sqlops`, 0)
	t := r2.Startup(utc("2025-05-05 22:00:01.50"), 2210, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2025-05-05 23:00:00.12"), 1412)
	r1.LogBackups(utc("2025-05-05 23:00:00"), utc("2025-05-06 07:00:00"), scenario.Hours(1), g)

	down := utc("2025-05-06 02:00:04.100")
	r2.Shutdown(down, g, false)
	r1.ConnectionLost(down.Add(600*time.Millisecond), "spid61s", r2)
	r1.DBConnections(down.Add(700*time.Millisecond), "spid61s", g, r2, true, false)
	r2.NewLog()
	t = r2.Startup(down.Add(3*time.Minute), 6612, g)
	r2.StateChange(t, "spid26s", g, "NOT_AVAILABLE", "RESOLVING_NORMAL", scenario.ReasonStartup)
	r2.StateChange(t.Add(240*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r2.RoleChange(t.Add(300*time.Millisecond), "spid45s", g, "RESOLVING", "SECONDARY")
	fix := down.Add(3*time.Hour + 12*time.Minute)
	i := 0
	for at := t.Add(20 * time.Second); at.Before(fix); at = at.Add(30*time.Second + time.Duration(i*53%300)*time.Millisecond) {
		r2.ConnectTimeout(at, "spid61s", r1)
		i++
	}
	scenario.Reconnect(fix, g, r2, r1)

	return &scenario.Bundle{
		Name:     "restart-long-disconnect",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "The secondary SQLOPS02 was restarted for patching at 02:00 UTC and was back three minutes later, but the patch also changed its firewall profile: the replicas could not reach each other's endpoints until 05:12. The restart explains the first three minutes, not the three hours; the disconnection is an incident of its own.",
			Incidents: []scenario.Incident{
				{Category: "replica_disconnected", Server: "SQLOPS01", AG: "AGOps", RootCauseContains: []string{"could not reach SQLOPS02 for 3 h"},
					ChainContains: []string{"SQLOPS02 restarted at 02:00:04 UTC, but the connection did not come back with it."}},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLOPS01": "errorlog", "SQLOPS02": "errorlog"},
		},
	}
}
