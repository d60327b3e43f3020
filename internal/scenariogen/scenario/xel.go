package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/internal/xelwrite"
	"golang.org/x/text/encoding/charmap"
)

// xelEvents maps the event names the scenarios write to their .xel metadata.
var xelEvents = map[string]xelwrite.Event{}

func init() {
	for _, p := range xelwrite.AlwaysOnHealth() {
		for _, e := range p.Events {
			xelEvents[e.Name] = e
		}
	}
}

// xelMaps maps a map RID to its map, to turn the XML labels into the real
// keys of the .xel metadata (the XML texts are the same in both).
var xelMaps = map[uint32]xelwrite.Map{}

func init() {
	for _, p := range xelwrite.AlwaysOnHealth() {
		for _, m := range p.Maps {
			xelMaps[m.RID] = m
		}
	}
}

// xelName is the file name SQL Server gives the first AlwaysOn_health file
// of the session: the FILETIME of its creation, here its first event.
func (r *Replica) xelName() string {
	evs := r.sortedXE()
	if len(evs) == 0 {
		return "AlwaysOn_health_0_0.xel"
	}
	return fmt.Sprintf("AlwaysOn_health_0_%d.xel", xelwrite.Filetime(evs[0].at))
}

// sortedXE returns the events in time order.
func (r *Replica) sortedXE() []xeEvent {
	evs := append([]xeEvent(nil), r.xe...)
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].at.Before(evs[b].at) })
	return evs
}

// xelFile renders the AlwaysOn_health events as a binary .xel file with the
// real AlwaysOn_health metadata. The clock base is an hour before the first
// event (the machine's boot), the ids derive from the host.
func (r *Replica) xelFile() ([]byte, error) {
	evs := r.sortedXE()
	id, _ := xelwrite.GUID(guid("xel-file/" + r.Host))
	stream, _ := xelwrite.GUID(guid("xel-stream/" + r.Host))
	f := &xelwrite.File{ID: id, Stream: stream, Packages: xelwrite.AlwaysOnHealth()}
	if len(evs) > 0 {
		f.ClockBase = xelwrite.Filetime(evs[0].at.Add(-Hours(1)))
	}
	for _, ev := range evs {
		meta, ok := xelEvents[ev.name]
		if !ok {
			return nil, fmt.Errorf("%s: event %s has no .xel metadata", r.Host, ev.name)
		}
		vals := make([]any, len(meta.Fields))
		for i, fd := range meta.Fields {
			v, err := xelValue(ev, fd)
			if err != nil {
				return nil, fmt.Errorf("%s: %s.%s: %w", r.Host, ev.name, fd.Name, err)
			}
			vals[i] = v
		}
		if err := f.Add(meta, ev.at, vals...); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Host, err)
		}
	}
	return f.Bytes()
}

// xelValue converts the XML value of field fd to the .xel writer's value:
// map labels to the real keys, GUIDs to their bytes, numbers and booleans.
// Fields the XML lacks (alwayson_ddl_executed's nt_username ...) are empty.
func xelValue(ev xeEvent, fd xelwrite.Field) (any, error) {
	var d *xeData
	for i := range ev.data {
		if ev.data[i].name == fd.Name {
			d = &ev.data[i]
		}
	}
	if m, ok := xelMaps[fd.Type]; ok {
		if d == nil {
			return nil, fmt.Errorf("missing")
		}
		var key uint32
		for _, label := range strings.Split(d.text, ", ") {
			k, ok := m.Key(label)
			if !ok {
				return nil, fmt.Errorf("label %q not in map %s", d.text, m.Name)
			}
			key |= k
		}
		return key, nil
	}
	switch fd.Type {
	case xelwrite.TypeRID(xelwrite.TypeUnicodeString):
		if d == nil {
			return "", nil
		}
		return d.value, nil
	case xelwrite.TypeRID(xelwrite.TypeGUID):
		if d == nil {
			return nil, fmt.Errorf("missing")
		}
		return xelwrite.GUID(d.value)
	case xelwrite.TypeRID(xelwrite.TypeBoolean):
		if d == nil {
			return nil, fmt.Errorf("missing")
		}
		return strconv.ParseBool(d.value)
	}
	if d == nil {
		return nil, fmt.Errorf("missing")
	}
	return strconv.ParseInt(d.value, 10, 64)
}

// cp1252File encodes lines as SQL Server on Linux writes its errorlog:
// 8-bit text (Windows-1252 here), LF line ends, no BOM.
func cp1252File(lines []string) ([]byte, error) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("errorlog: %w", err)
	}
	return out, nil
}
