package xel

import (
	"encoding/binary"

	"github.com/agtriage/agtriage/internal/xelwrite"
)

// This file builds synthetic .xel files for the tests with the writer of
// internal/xelwrite (XEL_FORMAT.md: a file header, metadata buffers of
// package records and event buffers with their tail checksums), through
// small adapters that keep the tests' own metadata tables.

// bin appends little-endian values (hand-made records in the tests).
type bin struct{ b []byte }

func (w *bin) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *bin) raw(p []byte) { w.b = append(w.b, p...) }

func utf16le(s string) []byte { return xelwrite.UTF16LE(s) }

func rid(kind, index, pkgID uint32) uint32 { return xelwrite.RID(kind, index, pkgID) }

// Package ids and a stream GUID of the synthetic session.
const (
	pkg0   = 0
	pkgSQL = 3
)

var streamGUID = []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}

type typeDef struct {
	id   uint32
	name string
	size uint8
}

// package0 types: the verified ones and some whose values are not decoded.
var testTypes = []typeDef{
	{typeInt32, "int32", 4}, {typeInt64, "int64", 8}, {typeUint8, "uint8", 1},
	{typeInt16, "int16", 2}, {typeUint16, "uint16", 2}, {typeUint32, "uint32", 4},
	{typeUint64, "uint64", 8}, {typePtr, "ptr", 8}, {typeGUIDPtr, "guid_ptr", 8},
	{typeUnicodeString, "unicode_string", 0}, {typeGUID, "guid", 0}, {typeBoolean, "boolean", 1},
	{10, "float64", 8}, {19, "ansi_string", 0}, {27, "xml", 0}, {22, "binary_data", 0},
}

func typeRID(id uint32) uint32 { return rid(kindType, id, pkg0) }

type mapDef struct {
	index   uint32
	name    string
	bitFlag bool
	keySize uint8
	entries []mapEntry
}

func (m mapDef) rid() uint32 { return rid(kindMap, m.index, pkgSQL) }

var (
	mapCategory    = mapDef{10, "error_category", false, 1, []mapEntry{{2, "SERVER"}, {1, "LOGON"}}}
	mapDestination = mapDef{94, "error_destination", true, 4, []mapEntry{{0, "NONE"}, {1, "BUFFER"}, {2, "USER"}, {4, "ERRORLOG"}, {8, "EVENTLOG"}}}
	mapRole        = mapDef{95, "hadr_availability_replica_role", false, 4, []mapEntry{
		{0, "RESOLVING_NORMAL"}, {1, "RESOLVING_PENDING_FAILOVER"}, {2, "PRIMARY_PENDING"}, {3, "PRIMARY_NORMAL"},
		{4, "SECONDARY_NORMAL"}, {5, "NOT_AVAILABLE"}}}
)

type fieldDef struct {
	name    string
	typeRID uint32
	offset  uint16
}

type eventDef struct {
	index  uint32
	name   string
	fields []fieldDef
}

func (e eventDef) rid() uint32 { return rid(kindEvent, e.index, pkgSQL) }

var (
	evError = eventDef{38, "error_reported", []fieldDef{
		{"error_number", typeRID(typeInt32), 0}, {"severity", typeRID(typeInt32), 4}, {"state", typeRID(typeInt32), 8},
		{"user_defined", typeRID(typeBoolean), 12}, {"category", mapCategory.rid(), 13}, {"destination", mapDestination.rid(), 14},
		{"is_intercepted", typeRID(typeBoolean), 18}, {"message", typeRID(typeUnicodeString), 19},
	}}
	evStateChange = eventDef{40, "availability_replica_state_change", []fieldDef{
		{"previous_state", mapRole.rid(), 0}, {"current_state", mapRole.rid(), 4},
		{"availability_group_id", typeRID(typeGUID), 8}, {"availability_group_name", typeRID(typeUnicodeString), 16},
		{"availability_replica_id", typeRID(typeGUID), 24}, {"availability_replica_name", typeRID(typeUnicodeString), 32},
	}}
	// evMixed carries the other types: small integers, a pointer, and types
	// whose values the reader reports as not decoded.
	evMixed = eventDef{41, "mixed_types", []fieldDef{
		{"f64", typeRID(10), 0}, {"ansi", typeRID(19), 8}, {"doc", typeRID(27), 16}, {"blob", typeRID(22), 24},
		{"i16", typeRID(typeInt16), 32}, {"u16", typeRID(typeUint16), 34}, {"i64", typeRID(typeInt64), 36},
		{"p", typeRID(typePtr), 44}, {"u8", typeRID(typeUint8), 52}, {"u64", typeRID(typeUint64), 53},
	}}
	actSQLText = rid(kindAction, 7, pkgSQL)
)

// packageRecord builds a package record (3.1) padded to 8 bytes with
// garbage; every event has one customizable column.
func packageRecord(id uint32, name string, base, freq uint64, events []eventDef, maps []mapDef, types []typeDef, actions []uint32) []byte {
	p := xelwrite.Package{ID: id, Name: name, Flags: 0x0000000A}
	for _, e := range events {
		ev := xelwrite.Event{RID: e.rid(), Name: e.name, Flags: 0x0002000A, Customizable: []string{"collect_something"}}
		for _, f := range e.fields {
			ev.Fields = append(ev.Fields, xelwrite.Field{Name: f.name, Type: f.typeRID, Offset: f.offset})
		}
		p.Events = append(p.Events, ev)
	}
	for _, a := range actions {
		p.Actions = append(p.Actions, xelwrite.Action{RID: a, Name: "sql_text", Description: "Collect SQL text", Type: typeRID(typeUnicodeString)})
	}
	for _, m := range maps {
		xm := xelwrite.Map{RID: m.rid(), Name: m.name, BitFlag: m.bitFlag, KeySize: m.keySize}
		for _, e := range m.entries {
			xm.Entries = append(xm.Entries, xelwrite.MapEntry{Key: e.key, Label: e.label})
		}
		p.Maps = append(p.Maps, xm)
	}
	for _, t := range types {
		p.Types = append(p.Types, xelwrite.Type{ID: t.id, Name: t.name, Size: t.size})
	}
	return xelwrite.PackageRecord(p, streamGUID, base, freq, 'y')
}

// testClockBase is 2024-03-12T07:00:00Z as a FILETIME.
const testClockBase = (1710226800 + unixEpochSeconds) * 10_000_000

// testMetadata is the data of a metadata buffer describing the test events.
func testMetadata(base uint64) []byte {
	b := packageRecord(pkg0, "package0", base, 10_000_000, nil, nil, testTypes, nil)
	return append(b, packageRecord(pkgSQL, "sqlserver", base, 10_000_000,
		[]eventDef{evError, evStateChange, evMixed},
		[]mapDef{mapCategory, mapDestination, mapRole}, nil, []uint32{actSQLText})...)
}

type payload = xelwrite.Payload

func newPayload(fixedSize int) *payload { return xelwrite.NewPayload(fixedSize) }

// eventRecord builds an event record (4.1). word is the u32 at +4.
func eventRecord(r uint32, word uint32, ticks uint64, pl []byte) []byte {
	return xelwrite.EventRecord(r, word, ticks, pl)
}

func errorReported(ticks uint64, num, sev, state int32, dest uint32, msg string) []byte {
	p := newPayload(27)
	p.Put(0, 4, uint64(uint32(num)))
	p.Put(4, 4, uint64(uint32(sev)))
	p.Put(8, 4, uint64(uint32(state)))
	p.Put(13, 1, 2)
	p.Put(14, 4, uint64(dest))
	p.Variable(19, utf16le(msg))
	// 0x4A: version 10 with bits 6-7 set and garbage in the upper bytes, as
	// real files have.
	return eventRecord(evError.rid(), 0x0073004A, ticks, p.Bytes())
}

func stateChange(ticks uint64, from, to uint32, ag, replica string, agID, replicaID []byte) []byte {
	p := newPayload(40)
	p.Put(0, 4, uint64(from))
	p.Put(4, 4, uint64(to))
	p.Variable(8, agID)
	p.Variable(16, utf16le(ag))
	p.Variable(24, replicaID)
	p.Variable(32, utf16le(replica))
	return eventRecord(evStateChange.rid(), 10, ticks, p.Bytes())
}

// buffer builds a sector-padded buffer (2.1-2.3).
func buffer(typ uint16, seq uint32, data []byte, slackFill byte) []byte {
	return xelwrite.Buffer(typ, seq, streamGUID, data, slackFill)
}

func fileHeader(version uint16) []byte { return xelwrite.FileHeader(version, streamGUID) }

// Test GUIDs as stored (mixed-endian) and as printed.
var (
	agID       = []byte{0xbf, 0x9f, 0xaa, 0x60, 0x3b, 0x67, 0x53, 0x45, 0xb7, 0xed, 0x71, 0xdc, 0xa7, 0xf5, 0xe9, 0x72}
	agIDText   = "60AA9FBF-673B-4553-B7ED-71DCA7F5E972"
	replicaID  = []byte{0x32, 0x78, 0x44, 0x02, 0xda, 0xe0, 0xc8, 0xb3, 0x80, 0xda, 0x4a, 0xce, 0x30, 0xdc, 0x82, 0xc5}
	replicaTxt = "02447832-E0DA-B3C8-80DA-4ACE30DC82C5"
)

const (
	msg35202 = "A connection for availability group 'AG1' from availability replica 'SQLAG01' with id  [02447832-E0DA-B3C8-80DA-4ACE30DC82C5] to 'SQLAG02' with id [B4AC9092-9D16-7BEA-8C05-C24B6B254551] has been successfully established.  This is an informational message only. No user action is required."
	msg41048 = "Always On Availability Groups: Local Windows Server Failover Clustering service has become unavailable. This is an informational message only. No user action is required."
)

// sampleFile is a small well-formed file: metadata, then two event buffers
// (three events: 35202, a state change, 41048 with a severity of 16).
func sampleFile() []byte {
	var f []byte
	f = append(f, fileHeader(Version)...)
	f = append(f, buffer(bufMetadata, 0xFFFFFFFF, testMetadata(testClockBase), 0)...)
	var ev1 []byte
	ev1 = append(ev1, errorReported(12_345_678, 35202, 10, 7, 12, msg35202)...)
	ev1 = append(ev1, stateChange(20_000_000, 3, 0, "AG1", "SQLAG01", agID, replicaID)...)
	f = append(f, buffer(bufEvents, 1, ev1, 'x')...)
	f = append(f, buffer(bufEvents, 2, errorReported(30_000_000, 41048, 16, 1, 4, msg41048), 0)...)
	return f
}
