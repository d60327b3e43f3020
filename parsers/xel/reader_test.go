package xel

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// result is what one read of an input gave.
type result struct {
	events []*parsers.Event
	warns  []*parsers.Warning
	fatal  error
	stats  *parsers.FileStats
}

func read(t testing.TB, data []byte) result {
	t.Helper()
	r := NewReader(bytes.NewReader(data), "t.xel")
	var res result
	for ev, err := range r.Events() {
		if res.fatal != nil {
			t.Fatalf("item after the fatal error %v", res.fatal)
		}
		var w *parsers.Warning
		switch {
		case errors.As(err, &w):
			res.warns = append(res.warns, w)
		case err != nil:
			res.fatal = err
		default:
			res.events = append(res.events, ev)
		}
	}
	res.stats = r.Stats()
	return res
}

func file(bufs ...[]byte) []byte {
	f := fileHeader(Version)
	for _, b := range bufs {
		f = append(f, b...)
	}
	return f
}

func metaBuffer() []byte { return buffer(bufMetadata, 0xFFFFFFFF, testMetadata(testClockBase), 0) }

func TestSample(t *testing.T) {
	data := sampleFile()
	res := read(t, data)
	if res.fatal != nil || len(res.warns) > 0 {
		t.Fatalf("fatal %v, warnings %v", res.fatal, res.warns)
	}
	if len(res.events) != 3 {
		t.Fatalf("%d events, want 3", len(res.events))
	}
	meta := len(metaBuffer())
	e0 := res.events[0]
	wantFields := []parsers.Field{
		{Name: "error_number", Value: "35202"}, {Name: "severity", Value: "10"}, {Name: "state", Value: "7"},
		{Name: "user_defined", Value: "false"}, {Name: "category", Value: "SERVER"}, {Name: "category_value", Value: "2"},
		{Name: "destination", Value: "ERRORLOG, EVENTLOG"}, {Name: "destination_value", Value: "0x0000000c"},
		{Name: "is_intercepted", Value: "false"}, {Name: "message", Value: msg35202},
	}
	if got := e0.Fields[:len(wantFields)]; !reflect.DeepEqual(got, wantFields) {
		t.Errorf("fields\n got %v\nwant %v", got, wantFields)
	}
	if want := time.Date(2024, 3, 12, 7, 0, 1, 234567800, time.UTC); !e0.Time.Equal(want) {
		t.Errorf("time %v, want %v", e0.Time, want)
	}
	if e0.Offset != int64(HeaderSize+meta+0x4D) || e0.Line != 0 || e0.Source != parsers.SourceXEL || e0.Clock != parsers.ClockUTC {
		t.Errorf("position %d line %d source %s clock %v", e0.Offset, e0.Line, e0.Source, e0.Clock)
	}
	if e0.Name != "error_reported" || e0.Error != 35202 || e0.Severity != 10 || e0.State != 7 || e0.Kind != parsers.KindConnectionEstablished || e0.Message != msg35202 {
		t.Errorf("error_reported: %+v", e0)
	}
	e1 := res.events[1]
	if e1.Kind != parsers.KindReplicaStateChange || e1.AG != "AG1" || e1.From != "PRIMARY_NORMAL" || e1.To != "RESOLVING_NORMAL" ||
		e1.Replica != "SQLAG01" || e1.ReplicaID != replicaTxt || e1.Field("availability_group_id") != agIDText || e1.Server != "SQLAG01" {
		t.Errorf("state change: %+v", e1)
	}
	if e1.Offset != e0.Offset+int64(len(errorReported(0, 35202, 10, 7, 12, msg35202))) {
		t.Errorf("second event at %d", e1.Offset)
	}
	e2 := res.events[2]
	if e2.Error != 41048 || e2.Severity != 16 || e2.Kind != parsers.KindClusterUnavailable || e2.Field("destination") != "ERRORLOG" || e2.Field("destination_value") != "0x00000004" {
		t.Errorf("41048: %+v", e2)
	}
	s := res.stats
	if s.Format != parsers.FormatXEL || s.Encoding != "binary" || s.Bytes != int64(len(data)) || s.Records != 3 || s.Events != 3 ||
		s.SkippedBytes != 0 || s.Server != "SQLAG01" || s.ByKind[parsers.KindReplicaStateChange] != 1 || !s.First.Equal(e0.Time) || !s.Last.Equal(e2.Time) {
		t.Errorf("stats %+v", s)
	}
}

// TestDamage runs damaged variants of the sample: each must keep the events
// of the good buffers and warn (or fail) at the right offset.
func TestDamage(t *testing.T) {
	good := sampleFile()
	meta := metaBuffer()
	buf2 := HeaderSize + len(meta) // first event buffer
	buf3 := buf2 + len(buffer(bufEvents, 1, append(errorReported(12_345_678, 35202, 10, 7, 12, msg35202), stateChange(20_000_000, 3, 0, "AG1", "SQLAG01", agID, replicaID)...), 'x'))
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name     string
		data     []byte
		events   int
		fatal    string
		warnAt   []int64
		warnText string
	}{
		{"not xel", []byte("<event name='x'/>"), 0, "not a .xel file", nil, ""},
		{"version 11", mutate(func(b []byte) []byte { b[4] = 11; return b }), 0, "format version 11 not supported", nil, ""},
		{"header cut", good[:100], 0, "", []int64{0}, "truncated"},
		{"empty after header", good[:HeaderSize], 0, "", nil, ""},
		{"cut in last buffer data", good[:buf3+0x60], 2, "", []int64{int64(buf3)}, "truncated"},
		{"cut in slack", good[:len(good)-10], 3, "", []int64{int64(len(good) - 10)}, "slack"},
		{"cut in buffer header", good[:buf3+20], 2, "", []int64{int64(buf3)}, "truncated"},
		{"bad checksum", mutate(func(b []byte) []byte { b[buf2+0x4D+30] ^= 0x40; return b }), 1, "", []int64{int64(buf2)}, "checksum"},
		{"bad buffer header", mutate(func(b []byte) []byte { b[buf2+0x0C] = 9; return b }), 1, "", []int64{int64(buf2), int64(buf3)}, "buffer"},
		{"bad header, no more buffers", mutate(func(b []byte) []byte { b[buf3+0x0C] = 9; return b }), 2, "", []int64{int64(buf3), int64(len(good))}, "buffer"},
		{"no metadata", file(buffer(bufEvents, 1, errorReported(1, 35202, 10, 7, 12, msg35202), 0)), 0, "", []int64{HeaderSize + 0x4D}, "metadata"},
		{"unknown event", file(meta, buffer(bufEvents, 1, append(eventRecord(rid(kindEvent, 99, pkgSQL), 10, 1, nil), errorReported(1, 35202, 10, 7, 12, msg35202)...), 0)),
			0, "", []int64{int64(buf2 + 0x4D)}, "unknown event RID"},
		{"misaligned record", file(meta, buffer(bufEvents, 1, append(errorReported(1, 35202, 10, 7, 12, msg35202), 0, 0, 0)[:0x70], 0)),
			0, "", []int64{int64(buf2 + 0x4D)}, "payload"},
		{"record version", file(meta, buffer(bufEvents, 1, append(errorReported(1, 1480, 10, 1, 4, "x"), eventRecord(evError.rid(), 11, 2, nil)...), 0)),
			1, "", []int64{int64(buf2 + 0x4D + len(errorReported(1, 1480, 10, 1, 4, "x")))}, "version 11"},
		{"descriptor out of range", file(meta, buffer(bufEvents, 1, append(func() []byte {
			r := errorReported(1, 35202, 10, 7, 12, msg35202)
			r[eventHeaderSize+19] = 200 // message offset beyond the payload
			return r
		}(), errorReported(2, 1480, 10, 1, 4, "x")...), 0)), 1, "", []int64{int64(buf2 + 0x4D)}, "outside"},
		{"payload shorter than fixed fields", file(meta, buffer(bufEvents, 1, append(eventRecord(evError.rid(), 10, 1, make([]byte, 10)), errorReported(2, 1480, 10, 1, 4, "x")...), 0)),
			1, "", []int64{int64(buf2 + 0x4D)}, "fixed bytes"},
		{"bad package record", file(buffer(bufMetadata, 0xFFFFFFFF, func() []byte {
			m := testMetadata(testClockBase)
			m[0] = 9 // record version of package0
			return m
		}(), 0), buffer(bufEvents, 1, errorReported(1, 1480, 10, 1, 4, "x"), 0)), 0, "", []int64{HeaderSize + 0x4C, int64(buf2 + 0x4D)}, "version 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := read(t, tc.data)
			if tc.fatal != "" {
				if res.fatal == nil || !strings.Contains(res.fatal.Error(), tc.fatal) || !strings.Contains(res.fatal.Error(), "t.xel") {
					t.Fatalf("fatal %v, want %q naming the file", res.fatal, tc.fatal)
				}
			} else if res.fatal != nil {
				t.Fatalf("fatal %v", res.fatal)
			}
			if len(res.events) != tc.events {
				t.Errorf("%d events, want %d", len(res.events), tc.events)
			}
			var at []int64
			for _, w := range res.warns {
				at = append(at, w.Offset)
				if w.File != "t.xel" {
					t.Errorf("warning without the file: %v", w)
				}
			}
			if !reflect.DeepEqual(at, tc.warnAt) && !(len(at) == 0 && len(tc.warnAt) == 0) {
				t.Errorf("warnings at %v, want %v: %v", at, tc.warnAt, res.warns)
			}
			if tc.warnText != "" && (len(res.warns) == 0 || !strings.Contains(res.warns[0].Msg, tc.warnText)) {
				t.Errorf("warnings %v, want %q", res.warns, tc.warnText)
			}
			s := res.stats
			if s.Bytes > int64(len(tc.data)) || s.SkippedBytes < 0 || s.SkippedBytes > s.Bytes || s.Events != len(res.events) {
				t.Errorf("stats: bytes %d skipped %d events %d of %d bytes", s.Bytes, s.SkippedBytes, s.Events, len(tc.data))
			}
			if len(res.warns) > 0 && s.SkippedBytes == 0 && !strings.Contains(tc.name, "slack") {
				t.Errorf("warned but skipped no bytes")
			}
			for _, ev := range res.events {
				if ev.Name == "" || ev.Time.IsZero() || ev.Offset <= 0 || ev.Offset >= int64(len(tc.data)) {
					t.Errorf("bad event %+v", ev)
				}
			}
		})
	}
}

// TestConcatenated reads two files back to back: the second file's header
// resets the metadata and its events follow.
func TestConcatenated(t *testing.T) {
	one := sampleFile()
	// The second file has another clock base: its events must use it.
	two := file(buffer(bufMetadata, 0xFFFFFFFF, testMetadata(testClockBase+36_000_000_000), 0),
		buffer(bufEvents, 1, errorReported(10_000_000, 1480, 10, 1, 4, "x"), 0))
	res := read(t, append(bytes.Clone(one), two...))
	if res.fatal != nil || len(res.warns) > 0 || len(res.events) != 4 {
		t.Fatalf("fatal %v warnings %v events %d", res.fatal, res.warns, len(res.events))
	}
	last := res.events[3]
	if want := time.Date(2024, 3, 12, 8, 0, 1, 0, time.UTC); !last.Time.Equal(want) || last.Offset != int64(len(one)+HeaderSize+len(metaBuffer())+0x4D) {
		t.Errorf("second file's event at %d, %v (want %v)", last.Offset, last.Time, want)
	}
	// A second file of an unknown version ends the stream with an error.
	bad := bytes.Clone(two)
	bad[4] = 12
	res = read(t, append(bytes.Clone(one), bad...))
	if len(res.events) != 3 || res.fatal == nil || !strings.Contains(res.fatal.Error(), "format version 12 not supported") {
		t.Errorf("events %d fatal %v", len(res.events), res.fatal)
	}
}

// TestTypes checks the integer, pointer, float, string, XML and binary
// encodings of evMixed.
func TestTypes(t *testing.T) {
	p := newPayload(61)
	p.Put(0, 8, 0x400921FB54442D18) // a float64
	p.Variable(8, []byte("abc"))
	p.Variable(16, utf16le("<a/>"))
	p.Variable(24, []byte{1, 2, 3})
	p.Put(32, 2, 0xFFFE) // int16 -2
	p.Put(34, 2, 0xFFFE) // uint16 65534
	p.Put(36, 8, 0xFFFFFFFFFFFFFFFF)
	p.Put(44, 8, 0x7FFD34FBDFD4)
	p.Put(52, 1, 200)
	p.Put(53, 8, 1<<63)
	res := read(t, file(metaBuffer(), buffer(bufEvents, 1, eventRecord(evMixed.rid(), 10, 5, p.Bytes()), 0)))
	if res.fatal != nil || len(res.warns) > 0 || len(res.events) != 1 {
		t.Fatalf("fatal %v warnings %v events %d", res.fatal, res.warns, len(res.events))
	}
	want := []parsers.Field{
		{Name: "f64", Value: "3.141592653589793"},
		{Name: "ansi", Value: "abc"},
		{Name: "doc", Value: "<a/>"},
		{Name: "blob", Value: "010203"},
		{Name: "i16", Value: "-2"}, {Name: "u16", Value: "65534"}, {Name: "i64", Value: "-1"},
		{Name: "p", Value: "0x00007ffd34fbdfd4"}, {Name: "u8", Value: "200"}, {Name: "u64", Value: "9223372036854775808"},
	}
	if got := res.events[0].Fields; !reflect.DeepEqual(got, want) {
		t.Errorf("fields\n got %v\nwant %v", got, want)
	}
}

// TestActions covers the action list (bit 31 of the record word): values
// decoded by the action's type, the terminator consumed, and a set bit without
// actions after the payload ignored.
func TestActions(t *testing.T) {
	withActions := errorReported(1, 1480, 10, 1, 4, "x")
	withActions[7] |= 0x80
	var w bin
	w.u32(actSQLText)
	w.u32(6)
	w.raw(utf16le("abc"))
	w.u32(0) // terminator: not an action RID
	w.u32(0)
	withActions = append(withActions, w.b...)
	garbageBit := errorReported(2, 1480, 10, 1, 4, "y")
	garbageBit[7] |= 0x80 // no actions follow: the next record starts
	data := append(append(withActions, garbageBit...), errorReported(3, 1480, 10, 1, 4, "z")...)
	res := read(t, file(metaBuffer(), buffer(bufEvents, 1, data, 0)))
	if res.fatal != nil || len(res.warns) > 0 || len(res.events) != 3 {
		t.Fatalf("fatal %v warnings %v events %d", res.fatal, res.warns, len(res.events))
	}
	if v := res.events[0].Field("sql_text"); v != "abc" {
		t.Errorf("action value %q", v)
	}
	if res.events[1].Message != "y" || res.events[2].Message != "z" || res.events[1].Field("sql_text") != "" {
		t.Errorf("events after actions: %+v %+v", res.events[1], res.events[2])
	}
}

func TestStopAndReuse(t *testing.T) {
	r := NewReader(bytes.NewReader(sampleFile()), "t.xel")
	n := 0
	for range r.Events() {
		n++
		break
	}
	if n != 1 || r.Stats().Events != 1 {
		t.Errorf("stopped after %d, stats %d", n, r.Stats().Events)
	}
	for _, err := range r.Events() {
		if err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("second range: %v", err)
		}
	}
}

func TestGUIDAndUTF16(t *testing.T) {
	if got := guidString(agID); got != agIDText {
		t.Errorf("guid %s", got)
	}
	for _, s := range []string{"", "abc", "Zürich", "😀 x", strings.Repeat("é", 10)} {
		if got := decodeUTF16(utf16le(s), 0); got != s {
			t.Errorf("utf16 %q -> %q", s, got)
		}
	}
	if got := decodeUTF16([]byte{0x00, 0xD8, 'a', 0}, 0); got != "\uFFFDa" {
		t.Errorf("lone surrogate -> %q", got)
	}
	if got := decodeUTF16(utf16le("abcdef"), 3); got != "abc" {
		t.Errorf("limit -> %q", got)
	}
}

// TestOverlappingFields: metadata whose fields share payload bytes is
// corrupt (and could turn each small record into thousands of fields).
func TestOverlappingFields(t *testing.T) {
	bad := eventDef{42, "overlap", []fieldDef{{"a", typeRID(typeInt32), 0}, {"b", typeRID(typeInt32), 2}}}
	meta := append(packageRecord(pkg0, "package0", testClockBase, 10_000_000, nil, nil, testTypes, nil),
		packageRecord(pkgSQL, "sqlserver", testClockBase, 10_000_000, []eventDef{bad}, nil, nil, nil)...)
	data := file(buffer(bufMetadata, 0xFFFFFFFF, meta, 0), buffer(bufEvents, 1, eventRecord(bad.rid(), 10, 1, make([]byte, 6)), 0))
	res := read(t, data)
	if len(res.events) != 0 || len(res.warns) != 1 || !strings.Contains(res.warns[0].Msg, "overlap") {
		t.Errorf("events %d warnings %v", len(res.events), res.warns)
	}
}

// TestMetadataBound: metadata beyond MaxObjects is refused with a warning
// instead of growing the catalog.
func TestMetadataBound(t *testing.T) {
	types := make([]typeDef, 0, 3000)
	for i := range 3000 {
		types = append(types, typeDef{uint32(1000 + i), "t", 4})
	}
	var bufs [][]byte
	// 23 buffers of 3000 distinct types each: the 22nd and 23rd would pass
	// MaxObjects (65536).
	for k := range 23 {
		for i := range types {
			types[i].id = uint32(1000 + k*3000 + i)
		}
		bufs = append(bufs, buffer(bufMetadata, 0xFFFFFFFF, packageRecord(pkg0, "package0", testClockBase, 10_000_000, nil, nil, types, nil), 0))
	}
	res := read(t, file(bufs...))
	if len(res.warns) != 2 || !strings.Contains(res.warns[0].Msg, "metadata objects") || res.stats.SkippedBytes == 0 {
		t.Errorf("warnings %v", res.warns)
	}
}
