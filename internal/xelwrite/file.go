package xelwrite

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// FILETIME conversions: 100 ns units since 1601-01-01 UTC.
const unixEpochSeconds = 11644473600

// Filetime returns t as a Windows FILETIME.
func Filetime(t time.Time) uint64 {
	return uint64(t.Unix()+unixEpochSeconds)*10_000_000 + uint64(t.Nanosecond()/100)
}

// GUID returns the 16 stored bytes (Data1, Data2, Data3 little-endian, then
// the last 8 bytes as written) of a GUID printed as
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func GUID(s string) ([]byte, error) {
	h := strings.ReplaceAll(s, "-", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 16 || len(s) != 36 {
		return nil, fmt.Errorf("bad GUID %q", s)
	}
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b, nil
}

// MaxBufferData bounds the event data of one buffer File writes.
const MaxBufferData = 32 << 10

// File assembles a .xel file: the file header, one metadata buffer with a
// package record per package, and event buffers of at most MaxBufferData
// bytes, in the order the events were added. All packages share the clock:
// ClockBase (FILETIME at tick 0) and 10,000,000 ticks per second.
type File struct {
	ID        []byte // file id in the header (16 bytes)
	Stream    []byte // stream GUID of the package records and event buffers
	ClockBase uint64
	Packages  []Package
	// BufferData bounds the event data of one buffer; 0 means MaxBufferData.
	// A large value makes the huge buffers of a busy session.
	BufferData int

	records [][]byte
	widths  map[uint32]int // type or map RID -> size (0 = variable)
}

// width returns the payload width of a field type: the map key size, the
// type size, or 0 for a variable-size type.
func (f *File) width(rid uint32) (int, bool) {
	if f.widths == nil {
		f.widths = map[uint32]int{}
		for _, p := range f.Packages {
			for _, m := range p.Maps {
				f.widths[m.RID] = int(m.KeySize)
			}
			for _, t := range p.Types {
				f.widths[TypeRID(t.ID)] = int(t.Size)
			}
		}
	}
	w, ok := f.widths[rid]
	return w, ok
}

// Add encodes one event at time at. values holds one value per field of e,
// in field order: an integer type (int, int32, int64, uint32, uint64) for
// integer, map and pointer fields, a bool for boolean fields, a string for
// unicode_string fields and a []byte for other variable-size fields (a GUID
// from GUID, for instance).
func (f *File) Add(e Event, at time.Time, values ...any) error {
	if len(values) != len(e.Fields) {
		return fmt.Errorf("%s: %d values for %d fields", e.Name, len(values), len(e.Fields))
	}
	ft := Filetime(at)
	if ft < f.ClockBase {
		return fmt.Errorf("%s: time %s before the clock base", e.Name, at.UTC().Format(time.RFC3339Nano))
	}
	fixed := 0
	widths := make([]int, len(e.Fields))
	for i, fd := range e.Fields {
		w, ok := f.width(fd.Type)
		if !ok {
			return fmt.Errorf("%s.%s: type RID %#x not defined", e.Name, fd.Name, fd.Type)
		}
		if w == 0 {
			w = -8 // descriptor
		}
		widths[i] = w
		fixed = max(fixed, int(fd.Offset)+abs(w))
	}
	p := NewPayload(fixed)
	for i, fd := range e.Fields {
		v := values[i]
		if widths[i] < 0 {
			var b []byte
			switch x := v.(type) {
			case string:
				b = UTF16LE(x)
			case []byte:
				b = x
			default:
				return fmt.Errorf("%s.%s: variable-size field needs a string or []byte, got %T", e.Name, fd.Name, v)
			}
			p.Variable(int(fd.Offset), b)
			continue
		}
		n, err := integer(v)
		if err != nil {
			return fmt.Errorf("%s.%s: fixed-size field: %w", e.Name, fd.Name, err)
		}
		p.Put(int(fd.Offset), widths[i], n)
	}
	ticks := ft - f.ClockBase
	f.records = append(f.records, EventRecord(e.RID, Version, ticks, p.Bytes()))
	return nil
}

// integer converts a fixed-size value: an integer type, a bool, or a
// float64 (stored as its IEEE bits).
func integer(v any) (uint64, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		return uint64(x), nil
	case int32:
		return uint64(x), nil
	case int64:
		return uint64(x), nil
	case uint32:
		return uint64(x), nil
	case uint64:
		return x, nil
	case float64:
		return math.Float64bits(x), nil
	}
	return 0, fmt.Errorf("needs an integer, a bool or a float64, got %T", v)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Bytes returns the file. It fails when no package is defined.
func (f *File) Bytes() ([]byte, error) {
	if len(f.Packages) == 0 {
		return nil, errors.New("xelwrite: no packages")
	}
	out := FileHeader(Version, f.ID)
	var meta []byte
	for _, p := range f.Packages {
		meta = append(meta, PackageRecord(p, f.Stream, f.ClockBase, 10_000_000, 0)...)
	}
	out = append(out, Buffer(BufMetadata, 0xFFFFFFFF, nil, meta, 0)...)
	seq := uint32(1)
	var data []byte
	flush := func() {
		if len(data) > 0 {
			out = append(out, Buffer(BufEvents, seq, f.Stream, data, 0)...)
			seq++
			data = nil
		}
	}
	for _, r := range f.records {
		if max := cmp.Or(f.BufferData, MaxBufferData); len(data)+len(r) > max {
			flush()
		}
		data = append(data, r...)
	}
	flush()
	return out, nil
}
