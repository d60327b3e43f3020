// Package evtxwrite writes Windows XML Event Log (.evtx) files for tests:
// fixtures of the .evtx reader and scenario bundles whose System and
// Application logs must be native files. It is test-only code: it writes
// what the reader must read (file header, 64 KiB chunks, records, Binary XML
// with templates defined once per chunk and names stored once per chunk,
// typed substitution values, nested Binary XML, CRC32 checksums), not every
// variant Windows produces.
package evtxwrite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"time"
	"unicode/utf16"
)

// Value types ([MS-EVEN6] 2.2.12).
const (
	TypeNull     = 0x00
	TypeString   = 0x01
	TypeAnsi     = 0x02
	TypeInt8     = 0x03
	TypeUint8    = 0x04
	TypeInt16    = 0x05
	TypeUint16   = 0x06
	TypeInt32    = 0x07
	TypeUint32   = 0x08
	TypeInt64    = 0x09
	TypeUint64   = 0x0A
	TypeReal32   = 0x0B
	TypeReal64   = 0x0C
	TypeBool     = 0x0D
	TypeBinary   = 0x0E
	TypeGUID     = 0x0F
	TypeSizeT    = 0x10
	TypeFileTime = 0x11
	TypeSysTime  = 0x12
	TypeSID      = 0x13
	TypeHex32    = 0x14
	TypeHex64    = 0x15
	TypeBinXML   = 0x21
	TypeArray    = 0x80
)

// Data is one EventData value; Name is empty for classic (unnamed) data.
type Data struct {
	Name  string
	Value Value
}

// Event is one event record.
type Event struct {
	Provider, ProviderGUID, EventSourceName string
	EventID                                 uint16
	Qualifiers                              int // -1: none
	Version, Level, Opcode                  uint8
	Task                                    uint16
	Keywords                                uint64
	Time                                    time.Time
	ProcessID, ThreadID                     uint32
	Channel, Computer                       string
	UserID                                  string // SID, or empty
	Data                                    []Data
	Binary                                  []byte // EventData/Binary, when not nil
	// UserData, when set, replaces EventData.
	UserData *Elem
}

// Writer collects events and lays them out as a file.
type Writer struct {
	// Dirty sets the file header's dirty flag; NoCRC writes the "no CRC32"
	// flag (0x4) and zero checksums, like Windows 10 2004 and later may.
	Dirty, NoCRC bool
	// HeaderChunks, when > 0, is the chunk count written in the file
	// header (a stale count, as in a file copied while in use).
	HeaderChunks int
	// FirstRecordID is the id of the first record (default 1).
	FirstRecordID uint64
	// NestedNoDependencyID writes the element starts of nested Binary XML
	// (UserData) without the optional dependency id; libevtx expects one.
	NestedNoDependencyID bool

	chunks [][]byte
	cur    *chunk
	next   uint64
	// Offsets of the records written, relative to the file (tests damage them).
	RecordOffsets []int64
}

type chunk struct {
	buf          []byte
	names        map[string]uint32
	tmpls        map[string]uint32
	firstID      uint64
	lastID       uint64
	lastRecOff   int
	records      int
	recordStarts []int
}

func newChunk() *chunk {
	return &chunk{buf: make([]byte, 512, 65536), names: map[string]uint32{}, tmpls: map[string]uint32{}}
}

// Add appends an event record and returns its record id.
func (w *Writer) Add(ev Event) uint64 {
	if w.next == 0 {
		w.next = max(w.FirstRecordID, 1)
	}
	id := w.next
	w.next++
	if w.cur == nil {
		w.cur = newChunk()
	}
	if !w.cur.add(ev, id, w.NestedNoDependencyID) {
		w.flush()
		w.cur = newChunk()
		if !w.cur.add(ev, id, w.NestedNoDependencyID) {
			panic(fmt.Sprintf("evtxwrite: event %d does not fit in a chunk", id))
		}
	}
	w.RecordOffsets = append(w.RecordOffsets, int64(4096+65536*len(w.chunks)+w.cur.recordStarts[len(w.cur.recordStarts)-1]))
	return id
}

// add encodes ev into the chunk, or reports false (and leaves the chunk
// unchanged) when it does not fit.
func (c *chunk) add(ev Event, id uint64, noDep bool) bool {
	start := len(c.buf)
	names := cloneMap(c.names)
	tmpls := cloneMap(c.tmpls)
	e := &enc{c: c, noDep: noDep}
	e.record(ev, id)
	if len(c.buf) > 65536 {
		c.buf = c.buf[:start]
		c.names, c.tmpls = names, tmpls
		return false
	}
	if c.records == 0 {
		c.firstID = id
	}
	c.lastID = id
	c.lastRecOff = start
	c.records++
	c.recordStarts = append(c.recordStarts, start)
	return true
}

func cloneMap(m map[string]uint32) map[string]uint32 {
	out := make(map[string]uint32, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// flush finishes the current chunk: header, checksums, padding.
func (w *Writer) flush() {
	c := w.cur
	if c == nil || c.records == 0 {
		return
	}
	le := binary.LittleEndian
	b := make([]byte, 65536)
	copy(b, c.buf)
	copy(b, "ElfChnk\x00")
	first := c.firstID - w.recordBase() + 1
	le.PutUint64(b[8:], first)
	le.PutUint64(b[16:], first+uint64(c.records)-1)
	le.PutUint64(b[24:], c.firstID)
	le.PutUint64(b[32:], c.lastID)
	le.PutUint32(b[40:], 128)
	le.PutUint32(b[44:], uint32(c.lastRecOff))
	le.PutUint32(b[48:], uint32(len(c.buf)))
	if w.NoCRC {
		le.PutUint32(b[120:], 0x5)
	} else {
		le.PutUint32(b[120:], 0x1)
		le.PutUint32(b[52:], crc32.ChecksumIEEE(b[512:len(c.buf)]))
		le.PutUint32(b[124:], crc32.Update(crc32.ChecksumIEEE(b[:120]), crc32.IEEETable, b[128:512]))
	}
	w.chunks = append(w.chunks, b)
	w.cur = nil
}

func (w *Writer) recordBase() uint64 { return max(w.FirstRecordID, 1) }

// Bytes returns the file.
func (w *Writer) Bytes() []byte {
	w.flush()
	le := binary.LittleEndian
	h := make([]byte, 4096)
	copy(h, "ElfFile\x00")
	n := len(w.chunks)
	if w.HeaderChunks > 0 {
		n = w.HeaderChunks
	}
	le.PutUint64(h[8:], 0)
	le.PutUint64(h[16:], uint64(max(n-1, 0)))
	le.PutUint64(h[24:], max(w.next, 1))
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 1)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], 4096)
	le.PutUint16(h[42:], uint16(n))
	var flags uint32
	if w.Dirty {
		flags |= 0x1
	}
	if w.NoCRC {
		flags |= 0x4
		le.PutUint16(h[36:], 2)
	}
	le.PutUint32(h[120:], flags)
	if !w.NoCRC {
		le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	}
	var out bytes.Buffer
	out.Write(h)
	for _, c := range w.chunks {
		out.Write(c)
	}
	return out.Bytes()
}

// enc writes Binary XML into a chunk at its absolute offsets.
type enc struct {
	c     *chunk
	noDep bool
}

func (e *enc) pos() int { return len(e.c.buf) }

func (e *enc) u8(v byte)    { e.c.buf = append(e.c.buf, v) }
func (e *enc) u16(v uint16) { e.c.buf = binary.LittleEndian.AppendUint16(e.c.buf, v) }
func (e *enc) u32(v uint32) { e.c.buf = binary.LittleEndian.AppendUint32(e.c.buf, v) }
func (e *enc) u64(v uint64) { e.c.buf = binary.LittleEndian.AppendUint64(e.c.buf, v) }
func (e *enc) raw(b []byte) { e.c.buf = append(e.c.buf, b...) }

func (e *enc) put32(at int, v uint32) { binary.LittleEndian.PutUint32(e.c.buf[at:], v) }

// name writes a name reference, storing the name inline on its first use
// in the chunk.
func (e *enc) name(s string) {
	if off, ok := e.c.names[s]; ok {
		e.u32(off)
		return
	}
	off := uint32(e.pos() + 4)
	e.c.names[s] = off
	e.u32(off)
	e.u32(0) // next name in the hash bucket
	e.u16(nameHash(s))
	u := utf16.Encode([]rune(s))
	e.u16(uint16(len(u)))
	for _, c := range u {
		e.u16(c)
	}
	e.u16(0)
}

// nameHash is the 16-bit hash stored with a name (the low 16 bits of a
// multiplicative hash of the UTF-16 code units; readers do not check it).
func nameHash(s string) uint16 {
	var h uint32
	for _, c := range utf16.Encode([]rune(s)) {
		h = h*65599 + uint32(c)
	}
	return uint16(h)
}

// subst is one substitution slot of a template.
type subst struct {
	id  int
	opt bool
	typ byte
}

// tnode is a template element: name, attributes whose values are one
// substitution or a literal, content that is a substitution or children.
type tnode struct {
	name     string
	attrs    []tattr
	content  *subst
	children []*tnode
}

type tattr struct {
	name string
	lit  string
	sub  *subst
}

// templateFor builds the template of ev's shape and the values in slot
// order.
func templateFor(ev Event) (*tnode, []Value, string, int) {
	var vals []Value
	slot := func(v Value, opt bool) *subst {
		s := &subst{id: len(vals), opt: opt, typ: v.Type}
		if v.Type == TypeNull {
			s.typ = TypeString
		}
		vals = append(vals, v)
		return s
	}
	optStr := func(s string) Value {
		if s == "" {
			return Null()
		}
		return String(s)
	}
	leaf := func(name string, v Value, opt bool) *tnode {
		return &tnode{name: name, content: slot(v, opt)}
	}
	prov := &tnode{name: "Provider", attrs: []tattr{{name: "Name", sub: slot(String(ev.Provider), false)}}}
	if ev.ProviderGUID != "" {
		prov.attrs = append(prov.attrs, tattr{name: "Guid", sub: slot(GUID(ev.ProviderGUID), true)})
	}
	prov.attrs = append(prov.attrs, tattr{name: "EventSourceName", sub: slot(optStr(ev.EventSourceName), true)})
	eid := leaf("EventID", Uint16(ev.EventID), false)
	q := Null()
	if ev.Qualifiers >= 0 {
		q = Uint16(uint16(ev.Qualifiers))
	}
	eid.attrs = []tattr{{name: "Qualifiers", sub: slot(q, true)}}
	recID := leaf("EventRecordID", Uint64(0), true) // filled per record
	sec := &tnode{name: "Security"}
	uid := Null()
	if ev.UserID != "" {
		uid = SID(ev.UserID)
	}
	sec.attrs = []tattr{{name: "UserID", sub: slot(uid, true)}}
	system := &tnode{name: "System", children: []*tnode{
		prov, eid,
		leaf("Version", Uint8(ev.Version), true),
		leaf("Level", Uint8(ev.Level), true),
		leaf("Task", Uint16(ev.Task), true),
		leaf("Opcode", Uint8(ev.Opcode), true),
		leaf("Keywords", Hex64(ev.Keywords), true),
		{name: "TimeCreated", attrs: []tattr{{name: "SystemTime", sub: slot(FileTime(ev.Time), true)}}},
		recID,
		{name: "Execution", attrs: []tattr{{name: "ProcessID", sub: slot(Uint32(ev.ProcessID), true)}, {name: "ThreadID", sub: slot(Uint32(ev.ThreadID), true)}}},
		leaf("Channel", String(ev.Channel), true),
		leaf("Computer", String(ev.Computer), true),
		sec,
	}}
	root := &tnode{name: "Event", attrs: []tattr{{name: "xmlns", lit: "http://schemas.microsoft.com/win/2004/08/events/event"}}, children: []*tnode{system}}
	var shape strings.Builder
	shape.WriteString(ev.ProviderGUID)
	for _, s := range vals {
		fmt.Fprintf(&shape, "%x,", s.Type)
	}
	if ev.UserData != nil {
		root.children = append(root.children, &tnode{name: "UserData", content: slot(XML(ev.UserData), false)})
		shape.WriteString("|U")
	} else {
		data := &tnode{name: "EventData"}
		for _, d := range ev.Data {
			n := &tnode{name: "Data", content: slot(d.Value, true)}
			if d.Name != "" {
				n.attrs = []tattr{{name: "Name", lit: d.Name}}
			}
			data.children = append(data.children, n)
			fmt.Fprintf(&shape, "|%s:%x", d.Name, n.content.typ)
		}
		if ev.Binary != nil {
			data.children = append(data.children, leaf("Binary", Binary(ev.Binary), true))
			shape.WriteString("|B")
		}
		root.children = append(root.children, data)
	}
	return root, vals, shape.String(), recID.content.id
}

// record writes one event record.
func (e *enc) record(ev Event, id uint64) {
	start := e.pos()
	e.raw([]byte{0x2A, 0x2A, 0, 0})
	e.u32(0) // size, patched
	e.u64(id)
	e.u64(toFileTime(ev.Time))
	root, vals, shape, idSlot := templateFor(ev)
	vals[idSlot] = Uint64(id)
	e.raw([]byte{0x0F, 0x01, 0x01, 0x00})
	e.u8(0x0C)
	e.u8(0x01)
	tid := uint32(crc32.ChecksumIEEE([]byte(shape)))
	e.u32(tid)
	if off, ok := e.c.tmpls[shape]; ok {
		e.u32(off)
	} else {
		off := uint32(e.pos() + 4)
		e.c.tmpls[shape] = off
		e.u32(off)
		e.u32(0) // next template
		g := crc32.ChecksumIEEE([]byte("guid" + shape))
		for i := 0; i < 4; i++ {
			e.u32(g + uint32(i))
		}
		sizeAt := e.pos()
		e.u32(0)
		bodyStart := e.pos()
		e.raw([]byte{0x0F, 0x01, 0x01, 0x00})
		e.element(root, true)
		e.u8(0x00)
		e.put32(sizeAt, uint32(e.pos()-bodyStart))
	}
	// Instance data: count, descriptors (sizes patched), values.
	e.u32(uint32(len(vals)))
	desc := e.pos()
	for _, v := range vals {
		e.u16(0)
		e.u8(v.Type)
		e.u8(0)
	}
	for i, v := range vals {
		at := e.pos()
		if v.Type == TypeBinXML {
			e.nested(v.Elem)
		} else {
			e.raw(v.Data)
		}
		binary.LittleEndian.PutUint16(e.c.buf[desc+4*i:], uint16(e.pos()-at))
	}
	e.u8(0x00) // end of the record's fragment
	size := e.pos() + 4 - start
	e.u32(uint32(size))
	e.put32(start+4, uint32(size))
}

// element writes a template element (with a dependency id).
func (e *enc) element(n *tnode, template bool) {
	tok := byte(0x01)
	if len(n.attrs) > 0 {
		tok = 0x41
	}
	e.u8(tok)
	if template {
		e.u16(0xFFFF)
	}
	sizeAt := e.pos()
	e.u32(0)
	e.name(n.name)
	if len(n.attrs) > 0 {
		listAt := e.pos()
		e.u32(0)
		for i, a := range n.attrs {
			t := byte(0x06)
			if i < len(n.attrs)-1 {
				t = 0x46
			}
			e.u8(t)
			e.name(a.name)
			if a.sub != nil {
				e.substToken(a.sub)
			} else {
				e.text(a.lit)
			}
		}
		e.put32(listAt, uint32(e.pos()-listAt-4))
	}
	switch {
	case n.content == nil && len(n.children) == 0:
		e.u8(0x03)
	default:
		e.u8(0x02)
		if n.content != nil {
			e.substToken(n.content)
		}
		for _, c := range n.children {
			e.element(c, template)
		}
		e.u8(0x04)
	}
	e.put32(sizeAt, uint32(e.pos()-sizeAt-4))
}

func (e *enc) substToken(s *subst) {
	if s.opt {
		e.u8(0x0E)
	} else {
		e.u8(0x0D)
	}
	e.u16(uint16(s.id))
	e.u8(s.typ)
}

// text writes a value-text token.
func (e *enc) text(s string) {
	u := utf16.Encode([]rune(s))
	e.u8(0x05)
	e.u8(0x01)
	e.u16(uint16(len(u)))
	for _, c := range u {
		e.u16(c)
	}
}

// nested writes a nested Binary XML document: a fragment header and the
// element, whose starts carry no dependency id.
func (e *enc) nested(el *Elem) {
	e.raw([]byte{0x0F, 0x01, 0x01, 0x00})
	e.plain(el)
	e.u8(0x00)
}

func (e *enc) plain(el *Elem) {
	tok := byte(0x01)
	if len(el.Attrs) > 0 {
		tok = 0x41
	}
	e.u8(tok)
	if !e.noDep {
		e.u16(0xFFFF)
	}
	sizeAt := e.pos()
	e.u32(0)
	e.name(el.Name)
	if len(el.Attrs) > 0 {
		listAt := e.pos()
		e.u32(0)
		for i, a := range el.Attrs {
			t := byte(0x06)
			if i < len(el.Attrs)-1 {
				t = 0x46
			}
			e.u8(t)
			e.name(a[0])
			e.text(a[1])
		}
		e.put32(listAt, uint32(e.pos()-listAt-4))
	}
	if el.Text == "" && len(el.Children) == 0 {
		e.u8(0x03)
	} else {
		e.u8(0x02)
		if el.Text != "" {
			e.text(el.Text)
		}
		for _, c := range el.Children {
			e.plain(c)
		}
		e.u8(0x04)
	}
	e.put32(sizeAt, uint32(e.pos()-sizeAt-4))
}
