package xel

import (
	"errors"
	"fmt"
	"sort"
)

// RID fields (XEL_FORMAT.md 3.2): a u32 naming a metadata object.
const (
	kindEvent   = 0
	kindAction  = 1
	kindMap     = 3
	kindType    = 6
	kindPackage = 8
)

func ridPackage(rid uint32) uint32 { return rid & 0x3FF }
func ridIndex(rid uint32) uint32   { return rid >> 10 & 0x3FFFF }
func ridKind(rid uint32) uint32    { return rid >> 28 }

// Base type ids of package0 (XEL_FORMAT.md 3.6).
const (
	typeInt8          = 1
	typeInt16         = 2
	typeInt32         = 3
	typeInt64         = 4
	typeUint8         = 5
	typeUint16        = 6
	typeUint32        = 7
	typeUint64        = 8
	typeFloat32       = 9
	typeFloat64       = 10
	typeCPUCycle      = 11
	typeFiletime      = 12
	typePtr           = 13
	typeGUIDPtr       = 16
	typeAnsiString    = 19
	typeUnicodeString = 20
	typeGUID          = 21
	typeBinary        = 22
	typeCallstack     = 23
	typeActivityID    = 24
	typeActivityXfer  = 25
	typeBoolean       = 26
	typeXML           = 27
)

// Bounds on the metadata of one file: a file that defines more is treated as
// corrupt from there on. With them the catalog's memory is bounded whatever
// the number of metadata buffers (real files hold 2 buffers, 21 KB).
const (
	// MaxObjects bounds the metadata objects (events, actions, maps, types).
	MaxObjects = 1 << 16
	// MaxMetadata bounds the bytes of package records merged.
	MaxMetadata = 64 << 20
)

// pkg is a package record: its name and the clock of its events.
type pkg struct {
	name      string
	clockBase uint64 // FILETIME at tick 0
	freq      uint64 // ticks per second
}

// eventMeta describes an event: its name, package and payload fields.
type eventMeta struct {
	rid    uint32
	name   string
	fields []fieldMeta
}

// fieldMeta is one payload field of an event.
type fieldMeta struct {
	name    string
	typeRID uint32
	offset  uint16
	flags   uint16
}

// typeMeta is a type record.
type typeMeta struct {
	rid  uint32
	name string
	size uint8 // fixed size in bytes, 0 = variable (descriptor)
}

// mapMeta is a map record: integer keys and their labels.
type mapMeta struct {
	rid     uint32
	name    string
	bitFlag bool // values combine several keys (error_destination)
	keySize uint8
	entries []mapEntry // sorted by key
	dense   []string   // labels by key when the keys are small, else nil
}

type mapEntry struct {
	key   uint32
	label string
}

// actionMeta is an action record.
type actionMeta struct {
	rid     uint32
	name    string
	typeRID uint32
}

// catalog holds the metadata of one file, merged across metadata buffers
// and keyed by full RID (two packages may share a name).
type catalog struct {
	packages map[uint32]*pkg // by package id
	events   map[uint32]*eventMeta
	actions  map[uint32]*actionMeta
	maps     map[uint32]*mapMeta
	types    map[uint32]*typeMeta
	objects  int
	bytes    int // package record bytes merged
	gen      int // bumped at every merge; invalidates event plans
}

// newCatalog returns an empty catalog, sized like prev (the catalog of
// the previous file of a concatenated input, usually the same session's) if
// there is one.
func newCatalog(prev *catalog) *catalog {
	if prev == nil {
		prev = &catalog{}
	}
	return &catalog{
		packages: make(map[uint32]*pkg, len(prev.packages)),
		events:   make(map[uint32]*eventMeta, len(prev.events)),
		actions:  make(map[uint32]*actionMeta, len(prev.actions)),
		maps:     make(map[uint32]*mapMeta, len(prev.maps)),
		types:    make(map[uint32]*typeMeta, len(prev.types)),
	}
}

// label returns the label of key k, or "" when the map has none.
func (m *mapMeta) label(k uint32) string {
	if m.dense != nil {
		if uint64(k) < uint64(len(m.dense)) {
			return m.dense[k]
		}
		return ""
	}
	i := sort.Search(len(m.entries), func(i int) bool { return m.entries[i].key >= k })
	if i < len(m.entries) && m.entries[i].key == k {
		return m.entries[i].label
	}
	return ""
}

// flagsLabel names the keys a bit-flag value combines, in key order, joined
// by ", ". A zero value takes the label of key 0 if there is one.
func (m *mapMeta) flagsLabel(v uint32) string {
	if v == 0 {
		return m.label(0)
	}
	var out []byte
	for _, e := range m.entries {
		if e.key != 0 && v&e.key == e.key {
			if len(out) > 0 {
				out = append(out, ", "...)
			}
			out = append(out, e.label...)
		}
	}
	return string(out)
}

// pkgRecord is a parsed package record before it is merged.
type pkgRecord struct {
	id      uint32
	size    int // bytes of the record
	pkg     pkg
	events  []*eventMeta
	actions []*actionMeta
	maps    []*mapMeta
	types   []*typeMeta
}

func (r *pkgRecord) objects() int {
	return len(r.events) + len(r.actions) + len(r.maps) + len(r.types)
}

// merge adds a package record's objects, replacing objects of the same RID.
func (c *catalog) merge(r *pkgRecord) error {
	if c.objects+r.objects() > MaxObjects {
		return fmt.Errorf("more than %d metadata objects", MaxObjects)
	}
	if c.bytes+r.size > MaxMetadata {
		return fmt.Errorf("more than %d bytes of metadata", MaxMetadata)
	}
	c.objects += r.objects()
	c.bytes += r.size
	p := r.pkg
	c.packages[r.id] = &p
	for _, e := range r.events {
		c.events[e.rid] = e
	}
	for _, a := range r.actions {
		c.actions[a.rid] = a
	}
	for _, m := range r.maps {
		c.maps[m.rid] = m
	}
	for _, t := range r.types {
		c.types[t.rid] = t
	}
	c.gen++
	return nil
}

// minObject is the smallest possible object record: flags, RID and two
// empty strings.
const minObject = 12

// parsePackage reads one package record (XEL_FORMAT.md 3.1) that fills rec,
// the record's bytes exactly (its length L already checked).
func parsePackage(rec []byte) (*pkgRecord, error) {
	c := &cursor{b: rec}
	if v := c.u16(); v != 10 {
		return nil, fmt.Errorf("package record version %d, want 10", v)
	}
	c.skip(4)  // length, checked by the caller
	c.skip(16) // stream GUID
	c.skip(10) // unknown
	r := &pkgRecord{size: len(rec)}
	r.pkg.clockBase = c.u64()
	r.pkg.freq = c.u64()
	c.skip(4) // flags
	rid := c.u32()
	if c.err == nil && ridKind(rid) != kindPackage {
		return nil, fmt.Errorf("package RID %#08x is not a package", rid)
	}
	if c.err == nil && r.pkg.freq == 0 {
		return nil, errors.New("tick frequency 0")
	}
	r.id = ridPackage(rid)
	r.pkg.name = c.wstr()
	c.skipWstr()
	c.skip(16 + 16 + 2) // package and module GUIDs, u16
	k := c.u32()
	if c.err == nil && uint64(k)*12 > uint64(c.left()) {
		return nil, fmt.Errorf("kind table of %d entries does not fit", k)
	}
	c.skip(int(k) * 12)
	r.events = parseCollection(c, kindEvent, parseEvent)
	r.actions = parseCollection(c, kindAction, parseAction)
	r.maps = parseCollection(c, kindMap, parseMap)
	r.types = parseCollection(c, kindType, parseType)
	if c.err != nil {
		return nil, fmt.Errorf("package %q at +%d: %w", r.pkg.name, c.p, c.err)
	}
	if c.left() > 7 {
		return nil, fmt.Errorf("package %q: %d bytes left after the types", r.pkg.name, c.left())
	}
	return r, nil
}

// parseCollection reads a u32 count and that many object records of a kind.
func parseCollection[T any](c *cursor, kind uint32, parse func(*cursor, uint32, uint32) T) []T {
	n := c.u32()
	if c.err != nil {
		return nil
	}
	if uint64(n)*minObject > uint64(c.left()) {
		c.err = fmt.Errorf("collection of %d objects does not fit in %d bytes", n, c.left())
		return nil
	}
	out := make([]T, 0, n)
	for range n {
		flags := c.u32()
		rid := c.u32()
		if c.err != nil {
			return nil
		}
		if ridKind(rid) != kind {
			c.err = fmt.Errorf("object RID %#08x is not of kind %d", rid, kind)
			return nil
		}
		o := parse(c, flags, rid)
		if c.err != nil {
			return nil
		}
		out = append(out, o)
	}
	return out
}

// parseEvent reads an event record after its flags and RID (3.3).
func parseEvent(c *cursor, _ uint32, rid uint32) *eventMeta {
	e := &eventMeta{rid: rid, name: c.wstr()}
	c.skipWstr()
	nRO, nCust, nData := c.u16(), c.u16(), c.u16()
	c.skip(2) // number of fixed fields
	for range nRO {
		t := c.u32()
		c.skipWstr()
		if ridKind(t) == kindType && ridIndex(t) == typeGUIDPtr {
			c.skip(16)
		} else {
			c.skip(8)
		}
		c.skipWstr()
	}
	for range nCust {
		c.skip(4)
		c.skipWstr()
		c.skip(24)
		c.skipWstr()
	}
	if c.err != nil {
		return nil
	}
	// Each data field takes at least 12 bytes.
	if int(nData)*12 > c.left() {
		c.err = fmt.Errorf("event %q: %d fields do not fit", e.name, nData)
		return nil
	}
	e.fields = make([]fieldMeta, 0, nData)
	for range nData {
		var f fieldMeta
		f.typeRID = c.u32()
		f.name = c.wstr()
		f.offset = c.u16()
		f.flags = c.u16()
		c.skipWstr()
		e.fields = append(e.fields, f)
	}
	return e
}

// parseAction reads an action record after its flags and RID (3.4).
func parseAction(c *cursor, _ uint32, rid uint32) *actionMeta {
	a := &actionMeta{rid: rid, name: c.wstr()}
	c.skipWstr()
	a.typeRID = c.u32()
	c.skip(8)
	return a
}

// parseMap reads a map record after its flags and RID (3.5).
func parseMap(c *cursor, flags uint32, rid uint32) *mapMeta {
	m := &mapMeta{rid: rid, name: c.wstr(), bitFlag: flags&0x01000000 != 0}
	c.skipWstr()
	m.keySize = c.u8()
	n := c.u16()
	if c.err != nil {
		return nil
	}
	switch m.keySize {
	case 1, 2, 4:
	default:
		c.err = fmt.Errorf("map %q: key size %d", m.name, m.keySize)
		return nil
	}
	if int(n)*6 > c.left() {
		c.err = fmt.Errorf("map %q: %d entries do not fit", m.name, n)
		return nil
	}
	m.entries = make([]mapEntry, 0, n)
	var maxKey uint32
	for range n {
		k := c.u32()
		l := c.wstr()
		m.entries = append(m.entries, mapEntry{k, l})
		maxKey = max(maxKey, k)
	}
	if c.err != nil {
		return nil
	}
	sort.SliceStable(m.entries, func(i, j int) bool { return m.entries[i].key < m.entries[j].key })
	if len(m.entries) > 0 && maxKey < 1024 {
		m.dense = make([]string, maxKey+1)
		for _, e := range m.entries {
			m.dense[e.key] = e.label
		}
	}
	return m
}

// parseType reads a type record after its flags and RID (3.6).
func parseType(c *cursor, _ uint32, rid uint32) *typeMeta {
	t := &typeMeta{rid: rid, name: c.wstr()}
	c.skipWstr()
	t.size = c.u8()
	return t
}
