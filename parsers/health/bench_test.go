package health

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
	"github.com/agtriage/agtriage/parsers/xel"
)

// dayResults is a day of SQLDIAG data: a component result every 5 s,
// the components in turn, 17,280 results.
const dayResults = 24 * 3600 / 5

// Full-size clean payloads, as sp_server_diagnostics writes them: every
// memoryReport entry, ten top waits in each list, a ring buffer of recent
// events.
var (
	fullResource = func() string {
		var b strings.Builder
		b.WriteString(`<resource lastNotification="RESOURCE_MEMPHYSICAL_HIGH" outOfMemoryExceptions="0" isAnyPoolOutOfMemory="0" processOutOfMemoryPeriod="0">`)
		b.WriteString(`<memoryReport name="Process/System Counts" unit="Value">`)
		for i, d := range []string{"Available Physical Memory", "Available Virtual Memory", "Available Paging File", "Working Set",
			"Percent of Committed Memory in WS", "Page Faults", "System physical memory high", "System physical memory low",
			"Process physical memory low", "Process virtual memory low"} {
			fmt.Fprintf(&b, `<entry description="%s" value="%d"/>`, d, (i+1)*104857600%9999999937)
		}
		b.WriteString(`</memoryReport><memoryReport name="Memory Manager" unit="KB">`)
		for i, d := range []string{"VM Reserved", "VM Committed", "Locked Pages Allocated", "Large Pages Allocated", "Emergency Memory",
			"Emergency Memory In Use", "Target Committed", "Current Committed", "Pages Allocated", "Pages Reserved", "Pages Free",
			"Pages In Use", "Page Alloc Potential", "NUMA Growth Phase", "Last OOM Factor", "Last OS Error"} {
			fmt.Fprintf(&b, `<entry description="%s" value="%d"/>`, d, i*60817)
		}
		b.WriteString(`</memoryReport></resource>`)
		return b.String()
	}()
	fullQueryProcessing = func() string {
		var b strings.Builder
		b.WriteString(`<queryProcessing maxWorkers="512" workersCreated="61" workersIdle="40" tasksCompletedWithinInterval="1523" pendingTasks="0" oldestPendingTaskWaitingTime="0" hasUnresolvableDeadlockOccurred="0" hasDeadlockedSchedulersOccurred="0" trackingNonYieldingScheduler="0x0"><topWaits>`)
		for _, kind := range []string{"nonPreemptive", "preemptive"} {
			fmt.Fprintf(&b, "<%s>", kind)
			for _, by := range []string{"byCount", "byDuration"} {
				fmt.Fprintf(&b, "<%s>", by)
				for i := range 10 {
					fmt.Fprintf(&b, `<wait waitType="WAIT_TYPE_%02d" waits="%d" averageWaitTime="%d" maxWaitTime="%d"/>`, i, 100000-i*97, 3+i, 4000+i*13)
				}
				fmt.Fprintf(&b, "</%s>", by)
			}
			fmt.Fprintf(&b, "</%s>", kind)
		}
		b.WriteString(`</topWaits><cpuIntensiveRequests/><pendingTasks/><blockingTasks/></queryProcessing>`)
		return b.String()
	}()
	// eventsAt is the events payload of a result at t: the ring buffer
	// holds the last ten CPU samples (one a minute) and a login failure.
	eventsAt = func(t time.Time) string {
		var b strings.Builder
		b.WriteString(`<events><session startTime="2024-03-14T00:00:00.000" droppedEvents="0" largestEventDropped="0"><RingBufferTarget truncated="0" eventCount="11" droppedCount="0" memoryUsed="8192">`)
		b.WriteString(`<event name="error_reported" package="sqlserver" timestamp="2024-03-14T00:00:01.021Z"><data name="error_number"><value>18456</value></data><data name="severity"><value>14</value></data><data name="message"><value>Login failed for user 'app'. Reason: Password did not match that for the login provided. [CLIENT: 10.0.0.12]</value></data></event>`)
		last := t.Truncate(time.Minute)
		for i := 9; i >= 0; i-- {
			at := last.Add(-time.Duration(i) * time.Minute)
			fmt.Fprintf(&b, `<event name="scheduler_monitor_system_health_ring_buffer_recorded" package="sqlserver" timestamp="%s"><data name="id"><type name="uint32" package="package0"/><value>%d</value></data><data name="process_utilization"><type name="uint32" package="package0"/><value>%d</value></data><data name="system_idle"><type name="uint32" package="package0"/><value>%d</value></data><data name="memory_utilization"><type name="uint32" package="package0"/><value>100</value></data></event>`,
				at.Format("2006-01-02T15:04:05.000Z"), at.Unix()/60, 10+at.Minute()%7, 85-at.Minute()%7)
		}
		b.WriteString(`</RingBufferTarget></session></events>`)
		return b.String()
	}
)

// dayFile is the day of SQLDIAG data as a binary .xel file: clean results,
// with a warning and error case of each component every hour.
var dayFile = sync.OnceValue(func() []byte {
	clean := map[Component]string{
		System: healthCases[0].payload, Resource: fullResource, QueryProcessing: fullQueryProcessing,
		IOSubsystem: healthCases[9].payload,
	}
	order := []Component{System, Resource, QueryProcessing, IOSubsystem, Events}
	var trouble []healthCase
	for _, c := range healthCases {
		if c.state >= StateWarning {
			trouble = append(trouble, c)
		}
	}
	start := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	f := &xelwrite.File{ID: make([]byte, 16), Stream: make([]byte, 16), ClockBase: xelwrite.Filetime(start.Add(-time.Hour)), Packages: xelwrite.SQLDIAG()}
	for i := range dayResults {
		at := start.Add(time.Duration(i) * 5 * time.Second)
		c := healthCase{component: order[i%len(order)], state: StateClean}
		c.payload = clean[c.component]
		if c.component == Events {
			c.state, c.payload = StateUnknown, eventsAt(at)
		}
		if i%720 == 719 { // once an hour
			c = trouble[i/720%len(trouble)]
		}
		if err := f.Add(xelwrite.EvComponentHealth, at, uint32(c.state), uint32(3), xelwrite.Filetime(at),
			"instance", string(c.component), c.state.String(), c.payload, "SQLNODE1", "MSSQLSERVER"); err != nil {
			panic(err)
		}
	}
	b, err := f.Bytes()
	if err != nil {
		panic(err)
	}
	return b
})

// BenchmarkDayReader reads the day of SQLDIAG data with the .xel reader:
// the baseline.
func BenchmarkDayReader(b *testing.B) {
	data := dayFile()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range xel.NewReader(bytes.NewReader(data), "day.xel").Events() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != dayResults {
			b.Fatalf("%d events", n)
		}
	}
	b.ReportMetric(float64(dayResults)*float64(b.N)/b.Elapsed().Seconds(), "results/s")
}

// BenchmarkDayInterpret reads the same day and interprets every result's
// payload with a Tracker.
func BenchmarkDayInterpret(b *testing.B) {
	data := dayFile()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n, trouble := 0, 0
		tr := NewTracker()
		for ev, err := range xel.NewReader(bytes.NewReader(data), "day.xel").Events() {
			if err != nil {
				b.Fatal(err)
			}
			s, ok, err := tr.Interpret(ev)
			if !ok || err != nil {
				b.Fatalf("%s: %v %v", ev.Position(), ok, err)
			}
			if s.State >= StateWarning {
				trouble++
			}
			n++
		}
		if n != dayResults || trouble == 0 {
			b.Fatalf("%d results, %d in trouble", n, trouble)
		}
	}
	b.ReportMetric(float64(dayResults)*float64(b.N)/b.Elapsed().Seconds(), "results/s")
}

// BenchmarkDayRatio alternates the two runs above and reports the ratio of
// their fastest times, which a loaded machine disturbs less than two
// separate benchmarks: interpretation must stay within 2x of reading.
func BenchmarkDayRatio(b *testing.B) {
	data := dayFile()
	b.SetBytes(2 * int64(len(data)))
	read := func(interp bool) time.Duration {
		start := time.Now()
		tr := NewTracker()
		for ev, err := range xel.NewReader(bytes.NewReader(data), "day.xel").Events() {
			if err != nil {
				b.Fatal(err)
			}
			if interp {
				if _, _, err := tr.Interpret(ev); err != nil {
					b.Fatal(err)
				}
			}
		}
		return time.Since(start)
	}
	var minRead, minInterp time.Duration
	for b.Loop() {
		r, i := read(false), read(true)
		if minRead == 0 || r < minRead {
			minRead = r
		}
		if minInterp == 0 || i < minInterp {
			minInterp = i
		}
	}
	b.ReportMetric(float64(minRead.Milliseconds()), "read-ms")
	b.ReportMetric(float64(minInterp.Milliseconds()), "interpret-ms")
	b.ReportMetric(float64(minInterp)/float64(minRead), "ratio")
}
