package winevent

import (
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// Class describes one Windows event: which provider and event id,
// what it means for an availability group, and which of its values name the
// node, the clustered resource, the clustered role (group) and the service.
//
// Value selectors name EventData fields: "NodeName|%1" takes the field
// NodeName, or else the first data value (%n is the n-th value, as in the
// message templates; unnamed values are also called Data1, Data2 ...).
type Class struct {
	// Provider is the provider name (Event Viewer's "Source"), compared
	// without case; a trailing "*" matches any suffix (MSSQL$*).
	Provider string
	// ID is the event id.
	ID int
	// Kind is what the event becomes.
	Kind parsers.Kind
	// Meaning says in a few words what the event means for the AG.
	Meaning string
	// Message is the English message with %1, %2 ... for the data values
	// (%* lists them all);
	// the .evtx file holds only the values, the text lives in the
	// provider's message DLL on the machine that wrote the log.
	Message string
	// Selectors of the values that name the node, resource, role and service.
	Node, Resource, Group, Service string
	// Match, when set, must accept the event (e.g. 7034 only for the SQL
	// Server service).
	Match func(data []parsers.Field) bool
}

// The providers of the events in the table.
const (
	provCluster   = "Microsoft-Windows-FailoverClustering"
	provSCM       = "Service Control Manager"
	provEventLog  = "EventLog"
	provUser32    = "User32"
	provKernelPwr = "Microsoft-Windows-Kernel-Power"
)

// Table is the classification of the Windows events that matter for
// an availability group incident (COLLECTIONS.md section 4; texts from the
// Windows Server failover-clustering system-events list and the Service
// Control Manager, EventLog, User32, Kernel-Power, disk and NIC events).
// SQL Server's own events in the Application log (source MSSQLSERVER or
// MSSQL$INSTANCE, event id = message number) are not listed: they are
// classified by the ERRORLOG message table (parsers.ClassifyMessage).
var Table = []Class{
	// Failover clustering (System log).
	{Provider: provCluster, ID: 1135, Kind: parsers.KindNodeRemoved, Node: "NodeName|%1",
		Meaning: "node removed from the active cluster membership (missed heartbeats, crash, network)",
		Message: "Cluster node '%1' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster."},
	{Provider: provCluster, ID: 1177, Kind: parsers.KindQuorumLost,
		Meaning: "the cluster service on this node shut down because quorum was lost",
		Message: "The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk."},
	{Provider: provCluster, ID: 1006, Kind: parsers.KindClusterUnavailable,
		Meaning: "the cluster service was halted (membership or connectivity failure)",
		Message: "Cluster service was halted due to incomplete connectivity with other cluster nodes."},
	{Provider: provCluster, ID: 1069, Kind: parsers.KindResourceFailed, Resource: "ResourceName|%1", Group: "ResourceGroup|%2",
		Meaning: "a clustered resource failed (for an availability group resource: health check or lease failure seen by the cluster)",
		Message: "Cluster resource '%1' in clustered role '%2' failed."},
	{Provider: provCluster, ID: 1205, Kind: parsers.KindResourceFailed, Group: "ResourceGroup|GroupName|%1",
		Meaning: "a clustered role could not be brought completely online or offline (failed failover)",
		Message: "The Cluster service failed to bring clustered role '%1' completely online or offline. One or more resources may be in a failed state. This may impact the availability of the clustered role."},
	{Provider: provCluster, ID: 1254, Kind: parsers.KindFailoverLimit, Group: "ResourceGroup|GroupName|%1",
		Meaning: "a clustered role exceeded its failover threshold and stays failed",
		Message: "Clustered role '%1' has exceeded its failover threshold. It has exhausted the configured number of failover attempts within the failover period of time allotted to it and will be left in a failed state. No additional attempts will be made to bring the role online or fail it over to another node in the cluster."},
	{Provider: provCluster, ID: 1146, Kind: parsers.KindRHSTerminated,
		Meaning: "the Resource Hosting Subsystem (RHS) process terminated (a resource DLL such as hadrres.dll crashed or hung)",
		Message: "The cluster Resource Hosting Subsystem (RHS) process was terminated and will be restarted. This is typically associated with cluster health detection and recovery of a resource."},
	{Provider: provCluster, ID: 1230, Kind: parsers.KindRHSTerminated, Resource: "ResourceName|%1",
		Meaning: "a resource call exceeded its timeout and RHS is restarted (hung IsAlive or offline)",
		Message: "A component on the server did not respond in a timely fashion. This caused the cluster resource '%1' (resource type '%2', DLL '%3') to exceed its time-out threshold."},
	{Provider: provCluster, ID: 1127, Kind: parsers.KindNetworkDown, Node: "NodeName|%2",
		Meaning: "a cluster network interface failed",
		Message: "Cluster network interface '%1' for cluster node '%2' on network '%3' failed."},
	{Provider: provCluster, ID: 1129, Kind: parsers.KindNetworkDown,
		Meaning: "a cluster network is partitioned: some nodes cannot talk on it",
		Message: "Cluster network '%1' is partitioned. Some attached failover cluster nodes cannot communicate with each other over the network."},
	{Provider: provCluster, ID: 1130, Kind: parsers.KindNetworkDown,
		Meaning: "a cluster network is down",
		Message: "Cluster network '%1' is down. None of the available nodes can communicate using this network."},

	// Services (System log). The service is named by its display name
	// (param1); Binary holds the service key in UTF-16.
	{Provider: provSCM, ID: 7031, Kind: parsers.KindSQLServiceDown, Service: "param1|%1", Match: sqlService,
		Meaning: "the SQL Server service terminated unexpectedly and will be restarted",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5."},
	{Provider: provSCM, ID: 7034, Kind: parsers.KindSQLServiceDown, Service: "param1|%1", Match: sqlService,
		Meaning: "the SQL Server service terminated unexpectedly",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s)."},
	{Provider: provSCM, ID: 7031, Kind: parsers.KindClusterUnavailable, Service: "param1|%1", Match: clusterService,
		Meaning: "the cluster service terminated unexpectedly and will be restarted",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5."},
	{Provider: provSCM, ID: 7034, Kind: parsers.KindClusterUnavailable, Service: "param1|%1", Match: clusterService,
		Meaning: "the cluster service terminated unexpectedly",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s)."},
	{Provider: provSCM, ID: 7031, Kind: parsers.KindServiceCrash, Service: "param1|%1",
		Meaning: "a service terminated unexpectedly and will be restarted",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5."},
	{Provider: provSCM, ID: 7034, Kind: parsers.KindServiceCrash, Service: "param1|%1",
		Meaning: "a service terminated unexpectedly",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s)."},

	// Service state changes: kept as messages (the text is language
	// dependent: param2 is localized; Binary holds "<service key>/<code>").
	{Provider: provSCM, ID: 7036, Kind: parsers.KindMessage, Service: "param1|%1",
		Meaning: "a service entered the running or stopped state",
		Message: "The %1 service entered the %2 state."},

	// Boot, shutdown, crashes.
	{Provider: provEventLog, ID: 6005, Kind: parsers.KindOSStart,
		Meaning: "the event log service started: the machine booted",
		Message: "The Event log service was started."},
	{Provider: provEventLog, ID: 6006, Kind: parsers.KindOSShutdown,
		Meaning: "the event log service stopped: a clean shutdown",
		Message: "The Event log service was stopped."},
	{Provider: provEventLog, ID: 6008, Kind: parsers.KindOSCrash,
		Meaning: "the previous shutdown was unexpected (crash, power loss, hard reset); logged at the next boot",
		Message: "The previous system shutdown at %1 on %2 was unexpected."},
	{Provider: provUser32, ID: 1074, Kind: parsers.KindOSShutdown,
		Meaning: "a planned restart or shutdown: the process, user and reason",
		Message: "The process %1 has initiated the %5 of computer %2 on behalf of user %7 for the following reason: %3 Reason Code: %4 Shutdown Type: %5 Comment: %6"},
	{Provider: provKernelPwr, ID: 41, Kind: parsers.KindOSCrash,
		Meaning: "the system rebooted without cleanly shutting down first (BugcheckCode 0: power loss or hang)",
		Message: "The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly."},

	// Storage and network adapters.
	{Provider: "disk", ID: 153, Kind: parsers.KindStorageIssue,
		Meaning: "an I/O was retried after the storage miniport timed it out",
		// The order of its values (device, address, disk number) is not
		// verified: they are listed rather than placed in the sentence.
		Message: "An I/O to a disk was retried after the storage driver timed it out (%*)."},
	{Provider: "*", ID: 129, Kind: parsers.KindStorageIssue, Match: resetToDevice,
		Meaning: "the storage driver timed out a request and reset the device or bus",
		Message: "Reset to device, %1, was issued."},
	{Provider: "e1*express", ID: 27, Kind: parsers.KindNetworkDown,
		Meaning: "a network adapter's link is down",
		Message: "%2 Network link is disconnected."},
	{Provider: "ixgb*", ID: 27, Kind: parsers.KindNetworkDown,
		Meaning: "a network adapter's link is down",
		Message: "%2 Network link is disconnected."},
}

// sqlService accepts the display names of the SQL Server database engine
// service: "SQL Server (MSSQLSERVER)", "SQL Server (INST1)" (not the Agent,
// Browser or VSS writer).
func sqlService(data []parsers.Field) bool {
	s := dataValue(data, "param1|%1")
	return strings.HasPrefix(s, "SQL Server (") || strings.EqualFold(s, "MSSQLSERVER") ||
		len(s) > 6 && strings.EqualFold(s[:6], "MSSQL$")
}

// clusterService accepts the cluster service.
func clusterService(data []parsers.Field) bool {
	s := dataValue(data, "param1|%1")
	return strings.EqualFold(s, "Cluster Service") || strings.EqualFold(s, "ClusSvc")
}

// resetToDevice accepts event 129 of a storport miniport: its first value
// is the device (\Device\RaidPort0); 129 of other providers means other things.
func resetToDevice(data []parsers.Field) bool {
	return strings.HasPrefix(dataValue(data, "%1"), `\Device\`)
}

// index maps an event id to the table rows that may match it.
var index = func() map[int][]*Class {
	m := map[int][]*Class{}
	for i := range Table {
		c := &Table[i]
		m[c.ID] = append(m[c.ID], c)
	}
	return m
}()

// providerMatch compares a provider name with a table pattern.
func providerMatch(pattern, provider string) bool {
	if pattern == "*" {
		return true
	}
	if i := strings.IndexByte(pattern, '*'); i >= 0 {
		pre, suf := pattern[:i], pattern[i+1:]
		return len(provider) >= len(pre)+len(suf) && strings.EqualFold(provider[:len(pre)], pre) &&
			strings.EqualFold(provider[len(provider)-len(suf):], suf)
	}
	return strings.EqualFold(pattern, provider)
}

// lookup returns the table row for a provider and event id whose
// Match accepts the data, or nil.
func lookup(provider string, id int, data []parsers.Field) *Class {
	for _, c := range index[id] {
		if providerMatch(c.Provider, provider) && (c.Match == nil || c.Match(data)) {
			return c
		}
	}
	return nil
}
