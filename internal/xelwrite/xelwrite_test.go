package xelwrite_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xel"
)

const agGUID = "60AA9FBF-673B-4553-B7ED-71DCA7F5E972"

func mustGUID(t testing.TB, s string) []byte {
	t.Helper()
	b, err := xelwrite.GUID(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGUID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		// XEL_FORMAT.md: stored bf 9f aa 60 3b 67 53 45 b7 ed ... is 60aa9fbf-673b-4553-b7ed-...
		{agGUID, []byte{0xbf, 0x9f, 0xaa, 0x60, 0x3b, 0x67, 0x53, 0x45, 0xb7, 0xed, 0x71, 0xdc, 0xa7, 0xf5, 0xe9, 0x72}, true},
		{"60AA9FBF673B4553B7ED71DCA7F5E972", nil, false},
		{"60AA9FBF-673B-4553-B7ED-71DCA7F5E97Z", nil, false},
		{"", nil, false},
	} {
		got, err := xelwrite.GUID(tc.in)
		if (err == nil) != tc.ok || !bytes.Equal(got, tc.want) {
			t.Errorf("GUID(%q) = % x, %v", tc.in, got, err)
		}
	}
}

func TestFiletime(t *testing.T) {
	// XEL_FORMAT.md 3.4: 131532583880140000 is 2017-10-23 18:53:08.014 UTC.
	at := time.Date(2017, 10, 23, 18, 53, 8, 14_000_000, time.UTC)
	if got := xelwrite.Filetime(at); got != 131532583880140000 {
		t.Errorf("Filetime = %d", got)
	}
}

func TestBufferChecksumAndPadding(t *testing.T) {
	data := bytes.Repeat([]byte("abc"), 700) // 2100 bytes: the checksum covers the last 1024
	b := xelwrite.Buffer(xelwrite.BufEvents, 7, []byte("0123456789abcdef"), data, 'x')
	if len(b)%xelwrite.Sector != 0 || len(b) < 0x4D+len(data) {
		t.Fatalf("size %d", len(b))
	}
	le := binary.LittleEndian
	if le.Uint32(b[8:]) != 7 || le.Uint16(b[0x16:]) != 0x4D || int(le.Uint32(b[0x18:])) != len(data) || b[0x4C] != 0xCC {
		t.Errorf("header % x", b[:0x4D])
	}
	other := append([]byte("zzz"), data[3:]...) // differs only before the last KiB
	if xelwrite.TailChecksum(other) != le.Uint32(b[0x1C:]) {
		t.Error("checksum covers more than the tail")
	}
	if xelwrite.TailChecksum(data[:len(data)-1]) == le.Uint32(b[0x1C:]) {
		t.Error("checksum ignores the tail")
	}
	if b[len(b)-1] != 'x' {
		t.Error("slack not filled")
	}
}

// TestFileRoundTrip writes the AlwaysOn_health events with File and reads
// them back with parsers/xel: names, times, values and map labels.
func TestFileRoundTrip(t *testing.T) {
	base := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	f := &xelwrite.File{ID: mustGUID(t, agGUID), Stream: []byte("stream-guid-0001"),
		ClockBase: xelwrite.Filetime(base.Add(-time.Hour)), Packages: xelwrite.AlwaysOnHealth()}
	role := func(l string) uint32 { k, _ := xelwrite.MapReplicaRole.Key(l); return k }
	lease, _ := xelwrite.MapLeaseState.Key("LeaseExpired")
	commit, _ := xelwrite.MapDDLPhase.Key("commit")
	alter, _ := xelwrite.MapDDLAction.Key("alter")
	g := mustGUID(t, agGUID)
	long := strings.Repeat("x", 20000) // forces a second event buffer
	steps := []struct {
		ev   xelwrite.Event
		vals []any
	}{
		{xelwrite.EvErrorReported, []any{35202, 10, 7, false, 2, uint32(12), false, "A connection ... Café"}},
		{xelwrite.EvReplicaStateChange, []any{role("PRIMARY_NORMAL"), role("RESOLVING_NORMAL"), g, "AG1", g, `NODEA\PROD`}},
		{xelwrite.EvLeaseExpired, []any{uint64(30000), uint64(10000), uint64(20000), lease, g, "AG1"}},
		{xelwrite.EvDDLExecuted, []any{alter, commit, "ALTER AVAILABILITY GROUP [AG1] FAILOVER;", g, "AG1", "", "", ""}},
		{xelwrite.EvErrorReported, []any{1480, 10, 1, false, 2, uint32(2), false, long}},
		{xelwrite.EvManagerStateChange, []any{uint32(1)}},
	}
	for i, s := range steps {
		if err := f.Add(s.ev, base.Add(time.Duration(i)*time.Second+1234567*time.Nanosecond), s.vals...); err != nil {
			t.Fatal(err)
		}
	}
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	r := xel.NewReader(bytes.NewReader(data), "t.xel")
	var evs []*parsers.Event
	for ev, err := range r.Events() {
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		c := *ev
		c.Fields = append([]parsers.Field(nil), ev.Fields...)
		evs = append(evs, &c)
	}
	if len(evs) != len(steps) {
		t.Fatalf("%d events read, %d written", len(evs), len(steps))
	}
	for i, ev := range evs {
		want := base.Add(time.Duration(i)*time.Second + 1234500*time.Nanosecond)
		if !ev.Time.Equal(want) || ev.Name != steps[i].ev.Name {
			t.Errorf("event %d: %s at %s, want %s at %s", i, ev.Name, ev.Time, steps[i].ev.Name, want)
		}
	}
	for _, c := range []struct{ got, want string }{
		{evs[0].Message, "A connection ... Café"},
		{evs[0].Field("destination"), "ERRORLOG, EVENTLOG"},
		{evs[1].From + ">" + evs[1].To, "PRIMARY_NORMAL>RESOLVING_NORMAL"},
		{evs[1].Replica, `NODEA\PROD`},
		{evs[1].Field("availability_group_id"), agGUID},
		{string(evs[2].Kind), string(parsers.KindLeaseExpired)},
		{evs[2].Field("state"), "LeaseExpired"},
		{evs[3].Field("ddl_phase") + " " + evs[3].Field("ddl_action"), "commit alter"},
		{evs[3].Field("statement"), "ALTER AVAILABILITY GROUP [AG1] FAILOVER;"},
		{evs[4].Message, long},
		{evs[5].Field("current_state"), "ONLINE"},
	} {
		if c.got != c.want && !strings.Contains(c.got, c.want) {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if s := r.Stats(); s.TotalWarnings > 0 {
		t.Errorf("warnings: %v", s.Warnings)
	}
}

func TestFileErrors(t *testing.T) {
	base := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	f := &xelwrite.File{ClockBase: xelwrite.Filetime(base), Packages: xelwrite.AlwaysOnHealth()}
	for name, err := range map[string]error{
		"count":   f.Add(xelwrite.EvManagerStateChange, base),
		"early":   f.Add(xelwrite.EvManagerStateChange, base.Add(-time.Second), 1),
		"string":  f.Add(xelwrite.EvManagerStateChange, base, "ONLINE"),
		"integer": f.Add(xelwrite.EvLeaseExpired, base, 1, 2, 3, 8, 5, "AG1"),
		"type": f.Add(xelwrite.Event{Name: "x", Fields: []xelwrite.Field{{Name: "f", Type: xelwrite.TypeRID(99)}}},
			base, 1),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (&xelwrite.File{}).Bytes(); err == nil {
		t.Error("a file without packages has no error")
	}
}

func BenchmarkFile(b *testing.B) {
	base := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	msg := strings.Repeat("A connection for availability group 'AG1' ", 5)
	var size int
	for b.Loop() {
		f := &xelwrite.File{ClockBase: xelwrite.Filetime(base), Packages: xelwrite.AlwaysOnHealth()}
		for i := range 1000 {
			if err := f.Add(xelwrite.EvErrorReported, base.Add(time.Duration(i)*time.Millisecond), 35202, 10, 7, false, 2, uint32(2), false, msg); err != nil {
				b.Fatal(err)
			}
		}
		data, err := f.Bytes()
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.SetBytes(int64(size))
}
