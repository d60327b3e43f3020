package evtx

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/evtxwrite"
)

// Provider GUIDs as Windows writes them.
const (
	guidCluster = "{BAF908EA-3421-4CA9-9B84-6689B8C6F85F}"
	guidKernel  = "{331C3B3A-2005-44C2-AC5E-77220C37D6B4}"
)

var t0 = time.Date(2024, 3, 14, 7, 17, 20, 123456700, time.UTC)

// sysEvent is a System-log event of a manifest provider.
func sysEvent(at time.Duration, provider, guid string, id uint16, level uint8, data ...evtxwrite.Data) evtxwrite.Event {
	return evtxwrite.Event{
		Provider: provider, ProviderGUID: guid, EventID: id, Qualifiers: -1,
		Level: level, Keywords: 0x8000000000000000, Time: t0.Add(at),
		ProcessID: 1234, ThreadID: 5678, Channel: "System", Computer: "SQLNODE1.contoso.local",
		UserID: "S-1-5-18", Data: data,
	}
}

// classic is an event of a classic provider (unnamed data, qualifiers).
func classic(at time.Duration, provider string, id uint16, q int, level uint8, channel string, data ...string) evtxwrite.Event {
	ev := evtxwrite.Event{
		Provider: provider, EventID: id, Qualifiers: q, Level: level,
		Keywords: 0x0080000000000000, Time: t0.Add(at), Channel: channel, Computer: "SQLNODE1.contoso.local",
	}
	for _, d := range data {
		ev.Data = append(ev.Data, evtxwrite.Data{Value: evtxwrite.String(d)})
	}
	return ev
}

func named(name string, v evtxwrite.Value) evtxwrite.Data {
	return evtxwrite.Data{Name: name, Value: v}
}

func str(name, s string) evtxwrite.Data { return named(name, evtxwrite.String(s)) }

// sampleEvents are the events of the synthetic System and Application log:
// the AG-relevant ids of COLLECTIONS.md section 4, SQL Server's own events,
// and one event per value type.
func sampleEvents() []evtxwrite.Event {
	s := time.Second
	evs := []evtxwrite.Event{
		sysEvent(0, "Microsoft-Windows-FailoverClustering", guidCluster, 1135, 1, str("NodeName", "SQLNODE2")),
		sysEvent(2*s, "Microsoft-Windows-FailoverClustering", guidCluster, 1177, 1),
		sysEvent(3*s, "Microsoft-Windows-FailoverClustering", guidCluster, 1069, 2,
			str("ResourceName", "AGSALES"), str("ResourceGroup", "AGSALES"), str("ResTypeDll", "SQL Server Availability Group")),
		sysEvent(4*s, "Microsoft-Windows-FailoverClustering", guidCluster, 1205, 2, str("ResourceGroup", "AGSALES"), str("FailedResources", "AGSALES")),
		sysEvent(5*s, "Microsoft-Windows-FailoverClustering", guidCluster, 1254, 2, str("ResourceGroup", "AGSALES")),
		sysEvent(6*s, "Microsoft-Windows-FailoverClustering", guidCluster, 1146, 1),
		sysEvent(7*s, "Microsoft-Windows-FailoverClustering", guidCluster, 1006, 1),
		classic(8*s, "Service Control Manager", 7034, 49152, 2, "System", "SQL Server (MSSQLSERVER)", "1"),
		classic(9*s, "Service Control Manager", 7031, 49152, 2, "System", "Cluster Service", "1", "60000", "1", "Restart the service"),
		classic(10*s, "Service Control Manager", 7034, 49152, 2, "System", "Windows Update", "1"),
		classic(11*s, "EventLog", 6008, 32768, 2, "System", "2:17:41 AM", "3/14/2024", "", "", "1234", "", ""),
		classic(12*s, "User32", 1074, 32768, 4, "System", `C:\Windows\system32\shutdown.exe (SQLNODE1)`, "SQLNODE1", "Operating System: Upgrade (Planned)", "0x80020003", "restart", "patching", `CONTOSO\dba1`),
		sysEvent(13*s, "Microsoft-Windows-Kernel-Power", guidKernel, 41, 1,
			named("BugcheckCode", evtxwrite.Uint32(0)), named("BugcheckParameter1", evtxwrite.Hex64(0)),
			named("SleepInProgress", evtxwrite.Uint32(0)), named("PowerButtonTimestamp", evtxwrite.Uint64(0)),
			named("BootAppStatus", evtxwrite.Uint32(0)), named("Checkpoint", evtxwrite.Uint8(0)),
			named("ConnectedStandbyInProgress", evtxwrite.Bool(false)), named("SystemSleepTransitionsToOn", evtxwrite.Uint32(0)),
			named("CsEntryScenarioInstanceId", evtxwrite.Uint8(0)), named("BugcheckInfoFromEFI", evtxwrite.Bool(false)),
			named("CheckpointStatus", evtxwrite.Uint8(0))),
		classic(14*s, "disk", 153, 32772, 3, "System", `\Device\Harddisk2\DR2`, "0x3a40c00", "2", "4"),
		classic(15*s, "storvsc", 129, 32772, 3, "System", `\Device\RaidPort1`),
		classic(16*s, "e1iexpress", 27, 40964, 3, "System", "", "Intel(R) 82574L Gigabit Network Connection"),
		// SQL Server's own events (Application log).
		classic(17*s, "MSSQLSERVER", 19407, 16384, 4, "Application", "AGSALES"),
		classic(18*s, "MSSQL$INST1", 35206, 16384, 4, "Application", "SQLNODE2\\INST1", "5F3C0B6E-1234-4C1A-9A3B-0123456789AB"),
		classic(19*s, "MSSQLSERVER", 19406, 16384, 4, "Application", "AGSALES", "PRIMARY_NORMAL", "RESOLVING_NORMAL", "Availability group state has changed."),
		classic(20*s, "MSSQLSERVER", 18456, 49152, 0, "Application", "app", " Reason: Password did not match that for the login provided.", " [CLIENT: 10.0.0.7]"),
	}
	// Every value type, arrays, a SYSTEMTIME, a nested UserData document.
	types := sysEvent(21*s, "Agtriage-Test-Types", "{11111111-2222-3333-4444-555555555555}", 100, 4,
		named("Int8", evtxwrite.Int8(-5)), named("Uint8", evtxwrite.Uint8(250)),
		named("Int16", evtxwrite.Int16(-300)), named("Uint16", evtxwrite.Uint16(65000)),
		named("Int32", evtxwrite.Int32(-70000)), named("Uint32", evtxwrite.Uint32(4000000000)),
		named("Int64", evtxwrite.Int64(-5000000000)), named("Uint64", evtxwrite.Uint64(18000000000000000000)),
		named("Hex32", evtxwrite.Hex32(0xC0000005)), named("Hex64", evtxwrite.Hex64(0x8000000000000000)),
		named("Bool", evtxwrite.Bool(true)), named("Real64", evtxwrite.Real64(0.5)),
		named("GUID", evtxwrite.GUID("{5F3C0B6E-1234-4C1A-9A3B-0123456789AB}")),
		named("SID", evtxwrite.SID("S-1-5-21-3463664321-2923530833-3546627382-1000")),
		named("FileTime", evtxwrite.FileTime(t0)), named("SysTime", evtxwrite.SysTime(t0)),
		named("Bytes", evtxwrite.Binary([]byte{0xDE, 0xAD, 0xBE, 0xEF})),
		named("Ansi", evtxwrite.Ansi("caf\xe9")), named("Unicode", evtxwrite.String("Grüße, 東京 <&>")),
		named("Strings", evtxwrite.StringArray("one", "two", "three")),
		named("Numbers", evtxwrite.Uint32Array(1, 2, 3)),
		named("Absent", evtxwrite.Null()), named("Empty", evtxwrite.String("")),
	)
	types.Binary = []byte{1, 2, 3}
	user := sysEvent(22*s, "Microsoft-Windows-Eventlog", "{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}", 104, 4)
	user.UserData = &evtxwrite.Elem{Name: "LogFileCleared", Attrs: [][2]string{{"xmlns", "http://manifests.microsoft.com/win/2004/08/windows/eventlog"}},
		Children: []*evtxwrite.Elem{{Name: "SubjectUserName", Text: "dba1"}, {Name: "SubjectDomainName", Text: "CONTOSO"}, {Name: "Channel", Text: "System"}}}
	return append(evs, types, user)
}

// sampleFile is the synthetic log: the sample events, then enough filler
// (Service Control Manager 7036) to span several chunks.
func sampleFile() []byte {
	w := &evtxwrite.Writer{}
	for _, ev := range sampleEvents() {
		w.Add(ev)
	}
	for i := 0; i < 400; i++ {
		state := "running"
		if i%2 == 1 {
			state = "stopped"
		}
		ev := classic(time.Duration(30+i)*time.Second, "Service Control Manager", 7036, 16384, 4, "System",
			fmt.Sprintf("Service number %d", i), state)
		ev.Binary = []byte("W\x00u\x00a\x00u\x00S\x00e\x00r\x00v\x00/\x001\x00\x00\x00")
		w.Add(ev)
	}
	return w.Bytes()
}
