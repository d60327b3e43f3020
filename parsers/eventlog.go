package parsers

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

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

// EventLogClass describes one Windows event: which provider and event id,
// what it means for an availability group, and which of its values name the
// node, the clustered resource, the clustered role (group) and the service.
//
// Value selectors name EventData fields: "NodeName|%1" takes the field
// NodeName, or else the first data value (%n is the n-th value, as in the
// message templates; unnamed values are also called Data1, Data2 ...).
type EventLogClass struct {
	// Provider is the provider name (Event Viewer's "Source"), compared
	// without case; a trailing "*" matches any suffix (MSSQL$*).
	Provider string
	ID       int
	Kind     Kind
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
	Match func(data []Field) bool
}

// The providers of the events in the table.
const (
	provCluster   = "Microsoft-Windows-FailoverClustering"
	provSCM       = "Service Control Manager"
	provEventLog  = "EventLog"
	provUser32    = "User32"
	provKernelPwr = "Microsoft-Windows-Kernel-Power"
)

// EventLogTable is the classification of the Windows events that matter for
// an availability group incident (COLLECTIONS.md section 4; texts from the
// Windows Server failover-clustering system-events list and the Service
// Control Manager, EventLog, User32, Kernel-Power, disk and NIC events).
// SQL Server's own events in the Application log (source MSSQLSERVER or
// MSSQL$INSTANCE, event id = message number) are not listed: they are
// classified by the ERRORLOG message table (ClassifyMessage).
var EventLogTable = []EventLogClass{
	// Failover clustering (System log).
	{Provider: provCluster, ID: 1135, Kind: KindNodeRemoved, Node: "NodeName|%1",
		Meaning: "node removed from the active cluster membership (missed heartbeats, crash, network)",
		Message: "Cluster node '%1' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster."},
	{Provider: provCluster, ID: 1177, Kind: KindQuorumLost,
		Meaning: "the cluster service on this node shut down because quorum was lost",
		Message: "The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk."},
	{Provider: provCluster, ID: 1006, Kind: KindClusterUnavailable,
		Meaning: "the cluster service was halted (membership or connectivity failure)",
		Message: "Cluster service was halted due to incomplete connectivity with other cluster nodes."},
	{Provider: provCluster, ID: 1069, Kind: KindResourceFailed, Resource: "ResourceName|%1", Group: "ResourceGroup|%2",
		Meaning: "a clustered resource failed (for an availability group resource: health check or lease failure seen by the cluster)",
		Message: "Cluster resource '%1' in clustered role '%2' failed."},
	{Provider: provCluster, ID: 1205, Kind: KindResourceFailed, Group: "ResourceGroup|GroupName|%1",
		Meaning: "a clustered role could not be brought completely online or offline (failed failover)",
		Message: "The Cluster service failed to bring clustered role '%1' completely online or offline. One or more resources may be in a failed state. This may impact the availability of the clustered role."},
	{Provider: provCluster, ID: 1254, Kind: KindFailoverLimit, Group: "ResourceGroup|GroupName|%1",
		Meaning: "a clustered role exceeded its failover threshold and stays failed",
		Message: "Clustered role '%1' has exceeded its failover threshold. It has exhausted the configured number of failover attempts within the failover period of time allotted to it and will be left in a failed state. No additional attempts will be made to bring the role online or fail it over to another node in the cluster."},
	{Provider: provCluster, ID: 1146, Kind: KindRHSTerminated,
		Meaning: "the Resource Hosting Subsystem (RHS) process terminated (a resource DLL such as hadrres.dll crashed or hung)",
		Message: "The cluster Resource Hosting Subsystem (RHS) process was terminated and will be restarted. This is typically associated with cluster health detection and recovery of a resource."},
	{Provider: provCluster, ID: 1230, Kind: KindRHSTerminated, Resource: "ResourceName|%1",
		Meaning: "a resource call exceeded its timeout and RHS is restarted (hung IsAlive or offline)",
		Message: "A component on the server did not respond in a timely fashion. This caused the cluster resource '%1' (resource type '%2', DLL '%3') to exceed its time-out threshold."},
	{Provider: provCluster, ID: 1127, Kind: KindNetworkDown, Node: "NodeName|%2",
		Meaning: "a cluster network interface failed",
		Message: "Cluster network interface '%1' for cluster node '%2' on network '%3' failed."},
	{Provider: provCluster, ID: 1129, Kind: KindNetworkDown,
		Meaning: "a cluster network is partitioned: some nodes cannot talk on it",
		Message: "Cluster network '%1' is partitioned. Some attached failover cluster nodes cannot communicate with each other over the network."},
	{Provider: provCluster, ID: 1130, Kind: KindNetworkDown,
		Meaning: "a cluster network is down",
		Message: "Cluster network '%1' is down. None of the available nodes can communicate using this network."},

	// Services (System log). The service is named by its display name
	// (param1); Binary holds the service key in UTF-16.
	{Provider: provSCM, ID: 7031, Kind: KindSQLServiceDown, Service: "param1|%1", Match: sqlService,
		Meaning: "the SQL Server service terminated unexpectedly and will be restarted",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5."},
	{Provider: provSCM, ID: 7034, Kind: KindSQLServiceDown, Service: "param1|%1", Match: sqlService,
		Meaning: "the SQL Server service terminated unexpectedly",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s)."},
	{Provider: provSCM, ID: 7031, Kind: KindClusterUnavailable, Service: "param1|%1", Match: clusterService,
		Meaning: "the cluster service terminated unexpectedly and will be restarted",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5."},
	{Provider: provSCM, ID: 7034, Kind: KindClusterUnavailable, Service: "param1|%1", Match: clusterService,
		Meaning: "the cluster service terminated unexpectedly",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s)."},
	{Provider: provSCM, ID: 7031, Kind: KindServiceCrash, Service: "param1|%1",
		Meaning: "a service terminated unexpectedly and will be restarted",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action will be taken in %3 milliseconds: %5."},
	{Provider: provSCM, ID: 7034, Kind: KindServiceCrash, Service: "param1|%1",
		Meaning: "a service terminated unexpectedly",
		Message: "The %1 service terminated unexpectedly. It has done this %2 time(s)."},

	// Service state changes: kept as messages (the text is language
	// dependent: param2 is localized; Binary holds "<service key>/<code>").
	{Provider: provSCM, ID: 7036, Kind: KindMessage, Service: "param1|%1",
		Meaning: "a service entered the running or stopped state",
		Message: "The %1 service entered the %2 state."},

	// Boot, shutdown, crashes.
	{Provider: provEventLog, ID: 6005, Kind: KindOSStart,
		Meaning: "the event log service started: the machine booted",
		Message: "The Event log service was started."},
	{Provider: provEventLog, ID: 6006, Kind: KindOSShutdown,
		Meaning: "the event log service stopped: a clean shutdown",
		Message: "The Event log service was stopped."},
	{Provider: provEventLog, ID: 6008, Kind: KindOSCrash,
		Meaning: "the previous shutdown was unexpected (crash, power loss, hard reset); logged at the next boot",
		Message: "The previous system shutdown at %1 on %2 was unexpected."},
	{Provider: provUser32, ID: 1074, Kind: KindOSShutdown,
		Meaning: "a planned restart or shutdown: the process, user and reason",
		Message: "The process %1 has initiated the %5 of computer %2 on behalf of user %7 for the following reason: %3 Reason Code: %4 Shutdown Type: %5 Comment: %6"},
	{Provider: provKernelPwr, ID: 41, Kind: KindOSCrash,
		Meaning: "the system rebooted without cleanly shutting down first (BugcheckCode 0: power loss or hang)",
		Message: "The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly."},

	// Storage and network adapters.
	{Provider: "disk", ID: 153, Kind: KindStorageIssue,
		Meaning: "an I/O was retried after the storage miniport timed it out",
		// The order of its values (device, address, disk number) is not
		// verified: they are listed rather than placed in the sentence.
		Message: "An I/O to a disk was retried after the storage driver timed it out (%*)."},
	{Provider: "*", ID: 129, Kind: KindStorageIssue, Match: resetToDevice,
		Meaning: "the storage driver timed out a request and reset the device or bus",
		Message: "Reset to device, %1, was issued."},
	{Provider: "e1*express", ID: 27, Kind: KindNetworkDown,
		Meaning: "a network adapter's link is down",
		Message: "%2 Network link is disconnected."},
	{Provider: "ixgb*", ID: 27, Kind: KindNetworkDown,
		Meaning: "a network adapter's link is down",
		Message: "%2 Network link is disconnected."},
}

// sqlService accepts the display names of the SQL Server database engine
// service: "SQL Server (MSSQLSERVER)", "SQL Server (INST1)" (not the Agent,
// Browser or VSS writer).
func sqlService(data []Field) bool {
	s := dataValue(data, "param1|%1")
	return strings.HasPrefix(s, "SQL Server (") || strings.EqualFold(s, "MSSQLSERVER") ||
		len(s) > 6 && strings.EqualFold(s[:6], "MSSQL$")
}

// clusterService accepts the cluster service.
func clusterService(data []Field) bool {
	s := dataValue(data, "param1|%1")
	return strings.EqualFold(s, "Cluster Service") || strings.EqualFold(s, "ClusSvc")
}

// resetToDevice accepts event 129 of a storport miniport: its first value
// is the device (\Device\RaidPort0); 129 of other providers means other things.
func resetToDevice(data []Field) bool {
	return strings.HasPrefix(dataValue(data, "%1"), `\Device\`)
}

// eventLogIndex maps an event id to the table rows that may match it.
var eventLogIndex = func() map[int][]*EventLogClass {
	m := map[int][]*EventLogClass{}
	for i := range EventLogTable {
		c := &EventLogTable[i]
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

// IsSQLServerProvider reports whether an event-log provider (source) is a SQL
// Server database engine: MSSQLSERVER or MSSQL$INSTANCE. Its event ids are
// SQL Server message numbers.
func IsSQLServerProvider(provider string) bool {
	return strings.EqualFold(provider, "MSSQLSERVER") || len(provider) > 6 && strings.EqualFold(provider[:6], "MSSQL$")
}

// LookupEventLog returns the table row for a provider and event id whose
// Match accepts the data, or nil.
func LookupEventLog(provider string, id int, data []Field) *EventLogClass {
	for _, c := range eventLogIndex[id] {
		if providerMatch(c.Provider, provider) && (c.Match == nil || c.Match(data)) {
			return c
		}
	}
	return nil
}

// ClassifyEventLog gives an event read from a Windows event log its Kind,
// Message and naming fields. data are the event's EventData/UserData values
// in order (named, or Data1, Data2 ... when unnamed).
//
// Events of the table get its Kind and Message (the English text rebuilt
// from the values), the fields "node", "resource", "role" and "service" when
// the table names them, Replica (the node) and AG (the role) like the
// cluster-log reader. SQL Server's own events (MSSQLSERVER, MSSQL$NAME) get
// Error = the event id and are classified by the ERRORLOG message table from
// the message rebuilt from their values, so they become the same kinds as
// the ERRORLOG lines; the instance name goes to the field "instance". Other
// events keep KindMessage, with a Message listing their values.
func ClassifyEventLog(ev *Event, provider string, id int, data []Field) {
	classifyEventLog(ev, provider, id, data, "")
}

// classifyEventLog is ClassifyEventLog with the rendered message of an
// export, which is used when present.
func classifyEventLog(ev *Event, provider string, id int, data []Field, rendered string) {
	ev.Kind = KindMessage
	if IsSQLServerProvider(provider) {
		ev.Error = id
		inst := "MSSQLSERVER"
		if len(provider) > 6 && provider[5] == '$' {
			inst = provider[6:]
		}
		ev.Fields = append(ev.Fields, Field{Name: "instance", Value: inst})
		sqlBinary(ev, id, data)
		ev.Message = rendered
		if ev.Message == "" {
			ev.Message = SQLMessageFromInserts(id, dataValues(data))
		}
		if ev.Message == "" {
			ev.Message = listValues(data)
		}
		if !ClassifyMessage(ev) && rendered != "" {
			// The rendered text may be localized: try the values.
			if msg := SQLMessageFromInserts(id, dataValues(data)); msg != "" {
				ev.Message = msg
				if !ClassifyMessage(ev) {
					ev.Message = rendered
				}
			}
		}
		return
	}
	c := LookupEventLog(provider, id, data)
	if c == nil {
		ev.Message = rendered
		if ev.Message == "" {
			ev.Message = listValues(data)
		}
		return
	}
	ev.Kind = c.Kind
	ev.Message = rendered
	if ev.Message == "" {
		ev.Message = expandInserts(c.Message, data)
	}
	if v := dataValue(data, c.Node); v != "" {
		ev.Replica = v
		ev.Fields = append(ev.Fields, Field{Name: "node", Value: v})
	}
	if v := dataValue(data, c.Resource); v != "" {
		ev.Fields = append(ev.Fields, Field{Name: "resource", Value: v})
	}
	if v := dataValue(data, c.Group); v != "" {
		ev.AG = v
		ev.Fields = append(ev.Fields, Field{Name: "role", Value: v})
	}
	if v := dataValue(data, c.Service); v != "" {
		ev.Fields = append(ev.Fields, Field{Name: "service", Value: v})
	}
}

// dataValues returns the values of the data fields that are insertion
// strings (Binary is not one).
func dataValues(data []Field) []string {
	out := make([]string, 0, len(data))
	for _, f := range data {
		if f.Name != "Binary" {
			out = append(out, f.Value)
		}
	}
	return out
}

// dataValue evaluates a selector such as "NodeName|%1" against data.
func dataValue(data []Field, sel string) string {
	for sel != "" {
		alt, rest, _ := strings.Cut(sel, "|")
		sel = rest
		if strings.HasPrefix(alt, "%") {
			n, err := strconv.Atoi(alt[1:])
			if err != nil || n < 1 {
				continue
			}
			i := 0
			for _, f := range data {
				if f.Name == "Binary" {
					continue
				}
				if i++; i == n {
					return f.Value
				}
			}
			continue
		}
		for _, f := range data {
			if f.Name == alt {
				return f.Value
			}
		}
	}
	return ""
}

// expandInserts replaces %1 ... %99 in msg with the data values, and %*
// with all of them listed (name=value).
func expandInserts(msg string, data []Field) string {
	if !strings.Contains(msg, "%") {
		return msg
	}
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		if strings.HasPrefix(msg[i:], "%*") {
			b.WriteString(listValues(data))
			i++
			continue
		}
		if msg[i] == '%' && i+1 < len(msg) && msg[i+1] >= '1' && msg[i+1] <= '9' {
			j := i + 2
			if j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
				j++
			}
			b.WriteString(dataValue(data, msg[i:j]))
			i = j - 1
			continue
		}
		b.WriteByte(msg[i])
	}
	return b.String()
}

// listValues renders data as "name=value, name=value" (at most 1000 bytes):
// the message of an event whose text is not in the table.
func listValues(data []Field) string {
	var b strings.Builder
	n := 0
	for _, f := range data {
		n += len(f.Name) + len(f.Value) + 3
	}
	b.Grow(min(n, 1024))
	for _, f := range data {
		if f.Name == "Binary" || f.Value == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.WriteString(f.Value)
		if b.Len() > 1000 {
			return b.String()[:1000] + " ..."
		}
	}
	return b.String()
}

// SQLMessageFromInserts rebuilds the text of SQL Server message num from the
// insertion strings an event log holds for it (the message's arguments in
// order), using the message table's patterns: the pattern's captures are
// filled with the values in order. It returns "" when the table has no
// pattern of that number whose captures the values can fill.
func SQLMessageFromInserts(num int, values []string) string {
	for _, t := range table.byNum[num] {
		n := 0
		for _, s := range t.segs {
			if s.capture != "" {
				n++
			}
		}
		if n > len(values) {
			continue
		}
		var b strings.Builder
		i := 0
		for k, s := range t.segs {
			b.WriteString(s.lit)
			if s.capture == "" {
				continue
			}
			if k == len(t.segs)-1 {
				// A final capture takes the rest of the message: the
				// remaining values, which SQL Server concatenates.
				b.WriteString(strings.Join(values[i:], ""))
				break
			}
			b.WriteString(strings.TrimSpace(values[i]))
			i++
		}
		return b.String()
	}
	return ""
}

// EventLogRecord is what one Windows event-log record holds, whatever the
// form it was read from (.evtx, an XML export): the System values as text
// and the EventData/UserData values in order.
type EventLogRecord struct {
	Provider, EventSourceName, EventID, Level, Channel, Computer string
	RecordID, UserID                                             string
	// Time is System/TimeCreated/@SystemTime.
	Time time.Time
	// Data are the EventData values (by their Name, or Data1, Data2 ...
	// when unnamed; Binary in hex) or the UserData leaf elements.
	Data []Field
	// Rendered is the message text when the export carries it
	// (RenderingInfo/Message); .evtx files do not.
	Rendered string
}

// Fill sets e from the record: Source, Clock (UTC), Time, Process (the
// provider), Server (the host part of the computer name), the fields
// EventID, Level (by name), Channel, RecordID, Computer, EventSourceName and
// UserID when present, then the data values, and the Kind, Message and
// naming fields of ClassifyEventLog. The rendered message, when present,
// replaces the one rebuilt from the values.
func (r *EventLogRecord) Fill(e *Event) {
	e.Source = SourceEventLog
	e.Clock = ClockUTC
	e.Time = r.Time
	e.Process = r.Provider
	e.Server = HostName(r.Computer)
	fields := make([]Field, 0, 9+len(r.Data)) // room for the naming fields
	fields = append(fields,
		Field{Name: "EventID", Value: r.EventID},
		Field{Name: "Level", Value: LevelName(r.Level)},
		Field{Name: "Channel", Value: r.Channel},
		Field{Name: "RecordID", Value: r.RecordID},
		Field{Name: "Computer", Value: r.Computer})
	if r.EventSourceName != "" {
		fields = append(fields, Field{Name: "EventSourceName", Value: r.EventSourceName})
	}
	if r.UserID != "" {
		fields = append(fields, Field{Name: "UserID", Value: r.UserID})
	}
	e.Fields = append(fields, r.Data...)
	id, _ := strconv.Atoi(strings.TrimSpace(r.EventID))
	classifyEventLog(e, r.Provider, id, r.Data, strings.TrimSpace(r.Rendered))
}

// levelNames are Event Viewer's names of the standard levels; 0 (LogAlways,
// classic providers) shows as Information.
var levelNames = [...]string{"Information", "Critical", "Error", "Warning", "Information", "Verbose"}

// LevelName returns Event Viewer's name of an event level number, or the
// text unchanged.
func LevelName(level string) string {
	if n, err := strconv.Atoi(strings.TrimSpace(level)); err == nil && n >= 0 && n < len(levelNames) {
		return levelNames[n]
	}
	return level
}

// HostName returns the host part of a computer name (SQLNODE1 of
// SQLNODE1.contoso.local), the name SQL Server logs use for the node. An IP
// address stays whole.
func HostName(computer string) string {
	computer = strings.TrimSpace(computer)
	if i := strings.IndexByte(computer, '.'); i > 0 {
		if _, err := strconv.Atoi(computer[:i]); err != nil {
			return computer[:i]
		}
	}
	return computer
}

// sqlBinary reads the Binary data SQL Server attaches to its events:
// little-endian int32 error number, severity and state, then the server
// name in UTF-16 (NUL-terminated), a length and the database name. The
// severity and state are kept when the number matches the event id.
func sqlBinary(ev *Event, id int, data []Field) {
	var raw []byte
	for _, f := range data {
		if f.Name == "Binary" {
			raw, _ = hex.DecodeString(f.Value)
		}
	}
	if len(raw) < 12 || int(binary.LittleEndian.Uint32(raw)) != id {
		return
	}
	sev, state := binary.LittleEndian.Uint32(raw[4:]), binary.LittleEndian.Uint32(raw[8:])
	if sev > 25 || state > 255 {
		return
	}
	ev.Severity, ev.State = int(sev), int(state)
	var name []rune
	for i := 12; i+1 < len(raw) && len(name) < 256; i += 2 {
		c := binary.LittleEndian.Uint16(raw[i:])
		if c == 0 {
			if len(name) > 0 {
				ev.Fields = append(ev.Fields, Field{Name: "server_name", Value: string(name)})
			}
			break
		}
		name = append(name, rune(c))
	}
}
