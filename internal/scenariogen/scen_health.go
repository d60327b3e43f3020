package main

import (
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// Health-check scenarios: the primary's SQLDIAG log (the resource DLL's
// record of every sp_server_diagnostics result, HEALTH.md section 5) shows
// query_processing going from clean to warning to error with deadlocked
// schedulers. At failure_condition_level 5 the resource DLL fails the group
// over; at level 3 it does not, and the lease expiry that follows does.
//
// They are pending bundles (testdata/pending): the analyzer's health rules
// are being rewritten, and a bundle moves to testdata/scenarios once the
// analyzer reports what its expected.json says.

// workerExhaustion is the query_processing component of the incident: clean
// until 90 s before the deadlock at ts, then warning while the blocking
// chain takes the workers, then error (deadlocked schedulers) from ts.
func workerExhaustion(ts time.Time) func(time.Time) scenario.QpState {
	return func(t time.Time) scenario.QpState {
		switch d := ts.Sub(t); {
		case d > 90*time.Second:
			return scenario.QpState{State: "clean", Created: 61, Idle: 38, ThreadpoolWaits: 0, MaxWaitMs: 40}
		case d > 0:
			f := int((90*time.Second - d) / time.Second) // 0..90 s into the warning
			return scenario.QpState{State: "warning", Created: 420 + f, Idle: 0, Pending: 4 + f, OldestMs: 1000 + f*400, ThreadpoolWaits: 60 + f*30, MaxWaitMs: 1000 + f*400}
		}
		f := int(t.Sub(ts) / time.Second)
		return scenario.QpState{State: "error", Created: 512, Idle: 0, Pending: 215 + f*3, OldestMs: 68000 + f*1000, Deadlocked: true, ThreadpoolWaits: 9120 + f*40, MaxWaitMs: 68000 + f*1000}
	}
}

// healthBundle builds the common part of the two health scenarios: the
// replicas, their history, the SQLDIAG results up to the failover, and the
// query_processing incident on SQLAG01 at ts. It returns the cluster and
// the time the DLL sees the error.
func healthBundle(g scenario.AG, fcl int, ts time.Time, until time.Time) (r1, r2 *scenario.Replica, te time.Time) {
	r1 = scenario.NewReplica("SQLAG01", "10.16.0.11", `CONTOSO\sqlsvc`, scenario.Hours(-5))
	r2 = scenario.NewReplica("SQLAG02", "10.16.0.12", `CONTOSO\sqlsvc`, scenario.Hours(-5))
	c := &scenario.Cluster{Name: "SQLCLU16", AG: g}
	c.Node(r1, 1)
	c.Node(r2, 2)

	t := r2.Startup(utc("2024-11-13 22:10:04.27"), 5216, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-11-14 05:00:00.52"), 4108)
	r1.LogBackups(utc("2024-11-14 05:00:00"), utc("2024-11-14 14:00:00"), 30*time.Minute, g)
	r1.FullBackup(utc("2024-11-14 07:00:14.41"), g.DBs[0], 2210431)
	r1.LoginFailed(utc("2024-11-14 11:21:09.62"), 8, "svc_orders", "Password did not match that for the login provided.", "10.16.5.70")

	r1.HealthRun(ts.Add(-4*time.Minute), until, fcl, workerExhaustion(ts))
	r1.HealthStateChange(ts.Add(-90*time.Second).Add(10*time.Second-ts.Sub(ts.Truncate(10*time.Second))+150*time.Millisecond), g, "query_processing", "clean", "warning")
	r1.DeadlockedSchedulers(ts.Add(-1200 * time.Millisecond))
	te = ts.Add(180 * time.Millisecond)
	r1.HealthStateChange(te, g, "query_processing", "warning", "error")
	return r1, r2, te
}

// healthFailoverFCL5: at failure_condition_level 5 the query_processing
// error (deadlocked schedulers) fails AG "AGOrders" over from SQLAG01 to
// SQLAG02.
func healthFailoverFCL5() *scenario.Bundle {
	g := scenario.AG{Name: "AGOrders", DBs: []string{"Orders", "OrdersArchive"}}
	ts := utc("2024-11-14 14:02:10.000")
	r1, r2, te := healthBundle(g, 5, ts, ts.Add(1*time.Second))
	r1.Hadrag(te.Add(1*time.Millisecond), "ERR", "health", g, "Failure detected, the state of query_processing component is error")
	r1.Hadrag(te.Add(2*time.Millisecond), "ERR", "health", g, "Availability Group is not healthy with given HealthCheckTimeout and FailureConditionLevel")
	r1.DiagIsAlive(te.Add(2*time.Millisecond), g, "ResourceUnhealthy")
	clusterDetectFailure(te.Add(3*time.Millisecond), r1, g)
	r1.ResourceLost(te.Add(300*time.Millisecond), g, r2)
	r2.ConnectionLost(te.Add(550*time.Millisecond), "spid47s", r1)
	r2.DBConnections(te.Add(650*time.Millisecond), "spid33s", g, r1, false, false)
	clusterMove(te.Add(800*time.Millisecond), g, r1, r2, 1, neverFailedOver)
	r2.FailoverValidation(te.Add(1000*time.Millisecond), g, true)
	fo := r2.Promote(te.Add(1100*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL")
	clusterOnline(fo, g, r2)
	rejoin(te.Add(40*time.Second), g, r1, r2)
	// The new primary's resource DLL starts its own health checks.
	r2.HealthRun(fo.Add(2*time.Second), fo.Add(1*time.Minute), 5, func(time.Time) scenario.QpState {
		return scenario.QpState{State: "clean", Created: 58, Idle: 41, MaxWaitMs: 35}
	})
	r2.LogBackups(utc("2024-11-14 14:30:00"), utc("2024-11-14 16:00:00"), 30*time.Minute, g)

	from, to := utc("2024-11-14 13:00:00"), utc("2024-11-14 16:10:00")
	own := ownership{{from, r1}, {fo, r2}}
	r1.ClusterNoise(from.Add(17*time.Second), to, g, own.at)
	r2.ClusterNoise(from.Add(83*time.Second), to, g, own.at)

	return &scenario.Bundle{
		Name:     "health-qp-fcl5-failover",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 09:02 local (14:02 UTC) the workers of the primary SQLAG01 were exhausted behind a blocking chain: the SQLDIAG log shows query_processing going from clean to warning at 14:00:40 UTC (pending tasks, THREADPOOL waits) and to error at 14:02:10 UTC with deadlocked schedulers, 512 of 512 workers in use and the oldest pending task waiting 68 s; the ERRORLOG has the 17884 report and its stack dump. AGOrders runs at failure_condition_level 5, where a query_processing error fails the group over: the resource DLL logged 'Failure detected, the state of query_processing component is error', IsAlive failed and the cluster failed AGOrders over automatically to SQLAG02. The fix is the blocking chain (session 57 holding an open transaction) and a look at max worker threads.",
			Incidents: []scenario.Incident{
				{Category: "health_check", Server: "SQLAG01", AG: "AGOrders",
					RootCauseContains: []string{"query_processing", "deadlocked schedulers", "512 of 512 workers"},
					FixContains:       []string{"blocking", "max worker threads"}},
			},
			Failovers: []scenario.Failover{{AG: "AGOrders", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// healthLeaseFCL3: the same query_processing error at the default
// failure_condition_level 3 does not fail the group over; 19 s later the
// lease expires (the dump froze the process) and that fails it over.
func healthLeaseFCL3() *scenario.Bundle {
	g := scenario.AG{Name: "AGOrders", DBs: []string{"Orders", "OrdersArchive"}}
	ts := utc("2024-11-14 14:02:10.000")
	tl := ts.Add(19 * time.Second)
	r1, r2, _ := healthBundle(g, 3, ts, tl)
	lt := tl.Add(-150 * time.Millisecond)
	r1.Hadrag(lt, "ERR", "lease", g, "Lease timeout detected, logging perf counter data collected so far")
	r1.Hadrag(lt, "ERR", "lease", g, "Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)")
	for i := range 5 {
		r1.Hadrag(lt.Add(time.Duration(i)*time.Millisecond), "ERR", "lease", g, perfRow(lt.Add(time.Duration(i-5)*10*time.Second), 6.25+float64(i), 17179869184, 0.002, 0.004))
	}
	r1.Hadrag(lt.Add(6*time.Millisecond), "ERR", "lease", g, "Availability Group lease is no longer valid")
	r1.DiagIsAlive(lt.Add(7*time.Millisecond), g, "LeaseExpired")
	clusterDetectFailure(lt.Add(8*time.Millisecond), r1, g)
	r1.LeaseLoss(tl, g, true, r2)
	r2.ConnectionLost(tl.Add(600*time.Millisecond), "spid47s", r1)
	r2.DBConnections(tl.Add(700*time.Millisecond), "spid33s", g, r1, false, false)
	clusterMove(tl.Add(1500*time.Millisecond), g, r1, r2, 1, neverFailedOver)
	r2.FailoverValidation(tl.Add(1900*time.Millisecond), g, true)
	fo := r2.Promote(tl.Add(2000*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL")
	clusterOnline(fo, g, r2)
	rejoin(tl.Add(40*time.Second), g, r1, r2)
	r2.HealthRun(fo.Add(2*time.Second), fo.Add(1*time.Minute), 3, func(time.Time) scenario.QpState {
		return scenario.QpState{State: "clean", Created: 58, Idle: 41, MaxWaitMs: 35}
	})
	r2.LogBackups(utc("2024-11-14 14:30:00"), utc("2024-11-14 16:00:00"), 30*time.Minute, g)

	from, to := utc("2024-11-14 13:00:00"), utc("2024-11-14 16:10:00")
	own := ownership{{from, r1}, {fo, r2}}
	r1.ClusterNoise(from.Add(17*time.Second), to, g, own.at)
	r2.ClusterNoise(from.Add(83*time.Second), to, g, own.at)

	return &scenario.Bundle{
		Name:     "health-qp-fcl3-lease",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 09:02 local (14:02 UTC) the workers of the primary SQLAG01 were exhausted behind a blocking chain: the SQLDIAG log shows query_processing in warning from 14:00:40 UTC and in error at 14:02:10 UTC with deadlocked schedulers (512 of 512 workers in use); the ERRORLOG has the 17884 report and its stack dump. AGOrders runs at the default failure_condition_level 3, where a query_processing error does not fail the group over (it takes level 5): the resource DLL only logged the state change. The dump froze the process, the lease worker missed its renewal and at 14:02:29 UTC the lease expired (19419, 19407): that failed AGOrders over to SQLAG02.",
			Incidents: []scenario.Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AGOrders",
					RootCauseContains: []string{"deadlocked schedulers", "failure_condition_level 3"}},
			},
			Failovers: []scenario.Failover{{AG: "AGOrders", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}
