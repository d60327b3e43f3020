// Package health interprets the instance-health results of SQL Server's
// sp_server_diagnostics, as the SQLDIAG log (component_health_result),
// system_health and AlwaysOn_health (sp_server_diagnostics_component_result)
// store them: one result per component (system, resource, query_processing,
// io_subsystem, events) with a state and an XML payload.
//
// Interpret turns a component's payload into a Summary: the conditions that
// mean trouble (deadlocked schedulers, an orphaned spinlock, out of memory,
// long I/Os ...), the payload attributes and values that show them, and one
// sentence in words ("query_processing error: deadlocked schedulers; 512 of
// 512 workers in use; oldest pending task waited 68 s"). Each Condition has
// a Fix: what a DBA looks at next. FailsOver and MinLevel give the
// failure_condition_level semantics: which level makes which component's
// error fail the availability group (or FCI) over.
//
// A payload is a small document that is queried, not streamed: it is parsed
// with xmlquery and read with XPath. The events component is different: it
// is a copy of a ring-buffer target, read with the Extended Events reader of
// parsers/xevent (RingBufferEvents).
//
// Element and attribute names are those of the sp_server_diagnostics
// documentation and its sample queries. Three units are not documented and
// are taken as public analyses read them: processOutOfMemoryPeriod in
// seconds (AGDiag compares it with 120; FailoverDetector with 12000),
// oldestPendingTaskWaitingTime and a pending request's duration in
// milliseconds.
//
// Counters named total... are cumulative since the instance started; one
// payload cannot tell whether they rose. Interpret reports them only when
// the component is not clean; Changes compares two consecutive results of
// the same instance, and a Tracker does so for a stream of results (and
// reads each ring-buffer event of the events component once).
package health

import (
	"strings"
)

// State is an sp_server_diagnostics component state.
type State int

// The states, with the numbers sp_server_diagnostics uses.
const (
	StateUnknown State = 0
	StateClean   State = 1
	StateWarning State = 2
	StateError   State = 3
)

var stateNames = [...]string{"unknown", "clean", "warning", "error"}

// String returns the state as SQLDIAG's state_desc writes it ("error").
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// ParseState reads a state as the stores write it: a number ("3"), the
// SQLDIAG state_desc ("error") or the system_health map label ("ERROR").
// Anything else is StateUnknown.
func ParseState(s string) State {
	s = strings.TrimSpace(s)
	for i, n := range stateNames {
		if strings.EqualFold(s, n) || s == string(rune('0'+i)) {
			return State(i)
		}
	}
	return StateUnknown
}

// Component names an sp_server_diagnostics component.
type Component string

// The components. An availability group's own row is AvailabilityGroup.
const (
	System            Component = "system"
	Resource          Component = "resource"
	QueryProcessing   Component = "query_processing"
	IOSubsystem       Component = "io_subsystem"
	Events            Component = "events"
	AvailabilityGroup Component = "availability_group"
)

// ParseComponent reads a component name in any casing, as a component name
// ("QUERY_PROCESSING") or as its payload's root element ("queryProcessing").
// An unknown name is returned in lower case.
func ParseComponent(s string) Component {
	l := strings.ToLower(strings.TrimSpace(s))
	switch l {
	case "system", "resource", "events":
		return Component(l)
	case "query_processing", "queryprocessing":
		return QueryProcessing
	case "io_subsystem", "iosubsystem":
		return IOSubsystem
	}
	return Component(l)
}

// Condition is a kind of trouble a payload shows.
type Condition string

// The conditions Interpret recognizes.
const (
	// system
	OrphanedSpinlock     Condition = "orphaned_spinlock"      // sickSpinlockTypeAfterAv: a spinlock held by a thread that took an access violation
	SickSpinlock         Condition = "sick_spinlock"          // sickSpinlockType
	WriteAccessViolation Condition = "write_access_violation" // writeAccessViolationCount
	DumpRequests         Condition = "dump_requests"          // intervalDumpRequests, totalDumpRequests
	AccessViolation      Condition = "access_violation"       // isAccessViolationOccurred
	MemoryScribbler      Condition = "memory_scribbler"       // memoryScribblerCount
	BadPages             Condition = "bad_pages"              // BadPagesDetected > BadPagesFixed
	NonYielding          Condition = "non_yielding"           // nonYieldingTasksReported, trackingNonYieldingScheduler
	LatchWarnings        Condition = "latch_warnings"         // latchWarnings
	HighCPU              Condition = "high_cpu"               // systemCpuUtilization
	// resource
	OutOfMemory Condition = "out_of_memory" // processOutOfMemoryPeriod, isAnyPoolOutOfMemory, outOfMemoryExceptions
	MemoryLow   Condition = "memory_low"    // lastNotification ..._LOW, memory-low indicators
	// query_processing
	DeadlockedSchedulers Condition = "deadlocked_schedulers" // hasDeadlockedSchedulersOccurred
	UnresolvableDeadlock Condition = "unresolvable_deadlock" // hasUnresolvableDeadlockOccurred
	WorkerExhaustion     Condition = "worker_exhaustion"     // workersCreated near maxWorkers, none idle, tasks pending
	PendingTasks         Condition = "pending_tasks"         // pendingTasks, oldestPendingTaskWaitingTime
	Blocking             Condition = "blocking"              // blockingTasks
	// io_subsystem
	IOLatchTimeouts Condition = "io_latch_timeouts" // ioLatchTimeouts
	LongIO          Condition = "long_io"           // intervalLongIos, longestPendingRequests
	// events
	ErrorsReported Condition = "errors_reported" // error_reported events of the ring buffer
)

// Finding is one condition a payload shows.
type Finding struct {
	// Condition is the trouble found.
	Condition Condition
	// Attrs names the payload attributes (or elements) it rests on, with
	// their values: "hasDeadlockedSchedulersOccurred=1".
	Attrs []string
	// Text says it in words: "deadlocked schedulers".
	Text string
	// Detail is what the fix needs to name: the spinlock type, the file of
	// the longest pending I/O, the top wait type.
	Detail string
}

// Summary is the interpretation of one component result.
type Summary struct {
	// Component is the component the result is about.
	Component Component
	// Name is the component as the event names it (the availability
	// group's name for an availability-group row).
	Name string
	// State is the state the result reports.
	State State
	// Findings lists the conditions, the one that explains the state first.
	Findings []Finding
	// Values holds the payload's numbers Changes compares, by attribute.
	Values map[string]int64
	// Text is the result in one sentence.
	Text string
	// Changes lists the cumulative counters that rose since the previous
	// result of the same server and component; Restarted says one fell (the
	// instance restarted). Set by Tracker.
	Changes   []Change
	Restarted bool // a cumulative counter fell since the previous result
}

// Has reports whether s shows condition c.
func (s *Summary) Has(c Condition) bool {
	for _, f := range s.Findings {
		if f.Condition == c {
			return true
		}
	}
	return false
}

// Cause returns the finding that explains the state: the first, or nil
// when there is none.
func (s *Summary) Cause() *Finding {
	if len(s.Findings) == 0 {
		return nil
	}
	return &s.Findings[0]
}
