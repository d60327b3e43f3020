package health

import (
	"fmt"
	"time"
)

// Failure-condition levels of an availability group (FAILURE_CONDITION_LEVEL,
// 1-5) or a failover cluster instance (FailureConditionLevel, 0-5). Levels
// are cumulative: each includes the conditions of the levels below it
// (sql-docs: flexible-automatic-failover-policy-availability-group.md,
// failover-policy-for-failover-cluster-instances.md).
const (
	// LevelNone (FCI only): no automatic failover or restart on health.
	LevelNone = 0
	// LevelServerDown (OnServerDown): the SQL Server service is down; for an
	// availability group also the lease expired.
	LevelServerDown = 1
	// LevelServerUnresponsive (OnServerUnresponsive): + no
	// sp_server_diagnostics result within HealthCheckTimeout, or the
	// replica in a failed state.
	LevelServerUnresponsive = 2
	// LevelCriticalError (OnCriticalServerError, the default): + the system
	// component in error: orphaned spinlocks, serious write access
	// violations, too much dumping.
	LevelCriticalError = 3
	// LevelModerateError (OnModerateServerError): + the resource component
	// in error: persistent out-of-memory in the internal resource pool.
	LevelModerateError = 4
	// LevelAnyQualified (OnAnyQualifiedFailureConditions): + the
	// query_processing component in error: worker-thread exhaustion,
	// deadlocked schedulers, an unresolvable deadlock.
	LevelAnyQualified = 5
	// DefaultLevel is the level of a group or FCI created without one.
	DefaultLevel = LevelCriticalError
)

var levelNames = [...]string{"no automatic failover", "OnServerDown", "OnServerUnresponsive",
	"OnCriticalServerError", "OnModerateServerError", "OnAnyQualifiedFailureConditions"}

// LevelName returns the name of a failure-condition level
// ("OnCriticalServerError"), or "" for a number outside 0-5.
func LevelName(level int) string {
	if level < 0 || level >= len(levelNames) {
		return ""
	}
	return levelNames[level]
}

// MinLevel returns the lowest failure-condition level at which component c
// in the error state fails the availability group (or FCI) over: 3 for
// system, 4 for resource, 5 for query_processing. It returns 0 for the
// components whose state never does (io_subsystem: warnings only; events:
// always unknown) and for an availability group's own row, whose error the
// resource DLL reports through IsAlive at any level.
func MinLevel(c Component) int {
	switch c {
	case System:
		return LevelCriticalError
	case Resource:
		return LevelModerateError
	case QueryProcessing:
		return LevelAnyQualified
	}
	return 0
}

// FailsOver reports whether a result of component c in state s makes the
// resource DLL fail the group over at the given failure-condition level:
// only the error state, of a component whose MinLevel the level reaches.
// Warnings never do.
func FailsOver(level int, c Component, s State) bool {
	m := MinLevel(c)
	return s == StateError && m > 0 && level >= m
}

// Verdict says in words what a component result means at a level, as the
// report should put it: "query_processing reported deadlocked schedulers at
// 14:02:11 UTC; at failure_condition_level 3 this does not fail the
// availability group over (it takes level 5)". at may be zero.
func Verdict(s *Summary, level int, at time.Time) string {
	what := s.Name + " reported " + s.State.String()
	if f := s.Cause(); f != nil {
		what = s.Name + " reported " + f.Text
	}
	if !at.IsZero() {
		what += " at " + at.UTC().Format("15:04:05") + " UTC"
	}
	m := MinLevel(s.Component)
	switch {
	case s.State != StateError:
		return what + "; a " + s.State.String() + " state never fails the availability group over"
	case m == 0:
		return what + "; this component's state never fails the availability group over"
	case level >= m:
		return fmt.Sprintf("%s; at failure_condition_level %d (%s) this fails the availability group over", what, level, LevelName(level))
	}
	return fmt.Sprintf("%s; at failure_condition_level %d this does not fail the availability group over (it takes level %d)", what, level, m)
}
