package xel

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"
)

// This file builds synthetic .xel files for the tests, following
// XEL_FORMAT.md: a file header, metadata buffers of package records and
// event buffers with their tail checksums.

// bin appends little-endian values.
type bin struct{ b []byte }

func (w *bin) u8(v uint8)   { w.b = append(w.b, v) }
func (w *bin) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *bin) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *bin) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *bin) raw(p []byte) { w.b = append(w.b, p...) }
func (w *bin) wstr(s string) {
	for _, u := range utf16.Encode([]rune(s)) {
		w.u16(u)
	}
	w.u16(0)
}

func utf16le(s string) []byte {
	var w bin
	for _, u := range utf16.Encode([]rune(s)) {
		w.u16(u)
	}
	return w.b
}

func rid(kind, index, pkgID uint32) uint32 { return kind<<28 | index<<10 | pkgID }

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

// packageRecord builds a package record (3.1) padded to 8 bytes.
func packageRecord(id uint32, name string, base, freq uint64, events []eventDef, maps []mapDef, types []typeDef, actions []uint32) []byte {
	var w bin
	w.u16(10)
	w.u32(0) // length, patched below
	w.raw(streamGUID)
	w.raw([]byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	w.u64(base)
	w.u64(freq)
	w.u32(0x0000000A)
	w.u32(rid(kindPackage, 0, id))
	w.wstr(name)
	w.wstr("package " + name)
	w.raw(make([]byte, 32)) // package and module GUIDs
	w.u16(0)
	w.u32(8)
	for k := range 8 {
		w.u32(uint32(k))
		w.u16(0)
		w.u16(0)
		w.u32(100)
	}
	w.u32(uint32(len(events)))
	for _, e := range events {
		w.u32(0x0002000A)
		w.u32(e.rid())
		w.wstr(e.name)
		w.wstr("Occurs when " + e.name)
		w.u16(4) // readonly
		w.u16(1) // customizable
		w.u16(uint16(len(e.fields)))
		w.u16(0)
		for i, col := range []string{"UUID", "VERSION", "CHANNEL", "KEYWORD"} {
			if i == 0 {
				w.u32(typeRID(typeGUIDPtr))
				w.wstr(col)
				w.raw(make([]byte, 16))
			} else {
				w.u32(typeRID(typeUint8))
				w.wstr(col)
				w.u64(uint64(i))
			}
			w.wstr("")
		}
		w.u32(typeRID(typeBoolean))
		w.wstr("collect_something")
		w.raw(make([]byte, 24))
		w.wstr("")
		for _, f := range e.fields {
			w.u32(f.typeRID)
			w.wstr(f.name)
			w.u16(f.offset)
			w.u16(0)
			w.wstr("")
		}
	}
	w.u32(uint32(len(actions)))
	for _, a := range actions {
		w.u32(0x00010000)
		w.u32(a)
		w.wstr("sql_text")
		w.wstr("Collect SQL text")
		w.u32(typeRID(typeUnicodeString))
		w.u64(0)
	}
	w.u32(uint32(len(maps)))
	for _, m := range maps {
		var flags uint32
		if m.bitFlag {
			flags = 0x01000000
		}
		w.u32(flags)
		w.u32(m.rid())
		w.wstr(m.name)
		w.wstr("")
		w.u8(m.keySize)
		w.u16(uint16(len(m.entries)))
		for _, e := range m.entries {
			w.u32(e.key)
			w.wstr(e.label)
		}
	}
	w.u32(uint32(len(types)))
	for _, t := range types {
		w.u32(0)
		w.u32(typeRID(t.id))
		w.wstr(t.name)
		w.wstr("")
		w.u8(t.size)
	}
	for len(w.b)%8 != 0 {
		w.u8('y') // padding may hold garbage
	}
	binary.LittleEndian.PutUint32(w.b[2:], uint32(len(w.b)))
	return w.b
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

// payload builds an event payload: a fixed area and packed variable values.
type payload struct {
	fixed []byte
	vars  []byte
	descs []int // positions of descriptors in fixed, in order
}

func newPayload(fixedSize int) *payload { return &payload{fixed: make([]byte, fixedSize)} }

func (p *payload) put(off int, size int, v uint64) {
	for i := range size {
		p.fixed[off+i] = byte(v >> (8 * i))
	}
}

// variable stores a descriptor at off and the value after the fixed area.
func (p *payload) variable(off int, v []byte) {
	binary.LittleEndian.PutUint32(p.fixed[off+4:], uint32(len(v)))
	binary.LittleEndian.PutUint32(p.fixed[off:], uint32(len(p.vars)))
	p.descs = append(p.descs, off)
	p.vars = append(p.vars, v...)
}

func (p *payload) bytes() []byte {
	for _, off := range p.descs {
		rel := binary.LittleEndian.Uint32(p.fixed[off:])
		binary.LittleEndian.PutUint32(p.fixed[off:], rel+uint32(len(p.fixed)))
	}
	p.descs = nil
	return append(p.fixed, p.vars...)
}

// eventRecord builds an event record (4.1). word is the u32 at +4.
func eventRecord(r uint32, word uint32, ticks uint64, pl []byte) []byte {
	var w bin
	w.u32(r)
	w.u32(word)
	w.u32(0)
	w.u64(ticks)
	w.u32(uint32(len(pl)))
	w.raw(pl)
	return w.b
}

func errorReported(ticks uint64, num, sev, state int32, dest uint32, msg string) []byte {
	p := newPayload(27)
	p.put(0, 4, uint64(uint32(num)))
	p.put(4, 4, uint64(uint32(sev)))
	p.put(8, 4, uint64(uint32(state)))
	p.put(13, 1, 2)
	p.put(14, 4, uint64(dest))
	p.variable(19, utf16le(msg))
	// 0x4A: version 10 with bits 6-7 set and garbage in the upper bytes, as
	// real files have.
	return eventRecord(evError.rid(), 0x0073004A, ticks, p.bytes())
}

func stateChange(ticks uint64, from, to uint32, ag, replica string, agID, replicaID []byte) []byte {
	p := newPayload(40)
	p.put(0, 4, uint64(from))
	p.put(4, 4, uint64(to))
	p.variable(8, agID)
	p.variable(16, utf16le(ag))
	p.variable(24, replicaID)
	p.variable(32, utf16le(replica))
	return eventRecord(evStateChange.rid(), 10, ticks, p.bytes())
}

// sector-padded buffers (2.1-2.3).
func buffer(typ uint16, seq uint32, data []byte, slackFill byte) []byte {
	off := 0x4C
	if typ == bufEvents {
		off = 0x4D
	}
	size := (off + len(data) + sector - 1) / sector * sector
	b := make([]byte, size)
	le := binary.LittleEndian
	le.PutUint32(b[0x08:], seq)
	le.PutUint16(b[0x0C:], Version)
	le.PutUint16(b[0x0E:], typ)
	le.PutUint32(b[0x10:], uint32(size))
	le.PutUint16(b[0x16:], uint16(off))
	le.PutUint32(b[0x18:], uint32(len(data)))
	if typ == bufEvents {
		copy(b[0x20:], streamGUID)
		b[0x4C] = 0xCC
	}
	copy(b[off:], data)
	for i := off + len(data); i < size; i++ {
		b[i] = slackFill // stale bytes, never read
	}
	tail := data[len(data)-min(len(data), tailCRCBytes):]
	le.PutUint32(b[0x1C:], crc32.ChecksumIEEE(tail)^0xFFFFFFFF)
	return b
}

func fileHeader(version uint16) []byte {
	b := make([]byte, HeaderSize)
	binary.LittleEndian.PutUint32(b, Magic)
	binary.LittleEndian.PutUint16(b[4:], version)
	binary.LittleEndian.PutUint16(b[6:], HeaderSize)
	copy(b[8:], streamGUID)
	return b
}

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
