package main

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// msgLogFull is the 9002 text of a transaction log that cannot be truncated
// because an availability replica has not received its log yet.
func msgLogFull(db string) string {
	return fmt.Sprintf("The transaction log for database '%s' is full due to 'AVAILABILITY_REPLICA'.", db)
}

// logFullDisconnected: the synchronous secondary SQLAG02 becomes unreachable
// (a network problem; the cluster keeps quorum through the witness, so no
// WSFC messages) and its logs go quiet. The primary SQLAG01 logs the lost
// connection (35206, 35267) and nothing more about SQLAG02; since no replica
// has hardened the log, SalesDB's log cannot be truncated and fills: from
// 05:20 UTC application sessions get 9002 'AVAILABILITY_REPLICA' every few
// minutes. At 06:05 UTC SQLAG02 is reachable again and reconnects (35202,
// 35266 on both sides); no more 9002. No failover.
func logFullDisconnected() *scenario.Bundle {
	g := scenario.AG{Name: "AGShop", DBs: []string{"SalesDB", "Stock"}}
	r1 := scenario.NewReplica("SQLAG01", "10.42.0.11", `CONTOSO\svc_sqlshop`, scenario.Hours(2))
	r2 := scenario.NewReplica("SQLAG02", "10.42.0.12", `CONTOSO\svc_sqlshop`, scenario.Hours(2))

	// SQLAG02 was patched the evening before; SQLAG01's log was cycled at
	// local midnight.
	t := r2.Startup(utc("2024-05-13 19:20:14.62"), 4388, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-05-13 22:00:00.31"), 3540)
	r1.LogBackups(utc("2024-05-13 22:00:00"), utc("2024-05-14 09:00:00"), 30*time.Minute, g)
	r1.CheckDB(utc("2024-05-14 00:30:52.07"), "spid74", "Stock")
	r2.CheckDB(utc("2024-05-14 01:00:37.45"), "spid69", "master")
	r1.LoginFailed(utc("2024-05-14 02:41:19.88"), 8, "shop_report", "Password did not match that for the login provided.", "10.42.6.30")

	// 05:10 local: SQLAG02 drops off the network. The primary notices after
	// the session timeout; SQLAG02 logs nothing until it is back.
	lost := utc("2024-05-14 03:10:02.640")
	r1.ConnectionLost(lost.Add(10200*time.Millisecond), "spid58s", r2)
	r1.DBConnections(lost.Add(10300*time.Millisecond), "spid58s", g, r2, true, false)

	// SalesDB's log fills; inserts of the shop's sessions fail.
	spids := []string{"spid87", "spid112", "spid64", "spid95", "spid121"}
	at := utc("2024-05-14 05:20:47.330")
	for i := 0; i < 10; i++ {
		r1.Err(at, spids[i%len(spids)], 9002, 17, 9, msgLogFull("SalesDB"))
		at = at.Add(4*time.Minute + time.Duration(i*41%70)*time.Second + time.Duration(i*137%1000)*time.Millisecond)
	}

	// 08:05 local: the network is repaired and SQLAG02 reconnects.
	back := utc("2024-05-14 06:05:11.480")
	scenario.Reconnect(back, g, r2, r1)
	r2.LoginFailed(utc("2024-05-14 07:14:05.27"), 5, `CONTOSO\kmueller`, "Could not find a login matching the name provided.", "10.42.6.44")
	r1.CheckDB(utc("2024-05-14 08:00:44.93"), "spid80", "master")

	return &scenario.Bundle{
		Name:     "log-full-disconnected",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "SQLAG01 is the primary of AGShop (SalesDB, Stock) in UTC+2, SQLAG02 its synchronous secondary. At 05:10 local (03:10 UTC) SQLAG02 became unreachable through a network problem; the witness kept the cluster's quorum, so there are no WSFC messages, and SQLAG02's own logs simply go quiet. SQLAG01 logged the connection timeout to SQLAG02 (35206) and the lost database connections (35267), then nothing more about it. Because SQLAG02 had not received the log, SalesDB's transaction log could not be truncated (log_reuse_wait_desc AVAILABILITY_REPLICA) and filled: from 07:20 local (05:20 UTC) the application's inserts failed with 9002 'The transaction log for database 'SalesDB' is full due to 'AVAILABILITY_REPLICA'', ten times until 06:01 UTC. At 08:05 local (06:05 UTC) the network was repaired, SQLAG02 reconnected (35202, 35266 on both replicas) and the log could be truncated again. No failover.",
			Incidents: []scenario.Incident{
				{Category: "replica_disconnected", Server: "SQLAG01", AG: "AGShop", RootCauseContains: []string{"SQLAG02", "SalesDB", "AVAILABILITY_REPLICA"},
					FixContains: []string{"log_reuse_wait_desc"}},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}
