package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
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

// diagEvent is one event of a replica's SQLDIAG log.
type diagEvent struct {
	at     time.Time
	ev     xelwrite.Event
	values []any
}

// diagHealth adds a component_health_result of the local instance.
func (r *Replica) diagHealth(at time.Time, fcl int, comp, state, payload string) {
	states := map[string]uint32{"unknown": 0, "clean": 1, "warning": 2, "error": 3}
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	r.sqldiag = append(r.sqldiag, diagEvent{at, xelwrite.EvComponentHealth, []any{
		states[state], uint32(fcl), xelwrite.Filetime(at.Add(r.Offset).Add(-120 * ms)),
		"instance", comp, state, payload, r.Host, inst}})
}

// diagIsAlive adds the resource DLL's IsAlive verdict for the group.
func (r *Replica) diagIsAlive(at time.Time, g AG, reason string) {
	key, ok := xelwrite.MapIsAliveReason.Key(reason)
	if !ok {
		panic("is-alive reason " + reason)
	}
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	r.sqldiag = append(r.sqldiag, diagEvent{at, xelwrite.EvIsAliveFailure, []any{key, g.Name, inst, r.Host}})
}

// diagInfo adds an info_message (the DLL's own lines, as in the cluster log).
func (r *Replica) diagInfo(at time.Time, msg string) {
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	r.sqldiag = append(r.sqldiag, diagEvent{at, xelwrite.EvInfoMessage, []any{msg, inst, r.Host}})
}

// sqldiagName is the SQLDIAG log's file name: HOST_INSTANCE_SQLDIAG_0_ and
// the FILETIME of its first event.
func (r *Replica) sqldiagName() string {
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	first := r.sortedDiag()[0].at
	return fmt.Sprintf("%s_%s_SQLDIAG_0_%d.xel", r.Host, inst, xelwrite.Filetime(first))
}

func (r *Replica) sortedDiag() []diagEvent {
	evs := append([]diagEvent(nil), r.sqldiag...)
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].at.Before(evs[b].at) })
	return evs
}

// sqldiagFile renders the SQLDIAG log with xelwrite's SQLDIAG metadata.
func (r *Replica) sqldiagFile() ([]byte, error) {
	evs := r.sortedDiag()
	id, _ := xelwrite.GUID(guid("sqldiag-file/" + r.Host))
	stream, _ := xelwrite.GUID(guid("sqldiag-stream/" + r.Host))
	f := &xelwrite.File{ID: id, Stream: stream, Packages: xelwrite.SQLDIAG(), ClockBase: xelwrite.Filetime(evs[0].at.Add(-hours(2)))}
	for _, e := range evs {
		if err := f.Add(e.ev, e.at, e.values...); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Host, err)
		}
	}
	return f.Bytes()
}

// qpState is the query_processing component at one moment of the incident.
type qpState struct {
	state                      string
	created, idle, pending     int
	oldestMs                   int
	deadlocked                 bool
	threadpoolWaits, maxWaitMs int
}

func (q qpState) payload() string {
	dl := 0
	if q.deadlocked {
		dl = 1
	}
	return fmt.Sprintf(`<queryProcessing maxWorkers="512" workersCreated="%d" workersIdle="%d" tasksCompletedWithinInterval="%d" pendingTasks="%d" oldestPendingTaskWaitingTime="%d" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="%d" trackingNonYieldingScheduler="0x0">`+
		`<topWaits><nonPreemptive><byCount><wait waitType="THREADPOOL" waits="%d" averageWaitTime="%d" maxWaitTime="%d"/><wait waitType="LCK_M_X" waits="1840" averageWaitTime="20411" maxWaitTime="%d"/></byCount>`+
		`<byDuration><wait waitType="LCK_M_X" waits="1840" averageWaitTime="20411" maxWaitTime="%d"/><wait waitType="THREADPOOL" waits="%d" averageWaitTime="%d" maxWaitTime="%d"/></byDuration></nonPreemptive>`+
		`<preemptive><byCount><wait waitType="PREEMPTIVE_OS_WRITEFILEGATHER" waits="14" averageWaitTime="22" maxWaitTime="98"/></byCount><byDuration><wait waitType="PREEMPTIVE_OS_WRITEFILEGATHER" waits="14" averageWaitTime="22" maxWaitTime="98"/></byDuration></preemptive></topWaits>`+
		`<cpuIntensiveRequests/><pendingTasks><entryPoint name="Process Command" count="%d"/></pendingTasks>%s</queryProcessing>`,
		q.created, q.idle, max(1500-q.pending*7, 0), q.pending, q.oldestMs, dl,
		q.threadpoolWaits, q.oldestMs/3, q.maxWaitMs, q.maxWaitMs, q.maxWaitMs, q.threadpoolWaits, q.oldestMs/3, q.maxWaitMs,
		q.pending, q.blocking())
}

// blocking is the blockingTasks element: the blocked-process report of the
// chain that holds the workers, while there is one.
func (q qpState) blocking() string {
	if q.state == "clean" {
		return "<blockingTasks/>"
	}
	return fmt.Sprintf(`<blockingTasks><blocked-process-report monitorLoop="40211"><blocked-process><process id="process1a2b" waitresource="KEY: 5:72057594043760640 (8194443284a0)" waittime="%d" spid="233" lockMode="X" status="suspended" isolationlevel="read committed (2)"><inputbuf>UPDATE dbo.Orders SET Status = 2 WHERE OrderId = @id</inputbuf></process></blocked-process>`+
		`<blocking-process><process spid="57" status="sleeping" lastbatchcompleted="2024-11-14T09:58:02.113" trancount="1" isolationlevel="serializable (4)"><inputbuf>BEGIN TRAN; UPDATE dbo.Orders SET Status = 9 WHERE CustomerId = 4411</inputbuf></process></blocking-process></blocked-process-report></blockingTasks>`,
		q.maxWaitMs)
}

// healthRun writes the SQLDIAG results of every component every 10 s
// (HealthCheckTimeout 30 s / 3) from from to to on the primary r: system,
// resource, io_subsystem and events clean (events unknown, with the
// scheduler monitor's CPU samples), query_processing as qp says.
func (r *Replica) healthRun(from, to time.Time, fcl int, qp func(time.Time) qpState) {
	for t, i := from, 0; t.Before(to); t, i = t.Add(10*sec), i+1 {
		cpu := 3 + i*7%5
		r.diagHealth(t, fcl, "system", "clean", fmt.Sprintf(`<system spinlockBackoffs="%d" sickSpinlockType="none" sickSpinlockTypeAfterAv="none" latchWarnings="0" isAccessViolationOccurred="0" writeAccessViolationCount="0" totalDumpRequests="0" intervalDumpRequests="0" nonYieldingTasksReported="0" pageFaults="0" systemCpuUtilization="%d" sqlCpuUtilization="%d" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0"/>`, 120+i, cpu+3, cpu))
		r.diagHealth(t.Add(1*ms), fcl, "resource", "clean", `<resource lastNotification="RESOURCE_MEMPHYSICAL_HIGH" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0"><memoryReport name="Process/System Counts" unit="Value"><entry description="Available Physical Memory" value="17179869184"/><entry description="Available Virtual Memory" value="140612052992000"/><entry description="Available Paging File" value="21474836480"/><entry description="Working Set" value="48318382080"/><entry description="Percent of Committed Memory in WS" value="100"/><entry description="Page Faults" value="1204611"/><entry description="System physical memory high" value="1"/><entry description="System physical memory low" value="0"/><entry description="Process physical memory low" value="0"/><entry description="Process virtual memory low" value="0"/></memoryReport></resource>`)
		q := qp(t)
		r.diagHealth(t.Add(2*ms), fcl, "query_processing", q.state, q.payload())
		r.diagHealth(t.Add(3*ms), fcl, "io_subsystem", "clean", `<ioSubsystem ioLatchTimeouts="0" intervalLongIos="0" totalLongIos="0"><longestPendingRequests/></ioSubsystem>`)
		var ring string
		for k := 4; k >= 0; k-- {
			at := t.Truncate(time.Minute).Add(-time.Duration(k) * time.Minute)
			ring += fmt.Sprintf(`<event name="scheduler_monitor_system_health_ring_buffer_recorded" package="sqlserver" timestamp="%s"><data name="id"><type name="uint32" package="package0"/><value>%d</value></data><data name="process_utilization"><type name="uint32" package="package0"/><value>%d</value></data><data name="system_idle"><type name="uint32" package="package0"/><value>%d</value></data><data name="memory_utilization"><type name="uint32" package="package0"/><value>100</value></data></event>`,
				at.UTC().Format("2006-01-02T15:04:05.000Z"), at.Unix()/60%100000, 3+at.Minute()%3, 93-at.Minute()%3)
		}
		r.diagHealth(t.Add(4*ms), fcl, "events", "unknown", `<events><session startTime="`+from.Add(-hours(30)).Add(r.Offset).Format("2006-01-02T15:04:05.000")+`" droppedEvents="0" largestEventDropped="0"><RingBufferTarget truncated="0" eventCount="5" droppedCount="0" memoryUsed="2814">`+ring+`</RingBufferTarget></session></events>`)
	}
}

// workerExhaustion is the query_processing component of the incident: clean
// until 90 s before the deadlock at ts, then warning while the blocking
// chain takes the workers, then error (deadlocked schedulers) from ts.
func workerExhaustion(ts time.Time) func(time.Time) qpState {
	return func(t time.Time) qpState {
		switch d := ts.Sub(t); {
		case d > 90*sec:
			return qpState{state: "clean", created: 61, idle: 38, threadpoolWaits: 0, maxWaitMs: 40}
		case d > 0:
			f := int((90*sec - d) / sec) // 0..90 s into the warning
			return qpState{state: "warning", created: 420 + f, idle: 0, pending: 4 + f, oldestMs: 1000 + f*400, threadpoolWaits: 60 + f*30, maxWaitMs: 1000 + f*400}
		}
		f := int(t.Sub(ts) / sec)
		return qpState{state: "error", created: 512, idle: 0, pending: 215 + f*3, oldestMs: 68000 + f*1000, deadlocked: true, threadpoolWaits: 9120 + f*40, maxWaitMs: 68000 + f*1000}
	}
}

// msg17884 is the deadlocked-schedulers report.
func msg17884(seconds, cpu, idle int) string {
	return fmt.Sprintf(`New queries assigned to process on Node 0 have not been picked up by a worker thread in the last %d seconds. Blocking or long-running queries can contribute to this condition, and may degrade client response time.  Use the "max worker threads" configuration option to increase number of allowable threads, or optimize current running queries.  SQL Process Utilization: %d%%. System Idle: %d%%.`, seconds, cpu, idle)
}

// deadlockedSchedulers writes the ERRORLOG side of the condition on r: the
// 17884 report at at and the stack dump it triggers.
func (r *Replica) deadlockedSchedulers(at time.Time) {
	r.Log(at, "Server", msg17884(60, 4, 93))
	d := at.Add(220 * ms)
	local := d.Add(r.Offset)
	for _, l := range []string{
		"Using 'dbghelp.dll' version '4.0.5'",
		"**Dump thread - spid = 0, EC = 0x0000000000000000",
		"***Stack Dump being sent to " + instDir + "\\Log\\SQLDump0002.txt",
		"* *******************************************************************************",
		"*",
		"* BEGIN STACK DUMP:",
		"*   " + local.Format("01/02/06 15:04:05") + " spid 0",
		"*",
		"* Deadlocked Schedulers",
		"*",
		"* *******************************************************************************",
	} {
		r.Log(d, "Server", l)
	}
	r.Log(d.Add(1900*ms), "Server", "Stack Signature for the dump is 0x00000000000002B1")
	r.Log(d.Add(2600*ms), "Server", "External dump process return code 0x20000001.", "External dump process returned no errors.")
}

// healthStateChange writes the resource DLL noticing a component's new
// state: the cluster log line (the time it prints is the SQL-side local
// create_time) and the same text as a SQLDIAG info_message.
func (r *Replica) healthStateChange(at time.Time, g AG, comp, from, to string) {
	msg := fmt.Sprintf("SQL Server component '%s' health state has been changed from '%s' to '%s' at %s", comp, from, to,
		at.Add(r.Offset).Add(-120*ms).Format("2006-01-02 15:04:05.000"))
	level := "WARN"
	if to == "error" {
		level = "ERR"
	}
	r.hadrag(at, level, "health", g, msg)
	r.diagInfo(at, "[hadrag] "+msg)
}

// healthBundle builds the common part of the two health scenarios: the
// replicas, their history, the SQLDIAG results up to the failover, and the
// query_processing incident on SQLAG01 at ts. It returns the cluster and
// the time the DLL sees the error.
func healthBundle(g AG, fcl int, ts time.Time, until time.Time) (r1, r2 *Replica, te time.Time) {
	r1 = NewReplica("SQLAG01", "10.16.0.11", `CONTOSO\sqlsvc`, hours(-5))
	r2 = NewReplica("SQLAG02", "10.16.0.12", `CONTOSO\sqlsvc`, hours(-5))
	c := &Cluster{Name: "SQLCLU16", AG: g}
	c.node(r1, 1)
	c.node(r2, 2)

	t := r2.Startup(utc("2024-11-13 22:10:04.27"), 5216, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-11-14 05:00:00.52"), 4108)
	r1.LogBackups(utc("2024-11-14 05:00:00"), utc("2024-11-14 14:00:00"), 30*minute, g)
	r1.FullBackup(utc("2024-11-14 07:00:14.41"), g.DBs[0], 2210431)
	r1.LoginFailed(utc("2024-11-14 11:21:09.62"), 8, "svc_orders", "Password did not match that for the login provided.", "10.16.5.70")

	r1.healthRun(ts.Add(-4*minute), until, fcl, workerExhaustion(ts))
	r1.healthStateChange(ts.Add(-90*sec).Add(10*sec-ts.Sub(ts.Truncate(10*sec))+150*ms), g, "query_processing", "clean", "warning")
	r1.deadlockedSchedulers(ts.Add(-1200 * ms))
	te = ts.Add(180 * ms)
	r1.healthStateChange(te, g, "query_processing", "warning", "error")
	return r1, r2, te
}

// healthFailoverFCL5: at failure_condition_level 5 the query_processing
// error (deadlocked schedulers) fails AG "AGOrders" over from SQLAG01 to
// SQLAG02.
func healthFailoverFCL5() *Bundle {
	g := AG{Name: "AGOrders", DBs: []string{"Orders", "OrdersArchive"}}
	ts := utc("2024-11-14 14:02:10.000")
	r1, r2, te := healthBundle(g, 5, ts, ts.Add(1*sec))
	r1.hadrag(te.Add(1*ms), "ERR", "health", g, "Failure detected, the state of query_processing component is error")
	r1.hadrag(te.Add(2*ms), "ERR", "health", g, "Availability Group is not healthy with given HealthCheckTimeout and FailureConditionLevel")
	r1.diagIsAlive(te.Add(2*ms), g, "ResourceUnhealthy")
	clusterDetectFailure(te.Add(3*ms), r1, g)
	r1.resourceLost(te.Add(300*ms), g, r2)
	r2.ConnectionLost(te.Add(550*ms), "spid47s", r1)
	r2.DBConnections(te.Add(650*ms), "spid33s", g, r1, false, false)
	clusterMove(te.Add(800*ms), g, r1, r2, 1, neverFailedOver)
	r2.FailoverValidation(te.Add(1000*ms), g, true)
	fo := r2.promote(te.Add(1100*ms), "spid88s", g, "SECONDARY_NORMAL")
	clusterOnline(fo, g, r2)
	rejoin(te.Add(40*sec), g, r1, r2)
	// The new primary's resource DLL starts its own health checks.
	r2.healthRun(fo.Add(2*sec), fo.Add(1*minute), 5, func(time.Time) qpState {
		return qpState{state: "clean", created: 58, idle: 41, maxWaitMs: 35}
	})
	r2.LogBackups(utc("2024-11-14 14:30:00"), utc("2024-11-14 16:00:00"), 30*minute, g)

	from, to := utc("2024-11-14 13:00:00"), utc("2024-11-14 16:10:00")
	own := ownership{{from, r1}, {fo, r2}}
	r1.clusterNoise(from.Add(17*sec), to, g, own.at)
	r2.clusterNoise(from.Add(83*sec), to, g, own.at)

	return &Bundle{
		Name:     "health-qp-fcl5-failover",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "At 09:02 local (14:02 UTC) the workers of the primary SQLAG01 were exhausted behind a blocking chain: the SQLDIAG log shows query_processing going from clean to warning at 14:00:40 UTC (pending tasks, THREADPOOL waits) and to error at 14:02:10 UTC with deadlocked schedulers, 512 of 512 workers in use and the oldest pending task waiting 68 s; the ERRORLOG has the 17884 report and its stack dump. AGOrders runs at failure_condition_level 5, where a query_processing error fails the group over: the resource DLL logged 'Failure detected, the state of query_processing component is error', IsAlive failed and the cluster failed AGOrders over automatically to SQLAG02. The fix is the blocking chain (session 57 holding an open transaction) and a look at max worker threads.",
			Incidents: []Incident{
				{Category: "health_check", Server: "SQLAG01", AG: "AGOrders",
					RootCauseContains: []string{"query_processing", "deadlocked schedulers", "512 of 512 workers"},
					FixContains:       []string{"blocking", "max worker threads"}},
			},
			Failovers: []Failover{{AG: "AGOrders", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// healthLeaseFCL3: the same query_processing error at the default
// failure_condition_level 3 does not fail the group over; 19 s later the
// lease expires (the dump froze the process) and that fails it over.
func healthLeaseFCL3() *Bundle {
	g := AG{Name: "AGOrders", DBs: []string{"Orders", "OrdersArchive"}}
	ts := utc("2024-11-14 14:02:10.000")
	tl := ts.Add(19 * sec)
	r1, r2, _ := healthBundle(g, 3, ts, tl)
	lt := tl.Add(-150 * ms)
	r1.hadrag(lt, "ERR", "lease", g, "Lease timeout detected, logging perf counter data collected so far")
	r1.hadrag(lt, "ERR", "lease", g, "Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)")
	for i := range 5 {
		r1.hadrag(lt.Add(time.Duration(i)*ms), "ERR", "lease", g, perfRow(lt.Add(time.Duration(i-5)*10*sec), 6.25+float64(i), 17179869184, 0.002, 0.004))
	}
	r1.hadrag(lt.Add(6*ms), "ERR", "lease", g, "Availability Group lease is no longer valid")
	r1.diagIsAlive(lt.Add(7*ms), g, "LeaseExpired")
	clusterDetectFailure(lt.Add(8*ms), r1, g)
	r1.leaseLoss(tl, g, true, r2)
	r2.ConnectionLost(tl.Add(600*ms), "spid47s", r1)
	r2.DBConnections(tl.Add(700*ms), "spid33s", g, r1, false, false)
	clusterMove(tl.Add(1500*ms), g, r1, r2, 1, neverFailedOver)
	r2.FailoverValidation(tl.Add(1900*ms), g, true)
	fo := r2.promote(tl.Add(2000*ms), "spid88s", g, "SECONDARY_NORMAL")
	clusterOnline(fo, g, r2)
	rejoin(tl.Add(40*sec), g, r1, r2)
	r2.healthRun(fo.Add(2*sec), fo.Add(1*minute), 3, func(time.Time) qpState {
		return qpState{state: "clean", created: 58, idle: 41, maxWaitMs: 35}
	})
	r2.LogBackups(utc("2024-11-14 14:30:00"), utc("2024-11-14 16:00:00"), 30*minute, g)

	from, to := utc("2024-11-14 13:00:00"), utc("2024-11-14 16:10:00")
	own := ownership{{from, r1}, {fo, r2}}
	r1.clusterNoise(from.Add(17*sec), to, g, own.at)
	r2.clusterNoise(from.Add(83*sec), to, g, own.at)

	return &Bundle{
		Name:     "health-qp-fcl3-lease",
		Replicas: []*Replica{r1, r2},
		Expected: Expected{
			Description: "At 09:02 local (14:02 UTC) the workers of the primary SQLAG01 were exhausted behind a blocking chain: the SQLDIAG log shows query_processing in warning from 14:00:40 UTC and in error at 14:02:10 UTC with deadlocked schedulers (512 of 512 workers in use); the ERRORLOG has the 17884 report and its stack dump. AGOrders runs at the default failure_condition_level 3, where a query_processing error does not fail the group over (it takes level 5): the resource DLL only logged the state change. The dump froze the process, the lease worker missed its renewal and at 14:02:29 UTC the lease expired (19419, 19407): that failed AGOrders over to SQLAG02.",
			Incidents: []Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AGOrders",
					RootCauseContains: []string{"deadlocked schedulers", "failure_condition_level 3"}},
			},
			Failovers: []Failover{{AG: "AGOrders", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}
