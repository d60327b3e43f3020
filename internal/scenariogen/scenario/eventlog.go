package scenario

import (
	"bytes"
	"time"

	"encoding/binary"
	"fmt"
	"html"
	"strings"
	"unicode/utf16"

	"github.com/agtriage/agtriage/internal/evtexport"
	"github.com/agtriage/agtriage/parsers/evtx"

	"github.com/agtriage/agtriage/internal/evtxwrite"
)

// Sys adds an event to the replica's System log.
func (r *Replica) Sys(ev evtxwrite.Event) { r.system = append(r.system, ev) }

// SystemXML renders events as Event Viewer's "Save As XML" export: UTF-8
// with BOM, an <Events> root, one <Event> per record with its System block
// and EventData.
func SystemXML(evs []evtxwrite.Event) []byte {
	var b strings.Builder
	b.WriteString("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events>")
	for i, ev := range evs {
		b.WriteString("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>")
		if ev.ProviderGUID != "" {
			fmt.Fprintf(&b, "<Provider Name='%s' Guid='%s'/>", ev.Provider, ev.ProviderGUID)
		} else {
			fmt.Fprintf(&b, "<Provider Name='%s'/>", ev.Provider)
		}
		if ev.Qualifiers >= 0 {
			fmt.Fprintf(&b, "<EventID Qualifiers='%d'>%d</EventID>", ev.Qualifiers, ev.EventID)
		} else {
			fmt.Fprintf(&b, "<EventID>%d</EventID>", ev.EventID)
		}
		fmt.Fprintf(&b, "<Version>0</Version><Level>%d</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x%x</Keywords>", ev.Level, ev.Keywords)
		fmt.Fprintf(&b, "<TimeCreated SystemTime='%s'/><EventRecordID>%d</EventRecordID><Correlation/>", ev.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"), 81000+i)
		fmt.Fprintf(&b, "<Execution ProcessID='%d' ThreadID='%d'/><Channel>%s</Channel><Computer>%s</Computer>", ev.ProcessID, ev.ThreadID, ev.Channel, ev.Computer)
		if ev.UserID != "" {
			fmt.Fprintf(&b, "<Security UserID='%s'/>", ev.UserID)
		} else {
			b.WriteString("<Security/>")
		}
		b.WriteString("</System><EventData>")
		for _, d := range ev.Data {
			v := html.EscapeString(valueText(d.Value))
			if d.Name != "" {
				fmt.Fprintf(&b, "<Data Name='%s'>%s</Data>", d.Name, v)
			} else {
				fmt.Fprintf(&b, "<Data>%s</Data>", v)
			}
		}
		b.WriteString("</EventData></Event>")
	}
	b.WriteString("</Events>")
	return []byte(b.String())
}

// valueText renders a substitution value as Event Viewer writes it.
func valueText(v evtxwrite.Value) string {
	switch v.Type {
	case evtxwrite.TypeString:
		u := make([]uint16, len(v.Data)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(v.Data[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	case evtxwrite.TypeUint32:
		return fmt.Sprint(binary.LittleEndian.Uint32(v.Data))
	case evtxwrite.TypeUint64:
		return fmt.Sprint(binary.LittleEndian.Uint64(v.Data))
	case evtxwrite.TypeHex64:
		return fmt.Sprintf("0x%x", binary.LittleEndian.Uint64(v.Data))
	}
	return ""
}

// logScoutCSV renders events as SQL LogScout's <host>_…_EventLog_System.csv:
// the native log is written and read back, and its records exported as
// LogScout does (local times, rendered messages, newest first).
func logScoutCSV(evs []evtxwrite.Event, offset time.Duration) ([]byte, error) {
	w := &evtxwrite.Writer{}
	for _, ev := range evs {
		w.Add(ev)
	}
	var recs []evtexport.Record
	for ev, err := range evtx.NewReader(bytes.NewReader(w.Bytes()), "System.evtx").Events() {
		if err != nil {
			return nil, err
		}
		recs = append(recs, evtexport.FromEvent(ev))
	}
	return evtexport.LogScout(recs, offset), nil
}
