package evtxwrite

import (
	"strconv"
	"strings"
	"time"
)

// Constructors of the System and Application log events an availability
// group incident involves, shaped as Windows writes them (provider, GUID,
// qualifiers, level, data names), for test fixtures and scenario bundles.
// computer is the node's FQDN (SQLNODE1.contoso.local).

// Provider GUIDs.
const (
	GUIDFailoverClustering = "{BAF908EA-3421-4CA9-9B84-6689B8C6F85F}"
	GUIDKernelPower        = "{331C3B3A-2005-44C2-AC5E-77220C37D6B4}"
	GUIDServiceControl     = "{555908D1-A6D7-4695-8E1E-26931D2012F4}"
	GUIDUser32             = "{B0AA8734-56F7-41CC-B2F4-DE228E98B946}"
)

// Manifest returns an event of a manifest-based provider (named data).
func Manifest(at time.Time, computer, channel, provider, guid string, id uint16, level uint8, data ...Data) Event {
	return Event{
		Provider: provider, ProviderGUID: guid, EventID: id, Qualifiers: -1, Level: level,
		Keywords: 0x8000000000000000, Time: at, ProcessID: 2248, ThreadID: 4760,
		Channel: channel, Computer: computer, UserID: "S-1-5-18", Data: data,
	}
}

// Classic returns an event of a classic provider: unnamed data, qualifiers,
// keywords 0x0080000000000000 (Classic).
func Classic(at time.Time, computer, channel, provider string, id uint16, qualifiers int, level uint8, data ...string) Event {
	ev := Event{
		Provider: provider, EventID: id, Qualifiers: qualifiers, Level: level,
		Keywords: 0x0080000000000000, Time: at, Channel: channel, Computer: computer,
	}
	for _, d := range data {
		ev.Data = append(ev.Data, Data{Value: String(d)})
	}
	return ev
}

// Named is a named UTF-16 string value.
func Named(name, value string) Data { return Data{Name: name, Value: String(value)} }

func cluster(at time.Time, computer string, id uint16, level uint8, data ...Data) Event {
	return Manifest(at, computer, "System", "Microsoft-Windows-FailoverClustering", GUIDFailoverClustering, id, level, data...)
}

// NodeRemoved is FailoverClustering 1135: node was removed from the active
// membership (logged by the other nodes).
func NodeRemoved(at time.Time, computer, node string) Event {
	return cluster(at, computer, 1135, 1, Named("NodeName", node))
}

// QuorumLost is FailoverClustering 1177.
func QuorumLost(at time.Time, computer string) Event { return cluster(at, computer, 1177, 1) }

// ClusterHalted is FailoverClustering 1006.
func ClusterHalted(at time.Time, computer string) Event { return cluster(at, computer, 1006, 1) }

// ResourceFailed is FailoverClustering 1069: resource of type typ in
// clustered role group failed.
func ResourceFailed(at time.Time, computer, resource, group, typ string) Event {
	return cluster(at, computer, 1069, 2, Named("ResourceName", resource), Named("ResourceGroup", group), Named("ResTypeDll", typ))
}

// RoleFailed is FailoverClustering 1205: the role could not be brought
// completely online or offline.
func RoleFailed(at time.Time, computer, group string) Event {
	return cluster(at, computer, 1205, 2, Named("ResourceGroup", group), Named("FailedResources", group))
}

// FailoverThreshold is FailoverClustering 1254.
func FailoverThreshold(at time.Time, computer, group string) Event {
	return cluster(at, computer, 1254, 2, Named("ResourceGroup", group))
}

// RHSTerminated is FailoverClustering 1146.
func RHSTerminated(at time.Time, computer string) Event { return cluster(at, computer, 1146, 1) }

// ServiceTerminated is Service Control Manager 7034 for the service of
// that display name ("SQL Server (MSSQLSERVER)"), terminated count times.
func ServiceTerminated(at time.Time, computer, display string, count int) Event {
	ev := Manifest(at, computer, "System", "Service Control Manager", GUIDServiceControl, 7034, 2,
		Named("param1", display), Named("param2", strconv.Itoa(count)))
	ev.Qualifiers, ev.EventSourceName, ev.Keywords, ev.UserID = 49152, "Service Control Manager", 0x8080000000000000, ""
	return ev
}

// UnexpectedShutdown is EventLog 6008, logged at the next boot: the
// previous shutdown at the local time and date given as text was unexpected.
func UnexpectedShutdown(at time.Time, computer, localTime, localDate string) Event {
	return Classic(at, computer, "System", "EventLog", 6008, 32768, 2, localTime, localDate, "", "", "0", "", "")
}

// PlannedRestart is User32 1074: process initiated a restart on behalf of
// user, for reason (code such as 0x80020003), with a comment.
func PlannedRestart(at time.Time, computer, process, user, reason, code, comment string) Event {
	host, _, _ := strings.Cut(computer, ".")
	ev := Manifest(at, computer, "System", "User32", GUIDUser32, 1074, 4,
		Named("param1", process), Named("param2", host), Named("param3", reason), Named("param4", code),
		Named("param5", "restart"), Named("param6", comment), Named("param7", user))
	ev.Qualifiers, ev.EventSourceName = 32768, "User32"
	return ev
}

// KernelPower41 is Kernel-Power 41: rebooted without a clean shutdown
// (bugcheck 0: power loss or hang).
func KernelPower41(at time.Time, computer string, bugcheck uint32) Event {
	return Manifest(at, computer, "System", "Microsoft-Windows-Kernel-Power", GUIDKernelPower, 41, 1,
		Data{Name: "BugcheckCode", Value: Uint32(bugcheck)}, Data{Name: "BugcheckParameter1", Value: Hex64(0)},
		Data{Name: "SleepInProgress", Value: Uint32(0)}, Data{Name: "PowerButtonTimestamp", Value: Uint64(0)})
}

// SQLServer is one of SQL Server's own events in the Application log: the
// source is MSSQLSERVER or MSSQL$INSTANCE, the event id the message
// number, the data the message's arguments in order, and Binary the
// number, severity and state as SQL Server attaches them.
func SQLServer(at time.Time, computer, instance string, number uint16, severity, state uint32, args ...string) Event {
	source := "MSSQLSERVER"
	if instance != "" && instance != "MSSQLSERVER" {
		source = "MSSQL$" + instance
	}
	q, level := 16384, uint8(4)
	if severity > 10 {
		q, level = 49152, 2
	}
	ev := Classic(at, computer, "Application", source, number, q, level, args...)
	bin := Uint32(uint32(number)).Data
	bin = append(bin, Uint32(severity).Data...)
	bin = append(bin, Uint32(state).Data...)
	host, _, _ := strings.Cut(computer, ".")
	bin = append(bin, String(host).Data...)
	bin = append(bin, 0, 0)
	ev.Binary = bin
	return ev
}
