package scenario

import (
	"fmt"
	"time"
)

// QpState is the query_processing component at one moment of the incident.
type QpState struct {
	State                      string
	Created, Idle, Pending     int
	OldestMs                   int
	Deadlocked                 bool
	ThreadpoolWaits, MaxWaitMs int
}

func (q QpState) payload() string {
	dl := 0
	if q.Deadlocked {
		dl = 1
	}
	return fmt.Sprintf(`<queryProcessing maxWorkers="512" workersCreated="%d" workersIdle="%d" tasksCompletedWithinInterval="%d" pendingTasks="%d" oldestPendingTaskWaitingTime="%d" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="%d" trackingNonYieldingScheduler="0x0">`+
		`<topWaits><nonPreemptive><byCount><wait waitType="THREADPOOL" waits="%d" averageWaitTime="%d" maxWaitTime="%d"/><wait waitType="LCK_M_X" waits="1840" averageWaitTime="20411" maxWaitTime="%d"/></byCount>`+
		`<byDuration><wait waitType="LCK_M_X" waits="1840" averageWaitTime="20411" maxWaitTime="%d"/><wait waitType="THREADPOOL" waits="%d" averageWaitTime="%d" maxWaitTime="%d"/></byDuration></nonPreemptive>`+
		`<preemptive><byCount><wait waitType="PREEMPTIVE_OS_WRITEFILEGATHER" waits="14" averageWaitTime="22" maxWaitTime="98"/></byCount><byDuration><wait waitType="PREEMPTIVE_OS_WRITEFILEGATHER" waits="14" averageWaitTime="22" maxWaitTime="98"/></byDuration></preemptive></topWaits>`+
		`<cpuIntensiveRequests/><pendingTasks><entryPoint name="Process Command" count="%d"/></pendingTasks>%s</queryProcessing>`,
		q.Created, q.Idle, max(1500-q.Pending*7, 0), q.Pending, q.OldestMs, dl,
		q.ThreadpoolWaits, q.OldestMs/3, q.MaxWaitMs, q.MaxWaitMs, q.MaxWaitMs, q.ThreadpoolWaits, q.OldestMs/3, q.MaxWaitMs,
		q.Pending, q.blocking())
}

// blocking is the blockingTasks element: the blocked-process report of the
// chain that holds the workers, while there is one.
func (q QpState) blocking() string {
	if q.State == "clean" {
		return "<blockingTasks/>"
	}
	return fmt.Sprintf(`<blockingTasks><blocked-process-report monitorLoop="40211"><blocked-process><process id="process1a2b" waitresource="KEY: 5:72057594043760640 (8194443284a0)" waittime="%d" spid="233" lockMode="X" status="suspended" isolationlevel="read committed (2)"><inputbuf>UPDATE dbo.Orders SET Status = 2 WHERE OrderId = @id</inputbuf></process></blocked-process>`+
		`<blocking-process><process spid="57" status="sleeping" lastbatchcompleted="2024-11-14T09:58:02.113" trancount="1" isolationlevel="serializable (4)"><inputbuf>BEGIN TRAN; UPDATE dbo.Orders SET Status = 9 WHERE CustomerId = 4411</inputbuf></process></blocking-process></blocked-process-report></blockingTasks>`,
		q.MaxWaitMs)
}

// HealthRun writes the SQLDIAG results of every component every 10 s
// (HealthCheckTimeout 30 s / 3) from from to to on the primary r: system,
// resource, io_subsystem and events clean (events unknown, with the
// scheduler monitor's CPU samples), query_processing as qp says.
func (r *Replica) HealthRun(from, to time.Time, fcl int, qp func(time.Time) QpState) {
	for t, i := from, 0; t.Before(to); t, i = t.Add(10*sec), i+1 {
		cpu := 3 + i*7%5
		r.diagHealth(t, fcl, "system", "clean", fmt.Sprintf(`<system spinlockBackoffs="%d" sickSpinlockType="none" sickSpinlockTypeAfterAv="none" latchWarnings="0" isAccessViolationOccurred="0" writeAccessViolationCount="0" totalDumpRequests="0" intervalDumpRequests="0" nonYieldingTasksReported="0" pageFaults="0" systemCpuUtilization="%d" sqlCpuUtilization="%d" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0"/>`, 120+i, cpu+3, cpu))
		r.diagHealth(t.Add(1*ms), fcl, "resource", "clean", `<resource lastNotification="RESOURCE_MEMPHYSICAL_HIGH" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0"><memoryReport name="Process/System Counts" unit="Value"><entry description="Available Physical Memory" value="17179869184"/><entry description="Available Virtual Memory" value="140612052992000"/><entry description="Available Paging File" value="21474836480"/><entry description="Working Set" value="48318382080"/><entry description="Percent of Committed Memory in WS" value="100"/><entry description="Page Faults" value="1204611"/><entry description="System physical memory high" value="1"/><entry description="System physical memory low" value="0"/><entry description="Process physical memory low" value="0"/><entry description="Process virtual memory low" value="0"/></memoryReport></resource>`)
		q := qp(t)
		r.diagHealth(t.Add(2*ms), fcl, "query_processing", q.State, q.payload())
		r.diagHealth(t.Add(3*ms), fcl, "io_subsystem", "clean", `<ioSubsystem ioLatchTimeouts="0" intervalLongIos="0" totalLongIos="0"><longestPendingRequests/></ioSubsystem>`)
		var ring string
		for k := 4; k >= 0; k-- {
			at := t.Truncate(time.Minute).Add(-time.Duration(k) * time.Minute)
			ring += fmt.Sprintf(`<event name="scheduler_monitor_system_health_ring_buffer_recorded" package="sqlserver" timestamp="%s"><data name="id"><type name="uint32" package="package0"/><value>%d</value></data><data name="process_utilization"><type name="uint32" package="package0"/><value>%d</value></data><data name="system_idle"><type name="uint32" package="package0"/><value>%d</value></data><data name="memory_utilization"><type name="uint32" package="package0"/><value>100</value></data></event>`,
				at.UTC().Format("2006-01-02T15:04:05.000Z"), at.Unix()/60%100000, 3+at.Minute()%3, 93-at.Minute()%3)
		}
		r.diagHealth(t.Add(4*ms), fcl, "events", "unknown", `<events><session startTime="`+from.Add(-Hours(30)).Add(r.Offset).Format("2006-01-02T15:04:05.000")+`" droppedEvents="0" largestEventDropped="0"><RingBufferTarget truncated="0" eventCount="5" droppedCount="0" memoryUsed="2814">`+ring+`</RingBufferTarget></session></events>`)
	}
}

// msg17884 is the deadlocked-schedulers report.
func msg17884(seconds, cpu, idle int) string {
	return fmt.Sprintf(`New queries assigned to process on Node 0 have not been picked up by a worker thread in the last %d seconds. Blocking or long-running queries can contribute to this condition, and may degrade client response time.  Use the "max worker threads" configuration option to increase number of allowable threads, or optimize current running queries.  SQL Process Utilization: %d%%. System Idle: %d%%.`, seconds, cpu, idle)
}

// DeadlockedSchedulers writes the ERRORLOG side of the condition on r: the
// 17884 report at at and the stack dump it triggers.
func (r *Replica) DeadlockedSchedulers(at time.Time) {
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

// HealthStateChange writes the resource DLL noticing a component's new
// state: the cluster log line (the time it prints is the SQL-side local
// create_time) and the same text as a SQLDIAG info_message.
func (r *Replica) HealthStateChange(at time.Time, g AG, comp, from, to string) {
	msg := fmt.Sprintf("SQL Server component '%s' health state has been changed from '%s' to '%s' at %s", comp, from, to,
		at.Add(r.Offset).Add(-120*ms).Format("2006-01-02 15:04:05.000"))
	level := "WARN"
	if to == "error" {
		level = "ERR"
	}
	r.Hadrag(at, level, "health", g, msg)
	r.diagInfo(at, "[hadrag] "+msg)
}
