package engine

import (
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

func sc(local bool, t time.Time, from, to string) *parsers.Event {
	ev := &parsers.Event{Kind: parsers.KindReplicaStateChange, AG: "AG1", From: from, To: to}
	if local {
		ev.Error = 19406 // the ERRORLOG text has a number, the XEvent none
		ev.Source, ev.Local, ev.Time, ev.Clock = parsers.SourceErrorlog, t, t, parsers.ClockLocal
	} else {
		ev.Source, ev.Time, ev.Clock = parsers.SourceXEvent, t, parsers.ClockUTC
	}
	return ev
}

func TestInferOffset(t *testing.T) {
	base := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	states := [][2]string{{"PRIMARY_NORMAL", "RESOLVING_NORMAL"}, {"RESOLVING_NORMAL", "SECONDARY_NORMAL"},
		{"SECONDARY_NORMAL", "RESOLVING_NORMAL"}, {"RESOLVING_NORMAL", "PRIMARY_PENDING"}, {"PRIMARY_PENDING", "PRIMARY_NORMAL"}}
	for _, tc := range []struct {
		name   string
		offset time.Duration
		pairs  int
		jitter time.Duration
		ok     bool
	}{
		{"plus two hours", 2 * time.Hour, 5, 30 * time.Millisecond, true},
		{"minus seven", -7 * time.Hour, 4, 0, true},
		{"India +5:30", 5*time.Hour + 30*time.Minute, 3, 900 * time.Millisecond, true},
		{"Nepal +5:45", 5*time.Hour + 45*time.Minute, 3, 0, true},
		{"zero", 0, 3, 0, true},
		{"too few pairs", 2 * time.Hour, 2, 0, false},
		{"residue too large", 2 * time.Hour, 5, 8 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var local, utc []*parsers.Event
			for i := 0; i < tc.pairs; i++ {
				u := base.Add(time.Duration(i) * 7 * time.Minute)
				st := states[i%len(states)]
				utc = append(utc, sc(false, u, st[0], st[1]))
				local = append(local, sc(true, u.Add(tc.offset).Add(tc.jitter), st[0], st[1]))
			}
			off, n, ok := inferOffset(local, utc)
			if ok != tc.ok {
				t.Fatalf("ok = %v (offset %v from %d pairs), want %v", ok, off, n, tc.ok)
			}
			if ok && (off != tc.offset || n != tc.pairs) {
				t.Errorf("offset %v from %d pairs, want %v from %d", off, n, tc.offset, tc.pairs)
			}
		})
	}
}

func TestInferOffsetNeedsAgreement(t *testing.T) {
	base := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	var local, utc []*parsers.Event
	// Three pairs agree on +1:00, three on +3:00: no clear winner.
	for i := 0; i < 6; i++ {
		u := base.Add(time.Duration(i) * time.Hour)
		off := time.Hour
		if i%2 == 1 {
			off = 3 * time.Hour
		}
		from := []string{"A", "B", "C", "D", "E", "F"}[i]
		utc = append(utc, sc(false, u, from, "X"))
		local = append(local, sc(true, u.Add(off), from, "X"))
	}
	if off, n, ok := inferOffset(local, utc); ok {
		t.Errorf("inferred %v from %d pairs despite disagreement", off, n)
	}
}

func TestDropCopies(t *testing.T) {
	at := time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)
	el := &parsers.Event{Server: "S1", Source: parsers.SourceErrorlog, Clock: parsers.ClockUTC, Time: at, Error: 28048, Kind: parsers.KindHandshakeFailure, Message: "Database Mirroring login attempt by user 'C\\a.' failed"}
	xe := *el
	xe.Source, xe.Time = parsers.SourceXEvent, at.Add(800*time.Millisecond)
	other := xe
	other.Server = "S2"
	late := xe
	late.Time = at.Add(10 * time.Second)
	got := dropCopies([]*parsers.Event{el, &xe, &other, &late})
	if len(got) != 3 || got[0] != el || got[1] != &other || got[2] != &late {
		t.Errorf("dropCopies kept %d events: %v", len(got), got)
	}
}

func TestFmtOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{-7 * time.Hour: "-07:00", 5*time.Hour + 30*time.Minute: "+05:30", 0: "+00:00"} {
		if got := fmtOffset(d); got != want {
			t.Errorf("fmtOffset(%v) = %s, want %s", d, got, want)
		}
	}
}
