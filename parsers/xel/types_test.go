package xel

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// The remaining package0 types (XEL_FORMAT.md 3.6) and a variable-size
// type id the reader does not know.
var (
	moreTypes = append(append([]typeDef(nil), testTypes...),
		typeDef{typeFloat32, "float32", 4}, typeDef{typeFiletime, "filetime", 8},
		typeDef{typeCallstack, "callstack", 0}, typeDef{typeActivityID, "activity_id", 20},
		typeDef{typeInt8, "int8", 1}, typeDef{typeCPUCycle, "cpu_cycle", 8}, typeDef{30, "future_blob", 0})
	evMore = eventDef{42, "more_types", []fieldDef{
		{"f32", typeRID(typeFloat32), 0}, {"ft", typeRID(typeFiletime), 4}, {"act", typeRID(typeActivityID), 12},
		{"i8", typeRID(typeInt8), 32}, {"cyc", typeRID(typeCPUCycle), 33}, {"gp", typeRID(typeGUIDPtr), 41},
		{"stack", typeRID(typeCallstack), 49}, {"ansi", typeRID(typeAnsiString), 57},
		{"doc", typeRID(typeXML), 65}, {"future", typeRID(30), 77},
	}}
)

func moreMetadata() []byte {
	b := packageRecord(pkg0, "package0", testClockBase, 10_000_000, nil, nil, moreTypes, nil)
	return append(b, packageRecord(pkgSQL, "sqlserver", testClockBase, 10_000_000,
		[]eventDef{evMore}, nil, nil, []uint32{actSQLText})...)
}

// moreTypesFile is a file with one more_types event holding every type.
func moreTypesFile() []byte {
	p := newPayload(85)
	p.Put(0, 4, uint64(math.Float32bits(-0.25)))
	// 2017-10-23T18:32:14.9490140Z as a FILETIME.
	p.Put(4, 8, 0x01D34C2D30A73683+252_109_657+2_000_000_000)
	act := append(append([]byte(nil), agID...), 7, 0, 0, 0)
	for i, b := range act {
		p.Put(12+i, 1, uint64(b))
	}
	p.Put(32, 1, 0xFE) // int8 -2
	p.Put(33, 8, 123456789012)
	p.Put(41, 8, 0x1EBBCA3D220)
	stack := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 0x7FFD34FBDFD4), 0x7FFD34F00010)
	p.Variable(49, stack)
	p.Variable(57, []byte("Z\xfcrich caf\xe9"))
	p.Variable(65, utf16le(`<queryProcessing maxWorkers="512"/>`))
	p.Variable(77, []byte{0xAB})
	return file(buffer(bufMetadata, 0xFFFFFFFF, moreMetadata(), 0), buffer(bufEvents, 1, eventRecord(evMore.rid(), 10, 5, p.Bytes()), 0))
}

// sqldiagFile is a SQLDIAG log of two component results with XML payloads.
func sqldiagFile() []byte {
	at := time.Date(2024, 3, 14, 7, 20, 0, 0, time.UTC)
	f := &xelwrite.File{ID: streamGUID, Stream: streamGUID, ClockBase: xelwrite.Filetime(at.Add(-time.Hour)), Packages: xelwrite.SQLDIAG()}
	for i, c := range []struct{ comp, state, data string }{
		{"query_processing", "error", `<queryProcessing maxWorkers="512" workersCreated="512" workersIdle="0" pendingTasks="215" hasDeadlockedSchedulersOccurred="1"/>`},
		{"io_subsystem", "warning", `<ioSubsystem ioLatchTimeouts="12"><longestPendingRequests><pendingRequest duration="41000" filePath="F:\data\Sales.mdf"/></longestPendingRequests></ioSubsystem>`},
	} {
		st := uint32(3 - i)
		if err := f.Add(xelwrite.EvComponentHealth, at.Add(time.Duration(i)*5*time.Second), st, uint32(3), xelwrite.Filetime(at),
			"instance", c.comp, c.state, c.data, "SQLNODE1", "MSSQLSERVER"); err != nil {
			panic(err)
		}
	}
	b, err := f.Bytes()
	if err != nil {
		panic(err)
	}
	return b
}

func TestSQLDIAGFile(t *testing.T) {
	res := read(t, sqldiagFile())
	if res.fatal != nil || len(res.warns) > 0 || len(res.events) != 2 {
		t.Fatalf("fatal %v warnings %v events %d", res.fatal, res.warns, len(res.events))
	}
	ev := res.events[0]
	if ev.Kind != parsers.KindHealthFailure || ev.Reason != "query_processing" || ev.Server != "SQLNODE1" ||
		!strings.HasPrefix(ev.Field("data"), "<queryProcessing ") || ev.Field("creation_time") != "2024-03-14T07:20:00Z" {
		t.Errorf("event %+v", *ev)
	}
	if ev := res.events[1]; ev.Kind != parsers.KindHealthWarning || !strings.Contains(ev.Field("data"), `F:\data\Sales.mdf`) {
		t.Errorf("event %+v", *ev)
	}
}

func TestMoreTypes(t *testing.T) {
	res := read(t, moreTypesFile())
	if res.fatal != nil || len(res.warns) > 0 || len(res.events) != 1 {
		t.Fatalf("fatal %v warnings %v events %d", res.fatal, res.warns, len(res.events))
	}
	want := []parsers.Field{
		{Name: "f32", Value: "-0.25"},
		{Name: "ft", Value: "2017-10-23T18:35:34.949014Z"},
		{Name: "act", Value: agIDText + "-7"},
		{Name: "i8", Value: "-2"}, {Name: "cyc", Value: "123456789012"}, {Name: "gp", Value: "0x000001ebbca3d220"},
		{Name: "stack", Value: "0x00007ffd34fbdfd4\n0x00007ffd34f00010"},
		{Name: "ansi", Value: "Zürich café"},
		{Name: "doc", Value: `<queryProcessing maxWorkers="512"/>`},
		{Name: "future", Value: "field of type future_blob not decoded"},
	}
	if got := res.events[0].Fields; !reflect.DeepEqual(got, want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}
}

// TestBigValues checks that decoded values are bounded like the XML
// reader's: an XML or binary value longer than MaxValue is cut.
func TestBigValues(t *testing.T) {
	p := newPayload(85)
	p.Variable(49, make([]byte, 8*(xe.MaxValue/19+10)))
	p.Variable(57, []byte(strings.Repeat("\xe9", xe.MaxValue)))
	p.Variable(65, utf16le(strings.Repeat("x", xe.MaxValue+5)))
	p.Variable(77, nil)
	res := read(t, file(buffer(bufMetadata, 0xFFFFFFFF, moreMetadata(), 0), buffer(bufEvents, 1, eventRecord(evMore.rid(), 10, 5, p.Bytes()), 0)))
	if len(res.events) != 1 || res.fatal != nil {
		t.Fatalf("events %d warnings %v fatal %v", len(res.events), res.warns, res.fatal)
	}
	// Each cut value is reported, as the XML reader reports it.
	var cut []string
	for _, w := range res.warns {
		cut = append(cut, w.Msg)
	}
	ev := res.events[0]
	want := []string{
		fmt.Sprintf(`event "more_types": field "stack" cut to %d bytes`, len(ev.Field("stack"))),
		fmt.Sprintf(`event "more_types": field "ansi" cut to %d bytes`, len(ev.Field("ansi"))),
		fmt.Sprintf(`event "more_types": field "doc" cut to %d bytes`, xe.MaxValue),
	}
	if !reflect.DeepEqual(cut, want) {
		t.Errorf("warnings %q", cut)
	}
	for _, f := range res.events[0].Fields {
		if len(f.Value) > xe.MaxValue {
			t.Errorf("field %s of %d bytes", f.Name, len(f.Value))
		}
	}
	if v := res.events[0].Field("ansi"); !strings.HasPrefix(v, "éé") || len(v) < xe.MaxValue-1 {
		t.Errorf("ansi value of %d bytes", len(v))
	}
}
