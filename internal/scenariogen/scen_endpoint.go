package main

import (
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// endpointOwnerChange: dropping a departed DBA's login fails because it owns
// the endpoint; the ownership is moved to sa, which silently drops the
// CONNECT grant the old owner had made; after SQLAG01 restarts, SQLAG02's
// service account is rejected (State 84).
func endpointOwnerChange() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"CRM", "CRMStaging"}}
	r1 := scenario.NewReplica("SQLAG01", "10.50.0.11", `CONTOSO\sqlsvc01`, scenario.Hours(-5))
	r2 := scenario.NewReplica("SQLAG02", "10.50.0.12", `CONTOSO\sqlsvc02`, scenario.Hours(-5))
	t := r1.Startup(utc("2024-09-09 02:00:03.71"), 3116, g)
	r1.StartAsSecondary(t, g, r2)
	r2.CycledHeader(utc("2024-09-10 05:00:00.36"), 5524)
	r2.LogBackups(utc("2024-09-10 05:00:00"), utc("2024-09-11 04:00:00"), scenario.Hours(1), g)
	r1.CheckDB(utc("2024-09-10 07:00:41.09"), "spid70", "master")

	r1.Err(utc("2024-09-10 15:02:11.45"), "spid63", 15141, 16, 1, "The server principal owns one or more endpoint(s) and cannot be dropped.")
	r1.LoginFailed(utc("2024-09-10 16:40:02.33"), 5, `CONTOSO\jdoe`, "Could not find a login matching the name provided.", "10.50.9.31")

	// 22:00 local: SQLAG01 is restarted for Windows patching.
	down := utc("2024-09-11 03:00:05.020")
	r1.Shutdown(down, g, false)
	r2.DBConnections(down.Add(500*time.Millisecond), "spid61s", g, r1, true, false)
	r2.ConnectionLost(down.Add(10500*time.Millisecond), "spid61s", r1)
	r1.NewLog()
	t = r1.Startup(utc("2024-09-11 03:04:12.48"), 2792, g)
	r1.StateChange(t, "spid26s", g, "NOT_AVAILABLE", "RESOLVING_NORMAL", scenario.ReasonStartup)
	r1.StateChange(t.Add(260*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r1.RoleChange(t.Add(300*time.Millisecond), "spid45s", g, "RESOLVING", "SECONDARY")
	fix := utc("2024-09-11 03:22:48.200")
	i := 0
	for at := t.Add(2 * time.Second); at.Before(fix.Add(-2 * time.Second)); at = at.Add(5*time.Second + time.Duration(i*113%350)*time.Millisecond) {
		r1.Log(at, "Logon", scenario.MsgHandshake84(r2.Account, r2.IP))
		r1.ErrorReported(at, 28048, 10, 1, scenario.MsgHandshake84(r2.Account, r2.IP))
		i++
	}
	for at := t.Add(20 * time.Second); at.Before(fix.Add(-5 * time.Second)); at = at.Add(20*time.Second + time.Duration(i*59%400)*time.Millisecond) {
		r2.ConnectTimeout(at, "spid61s", r1)
		i++
	}
	// GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\sqlsvc02] on SQLAG01.
	scenario.Reconnect(fix, g, r1, r2)

	return &scenario.Bundle{
		Name:     "endpoint-owner-change",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 10:02 local (15:02 UTC) a DBA tried to drop the login of a departed colleague, CONTOSO\\jdoe, on the secondary SQLAG01; it failed with 15141 because jdoe owned the Hadr_endpoint. The DBA moved the endpoint to sa (ALTER AUTHORIZATION ON ENDPOINT::Hadr_endpoint TO sa, not logged) and dropped the login; this also dropped the CONNECT permission jdoe had granted to SQLAG02's service account. Existing connections kept working until SQLAG01 was restarted for patching at 22:00 local: from then on SQLAG01 rejected CONTOSO\\sqlsvc02 (28048, State 84, client 10.50.0.12) and SQLAG02 could not connect, until CONNECT was granted again at 03:22 UTC.",
			Incidents: []scenario.Incident{
				{Category: "endpoint_ownership", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{`CONTOSO\jdoe`, `CONTOSO\sqlsvc02`}, Confidence: "likely",
					FixContains: []string{`GRANT CONNECT ON ENDPOINT::[Hadr_endpoint] TO [CONTOSO\sqlsvc02]`}},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// certificateExpired: certificate-authenticated endpoints; SQLAG02's endpoint
// certificate expired. Existing connections survive until a network blip;
// every reconnection attempt then fails with State 85.
func certificateExpired() *scenario.Bundle {
	g := scenario.AG{Name: "AGWeb", DBs: []string{"WebShop"}}
	r1 := scenario.NewReplica("SQLAG01", "10.20.0.5", `NT Service\MSSQLSERVER`, scenario.Hours(1))
	r2 := scenario.NewReplica("SQLAG02", "10.20.0.6", `NT Service\MSSQLSERVER`, scenario.Hours(1))
	t := r2.Startup(utc("2024-11-03 21:30:08.93"), 4180, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-11-03 23:00:00.40"), 3012)
	r1.LogBackups(utc("2024-11-03 23:00:00"), utc("2024-11-04 04:00:00"), 30*time.Minute, g)

	blip := utc("2024-11-04 02:10:14.220")
	r1.ConnectionLost(blip, "spid58s", r2)
	r1.DBConnections(blip.Add(100*time.Millisecond), "spid58s", g, r2, true, false)
	r2.ConnectionLost(blip.Add(790*time.Millisecond), "spid47s", r1)
	r2.DBConnections(blip.Add(900*time.Millisecond), "spid47s", g, r1, false, false)
	fix := utc("2024-11-04 02:26:31.050")
	i := 0
	for at := blip.Add(5 * time.Second); at.Before(fix.Add(-2 * time.Second)); at = at.Add(5*time.Second + time.Duration(i*89%300)*time.Millisecond) {
		r2.Err(at, "Logon", 28047, 10, 1, scenario.MsgCertExpired(r1.IP))
		i++
	}
	for at := blip.Add(16 * time.Second); at.Before(fix.Add(-5 * time.Second)); at = at.Add(15*time.Second + time.Duration(i*47%250)*time.Millisecond) {
		r1.ConnectTimeout(at, "spid58s", r2)
		i++
	}
	// New certificate on SQLAG02, ALTER ENDPOINT ... AUTHENTICATION = CERTIFICATE.
	scenario.Reconnect(fix, g, r2, r1)

	return &scenario.Bundle{
		Name:     "certificate-expired",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "The two replicas authenticate their mirroring endpoints with certificates. The certificate of SQLAG02's endpoint expired at midnight UTC; the established connections kept working until a network blip at 03:10 local (02:10 UTC) dropped them (35206, 35267). From then on every connection attempt from SQLAG01 (10.20.0.5) was refused by SQLAG02 with 'The certificate used by this endpoint was not found: Certificate expired' (28047, State 85) and SQLAG01 logged connection timeouts, until the DBA created a new certificate and altered the endpoint at 02:26 UTC.",
			Incidents: []scenario.Incident{
				{Category: "endpoint_handshake", Server: "SQLAG02", AG: "AGWeb", RootCauseContains: []string{"SQLAG02"}, Confidence: "certain",
					FixContains: []string{"ALTER ENDPOINT"}},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}
