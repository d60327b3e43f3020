// Package xelwrite writes binary Extended Events files (.xel) in format
// version 10, the layout SQL Server 2017 writes (XEL_FORMAT.md in the
// project's shared reference): a 512-byte file header, metadata buffers of
// package records (events, actions, maps, types) and event buffers of event
// records, each buffer sector-padded and carrying its tail checksum.
//
// It exists for tests and generated fixtures: parsers/xel's tests build
// well-formed and damaged files from its pieces, and the scenario generator
// writes AlwaysOn_health_0_<FILETIME>.xel files with File and the real
// AlwaysOn_health metadata of AlwaysOnHealth.
//
// The low-level builders (PackageRecord, Buffer, FileHeader, EventRecord,
// Payload) return bytes and never validate, so that tests can assemble
// damaged input. File checks what it is given and returns errors.
package xelwrite

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"
)

// Format constants (XEL_FORMAT.md sections 1 and 2).
const (
	Magic        = 0xEFAB375A // first u32 of a file
	Version      = 10         // file, buffer and record format version
	HeaderSize   = 512        // file header size, offset of the first buffer
	Sector       = 512        // buffers are a multiple of this size
	TailCRCBytes = 1024       // the checksum covers the last KiB of a buffer's data

	BufEvents   = 0 // buffer type of event buffers
	BufMetadata = 1 // buffer type of metadata buffers
)

// Object kinds of a RID (XEL_FORMAT.md 3.2).
const (
	KindEvent   = 0
	KindAction  = 1
	KindMap     = 3
	KindType    = 6
	KindPackage = 8
)

// Base type ids of package0 (XEL_FORMAT.md 3.6).
const (
	TypeInt8          = 1
	TypeInt16         = 2
	TypeInt32         = 3
	TypeInt64         = 4
	TypeUint8         = 5
	TypeUint16        = 6
	TypeUint32        = 7
	TypeUint64        = 8
	TypeFloat64       = 10
	TypePtr           = 13
	TypeGUIDPtr       = 16
	TypeAnsiString    = 19
	TypeUnicodeString = 20
	TypeGUID          = 21
	TypeBinary        = 22
	TypeBoolean       = 26
	TypeXML           = 27
)

// RID builds an object reference: kind in bits 28-31, the object index in
// bits 10-27, the package id in bits 0-9.
func RID(kind, index, pkg uint32) uint32 { return kind<<28 | index<<10 | pkg }

// TypeRID is the RID of base type id in package0.
func TypeRID(id uint32) uint32 { return RID(KindType, id, 0) }

// Type is a type record of package0.
type Type struct {
	ID   uint32 // base type id
	Name string
	Size uint8 // fixed size in bytes; 0 = variable (descriptor in the payload)
}

// MapEntry is one key and label of a map.
type MapEntry struct {
	Key   uint32
	Label string
}

// Map is a map record; fields typed with its RID store a key of KeySize bytes.
type Map struct {
	RID     uint32
	Name    string
	BitFlag bool // keys are bits that combine (error_destination)
	KeySize uint8
	Entries []MapEntry
}

// Field is one payload field of an event: its type (a type or map RID) and
// its offset in the payload's fixed area. Flags 0x2 marks a field tied to a
// collect_* customizable column.
type Field struct {
	Name   string
	Type   uint32
	Offset uint16
	Flags  uint16
}

// Event is an event record. Flags is the object flags word (low 16 bits
// 0x000A); Customizable names the collect_* columns.
type Event struct {
	RID          uint32
	Name         string
	Flags        uint32
	Customizable []string
	Fields       []Field
}

// Action is an action record.
type Action struct {
	RID         uint32
	Name        string
	Description string
	Type        uint32 // value type RID
}

// Package is the content of one package record.
type Package struct {
	ID      uint32 // package id (0 = package0)
	Name    string
	Flags   uint32 // package object flags
	Events  []Event
	Actions []Action
	Maps    []Map
	Types   []Type
}

// enc appends little-endian values.
type enc struct{ b []byte }

func (w *enc) u8(v uint8)   { w.b = append(w.b, v) }
func (w *enc) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *enc) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *enc) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *enc) raw(p []byte) { w.b = append(w.b, p...) }

// wstr appends a NUL-terminated UTF-16LE string.
func (w *enc) wstr(s string) {
	w.raw(UTF16LE(s))
	w.u16(0)
}

// UTF16LE encodes s as UTF-16LE without a terminator.
func UTF16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// PackageRecord builds a package record (XEL_FORMAT.md 3.1) padded to 8
// bytes with pad. stream is the 16-byte stream GUID, clockBase the FILETIME
// at tick 0 and freq the ticks per second of the package's events.
func PackageRecord(p Package, stream []byte, clockBase, freq uint64, pad byte) []byte {
	var w enc
	w.u16(Version)
	w.u32(0) // length, patched below
	w.raw(guid16(stream))
	w.raw([]byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	w.u64(clockBase)
	w.u64(freq)
	w.u32(p.Flags)
	w.u32(RID(KindPackage, 0, p.ID))
	w.wstr(p.Name)
	w.wstr("package " + p.Name)
	w.raw(make([]byte, 32)) // package and module GUIDs
	w.u16(0)
	w.u32(8)
	for k := range 8 {
		w.u32(uint32(k))
		w.u16(0)
		w.u16(0)
		w.u32(100)
	}
	w.u32(uint32(len(p.Events)))
	for _, e := range p.Events {
		w.u32(e.Flags)
		w.u32(e.RID)
		w.wstr(e.Name)
		w.wstr("Occurs when " + e.Name)
		w.u16(4) // readonly columns
		w.u16(uint16(len(e.Customizable)))
		w.u16(uint16(len(e.Fields)))
		w.u16(0)
		for i, col := range []string{"UUID", "VERSION", "CHANNEL", "KEYWORD"} {
			if i == 0 {
				w.u32(TypeRID(TypeGUIDPtr))
				w.wstr(col)
				w.raw(make([]byte, 16))
			} else {
				w.u32(TypeRID(TypeUint8))
				w.wstr(col)
				w.u64(uint64(i))
			}
			w.wstr("")
		}
		for _, c := range e.Customizable {
			w.u32(TypeRID(TypeBoolean))
			w.wstr(c)
			w.raw(make([]byte, 24))
			w.wstr("")
		}
		for _, f := range e.Fields {
			w.u32(f.Type)
			w.wstr(f.Name)
			w.u16(f.Offset)
			w.u16(f.Flags)
			w.wstr("")
		}
	}
	w.u32(uint32(len(p.Actions)))
	for _, a := range p.Actions {
		w.u32(0x00010000)
		w.u32(a.RID)
		w.wstr(a.Name)
		w.wstr(a.Description)
		w.u32(a.Type)
		w.u64(0)
	}
	w.u32(uint32(len(p.Maps)))
	for _, m := range p.Maps {
		var flags uint32
		if m.BitFlag {
			flags = 0x01000000
		}
		w.u32(flags)
		w.u32(m.RID)
		w.wstr(m.Name)
		w.wstr("")
		w.u8(m.KeySize)
		w.u16(uint16(len(m.Entries)))
		for _, e := range m.Entries {
			w.u32(e.Key)
			w.wstr(e.Label)
		}
	}
	w.u32(uint32(len(p.Types)))
	for _, t := range p.Types {
		w.u32(0)
		w.u32(TypeRID(t.ID))
		w.wstr(t.Name)
		w.wstr("")
		w.u8(t.Size)
	}
	for len(w.b)%8 != 0 {
		w.u8(pad) // real padding may hold garbage
	}
	binary.LittleEndian.PutUint32(w.b[2:], uint32(len(w.b)))
	return w.b
}

// guid16 returns g cut or zero-extended to 16 bytes.
func guid16(g []byte) []byte {
	out := make([]byte, 16)
	copy(out, g)
	return out
}

// Buffer builds a sector-padded buffer (XEL_FORMAT.md 2.1-2.3) of type typ
// holding data: sequence seq (0xFFFFFFFF for metadata), the stream GUID in
// event buffers, the slack after the data filled with slack, and the tail
// checksum.
func Buffer(typ uint16, seq uint32, stream, data []byte, slack byte) []byte {
	off := 0x4C
	if typ == BufEvents {
		off = 0x4D
	}
	size := (off + len(data) + Sector - 1) / Sector * Sector
	b := make([]byte, size)
	le := binary.LittleEndian
	le.PutUint32(b[0x08:], seq)
	le.PutUint16(b[0x0C:], Version)
	le.PutUint16(b[0x0E:], typ)
	le.PutUint32(b[0x10:], uint32(size))
	le.PutUint16(b[0x16:], uint16(off))
	le.PutUint32(b[0x18:], uint32(len(data)))
	if typ == BufEvents {
		copy(b[0x20:], guid16(stream))
		b[0x4C] = 0xCC
	}
	copy(b[off:], data)
	for i := off + len(data); i < size; i++ {
		b[i] = slack // stale bytes, never read
	}
	le.PutUint32(b[0x1C:], TailChecksum(data))
	return b
}

// TailChecksum is a buffer's checksum: CRC-32/IEEE without the final XOR
// over the last TailCRCBytes bytes of its data.
func TailChecksum(data []byte) uint32 {
	tail := data[len(data)-min(len(data), TailCRCBytes):]
	return crc32.ChecksumIEEE(tail) ^ 0xFFFFFFFF
}

// FileHeader builds the 512-byte file header with the given format version
// and 16-byte file id.
func FileHeader(version uint16, id []byte) []byte {
	b := make([]byte, HeaderSize)
	binary.LittleEndian.PutUint32(b, Magic)
	binary.LittleEndian.PutUint16(b[4:], version)
	binary.LittleEndian.PutUint16(b[6:], HeaderSize)
	copy(b[8:], guid16(id))
	return b
}

// EventRecord builds an event record (XEL_FORMAT.md 4.1): the event RID,
// the word at +4 (record version 10 in its low 6 bits, real files carry
// garbage in the upper bytes), the ticks and the payload.
func EventRecord(rid, word uint32, ticks uint64, payload []byte) []byte {
	var w enc
	w.u32(rid)
	w.u32(word)
	w.u32(0)
	w.u64(ticks)
	w.u32(uint32(len(payload)))
	w.raw(payload)
	return w.b
}

// Payload builds an event payload: a fixed area holding fixed-size values
// and 8-byte descriptors, then the variable values packed in the order they
// were added (XEL_FORMAT.md 4.3).
type Payload struct {
	fixed []byte
	vars  []byte
	descs []int // positions of descriptors in fixed, in order
}

// NewPayload returns a payload with a fixed area of fixedSize bytes.
func NewPayload(fixedSize int) *Payload { return &Payload{fixed: make([]byte, fixedSize)} }

// Put stores the low size bytes of v at off in the fixed area.
func (p *Payload) Put(off, size int, v uint64) {
	for i := range size {
		p.fixed[off+i] = byte(v >> (8 * i))
	}
}

// Variable stores a descriptor at off and appends v after the fixed area.
func (p *Payload) Variable(off int, v []byte) {
	binary.LittleEndian.PutUint32(p.fixed[off+4:], uint32(len(v)))
	binary.LittleEndian.PutUint32(p.fixed[off:], uint32(len(p.vars)))
	p.descs = append(p.descs, off)
	p.vars = append(p.vars, v...)
}

// Bytes returns the payload, the descriptors' offsets made relative to the
// payload start. Call it once.
func (p *Payload) Bytes() []byte {
	for _, off := range p.descs {
		rel := binary.LittleEndian.Uint32(p.fixed[off:])
		binary.LittleEndian.PutUint32(p.fixed[off:], rel+uint32(len(p.fixed)))
	}
	p.descs = nil
	return append(p.fixed, p.vars...)
}
