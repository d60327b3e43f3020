package main

import (
	"time"

	"github.com/agtriage/agtriage/internal/evtxwrite"
	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// crashEventLog: the SQL Server service of the primary crashes (its
// ERRORLOG just stops; only the System log says why: 7034, then 1069 for the
// AG resource, in SQLPAY01's native System.evtx), the cluster fails the AG
// over; hours later the node of the new primary loses quorum (1177 in its
// System log, collected by SQL LogScout as EventLog_System.csv on local
// time; 1135 in SQLPAY01's afternoon System log, exported by Event Viewer as
// XML): the three forms of a System log in one bundle.
func crashEventLog() *scenario.Bundle {
	g := scenario.AG{Name: "AGPay", DBs: []string{"Payroll"}}
	r1 := scenario.NewReplica("SQLPAY01", "10.60.3.11", `CONTOSO\sqlpay`, scenario.Hours(1))
	r2 := scenario.NewReplica("SQLPAY02", "10.60.3.12", `CONTOSO\sqlpay`, scenario.Hours(1))
	r2.SystemCSV = true // SQL LogScout's EventLog_System.csv
	// The log also holds the node's last boot, days before (a date whose day
	// is over 12 shows the export's day/month order).
	r2.Sys(evtxwrite.Classic(utc("2025-05-28 04:10:12.500"), "SQLPAY02.contoso.local", "System", "EventLog", 6005, 32768, 4))
	t := r2.Startup(utc("2025-06-02 05:00:03.18"), 5512, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2025-06-02 06:00:00.21"), 2044)
	r1.LogBackups(utc("2025-06-02 06:00:00"), utc("2025-06-02 10:00:00"), scenario.Hours(1), g)

	crash := utc("2025-06-02 10:14:07.300")
	r1.Sys(evtxwrite.ServiceTerminated(crash.Add(800*time.Millisecond), "SQLPAY01.contoso.local", "SQL Server (MSSQLSERVER)", 1))
	r1.Sys(evtxwrite.ResourceFailed(crash.Add(1200*time.Millisecond), "SQLPAY01.contoso.local", g.Name, g.Name, "SQL Server Availability Group"))
	r2.ConnectionLost(crash.Add(500*time.Millisecond), "spid61s", r1)
	r2.DBConnections(crash.Add(600*time.Millisecond), "spid33s", g, r1, false, false)
	fo := r2.Promote(crash.Add(2*time.Second), "spid88s", g, "SECONDARY_NORMAL")
	// The DBA starts SQL Server again a quarter of an hour later.
	r1.NewLog()
	t = r1.Startup(crash.Add(15*time.Minute), 3380, g)
	r1.StartAsSecondary(t, g, r2)
	r2.Connected(t.Add(1400*time.Millisecond), "spid61s", g, r1)
	r2.LogBackups(utc("2025-06-02 11:00:00"), utc("2025-06-02 18:00:00"), scenario.Hours(1), g)

	q := utc("2025-06-02 16:40:21.700")
	// SQLPAY01's System log of the afternoon, exported by Event Viewer as
	// XML (its morning log is the native System.evtx).
	afternoon := scenario.SystemXML([]evtxwrite.Event{evtxwrite.NodeRemoved(q, "SQLPAY01.contoso.local", "SQLPAY02")})
	r2.Sys(evtxwrite.QuorumLost(q.Add(900*time.Millisecond), "SQLPAY02.contoso.local"))
	r2.WSFC(q.Add(1100*time.Millisecond), "Server", 41048)
	r2.Log(q.Add(1150*time.Millisecond), "spid29s", scenario.MsgLostQuorum)
	r2.StateChange(q.Add(1300*time.Millisecond), "spid29s", g, "PRIMARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r1.ConnectionLost(q.Add(5*time.Second), "spid47s", r2)
	back := q.Add(2*time.Minute + 41*time.Second)
	r2.WSFCRecovery(back, "spid29s", 41050)
	r2.StateChange(back.Add(900*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "PRIMARY_PENDING", scenario.ReasonComingOnline)
	r2.StateChange(back.Add(1700*time.Millisecond), "Server", g, "PRIMARY_PENDING", "PRIMARY_NORMAL", scenario.ReasonOnlineDone)
	scenario.Reconnect(back.Add(3*time.Second), g, r1, r2)

	return &scenario.Bundle{
		Name:     "crash-eventlog",
		Replicas: []*scenario.Replica{r1, r2},
		Extra:    map[string][]byte{"SQLPAY01/SQLPAY01_System_afternoon.xml": afternoon},
		Expected: scenario.Expected{
			Description: "At 10:14 UTC the SQL Server service of the primary SQLPAY01 crashed: its ERRORLOG just stops; only its System log (native .evtx) says why (Service Control Manager 7034, then FailoverClustering 1069 for the AG resource). The cluster failed AGPay over to SQLPAY02; the DBA started SQL Server again at 10:29 and it rejoined as secondary. At 16:40 the node SQLPAY02 lost quorum: SQLPAY01's System log (exported by Event Viewer as XML) records it removed from the membership (1135), SQLPAY02's System log (SQL LogScout's CSV, local time UTC+1) the quorum loss (1177); it came back after less than three minutes, primary again.",
			Incidents: []scenario.Incident{
				{Category: "crash", Server: "SQLPAY01", AG: "AGPay", RootCauseContains: []string{"SQL Server service on SQLPAY01 terminated unexpectedly", "failed over"}, Confidence: "certain",
					ChainContains: []string{"The SQL Server service on SQLPAY01 terminated unexpectedly.", "The cluster saw the resource of AGPay fail (System log 1069)."}},
				{Category: "cluster_outage", Server: "SQLPAY02", AG: "AGPay", RootCauseContains: []string{"SQLPAY02", "1135"}, Confidence: "certain",
					ChainContains: []string{"The cluster removed SQLPAY02 from the active membership.", "The cluster service shut down because quorum was lost (System log 1177)."}},
			},
			Failovers: []scenario.Failover{{AG: "AGPay", From: "SQLPAY01", To: "SQLPAY02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLPAY01": "errorlog", "SQLPAY02": "errorlog"},
		},
	}
}

// hostCrashBoot: the host of the primary loses power. Windows says so only
// at the next boot, six minutes later: Kernel-Power 41 and EventLog 6008,
// whose message holds the time it went down, on local time in the machine's
// own format (with its left-to-right marks). The cluster had failed the AG
// over to the secondary within seconds of the crash; the crash must still
// be the cause of that failover, not a second incident.
func hostCrashBoot() *scenario.Bundle {
	g := scenario.AG{Name: "AGClaims", DBs: []string{"Claims"}}
	r1 := scenario.NewReplica("SQLHC01", "10.70.2.11", `CONTOSO\sqlclaims`, scenario.Hours(-4))
	r2 := scenario.NewReplica("SQLHC02", "10.70.2.12", `CONTOSO\sqlclaims`, scenario.Hours(-4))
	t := r2.Startup(utc("2025-06-02 22:05:10.40"), 6120, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2025-06-03 00:00:00.12"), 2216)
	r1.LogBackups(utc("2025-06-03 00:00:00"), utc("2025-06-03 06:00:00"), scenario.Hours(1), g)

	// 02:10:01 local (06:10:01 UTC): the host of SQLHC01 loses power; its
	// ERRORLOG just stops.
	down := utc("2025-06-03 06:10:01.000")
	r2.ConnectionLost(down.Add(9200*time.Millisecond), "spid61s", r1)
	r2.DBConnections(down.Add(9300*time.Millisecond), "spid61s", g, r1, false, false)
	r2.Log(down.Add(15*time.Second), "spid88s", scenario.MsgResourceOffline(g.Name))
	r2.StateChange(down.Add(15100*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	fo := r2.Promote(down.Add(20*time.Second), "spid88s", g, "RESOLVING_NORMAL")

	// 06:16:30 UTC: the host boots; the System log finds the crash.
	boot := down.Add(6*time.Minute + 29*time.Second)
	host := "SQLHC01.contoso.local"
	r1.Sys(evtxwrite.Classic(boot, host, "System", "EventLog", 6005, 32768, 4))
	r1.Sys(evtxwrite.UnexpectedShutdown(boot.Add(900*time.Millisecond), host, "\u200e2:10:01 AM", "\u200e6/\u200e3/\u200e2025"))
	r1.Sys(evtxwrite.KernelPower41(boot.Add(4*time.Second), host, 0))
	r1.NewLog()
	t = r1.Startup(boot.Add(41*time.Second), 3088, g)
	r1.StartAsSecondary(t, g, r2)
	r2.Connected(t.Add(1400*time.Millisecond), "spid61s", g, r1)
	r2.LogBackups(utc("2025-06-03 07:00:00"), utc("2025-06-03 09:00:00"), scenario.Hours(1), g)

	return &scenario.Bundle{
		Name:     "host-crash-boot",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 02:10:01 local (06:10:01 UTC) the host of the primary SQLHC01 lost power; its ERRORLOG just stops. The cluster failed AGClaims over to SQLHC02 twenty seconds later. Windows records the crash only at the next boot, at 06:16:30 UTC: Kernel-Power 41, and EventLog 6008 whose message gives the time the host went down, on local time ('2:10:01 AM on 6/3/2025' with left-to-right marks). SQL Server started again and SQLHC01 rejoined as secondary. One incident: the crash, which explains the failover and the disconnection.",
			Incidents: []scenario.Incident{
				{Category: "crash", Server: "SQLHC01", AG: "AGClaims", RootCauseContains: []string{"SQLHC01 restarted without a clean shutdown", "failed over"}, Confidence: "certain",
					ChainContains: []string{"SQLHC01 went down at 06:10:01 UTC without a clean shutdown, as its System log found at the next boot."}},
			},
			Failovers: []scenario.Failover{{AG: "AGClaims", From: "SQLHC01", To: "SQLHC02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLHC01": "errorlog", "SQLHC02": "errorlog"},
		},
	}
}

// hostCrashCriticalOnly: the host of the primary hangs and is reset by its
// hypervisor. The DBA exported only the critical events of its System log,
// so Kernel-Power 41 is there, written at the next boot, but not EventLog
// 6008 with the time the host went down. The crash must still start when
// the secondary lost sight of it and explain the failover: one incident.
func hostCrashCriticalOnly() *scenario.Bundle {
	g := scenario.AG{Name: "AGLedger", DBs: []string{"Ledger", "LedgerArchive"}}
	r1 := scenario.NewReplica("SQLLG01", "10.80.4.21", `FABRIKAM\svc_sqlledger`, scenario.Hours(2))
	r2 := scenario.NewReplica("SQLLG02", "10.80.4.22", `FABRIKAM\svc_sqlledger`, scenario.Hours(2))
	t := r2.Startup(utc("2025-09-14 21:40:02.15"), 4410, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2025-09-15 00:00:00.31"), 3120)
	r1.LogBackups(utc("2025-09-15 00:15:00"), utc("2025-09-15 03:15:00"), scenario.Hours(1), g)

	// 03:47:12 UTC (05:47:12 local): SQLLG01 hangs; nothing more in its
	// ERRORLOG. SQLLG02 times out on the connection, the cluster moves the
	// AG there.
	down := utc("2025-09-15 03:47:12.000")
	r2.ConnectionLost(down.Add(10400*time.Millisecond), "spid57s", r1)
	r2.DBConnections(down.Add(10500*time.Millisecond), "spid57s", g, r1, false, false)
	r2.Log(down.Add(18*time.Second), "spid91s", scenario.MsgResourceOffline(g.Name))
	r2.StateChange(down.Add(18200*time.Millisecond), "spid91s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	fo := r2.Promote(down.Add(24*time.Second), "spid91s", g, "RESOLVING_NORMAL")

	// 04:02:40 UTC: the hypervisor resets the VM; at boot Windows logs
	// Kernel-Power 41, the only critical event of the export.
	boot := down.Add(15*time.Minute + 28*time.Second)
	r1.Sys(evtxwrite.KernelPower41(boot.Add(3*time.Second), "SQLLG01.fabrikam.local", 0))
	r1.NewLog()
	t = r1.Startup(boot.Add(52*time.Second), 2964, g)
	r1.StartAsSecondary(t, g, r2)
	r2.Connected(t.Add(1100*time.Millisecond), "spid57s", g, r1)
	r2.LogBackups(utc("2025-09-15 05:00:00"), utc("2025-09-15 07:00:00"), scenario.Hours(1), g)

	return &scenario.Bundle{
		Name:     "host-crash-critical-only",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 03:47:12 UTC the host of the primary SQLLG01 hung and was reset by its hypervisor; its ERRORLOG just stops. SQLLG02 timed out on the connection ten seconds later and the cluster failed AGLedger over to it. The System log of SQLLG01 was exported with its critical events only: Kernel-Power 41, written at the next boot (04:02:43 UTC), without EventLog 6008 and the time the host went down. One incident: the crash, dated from when SQLLG02 lost sight of SQLLG01, which explains the failover.",
			Incidents: []scenario.Incident{
				{Category: "crash", Server: "SQLLG01", AG: "AGLedger", RootCauseContains: []string{"SQLLG01 restarted without a clean shutdown", "failed over"}, Confidence: "certain",
					ChainContains: []string{"SQLLG01 went down by 03:47:22 UTC, when SQLLG02 lost its connection to it"}},
			},
			Failovers: []scenario.Failover{{AG: "AGLedger", From: "SQLLG01", To: "SQLLG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLLG01": "errorlog", "SQLLG02": "errorlog"},
		},
	}
}
