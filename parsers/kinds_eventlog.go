package parsers

// SourceEventLog is the Source of events read from a Windows event log
// (.evtx, or an export of one).
const SourceEventLog Source = "eventlog"

// Kinds only the Windows event logs carry.
const (
	KindOSStart      Kind = "os_start"        // EventLog 6005: the event log service started (the machine booted)
	KindOSShutdown   Kind = "os_shutdown"     // User32 1074 (planned restart or shutdown: who and why), EventLog 6006 (clean stop)
	KindOSCrash      Kind = "os_crash"        // EventLog 6008 (previous shutdown unexpected), Kernel-Power 41 (rebooted without a clean shutdown)
	KindStorageIssue Kind = "storage_issue"   // disk 153 (I/O retried), storport miniport 129 (reset to device)
	KindNetworkDown  Kind = "network_down"    // NIC link down (e1iexpress 27 ...), FailoverClustering 1127/1129/1130 (cluster interface or network failed)
	KindServiceCrash Kind = "service_crashed" // Service Control Manager 7031/7034 for a service other than SQL Server or the cluster service
)
