package xel

import (
	"encoding/binary"
	"fmt"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// Event record header fields (XEL_FORMAT.md 4.1).
const (
	eventHeaderSize = 24
	actionsFollow   = 1 << 31
)

// sink receives what decoding an event buffer gives, in order.
type sink interface {
	warn(off int64, msg string)
	skipped(n int64) // bytes that could not be used
	record()         // an event record was found
	event(ev *parsers.Event)
	stopped() bool
}

// decoder decodes event buffers against a catalog. It keeps, per event
// RID, the resolved payload plan with its fields' last values, and
// allocates events and fields in blocks. A decoder is used by one
// goroutine at a time.
type decoder struct {
	file    string
	cat     *catalog
	gen     int
	entries map[uint32]*entry
	block   []parsers.Event // events are allocated in blocks
	fields  []parsers.Field // and so are their fields
}

// entry is an event type as the decoder uses it.
type entry struct {
	em  *eventMeta
	pk  *pkg
	pl  *plan
	err error // the plan could not be made
}

// lookup returns the entry of an event RID, or nil when the catalog does
// not know the event or its package.
func (d *decoder) lookup(cat *catalog, rid uint32) *entry {
	if d.cat != cat || d.gen != cat.gen {
		d.cat, d.gen = cat, cat.gen
		if len(d.entries) > 0 || d.entries == nil {
			d.entries = make(map[uint32]*entry)
		}
	}
	if e := d.entries[rid]; e != nil {
		return e
	}
	em, pk := cat.events[rid], cat.packages[ridPackage(rid)]
	if em == nil || pk == nil {
		return nil // not kept: corrupt data could name any number of RIDs
	}
	e := &entry{em: em, pk: pk}
	e.pl, e.err = cat.planFor(em)
	d.entries[rid] = e
	return e
}

// events decodes the event records of an event buffer whose data starts at
// file offset dataStart, with the catalog cat (nil before any metadata).
func (d *decoder) events(out sink, cat *catalog, data []byte, dataStart int64) {
	for p := 0; p < len(data) && !out.stopped(); {
		at := dataStart + int64(p)
		rest := int64(len(data) - p)
		if rest < eventHeaderSize {
			out.skipped(rest)
			out.warn(at, fmt.Sprintf("event record header cut: %d bytes left in the buffer", rest))
			return
		}
		h := data[p:]
		rid := binary.LittleEndian.Uint32(h)
		word := binary.LittleEndian.Uint32(h[4:])
		ticks := binary.LittleEndian.Uint64(h[12:])
		size := int64(binary.LittleEndian.Uint32(h[20:]))
		var problem string
		var e *entry
		switch {
		case word&0x3F != Version:
			problem = fmt.Sprintf("event record version %d (the data is out of step)", word&0x3F)
		case size > rest-eventHeaderSize:
			problem = fmt.Sprintf("event payload of %d bytes overruns the buffer (%d left)", size, rest-eventHeaderSize)
		case cat == nil:
			problem = "event data before any metadata"
		default:
			e = d.lookup(cat, rid)
			if e == nil {
				problem = fmt.Sprintf("unknown event RID %#08x", rid)
			} else if e.err != nil {
				problem = e.err.Error()
			}
		}
		if problem != "" {
			out.skipped(rest)
			out.warn(at, problem+": rest of the buffer skipped")
			return
		}
		out.record()
		payload := h[eventHeaderSize : eventHeaderSize+size]
		next := p + eventHeaderSize + int(size)
		fields, cut, err := decodePayload(d.fieldSlice(len(e.pl.fields)+e.pl.maps), e.pl, payload)
		for _, name := range cut {
			n := 0
			for _, f := range fields {
				if f.Name == name {
					n = len(f.Value)
				}
			}
			out.warn(at, fmt.Sprintf("event %q: field %q cut to %d bytes", e.em.name, name, n))
		}
		if err != nil {
			out.skipped(int64(next - p))
			out.warn(at, fmt.Sprintf("event %q skipped: %v", e.em.name, err))
			p = next
			continue
		}
		if word&actionsFollow != 0 {
			fields, next = d.actions(fields, data, next)
		}
		ev := d.newEvent()
		ev.Offset = at
		ev.Name = e.em.name
		ev.Time = eventTime(e.pk, ticks)
		ev.Fields = fields
		xe.Interpret(ev)
		out.event(ev)
		p = next
	}
}

// actions reads the action values that follow a payload at p when the event
// header says so (XEL_FORMAT.md 4.1, not verified on real files): {u32 RID,
// u32 length, value} records ended by a pair whose RID is not an action.
// They are only taken when the first record names a known action. A value
// is decoded by the action's type: the bytes of a fixed-size type, or the
// whole value of a variable-size one (no descriptor). It returns the
// position of the next event.
func (d *decoder) actions(fields []parsers.Field, data []byte, p int) ([]parsers.Field, int) {
	for q, n := p, 0; len(data)-q >= 8; n++ {
		rid := binary.LittleEndian.Uint32(data[q:])
		l := int64(binary.LittleEndian.Uint32(data[q+4:]))
		a := d.cat.actions[rid]
		if a == nil || ridKind(rid) != kindAction || l > int64(len(data)-q-8) {
			if n == 0 {
				return fields, p // not actions: the next event starts here
			}
			return fields, q + 8 // the terminating pair
		}
		if len(fields) < xe.MaxFields {
			fields = append(fields, parsers.Field{Name: a.name, Value: d.actionValue(a, data[q+8:q+8+int(l)])})
		}
		q += 8 + int(l)
		p = q
	}
	return fields, p
}

// actionValue renders the value of action a.
func (d *decoder) actionValue(a *actionMeta, b []byte) string {
	t := d.cat.types[a.typeRID]
	if t == nil {
		return notDecoded("unknown")
	}
	k, size := typeKind(t)
	skipped := notDecoded(t.name)
	if !k.variable() {
		if len(b) != size {
			return skipped
		}
		return fixedValue(k, b, skipped)
	}
	s, _, err := variableValue(k, b, skipped)
	if err != nil {
		return skipped
	}
	return s
}

// Block sizes: how many events, and fields, are allocated at once.
const (
	eventBlock = 64
	fieldBlock = 256
)

func (d *decoder) newEvent() *parsers.Event {
	if len(d.block) == 0 {
		d.block = make([]parsers.Event, eventBlock)
	}
	ev := &d.block[0]
	d.block = d.block[1:]
	ev.Clock = parsers.ClockUTC
	ev.Source = parsers.SourceXEL
	ev.File = d.file
	return ev
}

// fieldSlice returns an empty slice with room for n fields, cut from the
// current block (its capacity ends at n, so appending beyond it copies).
func (d *decoder) fieldSlice(n int) []parsers.Field {
	if n > fieldBlock/4 {
		return make([]parsers.Field, 0, n)
	}
	if cap(d.fields)-len(d.fields) < n {
		d.fields = make([]parsers.Field, 0, fieldBlock)
	}
	l := len(d.fields)
	d.fields = d.fields[:l+n]
	return d.fields[l : l : l+n]
}
