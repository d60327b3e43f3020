package xel

import (
	"encoding/binary"
	"fmt"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/xe"
)

// minPackageRecord is the size of a package record up to its name.
const minPackageRecord = 58

// metadata merges the package records of a metadata buffer into the catalog.
func (r *Reader) metadata(data []byte, dataStart int64) {
	if r.cat == nil {
		r.cat = newCatalog()
	}
	for p := 0; p < len(data) && !r.stop; {
		if len(data)-p < 6 {
			r.warn(dataStart+int64(p), fmt.Sprintf("%d stray bytes at the end of the metadata", len(data)-p))
			r.stats.SkippedBytes += int64(len(data) - p)
			return
		}
		l := int(binary.LittleEndian.Uint32(data[p+2:]))
		if l < minPackageRecord || l > len(data)-p {
			r.warn(dataStart+int64(p), fmt.Sprintf("package record length %d outside 58..%d: rest of the metadata buffer skipped", l, len(data)-p))
			r.stats.SkippedBytes += int64(len(data) - p)
			return
		}
		rec, err := parsePackage(data[p : p+l])
		if err == nil {
			err = r.cat.merge(rec)
		}
		if err != nil {
			r.warn(dataStart+int64(p), "package record skipped: "+err.Error())
			r.stats.SkippedBytes += int64(l)
		}
		p += l
	}
}

// Event record header fields (XEL_FORMAT.md 4.1).
const (
	eventHeaderSize = 24
	actionsFollow   = 1 << 31
)

// events decodes the event records of an event buffer.
func (r *Reader) events(data []byte, dataStart int64) {
	for p := 0; p < len(data) && !r.stop; {
		at := dataStart + int64(p)
		rest := int64(len(data) - p)
		if rest < eventHeaderSize {
			r.stats.SkippedBytes += rest
			r.warn(at, fmt.Sprintf("event record header cut: %d bytes left in the buffer", rest))
			return
		}
		h := data[p:]
		rid := binary.LittleEndian.Uint32(h)
		word := binary.LittleEndian.Uint32(h[4:])
		ticks := binary.LittleEndian.Uint64(h[12:])
		size := int64(binary.LittleEndian.Uint32(h[20:]))
		var problem string
		switch {
		case word&0x3F != Version:
			problem = fmt.Sprintf("event record version %d (the data is out of step)", word&0x3F)
		case size > rest-eventHeaderSize:
			problem = fmt.Sprintf("event payload of %d bytes overruns the buffer (%d left)", size, rest-eventHeaderSize)
		case r.cat == nil:
			problem = "event data before any metadata"
		}
		var em *eventMeta
		var pk *pkg
		var pl *plan
		if problem == "" {
			em, pk = r.cat.events[rid], r.cat.packages[ridPackage(rid)]
			if em == nil || pk == nil {
				problem = fmt.Sprintf("unknown event RID %#08x", rid)
			} else {
				var err error
				if pl, err = r.cat.planFor(em); err != nil {
					problem = err.Error()
				}
			}
		}
		if problem != "" {
			r.stats.SkippedBytes += rest
			r.warn(at, problem+": rest of the buffer skipped")
			return
		}
		r.stats.Records++
		payload := h[eventHeaderSize : eventHeaderSize+size]
		next := p + eventHeaderSize + int(size)
		ev := r.newEvent()
		ev.Offset = at
		ev.Name = em.name
		ev.Time = eventTime(pk, ticks)
		fields, cut, err := decodePayload(make([]parsers.Field, 0, len(pl.fields)+pl.maps), pl, payload)
		for _, name := range cut {
			n := 0
			for _, f := range fields {
				if f.Name == name {
					n = len(f.Value)
				}
			}
			r.warn(at, fmt.Sprintf("event %q: field %q cut to %d bytes", em.name, name, n))
		}
		if err != nil {
			r.stats.SkippedBytes += int64(next - p)
			r.warn(at, fmt.Sprintf("event %q skipped: %v", em.name, err))
			p = next
			continue
		}
		if word&actionsFollow != 0 {
			fields, next = r.actions(fields, data, next)
		}
		ev.Fields = fields
		r.emit(ev)
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
func (r *Reader) actions(fields []parsers.Field, data []byte, p int) ([]parsers.Field, int) {
	for q, n := p, 0; len(data)-q >= 8; n++ {
		rid := binary.LittleEndian.Uint32(data[q:])
		l := int64(binary.LittleEndian.Uint32(data[q+4:]))
		a := r.cat.actions[rid]
		if a == nil || ridKind(rid) != kindAction || l > int64(len(data)-q-8) {
			if n == 0 {
				return fields, p // not actions: the next event starts here
			}
			return fields, q + 8 // the terminating pair
		}
		if len(fields) < xe.MaxFields {
			fields = append(fields, parsers.Field{Name: a.name, Value: r.actionValue(a, data[q+8:q+8+int(l)])})
		}
		q += 8 + int(l)
		p = q
	}
	return fields, p
}

// actionValue renders the value of action a.
func (r *Reader) actionValue(a *actionMeta, b []byte) string {
	t := r.cat.types[a.typeRID]
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

// eventBlock is how many events are allocated at once.
const eventBlock = 64

func (r *Reader) newEvent() *parsers.Event {
	if len(r.block) == 0 {
		r.block = make([]parsers.Event, eventBlock)
	}
	ev := &r.block[0]
	r.block = r.block[1:]
	ev.Clock = parsers.ClockUTC
	ev.Source = parsers.SourceXEL
	ev.File = r.file
	return ev
}

// emit interprets an event as the XML reader does and yields it.
func (r *Reader) emit(ev *parsers.Event) {
	xe.Interpret(ev)
	if ev.Server != "" && r.stats.Server == "" {
		r.stats.Server = ev.Server
	}
	r.stats.Count(ev)
	if !r.yield(ev, nil) {
		r.stop = true
	}
}
