package errorlog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// fixtureDir holds the ERRORLOG fixtures (see its gen.sh).
var fixtureDir = filepath.Join("..", "..", "testdata", "errorlog")

// readAll reads every event of data and checks the invariants that hold for
// any input: line accounting, event counts, byte count, warnings naming the file.
func readAll(t testing.TB, data []byte, file string, maxLine int) ([]*parsers.Event, []*parsers.Warning, *Reader) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), file)
	r.MaxLineBytes = maxLine
	var evs []*parsers.Event
	var warns []*parsers.Warning
	for ev, err := range r.Events() {
		if err != nil {
			var w *parsers.Warning
			if !errors.As(err, &w) {
				t.Fatalf("%s: fatal error: %v", file, err)
			}
			if w.File != file || !strings.HasPrefix(w.Error(), file) {
				t.Errorf("warning does not name the file: %v", w)
			}
			warns = append(warns, w)
			continue
		}
		if ev == nil {
			t.Fatalf("%s: nil event with nil error", file)
		}
		evs = append(evs, ev)
	}
	checkInvariants(t, r, data, evs, warns)
	return evs, warns, r
}

func checkInvariants(t testing.TB, r *Reader, data []byte, evs []*parsers.Event, warns []*parsers.Warning) {
	t.Helper()
	s := r.Stats()
	if got := s.Records + s.Continuations + s.Unrecognized + r.SkippedLines(); got != s.Lines {
		t.Errorf("line accounting: records %d + continuations %d + unrecognized %d + skipped %d = %d, want Lines %d",
			s.Records, s.Continuations, s.Unrecognized, r.SkippedLines(), got, s.Lines)
	}
	if s.Events != len(evs) {
		t.Errorf("Stats.Events = %d, yielded %d", s.Events, len(evs))
	}
	if s.Events > s.Records {
		t.Errorf("%d events from %d records", s.Events, s.Records)
	}
	if s.Bytes != int64(len(data)) {
		t.Errorf("Stats.Bytes = %d, input has %d", s.Bytes, len(data))
	}
	if s.SkippedBytes < 0 || s.SkippedBytes > s.Bytes {
		t.Errorf("SkippedBytes %d out of range (Bytes %d)", s.SkippedBytes, s.Bytes)
	}
	if s.TotalWarnings != len(warns) {
		t.Errorf("TotalWarnings = %d, yielded %d", s.TotalWarnings, len(warns))
	}
	n := 0
	for _, k := range s.ByKind {
		n += k
	}
	if n != s.Events {
		t.Errorf("ByKind sums to %d, Events = %d", n, s.Events)
	}
	prev := 0
	for _, ev := range evs {
		if ev.Line <= prev {
			t.Errorf("event lines not increasing: %d after %d", ev.Line, prev)
		}
		prev = ev.Line
		if ev.Source != parsers.SourceErrorlog || ev.File != s.File || ev.Kind == "" || ev.Process == "" {
			t.Errorf("event at line %d lacks Source/File/Kind/Process: %+v", ev.Line, ev)
		}
		if ev.Server != "" {
			t.Errorf("line %d: reader set Server %q", ev.Line, ev.Server)
		}
		// A file may declare more than one offset (restarts): any whole
		// number of minutes within a day is possible for UTC events.
		d := ev.Local.Sub(ev.Time)
		if ev.Clock == parsers.ClockLocal && d != 0 || ev.Clock == parsers.ClockUTC && (d%time.Minute != 0 || d < -15*time.Hour || d > 15*time.Hour) {
			t.Errorf("line %d: Time %v, Local %v, clock %v", ev.Line, ev.Time, ev.Local, ev.Clock)
		}
	}
}

func readFixture(t *testing.T, name string, maxLine int) ([]*parsers.Event, []*parsers.Warning, *Reader) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, data, name, maxLine)
}

// byLine indexes events by their first line.
func byLine(evs []*parsers.Event) map[int]*parsers.Event {
	m := make(map[int]*parsers.Event, len(evs))
	for _, ev := range evs {
		m[ev.Line] = ev
	}
	return m
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999", s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantEvent is what a fixture test asserts about the event of one line; empty
// fields are not checked, except that Message is always compared when set.
type wantEvent struct {
	line    int
	process string
	local   string // "2006-01-02 15:04:05.999"
	utc     string // "" when Clock is local
	err     int
	sev     int
	state   int
	msg     string // exact message
	prefix  string // message prefix, when msg is empty
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		file                                          string
		encoding                                      string
		lines, records, continuations, unrec, nevents int
		server                                        string
		offset                                        time.Duration
		hasOffset                                     bool
		clock                                         parsers.Clock
		noEventAt                                     []int
		events                                        []wantEvent
	}{{
		file: "primary.utf16le.log", encoding: "UTF-16LE",
		lines: 45, records: 37, continuations: 8, nevents: 35,
		server: `SQLNODE1\PROD`, offset: -7 * time.Hour, hasOffset: true, clock: parsers.ClockUTC,
		noEventAt: []int{2, 5, 31, 33},
		events: []wantEvent{
			{line: 1, process: "Server", local: "2024-03-12 08:14:02.31", utc: "2024-03-12 15:14:02.31",
				msg: "Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64)\n\tJul 27 2023 18:11:00\n" +
					"\tCopyright (C) 2019 Microsoft Corporation\n" +
					"\tEnterprise Edition: Core-based Licensing (64-bit) on Windows Server 2019 Datacenter 10.0 <X64> (Build 17763: ) (Hypervisor)"},
			{line: 6, process: "Server", local: "2024-03-12 08:14:02.33", utc: "2024-03-12 15:14:02.33", msg: "UTC adjustment: -7:00"},
			{line: 12, process: "Server", msg: "Registry startup parameters:\n\t -d D:\\MSSQL15.PROD\\MSSQL\\DATA\\master.mdf\n" +
				"\t -e D:\\MSSQL15.PROD\\MSSQL\\Log\\ERRORLOG\n\t -l D:\\MSSQL15.PROD\\MSSQL\\DATA\\mastlog.ldf"},
			{line: 16, msg: "Command Line Startup Parameters:\n\t -s \"PROD\""},
			{line: 18, process: "spid9s", local: "2024-03-12 08:14:04.87", utc: "2024-03-12 15:14:04.87",
				msg: `Server name is 'SQLNODE1\PROD'. This is an informational message only. No user action is required.`},
			{line: 30, process: "Server", local: "2024-03-12 09:47:06.07", utc: "2024-03-12 16:47:06.07", err: 19419, sev: 16, state: 1,
				msg: "Windows Server Failover Cluster did not receive a process event signal from SQL Server hosting availability group 'AG1' within the lease timeout period."},
			{line: 32, process: "Server", err: 19407, sev: 16, state: 1, prefix: "The lease between availability group 'AG1' and the Windows Server"},
			{line: 39, process: "Logon", local: "2024-03-12 09:48:30.44",
				msg: `Database Mirroring login attempt by user 'CONTOSO\svc-sql2.' failed with error: 'Connection handshake failed. ` +
					`The login 'CONTOSO\svc-sql2' does not have CONNECT permission on the endpoint. State 84.'.  [CLIENT: 10.20.0.12]`},
			// A header whose text has another timestamp stays alone.
			{line: 40, process: "Server", local: "2024-03-12 09:50:02.51", err: 19421, sev: 16, state: 1, msg: "Error: 19421, Severity: 16, State: 1."},
			{line: 41, process: "Server", local: "2024-03-12 09:50:02.88", prefix: "SQL Server hosting availability group 'AG1' did not receive"},
			{line: 45, process: "spid12s", utc: "2024-03-12 16:58:11.70", prefix: "SQL Server is terminating in response to a 'stop' request"},
		},
	}, {
		file: "secondary.utf16be.log", encoding: "UTF-16BE",
		lines: 14, records: 10, continuations: 4, nevents: 10,
		server: `SQLNODE2\PROD`, offset: 5*time.Hour + 30*time.Minute, hasOffset: true, clock: parsers.ClockUTC,
		events: []wantEvent{
			{line: 1, local: "2024-03-12 20:44:01.12", utc: "2024-03-12 15:14:01.12", prefix: "Microsoft SQL Server 2022 (RTM-CU12)"},
			{line: 9, process: "spid50s", local: "2024-03-12 21:17:17.05", utc: "2024-03-12 15:47:17.05",
				prefix: "Always On: The local replica of availability group 'AG1' is preparing to transition to the primary role"},
			{line: 14, process: "spid27s", utc: "2024-03-12 15:47:30.77",
				msg: "Always On Availability Groups data movement for database 'SalesDB' has been resumed. This is an informational message only. No user action is required."},
		},
	}, {
		file: "ssms.utf8.log", encoding: "UTF-8",
		lines: 5, records: 5, nevents: 4, clock: parsers.ClockLocal,
		noEventAt: []int{4},
		events: []wantEvent{
			{line: 1, process: "spid43s", local: "2023-02-15 07:10:55.5", prefix: "Always On Availability Groups connection with secondary database terminated"},
			{line: 2, process: "spid43s", local: "2023-02-15 07:11:03.1"},
			{line: 3, process: "Logon", local: "2023-02-15 07:12:40.25", err: 18456, sev: 14, state: 38,
				msg: "Login failed for user 'CONTOSO\\app'. Reason: Failed to open the explicitly specified database 'SalesDB'. [CLIENT: 10.20.4.31]"},
			// No fraction at all; trailing spaces trimmed.
			{line: 5, process: "Backup", local: "2023-02-15 07:13:00",
				prefix: "Database backed up. Database: SalesDB, creation date(time): 2023/01/02(10:11:12)"},
		},
	}, {
		file: "linux.cp1252.log", encoding: "Windows-1252",
		lines: 8, records: 5, continuations: 3, nevents: 5,
		server: "sqllnx1", hasOffset: true, clock: parsers.ClockUTC,
		events: []wantEvent{
			{line: 1, local: "2024-05-02 06:00:10.11", utc: "2024-05-02 06:00:10.11",
				msg: "Microsoft SQL Server 2019 (RTM-CU25) (KB5033688) - 15.0.4355.3 (X64)\n\tJan 25 2024 19:35:14\n" +
					"\tCopyright (C) 2019 Microsoft Corporation\n\tDeveloper Edition (64-bit) on Linux (Ubuntu 20.04.6 LTS) <X64>"},
			{line: 7, process: "spid33s", prefix: "AlwaysOn Availability Groups connection with primary database terminated for secondary database 'Café' on"},
			{line: 8, prefix: `The availability group database "Café" is changing roles`},
		},
	}, {
		file: "copy.utf8bom.log", encoding: "UTF-8 (BOM)",
		lines: 9, records: 5, continuations: 4, nevents: 5,
		server: "WIN-AG3", offset: time.Hour, hasOffset: true, clock: parsers.ClockUTC,
		events: []wantEvent{
			{line: 1, local: "2025-03-11 11:07:19.58", utc: "2025-03-11 10:07:19.58", prefix: "Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)\n\tSep 24 2019"},
			{line: 9, process: "spid62s", utc: "2025-03-11 10:30:00.46",
				msg: "The availability group 'AG2' is being asked to stop the lease renewal because the availability group is going offline. This is an informational message only. No user action is required."},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			evs, warns, r := readFixture(t, tc.file, 0)
			s := r.Stats()
			for _, w := range warns {
				t.Errorf("unexpected warning: %v", w)
			}
			if s.Encoding != tc.encoding || s.Format != parsers.FormatErrorlog || s.File != tc.file {
				t.Errorf("Encoding %q Format %q File %q, want %q errorlog %q", s.Encoding, s.Format, s.File, tc.encoding, tc.file)
			}
			if s.Lines != tc.lines || s.Records != tc.records || s.Continuations != tc.continuations ||
				s.Unrecognized != tc.unrec || s.Events != tc.nevents {
				t.Errorf("lines/records/continuations/unrecognized/events = %d/%d/%d/%d/%d, want %d/%d/%d/%d/%d",
					s.Lines, s.Records, s.Continuations, s.Unrecognized, s.Events,
					tc.lines, tc.records, tc.continuations, tc.unrec, tc.nevents)
			}
			if s.Server != tc.server || s.UTCOffset != tc.offset || s.HasUTCOffset != tc.hasOffset || s.Clock != tc.clock {
				t.Errorf("Server %q offset %v/%v clock %v, want %q %v/%v %v",
					s.Server, s.UTCOffset, s.HasUTCOffset, s.Clock, tc.server, tc.offset, tc.hasOffset, tc.clock)
			}
			if s.SkippedBytes != 0 || r.SkippedLines() != 0 {
				t.Errorf("skipped %d bytes / %d lines", s.SkippedBytes, r.SkippedLines())
			}
			for _, ev := range evs {
				want := ev.Local
				if tc.clock == parsers.ClockUTC {
					want = ev.Local.Add(-tc.offset)
				}
				if ev.Clock != tc.clock || !ev.Time.Equal(want) {
					t.Errorf("line %d: clock %v time %v, want %v %v", ev.Line, ev.Clock, ev.Time, tc.clock, want)
				}
			}
			m := byLine(evs)
			for _, l := range tc.noEventAt {
				if ev := m[l]; ev != nil {
					t.Errorf("unexpected event at line %d: %q", l, ev.Message)
				}
			}
			for _, w := range tc.events {
				ev := m[w.line]
				if ev == nil {
					t.Errorf("no event at line %d", w.line)
					continue
				}
				checkEvent(t, ev, w)
			}
		})
	}
}

func checkEvent(t *testing.T, ev *parsers.Event, w wantEvent) {
	t.Helper()
	if w.process != "" && ev.Process != w.process {
		t.Errorf("line %d: Process %q, want %q", w.line, ev.Process, w.process)
	}
	if w.local != "" && !ev.Local.Equal(ts(w.local)) {
		t.Errorf("line %d: Local %v, want %s", w.line, ev.Local, w.local)
	}
	if w.utc != "" && (!ev.Time.Equal(ts(w.utc)) || ev.Clock != parsers.ClockUTC) {
		t.Errorf("line %d: Time %v clock %v, want %s UTC", w.line, ev.Time, ev.Clock, w.utc)
	}
	if w.err != 0 && (ev.Error != w.err || ev.Severity != w.sev || ev.State != w.state) {
		t.Errorf("line %d: Error/Severity/State %d/%d/%d, want %d/%d/%d", w.line, ev.Error, ev.Severity, ev.State, w.err, w.sev, w.state)
	}
	if w.msg != "" && ev.Message != w.msg {
		t.Errorf("line %d: Message\n%q, want\n%q", w.line, ev.Message, w.msg)
	}
	if w.prefix != "" && !strings.HasPrefix(ev.Message, w.prefix) {
		t.Errorf("line %d: Message %q, want prefix %q", w.line, ev.Message, w.prefix)
	}
}

// TestClassified checks that the reader hands every record to
// parsers.ClassifyMessage and keeps what it fills in (header numbers win).
func TestClassified(t *testing.T) {
	type want struct {
		line           int
		kind           parsers.Kind
		err            int
		ag, from, to   string
		database       string
		replica        string
		client         string
		handshakeState int
	}
	tests := []struct {
		file string
		want []want
	}{{
		file: "primary.utf16le.log",
		want: []want{
			{line: 20, kind: parsers.KindClusterWaiting, err: 41050},
			{line: 21, kind: parsers.KindClusterOnline, err: 41051},
			{line: 25, kind: parsers.KindClusterOnline, err: 41055},
			{line: 26, kind: parsers.KindReplicaStateChange, err: 19406, ag: "AG1", from: "NOT_AVAILABLE", to: "RESOLVING_NORMAL"},
			{line: 28, kind: parsers.KindReplicaStateChange, err: 19406, ag: "AG1", from: "PRIMARY_PENDING", to: "PRIMARY_NORMAL"},
			{line: 29, kind: parsers.KindConnectionEstablished, err: 35202, ag: "AG1"},
			{line: 30, kind: parsers.KindLeaseExpired, err: 19419, ag: "AG1"},
			{line: 32, kind: parsers.KindLeaseExpired, err: 19407, ag: "AG1"},
			{line: 34, kind: parsers.KindLeaseExpired, err: 41091, ag: "AG1"},
			{line: 35, kind: parsers.KindReplicaStateChange, err: 19406, ag: "AG1", from: "PRIMARY_NORMAL", to: "RESOLVING_NORMAL"},
			{line: 36, kind: parsers.KindDatabaseRoleChange, err: 1480, database: "SalesDB", from: "PRIMARY", to: "RESOLVING"},
			{line: 37, kind: parsers.KindConnectionTimeout, err: 35206, replica: `SQLNODE2\PROD`},
			{line: 38, kind: parsers.KindDataMovementSuspended, err: 35264, database: "SalesDB"},
			{line: 39, kind: parsers.KindHandshakeFailure, err: 28048, client: "10.20.0.12", handshakeState: 84},
			{line: 40, kind: parsers.KindLeaseExpired, err: 19421},
			{line: 42, kind: parsers.KindClusterUnavailable, err: 41048},
			{line: 43, kind: parsers.KindClusterUnavailable, err: 41049},
			{line: 44, kind: parsers.KindQuorumLost, err: 41092},
		},
	}, {
		file: "secondary.utf16be.log",
		want: []want{
			{line: 8, kind: parsers.KindConnectionTimeout, err: 35206, replica: `SQLNODE1\PROD`},
			{line: 9, kind: parsers.KindRoleTransition, err: 41074, ag: "AG1", to: "PRIMARY"},
			{line: 10, kind: parsers.KindReplicaStateChange, err: 19406, ag: "AG1", from: "SECONDARY_NORMAL", to: "RESOLVING_PENDING_FAILOVER"},
			{line: 11, kind: parsers.KindDatabaseRoleChange, err: 1480, database: "SalesDB", from: "SECONDARY", to: "RESOLVING"},
			{line: 12, err: 19424, ag: "AG1"},
			{line: 13, kind: parsers.KindConnectionTimeout, err: 35201, replica: `SQLNODE1\PROD`},
			{line: 14, kind: parsers.KindDataMovementResumed, err: 35265, database: "SalesDB"},
		},
	}, {
		file: "ssms.utf8.log",
		want: []want{
			{line: 1, kind: parsers.KindDatabaseDisconnected, err: 35267, database: "SalesDB", replica: `SQLNODE2\PROD`},
			{line: 2, kind: parsers.KindDatabaseConnected, err: 35266, database: "SalesDB"},
			{line: 3, kind: parsers.KindLoginFailed, err: 18456, client: "10.20.4.31"},
		},
	}, {
		file: "linux.cp1252.log",
		want: []want{
			{line: 7, kind: parsers.KindDatabaseDisconnected, err: 35267, database: "Café", replica: "sqllnx2"},
			{line: 8, kind: parsers.KindDatabaseRoleChange, err: 1480, database: "Café", from: "SECONDARY", to: "RESOLVING"},
		},
	}, {
		file: "copy.utf8bom.log",
		want: []want{
			{line: 8, kind: parsers.KindRoleTransition, err: 41075, ag: "AG2", to: "RESOLVING"},
			{line: 9, kind: parsers.KindLeaseStopped, err: 19420, ag: "AG2"},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			evs, _, _ := readFixture(t, tc.file, 0)
			m := byLine(evs)
			for _, w := range tc.want {
				ev := m[w.line]
				if ev == nil {
					t.Errorf("no event at line %d", w.line)
					continue
				}
				if (w.kind != "" && ev.Kind != w.kind) || ev.Error != w.err ||
					(w.ag != "" && ev.AG != w.ag) || (w.from != "" && ev.From != w.from) || (w.to != "" && ev.To != w.to) ||
					(w.database != "" && ev.Database != w.database) || (w.replica != "" && ev.Replica != w.replica) ||
					(w.client != "" && ev.Client != w.client) || ev.HandshakeState != w.handshakeState {
					t.Errorf("line %d: got kind %q error %d ag %q from %q to %q db %q replica %q client %q hs %d\nwant %+v",
						w.line, ev.Kind, ev.Error, ev.AG, ev.From, ev.To, ev.Database, ev.Replica, ev.Client, ev.HandshakeState, w)
				}
			}
		})
	}
}

func TestDamaged(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "damaged.utf8.log"))
	if err != nil {
		t.Fatal(err)
	}
	evs, warns, r := readAll(t, data, "damaged.utf8.log", 1024)
	s := r.Stats()
	// Line 1: text before the first record. Lines 3, 5, 6, 7, 8, 9: invalid
	// timestamps; line 4 continues a broken record. Line 11 is too long.
	wantWarn := map[int]string{3: "invalid date", 5: "invalid date", 6: "invalid date", 7: "fraction",
		8: "fraction", 9: "no source", 11: "longer than 1024"}
	if len(warns) != len(wantWarn) {
		t.Errorf("%d warnings, want %d: %v", len(warns), len(wantWarn), warns)
	}
	for _, w := range warns {
		if want, ok := wantWarn[w.Line]; !ok || !strings.Contains(w.Msg, want) {
			t.Errorf("warning %v, want line %d to say %q", w, w.Line, want)
		}
	}
	if s.Lines != 13 || s.Records != 3 || s.Unrecognized != 8 || s.Continuations != 1 || r.SkippedLines() != 1 {
		t.Errorf("lines/records/unrecognized/continuations/skipped = %d/%d/%d/%d/%d, want 13/3/8/1/1",
			s.Lines, s.Records, s.Unrecognized, s.Continuations, r.SkippedLines())
	}
	longLine := len("2024-06-01 10:00:08.00 spid5s      ") + 3000 + 1
	if s.SkippedBytes != int64(longLine) {
		t.Errorf("SkippedBytes = %d, want %d", s.SkippedBytes, longLine)
	}
	if s.UTCOffset != 2*time.Hour {
		t.Errorf("offset %v", s.UTCOffset)
	}
	m := byLine(evs)
	if ev := m[10]; ev == nil || ev.Process != "spid5s" || ev.Message != "Starting up database 'msdb'." || !ev.Local.Equal(ts("2024-06-01 10:00:07")) {
		t.Errorf("line 10: %+v", ev)
	}
	if ev := m[12]; ev == nil || ev.Message != "Recovery is complete. This is an informational message only. No user action is required.\n\ttrailing continuation" {
		t.Errorf("line 12: %+v", ev)
	}
}

// TestLongLineUTF16 checks that skipped bytes are counted in input bytes for
// UTF-16 and that the line buffer never grows beyond its bound.
func TestLongLineUTF16(t *testing.T) {
	var text strings.Builder
	text.WriteString("2024-06-01 10:00:00.00 Server      UTC adjustment: 0:00\r\n")
	long := "2024-06-01 10:00:01.00 spid7s      " + strings.Repeat("é𝄞x", 300_000) + "\r\n"
	text.WriteString(long)
	text.WriteString("2024-06-01 10:00:02.00 spid7s      after\r\n")
	data := utf16le(text.String())
	r := NewReader(bytes.NewReader(data), "long")
	r.MaxLineBytes = 4096
	var evs []*parsers.Event
	for ev, err := range r.Events() {
		if ev != nil {
			evs = append(evs, ev)
		} else if !strings.Contains(err.Error(), "long:2: line longer than 4096") {
			t.Errorf("warning %v", err)
		}
	}
	want := int64(len(utf16le(long))) - 2 // minus the BOM utf16le adds
	if s := r.Stats(); s.SkippedBytes != want || r.SkippedLines() != 1 || len(evs) != 2 || evs[1].Message != "after" {
		t.Errorf("skipped %d bytes (want %d), %d lines; %d events", s.SkippedBytes, want, r.SkippedLines(), len(evs))
	}
}

// utf16le encodes s as UTF-16LE with a BOM.
func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			out = append(out, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// TestHoldBack checks the conversion of the events that come before the UTC
// adjustment record, and the bound of the hold-back.
func TestHoldBack(t *testing.T) {
	record := func(b *strings.Builder, i int) {
		b.WriteString("2024-01-01 10:00:00.00 spid5s      record ")
		b.WriteString(strings.Repeat("r", i%7))
		b.WriteString("\n")
	}
	build := func(adjustAt int, n int) []byte {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if i == adjustAt {
				b.WriteString("2024-01-01 10:00:00.00 Server      UTC adjustment: -5:00\n")
				continue
			}
			record(&b, i)
		}
		return []byte(b.String())
	}
	tests := []struct {
		name     string
		adjustAt int
		firstUTC int // line of the first UTC event; 0: none
	}{
		{"early", 6, 1},
		{"at bound", HoldRecords, 1},
		{"after bound", HoldRecords + 2, HoldRecords + 2},
		{"none", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, _, r := readAll(t, build(tc.adjustAt, 400), "hold", 0)
			if len(evs) != 400 {
				t.Fatalf("%d events", len(evs))
			}
			for _, ev := range evs {
				utc := tc.firstUTC > 0 && ev.Line >= tc.firstUTC
				if utc != (ev.Clock == parsers.ClockUTC) {
					t.Fatalf("line %d: clock %v", ev.Line, ev.Clock)
				}
				if utc && !ev.Time.Equal(ts("2024-01-01 15:00:00")) {
					t.Fatalf("line %d: time %v", ev.Line, ev.Time)
				}
			}
			if wantLocal := tc.firstUTC != 1; (r.Stats().Clock == parsers.ClockLocal) != wantLocal {
				t.Errorf("Stats.Clock = %v", r.Stats().Clock)
			}
		})
	}
}

// TestStopEarly checks that breaking out of the loop ends the iteration.
func TestStopEarly(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "primary.utf16le.log"))
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(bytes.NewReader(data), "p")
	n := 0
	for range r.Events() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("n = %d", n)
	}
	for range r.Events() {
		t.Fatal("second iteration yielded")
	}
}

type failingReader struct{ data []byte }

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	for _, data := range [][]byte{
		[]byte("2024-01-01 10:00:00.00 spid5s      one\n"),
		utf16le("2024-01-01 10:00:00.00 spid5s      one\r\n"),
	} {
		r := NewReader(&failingReader{data: data}, "f")
		var events int
		var last error
		for ev, err := range r.Events() {
			if ev != nil {
				events++
			}
			last = err
		}
		if events != 1 || last == nil || !strings.Contains(last.Error(), "f: reading: disk on fire") {
			t.Errorf("events %d, last error %v", events, last)
		}
	}
}

func TestParseRecord(t *testing.T) {
	tests := []struct {
		line, source, msg, reason string
		nanos                     int
	}{
		{"2017-10-23 13:47:06.07 Server      Error: 19419, Severity: 16, State: 1.", "Server", "Error: 19419, Severity: 16, State: 1.", "", 70_000_000},
		{"2023-02-15 07:10:55.500 spid43s Always On", "spid43s", "Always On", "", 500_000_000},
		{"2023-02-15 07:10:55 spid43s x  \r", "spid43s", "x", "", 0},
		{"2023-02-15 07:10:55.1 Logon\tx", "Logon", "x", "", 100_000_000},
		{"2024-02-29 07:10:55.00 Server", "Server", "", "", 0},
		{"2023-02-29 07:10:55.00 Server x", "", "", "invalid date or time", 0},
		{"2023-02-15 07:60:55.00 Server x", "", "", "invalid date or time", 0},
		{"2023-02-15 07:10:55.1234 Server x", "", "", "malformed fraction of a second", 0},
		{"2023-02-15T07:10:55.12 Server x", "", "", "malformed timestamp", 0},
		{"2023-02-15 07:10:55.12Server x", "", "", "no source column after the timestamp", 0},
		{"2023-02-15 07:10:55.12    ", "", "", "no source column after the timestamp", 0},
	}
	for _, tc := range tests {
		st, src, msg, reason := parseRecord([]byte(tc.line))
		if reason != tc.reason || string(src) != tc.source || string(msg) != tc.msg || (reason == "" && st.nanos != tc.nanos) {
			t.Errorf("parseRecord(%q) = %q %q %q nanos %d", tc.line, src, msg, reason, st.nanos)
		}
	}
}

func TestErrorHeader(t *testing.T) {
	tests := []struct {
		msg             string
		num, sev, state int
		ok              bool
	}{
		{"Error: 19407, Severity: 16, State: 1.", 19407, 16, 1, true},
		{"Error: 18456, Severity: 14, State: 38.", 18456, 14, 38, true},
		{"Error: 18456, Severity: 14, State: 38", 18456, 14, 38, true},
		{"Error: 18456, Severity: 14, State: 38. more", 0, 0, 0, false},
		{"Error: 18456, Severity: 14.", 0, 0, 0, false},
		{"An error occurred in a Service Broker/Database Mirroring transport connection endpoint, Error: 8474, State: 11.", 0, 0, 0, false},
		{"Error: 1234567890, Severity: 1, State: 1.", 0, 0, 0, false},
	}
	for _, tc := range tests {
		n, s, st, ok := errorHeader([]byte(tc.msg))
		if n != tc.num || s != tc.sev || st != tc.state || ok != tc.ok {
			t.Errorf("errorHeader(%q) = %d %d %d %v", tc.msg, n, s, st, ok)
		}
	}
}

func TestUTCAdjustment(t *testing.T) {
	tests := []struct {
		msg  string
		want time.Duration
		ok   bool
	}{
		{"UTC adjustment: -7:00", -7 * time.Hour, true},
		{"UTC adjustment: 5:30", 5*time.Hour + 30*time.Minute, true},
		{"UTC adjustment: 1:00", time.Hour, true},
		{"UTC adjustment: 0:00", 0, true},
		{"UTC adjustment: -3:30", -3*time.Hour - 30*time.Minute, true},
		{"UTC adjustment: 7", 0, false},
		{"UTC adjustment: 7:61", 0, false},
		{"UTC adjustment: 25:00", 0, false},
		{"UTC adjustment: -7:00 x", 0, false},
	}
	for _, tc := range tests {
		got, ok := utcAdjustment([]byte(tc.msg))
		if got != tc.want || ok != tc.ok {
			t.Errorf("utcAdjustment(%q) = %v %v", tc.msg, got, ok)
		}
	}
}
