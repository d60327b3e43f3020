package parsers

// Kinds of the instance-health events (sp_server_diagnostics results in the
// SQLDIAG log, system_health and AlwaysOn_health, and the scheduler and wait
// events of system_health). A component result in the error state keeps
// KindHealthFailure; parsers/health interprets a result's payload.
const (
	// KindHealthWarning is a component result in the warning state.
	KindHealthWarning Kind = "health_warning"
	// KindHealthReport is a component result in the clean or unknown state:
	// the periodic report that shows the component healthy (or, for the
	// events component, carries the recent ring-buffer events).
	KindHealthReport Kind = "health_report"
	// KindIsAliveFailure is the resource DLL's verdict that the availability
	// group's IsAlive check failed (SQLDIAG availability_group_is_alive_failure):
	// where a health-check failover starts.
	KindIsAliveFailure Kind = "is_alive_failure"
	// KindCPUSample is a scheduler-monitor CPU sample (SQL process CPU, idle,
	// other processes) from scheduler_monitor_system_health_ring_buffer_recorded.
	KindCPUSample Kind = "cpu_sample"
	// KindLongWait is a wait_info or wait_info_external event whose duration
	// reaches the system_health session's thresholds (15 s for latch, I/O,
	// log and worker waits, 30 s for locks, 5 s for preemptive waits).
	KindLongWait Kind = "long_wait"
)
