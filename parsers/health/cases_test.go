package health

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xel"
	"github.com/agtriage/agtriage/parsers/xevent"
)

// A healthCase is one component in one state: its payload (constructed, with
// the real element and attribute names of HEALTH.md section 3) and what the
// interpretation must give.
type healthCase struct {
	name      string
	component Component
	state     State
	payload   string
	want      []Condition // in order
	text      string
}

var healthCases = []healthCase{
	{"system clean", System, StateClean,
		`<system spinlockBackoffs="0" sickSpinlockType="none" sickSpinlockTypeAfterAv="none" latchWarnings="0" isAccessViolationOccurred="0" writeAccessViolationCount="0" totalDumpRequests="0" intervalDumpRequests="0" nonYieldingTasksReported="0" pageFaults="0" systemCpuUtilization="12" sqlCpuUtilization="8" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0"/>`,
		nil, "system clean"},
	{"system warning", System, StateWarning,
		`<system spinlockBackoffs="1200" sickSpinlockType="none" sickSpinlockTypeAfterAv="none" latchWarnings="3" isAccessViolationOccurred="0" writeAccessViolationCount="0" totalDumpRequests="0" intervalDumpRequests="0" nonYieldingTasksReported="0" pageFaults="10" systemCpuUtilization="96" sqlCpuUtilization="41" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0"/>`,
		[]Condition{LatchWarnings, HighCPU}, "system warning: 3 latch warnings since start; CPU 96% (SQL Server 41%, other processes 55%)"},
	{"system error", System, StateError,
		`<system spinlockBackoffs="12" sickSpinlockType="none" sickSpinlockTypeAfterAv="SOS_CACHESTORE" latchWarnings="0" isAccessViolationOccurred="1" writeAccessViolationCount="0" totalDumpRequests="143" intervalDumpRequests="3" nonYieldingTasksReported="1" pageFaults="0" systemCpuUtilization="40" sqlCpuUtilization="30" BadPagesDetected="0" BadPagesFixed="0" LastBadPageAddress="0x0"/>`,
		[]Condition{OrphanedSpinlock, DumpRequests, AccessViolation, NonYielding},
		"system error: orphaned spinlock SOS_CACHESTORE (held by a thread that took an access violation); 3 dump requests in the interval (143 since start); access violation; 1 non-yielding task reported since start"},
	{"resource clean", Resource, StateClean,
		`<resource lastNotification="RESOURCE_MEMPHYSICAL_HIGH" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0"><memoryReport name="Process/System Counts" unit="Value"><entry description="Available Physical Memory" value="8589934592"/><entry description="System physical memory low" value="0"/></memoryReport></resource>`,
		nil, "resource clean"},
	{"resource warning", Resource, StateWarning,
		`<resource lastNotification="RESOURCE_MEMPHYSICAL_LOW" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0">
  <memoryReport name="Process/System Counts" unit="Value">
    <entry description="Available Physical Memory" value="104857600"/>
    <entry description="System physical memory low" value="1"/>
    <entry description="Process physical memory low" value="0"/>
  </memoryReport>
</resource>`,
		[]Condition{MemoryLow}, "resource warning: memory low (RESOURCE_MEMPHYSICAL_LOW, system physical memory low), 100 MB physical memory available"},
	{"resource error", Resource, StateError,
		`<resource lastNotification="RESOURCE_MEMPHYSICAL_LOW" outOfMemoryExceptions="3" isAnyPoolOutOfMemory="1" processOutOfMemoryPeriod="45">
  <memoryReport name="Process/System Counts" unit="Value"><entry description="Process physical memory low" value="1"/></memoryReport>
  <memoryReport name="Memory Manager" unit="KB"><entry description="Target Committed" value="60817408"/><entry description="Current Committed" value="60817408"/><entry description="Last OOM Factor" value="3"/></memoryReport>
</resource>`,
		[]Condition{OutOfMemory, MemoryLow}, "resource error: out of memory for 45 s; memory low (RESOURCE_MEMPHYSICAL_LOW, process physical memory low), last OOM factor 3"},
	{"query_processing clean", QueryProcessing, StateClean,
		`<queryProcessing maxWorkers="512" workersCreated="60" workersIdle="41" tasksCompletedWithinInterval="1200" pendingTasks="0" oldestPendingTaskWaitingTime="0" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="0" trackingNonYieldingScheduler="0x0"><topWaits><nonPreemptive><byDuration><wait waitType="WRITELOG" waits="100" averageWaitTime="2" maxWaitTime="40"/></byDuration></nonPreemptive></topWaits><cpuIntensiveRequests/><pendingTasks/><blockingTasks/></queryProcessing>`,
		nil, "query_processing clean"},
	{"query_processing warning", QueryProcessing, StateWarning,
		`<queryProcessing maxWorkers="512" workersCreated="500" workersIdle="3" tasksCompletedWithinInterval="20" pendingTasks="12" oldestPendingTaskWaitingTime="9000" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="0" trackingNonYieldingScheduler="0x0"><blockingTasks><blocked-process-report monitorLoop="1"><blocked-process/><blocking-process/></blocked-process-report></blockingTasks></queryProcessing>`,
		[]Condition{PendingTasks, Blocking}, "query_processing warning: oldest pending task waited 9 s (12 pending tasks); 1 blocked-process report"},
	{"query_processing error", QueryProcessing, StateError,
		`<queryProcessing maxWorkers="512" workersCreated="512" workersIdle="0" tasksCompletedWithinInterval="3" pendingTasks="215" oldestPendingTaskWaitingTime="68000" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="1" trackingNonYieldingScheduler="0x0">
  <topWaits><nonPreemptive><byDuration><wait waitType="THREADPOOL" waits="9120" averageWaitTime="812" maxWaitTime="68000"/></byDuration></nonPreemptive></topWaits>
  <cpuIntensiveRequests/><pendingTasks><entryPoint name="Process Command" count="201"/></pendingTasks><blockingTasks/>
</queryProcessing>`,
		[]Condition{DeadlockedSchedulers, WorkerExhaustion, PendingTasks},
		"query_processing error: deadlocked schedulers; 512 of 512 workers in use; oldest pending task waited 68 s (215 pending tasks)"},
	{"io_subsystem clean", IOSubsystem, StateClean,
		`<ioSubsystem ioLatchTimeouts="0" intervalLongIos="0" totalLongIos="0"><longestPendingRequests/></ioSubsystem>`,
		nil, "io_subsystem clean"},
	{"io_subsystem warning", IOSubsystem, StateWarning,
		`<ioSubsystem ioLatchTimeouts="12" intervalLongIos="4" totalLongIos="57"><longestPendingRequests><pendingRequest duration="23117" filePath="L:\Log\SalesDb_log.ldf" offset="0x0000000045A30000" handle="0x0000000000000F2C"/><pendingRequest duration="41000" filePath="F:\data\Sales.mdf" offset="0x0000000000A30000" handle="0x0000000000000F30"/></longestPendingRequests></ioSubsystem>`,
		[]Condition{IOLatchTimeouts, LongIO}, `io_subsystem warning: 12 I/O latch timeouts; 4 long I/Os in the interval, longest pending I/O 41 s on F:\data\Sales.mdf`},
	{"events unknown", Events, StateUnknown,
		`<events><session startTime="2024-03-14T01:02:03.456" droppedEvents="0" largestEventDropped="0"><RingBufferTarget truncated="0" eventCount="4" droppedCount="0" memoryUsed="4096">` +
			`<event name="error_reported" package="sqlserver" timestamp="2024-03-14T07:16:58.021Z"><data name="error_number"><type name="int32" package="package0"/><value>833</value></data><data name="severity"><type name="int32" package="package0"/><value>10</value></data><data name="message"><type name="unicode_string" package="package0"/><value>SQL Server has encountered 4 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [F:\data\Sales.mdf] in database [SalesDb] (5).</value></data></event>` +
			`<event name="error_reported" package="sqlserver" timestamp="2024-03-14T07:17:58.021Z"><data name="error_number"><value>833</value></data><data name="severity"><value>10</value></data><data name="message"><value>SQL Server has encountered 2 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [F:\data\Sales.mdf] in database [SalesDb] (5).</value></data></event>` +
			`<event name="error_reported" package="sqlserver" timestamp="2024-03-14T07:18:01.000Z"><data name="error_number"><value>17883</value></data><data name="severity"><value>10</value></data><data name="message"><value>Process 0:0:0 (0x1a2c) Worker 0x000001EBBCA3D220 appears to be non-yielding on Scheduler 3.</value></data></event>` +
			`<event name="scheduler_monitor_system_health_ring_buffer_recorded" package="sqlserver" timestamp="2024-03-14T07:17:00.000Z"><data name="process_utilization"><value>97</value></data><data name="system_idle"><value>1</value></data></event>` +
			`</RingBufferTarget></session></events>`,
		[]Condition{ErrorsReported, HighCPU},
		"events unknown: errors in the ring buffer: 2x 833 (long I/O), 1x 17883 (non-yielding scheduler); SQL Server CPU up to 97%, idle down to 1% in 1 samples"},
}

var t0 = time.Date(2024, 3, 14, 7, 20, 0, 0, time.UTC)

// stateKeys and componentKeys are the system_health map keys (xelwrite's
// metadata).
func mapKey(m xelwrite.Map, label string) uint32 {
	k, ok := m.Key(label)
	if !ok {
		panic("no map key " + label)
	}
	return k
}

func componentLabel(c Component) string { return strings.ToUpper(string(c)) }

// sqldiagXML renders a case as the XML export of a SQLDIAG
// component_health_result (nested payload, or escaped text when escaped).
func sqldiagXML(c healthCase, at time.Time, escaped bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<event name="component_health_result" package="sqlserver" timestamp="%s">`, at.Format("2006-01-02T15:04:05.000Z"))
	data := func(name, typ, v string) {
		fmt.Fprintf(&b, `<data name="%s"><type name="%s" package="package0"/><value>%s</value></data>`, name, typ, v)
	}
	data("state", "uint32", fmt.Sprint(int(c.state)))
	data("failure_condition_level", "uint32", "3")
	data("creation_time", "filetime", at.Add(-time.Second).Format(time.RFC3339Nano))
	data("component_type", "unicode_string", "instance")
	data("component", "unicode_string", string(c.component))
	data("state_desc", "unicode_string", c.state.String())
	if escaped {
		data("data", "xml", xmlEscape(c.payload))
	} else {
		data("data", "xml", c.payload)
	}
	data("node_name", "unicode_string", "SQLNODE1")
	data("instance_name", "unicode_string", "MSSQLSERVER")
	b.WriteString("</event>\n")
	return b.String()
}

// systemHealthXML renders a case as the XML export of a system_health
// sp_server_diagnostics_component_result.
func systemHealthXML(c healthCase, at time.Time) string {
	return fmt.Sprintf(`<event name="sp_server_diagnostics_component_result" package="sqlserver" timestamp="%s">`+
		`<data name="component"><type name="sp_server_diagnostics_component" package="sqlserver"/><value>%d</value><text>%s</text></data>`+
		`<data name="state"><type name="sp_server_diagnostics_state" package="sqlserver"/><value>%d</value><text>%s</text></data>`+
		`<data name="data"><type name="xml" package="package0"/><value>%s</value></data></event>`+"\n",
		at.Format("2006-01-02T15:04:05.000Z"), mapKey(xelwrite.MapDiagComponent, componentLabel(c.component)), componentLabel(c.component),
		int(c.state), strings.ToUpper(c.state.String()), c.payload)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// sqldiagXEL writes the cases as a binary SQLDIAG log.
func sqldiagXEL(tb testing.TB, cases []healthCase, at time.Time) []byte {
	f := &xelwrite.File{ID: make([]byte, 16), Stream: make([]byte, 16), ClockBase: xelwrite.Filetime(at.Add(-time.Hour)), Packages: xelwrite.SQLDIAG()}
	for i, c := range cases {
		ts := at.Add(time.Duration(i) * 5 * time.Second)
		if err := f.Add(xelwrite.EvComponentHealth, ts, uint32(c.state), uint32(3), xelwrite.Filetime(ts.Add(-time.Second)),
			"instance", string(c.component), c.state.String(), c.payload, "SQLNODE1", "MSSQLSERVER"); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := f.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// systemHealthXEL writes the cases as a binary system_health file.
func systemHealthXEL(tb testing.TB, cases []healthCase, at time.Time) []byte {
	f := &xelwrite.File{ID: make([]byte, 16), Stream: make([]byte, 16), ClockBase: xelwrite.Filetime(at.Add(-time.Hour)), Packages: xelwrite.SystemHealth()}
	for i, c := range cases {
		ts := at.Add(time.Duration(i) * 5 * time.Second)
		if err := f.Add(xelwrite.EvDiagComponentResult, ts, mapKey(xelwrite.MapDiagComponent, componentLabel(c.component)),
			uint32(c.state), c.payload); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := f.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// readAll reads an input with the reader for its form; warnings fail.
func readAll(tb testing.TB, data []byte, binary bool) []*parsers.Event {
	tb.Helper()
	var r parsers.Reader
	if binary {
		r = xel.NewReader(bytes.NewReader(data), "t.xel")
	} else {
		r = xevent.NewReader(bytes.NewReader(data), "t.xml")
	}
	var evs []*parsers.Event
	for ev, err := range r.Events() {
		if err != nil {
			tb.Fatalf("read: %v", err)
		}
		evs = append(evs, ev)
	}
	return evs
}
