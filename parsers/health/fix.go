package health

// fixes says what to look at for each condition.
var fixes = map[Condition]string{
	DeadlockedSchedulers: "Find the head of the blocking chain that holds the workers (sys.dm_exec_requests blocking_session_id, " +
		"the blocked-process reports and THREADPOOL waits in the payload) and end it; then compare max worker threads " +
		"(sys.configurations) with the workers in use (sys.dm_os_schedulers). Raising max worker threads only hides blocking.",
	WorkerExhaustion: "All workers are busy: find what they wait on (the top waits in the payload, sys.dm_os_waiting_tasks) and the " +
		"head of any blocking chain; check max worker threads against the workers in use and for parallel queries holding many workers.",
	PendingTasks: "Tasks wait for a worker: see what the busy workers wait on (sys.dm_os_waiting_tasks) and whether a blocking chain holds them.",
	UnresolvableDeadlock: "Read the deadlock graph (system_health xml_deadlock_report around the time) for the resources and " +
		"sessions involved; an unresolvable deadlock usually involves a non-lock resource (latch, worker, memory grant).",
	Blocking: "Read the blocked-process reports in the payload (blockingTasks): the head blocker's session, statement and wait resource.",
	OrphanedSpinlock: "A thread took an access violation while holding the named spinlock: open the dump (SQLDump*.mdmp and .txt in the " +
		"LOG folder) of that time, look up the spinlock type in sys.dm_os_spinlock_stats and search the type for fixes in the cumulative updates.",
	SickSpinlock: "Look up the spinlock type in sys.dm_os_spinlock_stats (collisions, backoffs, sleep time) and search it for known fixes " +
		"in the cumulative updates; heavy contention often follows CPU pressure.",
	WriteAccessViolation: "Write access violations scribble on memory: open the dumps (SQLDump*.txt in the LOG folder) and list the " +
		"non-Microsoft modules loaded in the process (sys.dm_os_loaded_modules); apply the latest cumulative update.",
	DumpRequests: "Open the dumps of the interval (SQLDump*.txt and the ERRORLOG's stack signature): the exception or assertion " +
		"behind them names the fix; repeated dumps also freeze the process long enough to expire the lease.",
	AccessViolation: "Open the access-violation dump (SQLDump*.txt in the LOG folder, 'Stack Signature' in the ERRORLOG) and apply the latest cumulative update.",
	MemoryScribbler: "Memory corruption: list the non-Microsoft modules in the process (sys.dm_os_loaded_modules) and open the dumps; test the server's memory.",
	BadPages:        "Bad pages mean memory or I/O corruption: run DBCC CHECKDB on the databases and check the hardware (memory, storage).",
	NonYielding: "Read the 17883 report and its dump: the stack names the code that held the scheduler. High process CPU points at " +
		"SQL Server, low process CPU with low idle at another process, high idle at a stalled machine (VM pause, dumping).",
	LatchWarnings: "Latch timeouts (845) usually wait on an I/O that never completed: check the files' latency (sys.dm_io_virtual_file_stats) and the 833 messages.",
	HighCPU: "Find what burns the CPU: the payload's cpuIntensiveRequests and sys.dm_exec_query_stats by worker time; if SQL Server's share " +
		"is small, another process on the machine uses the CPU.",
	OutOfMemory: "Look at the memory clerks (sys.dm_os_memory_clerks by pages_kb) and the resource pools " +
		"(sys.dm_resource_governor_resource_pools); compare max server memory with the machine's memory and what other processes use.",
	MemoryLow: "The OS or SQL Server signalled low memory: compare max server memory with the machine's memory, check other processes " +
		"and the working set (locked pages), and the memory clerks (sys.dm_os_memory_clerks).",
	IOLatchTimeouts: "Buffer latches timed out waiting for I/O: check the latency of the files (sys.dm_io_virtual_file_stats io_stall per " +
		"read and write) and the storage path (System log disk/storport events 153, 129).",
	LongIO: "Check the named file's latency (sys.dm_io_virtual_file_stats) and its volume: the 833 messages, the System log's disk and " +
		"storport events (153, 129) and the storage path; a frozen storage path also stalls the lease.",
	ErrorsReported: "Read the errors the ring buffer kept (and the ERRORLOG at the same time): their numbers name the condition.",
}

// Fix says what to look at for condition c: the DMVs, files and settings
// that show its cause. "" for an unknown condition.
func Fix(c Condition) string { return fixes[c] }

// Fix says what to look at for the summary's cause, naming the detail the
// payload gave (the spinlock type, the file, the top wait). "" when the
// summary has no finding.
func (s *Summary) Fix() string {
	f := s.Cause()
	if f == nil {
		return ""
	}
	fix := Fix(f.Condition)
	if f.Detail != "" && fix != "" {
		fix = "(" + f.Detail + ") " + fix
	}
	return fix
}
