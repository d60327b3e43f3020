package xel

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// valueKind says how a payload field is decoded.
type valueKind uint8

const (
	valMap       valueKind = iota // integer key of key_size bytes and its label
	valInt                        // signed integer of size bytes
	valUint                       // unsigned integer of size bytes
	valBool                       // 1 byte
	valPtr                        // pointer, rendered 0x + 16 hex digits
	valFloat                      // IEEE float of 4 or 8 bytes
	valFiletime                   // u64 FILETIME, rendered as a UTC time
	valActivity                   // GUID + u32 sequence (activity_id, activity_id_xfer)
	valFixedSkip                  // fixed-size value of a type not decoded
	valString                     // descriptor to UTF-16LE text
	valGUID                       // descriptor to a 16-byte GUID
	valAnsi                       // descriptor to 8-bit text (Windows-1252)
	valXML                        // descriptor to UTF-16LE XML text
	valBinary                     // descriptor to raw bytes, rendered as hex
	valCallstack                  // descriptor to 8-byte frame addresses
	valVarSkip                    // descriptor to a value of a type not decoded
)

// variable reports whether values of kind k sit behind a descriptor.
func (k valueKind) variable() bool { return k >= valString }

// planField is a payload field with its type resolved.
type planField struct {
	name      string
	valueName string // name + "_value", for the number of a map field
	kind      valueKind
	off       int
	size      int // bytes in the fixed area (8 for a descriptor)
	m         *mapMeta
	skipped   string // value of a field that is not decoded
	last      lastValue
	// recent holds the last variable-size values by a hash of their
	// bytes: messages recur a few events apart (half of the real files'
	// error_reported texts are one of the previous 16).
	recent *[recentSlots]lastValue
}

// recentSlots is how many variable-size values a field remembers.
const recentSlots = 16

// recentSeed seeds the hash of remembered values.
var recentSeed = maphash.MakeSeed()

// lastValue is the last value a field decoded: its raw bytes (the slot of a
// fixed-size value, the bytes a descriptor points to) and what they gave.
// Real sessions repeat values from event to event (group, replica and
// database names and ids, states, message texts), so a field whose bytes
// are those of its previous event takes the strings already made. The
// result depends on the bytes alone, so it is the same either way.
type lastValue struct {
	ok           bool
	cut          bool
	raw          []byte
	label, value string // a map's label and number; other kinds: value
}

// maxRemembered bounds the raw bytes a field remembers.
const maxRemembered = 4096

// same reports whether b are the bytes of the last value.
func (l *lastValue) same(b []byte) bool {
	return l.ok && string(l.raw) == string(b)
}

// remember stores b as the last value's bytes.
func (l *lastValue) remember(b []byte) bool {
	if len(b) > maxRemembered {
		l.ok = false
		return false
	}
	l.raw = append(l.raw[:0], b...)
	l.ok = true
	return true
}

// plan is the resolved payload layout of an event.
type plan struct {
	fields   []planField
	fixedEnd int // end of the fixed area: variable values follow it
	maps     int // map fields (each may give two Fields)
}

// notDecoded is the value reported for a field whose type the reader does
// not decode (types not verified on real files: XEL_FORMAT.md section 8).
func notDecoded(typeName string) string {
	return "field of type " + typeName + " not decoded"
}

// planFor returns the payload layout of e, resolving its field types in the
// catalog. An unresolvable type means missing or corrupt metadata. Each
// decoder keeps the plans it makes (with their fields' last values).
func (c *catalog) planFor(e *eventMeta) (*plan, error) {
	p := &plan{fields: make([]planField, 0, len(e.fields))}
	for _, f := range e.fields {
		pf := planField{name: f.name, valueName: f.name + "_value", off: int(f.offset)}
		switch ridKind(f.typeRID) {
		case kindMap:
			m := c.maps[f.typeRID]
			if m == nil {
				return nil, fmt.Errorf("event %q field %q: unknown map RID %#08x", e.name, f.name, f.typeRID)
			}
			pf.kind, pf.m, pf.size = valMap, m, int(m.keySize)
			p.maps++
		case kindType:
			t := c.types[f.typeRID]
			if t == nil {
				return nil, fmt.Errorf("event %q field %q: unknown type RID %#08x", e.name, f.name, f.typeRID)
			}
			pf.kind, pf.size = typeKind(t)
			if pf.kind == valFixedSkip || pf.kind == valVarSkip {
				pf.skipped = notDecoded(t.name)
			}
		default:
			return nil, fmt.Errorf("event %q field %q: type RID %#08x is neither a type nor a map", e.name, f.name, f.typeRID)
		}
		p.fixedEnd = max(p.fixedEnd, pf.off+pf.size)
		p.fields = append(p.fields, pf)
	}
	if err := checkSlots(e.name, p.fields); err != nil {
		return nil, err
	}
	return p, nil
}

// checkSlots verifies that no two fields share payload bytes. Real payloads
// cover every byte exactly once; overlapping slots mean corrupt metadata, and
// would let a small record expand into a great many fields.
func checkSlots(event string, fields []planField) error {
	if len(fields) > xe.MaxFields {
		return fmt.Errorf("event %q has %d fields, more than %d", event, len(fields), xe.MaxFields)
	}
	order := make([]int, len(fields))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return fields[a].off - fields[b].off })
	for k := 1; k < len(order); k++ {
		a, b := &fields[order[k-1]], &fields[order[k]]
		if a.off+a.size > b.off {
			return fmt.Errorf("event %q: fields %q and %q overlap", event, a.name, b.name)
		}
	}
	return nil
}

// typeKind tells how values of type t are decoded and how many bytes they take
// in the fixed area. The package0 types are decoded by their base type id
// (XEL_FORMAT.md 3.6); a type of another package, or an id whose declared
// size does not fit it, is reported as not decoded.
func typeKind(t *typeMeta) (valueKind, int) {
	size := int(t.size)
	if ridPackage(t.rid) != 0 {
		if size == 0 {
			return valVarSkip, 8
		}
		return valFixedSkip, size
	}
	id := ridIndex(t.rid)
	if size == 0 {
		switch id {
		case typeUnicodeString:
			return valString, 8
		case typeGUID:
			return valGUID, 8
		case typeAnsiString:
			return valAnsi, 8
		case typeXML:
			return valXML, 8
		case typeBinary:
			return valBinary, 8
		case typeCallstack:
			return valCallstack, 8
		}
		return valVarSkip, 8
	}
	intSize := size == 1 || size == 2 || size == 4 || size == 8
	switch id {
	case typeInt8, typeInt16, typeInt32, typeInt64:
		if intSize {
			return valInt, size
		}
	case typeUint8, typeUint16, typeUint32, typeUint64, typeCPUCycle:
		if intSize {
			return valUint, size
		}
	case typeBoolean:
		if size == 1 {
			return valBool, size
		}
	case typePtr, typeGUIDPtr:
		if size == 8 || size == 4 {
			return valPtr, size
		}
	case typeFloat32:
		if size == 4 {
			return valFloat, size
		}
	case typeFloat64:
		if size == 8 {
			return valFloat, size
		}
	case typeFiletime:
		if size == 8 {
			return valFiletime, size
		}
	case typeActivityID, typeActivityXfer:
		if size == 20 {
			return valActivity, size
		}
	}
	return valFixedSkip, size
}

// uintAt reads an unsigned little-endian integer of 1, 2, 4 or 8 bytes.
func uintAt(b []byte, size int) uint64 {
	switch size {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	default:
		return binary.LittleEndian.Uint64(b)
	}
}

// intAt reads a signed little-endian integer of 1, 2, 4 or 8 bytes.
func intAt(b []byte, size int) int64 {
	switch size {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	default:
		return int64(binary.LittleEndian.Uint64(b))
	}
}

// smallInts holds the strings of 0..255, the most frequent values.
var smallInts = func() (s [256]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return
}()

func formatUint(v uint64) string {
	if v < uint64(len(smallInts)) {
		return smallInts[v]
	}
	return strconv.FormatUint(v, 10)
}

func formatInt(v int64) string {
	if v >= 0 {
		return formatUint(uint64(v))
	}
	return strconv.FormatInt(v, 10)
}

// formatHex renders v as 0x and 2*size lower-case hex digits, as XML
// renderings print bit-flag map values (0x00000002) and pointers.
func formatHex(v uint64, size int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 2+2*size)
	b[0], b[1] = '0', 'x'
	for i := len(b) - 1; i >= 2; i-- {
		b[i] = hex[v&0xF]
		v >>= 4
	}
	return string(b)
}

// decodePayload appends the fields of one event's payload to dst, in
// metadata order, with the XML reader's conventions. It checks every offset
// against the payload: an error means the payload does not fit its metadata.
// cut names the fields whose values were cut at xe.MaxValue.
func decodePayload(dst []parsers.Field, p *plan, payload []byte) (_ []parsers.Field, cut []string, _ error) {
	if p.fixedEnd > len(payload) {
		return dst, nil, fmt.Errorf("payload of %d bytes is shorter than its %d fixed bytes", len(payload), p.fixedEnd)
	}
	for i := range p.fields {
		f := &p.fields[i]
		slot := payload[f.off : f.off+f.size]
		switch {
		case f.kind == valMap:
			l := &f.last
			if !l.same(slot) {
				v := uint32(uintAt(slot, f.size))
				if f.m.bitFlag {
					l.label, l.value = f.m.flagsLabel(v), formatHex(uint64(v), f.size)
				} else {
					l.label, l.value = f.m.label(v), formatUint(uint64(v))
				}
				l.remember(slot)
			}
			if l.label == "" {
				dst = append(dst, parsers.Field{Name: f.name, Value: l.value})
				continue
			}
			dst = append(dst, parsers.Field{Name: f.name, Value: l.label})
			if l.value != l.label {
				dst = append(dst, parsers.Field{Name: f.valueName, Value: l.value})
			}
		case f.kind == valBool:
			dst = append(dst, parsers.Field{Name: f.name, Value: fixedValue(f.kind, slot, f.skipped)})
		case !f.kind.variable():
			l := &f.last
			if !l.same(slot) {
				l.value = fixedValue(f.kind, slot, f.skipped)
				l.remember(slot)
			}
			dst = append(dst, parsers.Field{Name: f.name, Value: l.value})
		default: // a descriptor {u32 offset, u32 length} into the payload
			off := uint64(binary.LittleEndian.Uint32(slot))
			n := uint64(binary.LittleEndian.Uint32(slot[4:]))
			if off < uint64(p.fixedEnd) || off+n > uint64(len(payload)) {
				return dst, nil, fmt.Errorf("field %q: value at %d+%d outside the %d-byte payload", f.name, off, n, len(payload))
			}
			raw := payload[off : off+n]
			l := &f.last
			if len(raw) <= maxRemembered {
				if f.recent == nil {
					f.recent = new([recentSlots]lastValue)
				}
				l = &f.recent[maphash.Bytes(recentSeed, raw)%recentSlots]
			}
			if !l.same(raw) {
				s, wasCut, err := variableValue(f.kind, raw, f.skipped)
				if err != nil {
					l.ok = false
					return dst, nil, fmt.Errorf("field %q: %v", f.name, err)
				}
				l.value, l.cut = s, wasCut
				l.remember(raw)
			}
			if l.cut {
				cut = append(cut, f.name)
			}
			dst = append(dst, parsers.Field{Name: f.name, Value: l.value})
		}
	}
	return dst, cut, nil
}

// fixedValue renders a fixed-size value of kind k held in b (exactly its
// size); skipped is the text of a value that is not decoded.
func fixedValue(k valueKind, b []byte, skipped string) string {
	switch k {
	case valInt:
		return formatInt(intAt(b, len(b)))
	case valUint:
		return formatUint(uintAt(b, len(b)))
	case valBool:
		if b[0] != 0 {
			return "true"
		}
		return "false"
	case valPtr:
		return formatHex(uintAt(b, len(b)), 8)
	case valFloat:
		if len(b) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 'g', -1, 32)
		}
		return strconv.FormatFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)), 'g', -1, 64)
	case valFiletime:
		return formatFiletime(binary.LittleEndian.Uint64(b))
	case valActivity:
		// A GUID and a sequence number, printed GUID-N.
		return guidString(b[:16]) + "-" + formatUint(uint64(binary.LittleEndian.Uint32(b[16:])))
	}
	return skipped
}

// variableValue renders a variable-size value of kind k (the bytes a
// descriptor points to, or an action's value), at most xe.MaxValue
// bytes of it; cut says the value was longer.
func variableValue(k valueKind, b []byte, skipped string) (s string, cut bool, err error) {
	const limit = xe.MaxValue
	switch k {
	case valString, valXML:
		s, cut = decodeUTF16Cut(b, limit)
		return s, cut, nil
	case valGUID:
		if len(b) != 16 {
			return "", false, fmt.Errorf("guid of %d bytes", len(b))
		}
		return guidString(b), false, nil
	case valAnsi:
		s, cut = decodeANSI(b, limit)
		return s, cut, nil
	case valBinary:
		s, cut = formatBytes(b, limit)
		return s, cut, nil
	case valCallstack:
		s, cut = formatCallstack(b, limit)
		return s, cut, nil
	}
	return skipped, false, nil
}

// formatFiletime renders a FILETIME as an RFC 3339 UTC time with its 100 ns
// digits (trailing zeros dropped), as event timestamps are printed.
func formatFiletime(ft uint64) string {
	sec := int64(ft/10_000_000) - unixEpochSeconds
	return time.Unix(sec, int64(ft%10_000_000)*100).UTC().Format(time.RFC3339Nano)
}

// formatBytes renders bytes as lower-case hex digits without prefix, at
// most limit characters; cut says there were more.
func formatBytes(b []byte, limit int) (string, bool) {
	cut := 2*len(b) > limit
	if cut {
		b = b[:limit/2]
	}
	return hex.EncodeToString(b), cut
}

// formatCallstack renders a call stack (a run of 8-byte return addresses)
// as one 0x-prefixed address per line, at most limit characters; a length
// that is not a multiple of 8 is rendered as plain hex.
func formatCallstack(b []byte, limit int) (string, bool) {
	if len(b)%8 != 0 {
		return formatBytes(b, limit)
	}
	out := make([]byte, 0, min(len(b)/8*19, limit))
	i := 0
	for ; i+8 <= len(b) && len(out)+19 <= limit; i += 8 {
		if i > 0 {
			out = append(out, '\n')
		}
		out = append(out, formatHex(binary.LittleEndian.Uint64(b[i:]), 8)...)
	}
	return string(out), i < len(b)
}

// decodeANSI converts 8-bit text in Windows-1252 (the code page of SQL
// Server's ANSI strings on Western systems) to UTF-8, keeping at most limit
// bytes of output; cut says there was more.
func decodeANSI(b []byte, limit int) (string, bool) {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		if len(b) > limit {
			return string(b[:limit]), true
		}
		return string(b), false
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for _, c := range b {
		r := charmap.Windows1252.DecodeByte(c)
		if len(out)+utf8.RuneLen(r) > limit {
			return string(out), true
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out), false
}

// unixEpoch is 1970-01-01 in 100 ns units since 1601-01-01 (FILETIME).
const unixEpochSeconds = 11644473600

// eventTime converts an event's ticks with its package clock to UTC.
func eventTime(pk *pkg, ticks uint64) time.Time {
	var hundreds uint64 // 100 ns units since tick 0
	if pk.freq == 10_000_000 {
		hundreds = ticks
	} else {
		hi, lo := bits.Mul64(ticks%pk.freq, 10_000_000)
		q, _ := bits.Div64(hi, lo, pk.freq) // hi < freq: the quotient fits
		hundreds = ticks/pk.freq*10_000_000 + q
	}
	ft := pk.clockBase + hundreds
	return time.Unix(int64(ft/10_000_000)-unixEpochSeconds, int64(ft%10_000_000)*100).UTC()
}
