package scenario

import (
	"crypto/sha1"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/agtriage/agtriage/internal/evtxwrite"
)

// record is one ERRORLOG record: a timestamped first line and the
// continuation lines (tab-indented banner lines, blank lines) that follow it.
type record struct {
	at   time.Time // UTC
	src  string    // source column: Server, spid23s, Logon, Backup
	text string
	cont []string
}

// xeEvent is one AlwaysOn_health event, rendered as a one-line XML document
// or as a .xel record.
type xeEvent struct {
	at   time.Time
	name string
	data []xeData
}

// xeData is one <data> child of an event: its value, the map label (text)
// of map-typed fields, and whether the XML wraps the value in CDATA.
type xeData struct {
	name, value, text string
	cdata             bool
}

// xml renders the <data> element.
func (d xeData) xml() string {
	switch {
	case d.cdata:
		return fmt.Sprintf(`<data name="%s"><value><![CDATA[%s]]></value></data>`, d.name, d.value)
	case d.text != "":
		return fmt.Sprintf(`<data name="%s"><value>%s</value><text>%s</text></data>`, d.name, d.value, d.text)
	}
	return fmt.Sprintf(`<data name="%s"><value>%s</value></data>`, d.name, d.value)
}

// Replica collects what one SQL Server instance writes: its ERRORLOG
// generations (oldest first) and its AlwaysOn_health events.
type Replica struct {
	Host    string        // host = default instance name = replica name
	IP      string        // address of the host (26022 lines, [CLIENT: ...])
	Account string        // service account
	Offset  time.Duration // local wall clock = UTC + Offset
	Action  bool          // add the server_instance_name action to XEvents
	// Instance is the name of a named instance (HOST\INSTANCE); empty for
	// the default instance.
	Instance string
	// XEL writes the AlwaysOn_health events as a binary .xel file instead of
	// the XML export.
	XEL bool
	// Linux writes the ERRORLOG as SQL Server on Linux does: one 8-bit file
	// named errorlog (Windows-1252 here), LF line ends, no BOM.
	Linux bool

	logs    [][]record
	xe      []xeEvent
	sqldiag []diagEvent // the SQLDIAG log (health scenarios)

	// System log (event-log scenarios): written as a native System.evtx, or
	// as Event Viewer's "Save As XML" export (System.xml) when SystemXML.
	system    []evtxwrite.Event
	SystemXML bool
	// SystemCSV writes the System log as SQL LogScout's EventLog_System.csv.
	SystemCSV bool

	// Cluster log (only for replicas that are nodes of a Cluster).
	NodeID     int
	cluster    *Cluster
	clog       []clRecord
	clRestarts []time.Time    // cluster service restarts (new process ids)
	clDown     [][2]time.Time // cluster service out of the cluster
}

// NewReplica returns a replica with one empty ERRORLOG generation.
func NewReplica(host, ip, account string, offset time.Duration) *Replica {
	return &Replica{Host: host, IP: ip, Account: account, Offset: offset, logs: [][]record{nil}}
}

// Name is the instance name: the host, or HOST\INSTANCE for a named
// instance. It is the replica name of the availability group.
func (r *Replica) Name() string {
	if r.Instance != "" {
		return r.Host + `\` + r.Instance
	}
	return r.Host
}

// ID is the replica's availability replica id (deterministic, upper case).
func (r *Replica) ID() string { return guid("replica/" + r.Host) }

// NewLog starts a new ERRORLOG generation (instance restart or cycle).
func (r *Replica) NewLog() { r.logs = append(r.logs, nil) }

// Log appends a record to the current ERRORLOG generation.
func (r *Replica) Log(at time.Time, src, text string, cont ...string) {
	n := len(r.logs) - 1
	r.logs[n] = append(r.logs[n], record{at: at, src: src, text: text, cont: cont})
}

// xeFilter is the error_reported predicate of the AlwaysOn_health session
// (FORMATS.md 3.3).
var xeFilter = map[int]bool{
	9691: true, 35204: true, 9693: true, 26024: true, 28047: true, 26023: true, 9692: true,
	28034: true, 28036: true, 28048: true, 28080: true, 28091: true, 26022: true, 9642: true,
	35201: true, 35202: true, 35206: true, 35207: true, 26069: true, 26070: true,
	41048: true, 41049: true, 41050: true, 41051: true, 41052: true, 41053: true, 41054: true, 41055: true,
	41142: true, 41144: true, 1480: true, 823: true, 824: true, 829: true, 35264: true, 35265: true,
}

// Err logs error num: an "Error: N, Severity: S, State: T." header line when
// the severity is above 10, then the text with the identical timestamp and
// source. Numbers in the AlwaysOn_health filter also become error_reported
// events.
func (r *Replica) Err(at time.Time, src string, num, sev, state int, text string) {
	if sev > 10 {
		r.Log(at, src, fmt.Sprintf("Error: %d, Severity: %d, State: %d.", num, sev, state))
	}
	r.Log(at, src, text)
	if xeFilter[num] {
		r.ErrorReported(at, num, sev, state, text)
	}
}

// ErrorReported adds an error_reported event without an ERRORLOG line.
func (r *Replica) ErrorReported(at time.Time, num, sev, state int, text string) {
	r.XE(at, "error_reported",
		dataV("error_number", fmt.Sprint(num)),
		dataV("severity", fmt.Sprint(sev)),
		dataV("state", fmt.Sprint(state)),
		dataV("user_defined", "false"),
		dataVT("category", "2", "SERVER"),
		dataVT("destination", "0x00000002", "USER"),
		dataV("is_intercepted", "false"),
		dataS("message", text))
}

// XE appends an event with the given <data> children.
func (r *Replica) XE(at time.Time, name string, data ...xeData) {
	r.xe = append(r.xe, xeEvent{at: at, name: name, data: data})
}

func dataV(name, v string) xeData { return xeData{name: name, value: v} }

func dataVT(name, v, text string) xeData { return xeData{name: name, value: v, text: text} }

func dataS(name, s string) xeData { return xeData{name: name, value: s, cdata: true} }

// errorlogText renders generation i as text lines (without line ends).
func (r *Replica) errorlogText(i int) []string {
	recs := append([]record(nil), r.logs[i]...)
	sort.SliceStable(recs, func(a, b int) bool { return recs[a].at.Before(recs[b].at) })
	var out []string
	for _, rec := range recs {
		out = append(out, fmt.Sprintf("%s %-12s%s", r.localStamp(rec.at), rec.src, rec.text))
		out = append(out, rec.cont...)
	}
	return out
}

// localStamp formats t as the ERRORLOG prints it: local time with two-digit
// centiseconds.
func (r *Replica) localStamp(t time.Time) string {
	l := t.Add(r.Offset)
	return l.Format("2006-01-02 15:04:05") + fmt.Sprintf(".%02d", l.Nanosecond()/1e7)
}

// XeText renders the AlwaysOn_health events, one XML document per line.
func (r *Replica) XeText() []string {
	evs := append([]xeEvent(nil), r.xe...)
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].at.Before(evs[b].at) })
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		action := ""
		if r.Action {
			action = fmt.Sprintf(`<action name="server_instance_name" package="sqlserver"><value>%s</value></action>`, r.Name())
		}
		var body strings.Builder
		for _, d := range ev.data {
			body.WriteString(d.xml())
		}
		out = append(out, fmt.Sprintf(`<event name="%s" package="sqlserver" timestamp="%s">%s%s</event>`,
			ev.name, ev.at.UTC().Format("2006-01-02T15:04:05.000Z"), body.String(), action))
	}
	return out
}

// guid derives a stable upper-case GUID from a seed.
func guid(seed string) string {
	h := sha1.Sum([]byte(seed))
	s := fmt.Sprintf("%X", h[:16])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// MsDur converts a small count to a time.Duration multiplier.
func MsDur(i int) time.Duration { return time.Duration(i) }

// LogRange returns the times of the first and last ERRORLOG records.
func (r *Replica) LogRange() (time.Time, time.Time) {
	var a, b time.Time
	for _, log := range r.logs {
		for _, rec := range log {
			if a.IsZero() || rec.at.Before(a) {
				a = rec.at
			}
			if rec.at.After(b) {
				b = rec.at
			}
		}
	}
	return a, b
}

func Hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }
