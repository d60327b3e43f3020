package winevent

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// Classify gives an event read from a Windows event log its Kind,
// Message and naming fields. data are the event's EventData/UserData values
// in order (named, or Data1, Data2 ... when unnamed).
//
// Events of the table get its Kind and Message (the English text rebuilt
// from the values), the fields "node", "resource", "role" and "service" when
// the table names them, Replica (the node) and AG (the role) like the
// cluster-log reader. SQL Server's own events (MSSQLSERVER, MSSQL$NAME) get
// Error = the event id and are classified by the ERRORLOG message table from
// the message rebuilt from their values, so they become the same kinds as
// the ERRORLOG lines; the instance name goes to the field "instance". Other
// events keep parsers.KindMessage, with a Message listing their values.
func Classify(ev *parsers.Event, provider string, id int, data []parsers.Field) {
	classify(ev, provider, id, data, "")
}

// classify is Classify with the rendered message of an
// export, which is used when present.
func classify(ev *parsers.Event, provider string, id int, data []parsers.Field, rendered string) {
	ev.Kind = parsers.KindMessage
	if IsSQLServerProvider(provider) {
		ev.Error = id
		inst := "MSSQLSERVER"
		if len(provider) > 6 && provider[5] == '$' {
			inst = provider[6:]
		}
		ev.Fields = append(ev.Fields, parsers.Field{Name: "instance", Value: inst})
		sqlBinary(ev, id, data)
		ev.Message = rendered
		if ev.Message == "" {
			ev.Message = parsers.SQLMessageFromInserts(id, dataValues(data))
		}
		if ev.Message == "" {
			ev.Message = listValues(data)
		}
		if !parsers.ClassifyMessage(ev) && rendered != "" {
			// The rendered text may be localized: try the values.
			if msg := parsers.SQLMessageFromInserts(id, dataValues(data)); msg != "" {
				ev.Message = msg
				if !parsers.ClassifyMessage(ev) {
					ev.Message = rendered
				}
			}
		}
		return
	}
	c := lookup(provider, id, data)
	if c == nil {
		ev.Message = rendered
		if ev.Message == "" {
			ev.Message = listValues(data)
		}
		return
	}
	ev.Kind = c.Kind
	ev.Message = rendered
	if ev.Message == "" {
		ev.Message = expandInserts(c.Message, data)
	}
	if v := dataValue(data, c.Node); v != "" {
		ev.Replica = v
		ev.Fields = append(ev.Fields, parsers.Field{Name: "node", Value: v})
	}
	if v := dataValue(data, c.Resource); v != "" {
		ev.Fields = append(ev.Fields, parsers.Field{Name: "resource", Value: v})
	}
	if v := dataValue(data, c.Group); v != "" {
		ev.AG = v
		ev.Fields = append(ev.Fields, parsers.Field{Name: "role", Value: v})
	}
	if v := dataValue(data, c.Service); v != "" {
		ev.Fields = append(ev.Fields, parsers.Field{Name: "service", Value: v})
	}
}

// dataValues returns the values of the data fields that are insertion
// strings (Binary is not one).
func dataValues(data []parsers.Field) []string {
	out := make([]string, 0, len(data))
	for _, f := range data {
		if f.Name != "Binary" {
			out = append(out, f.Value)
		}
	}
	return out
}

// dataValue evaluates a selector such as "NodeName|%1" against data.
func dataValue(data []parsers.Field, sel string) string {
	for sel != "" {
		alt, rest, _ := strings.Cut(sel, "|")
		sel = rest
		if strings.HasPrefix(alt, "%") {
			n, err := strconv.Atoi(alt[1:])
			if err != nil || n < 1 {
				continue
			}
			i := 0
			for _, f := range data {
				if f.Name == "Binary" {
					continue
				}
				if i++; i == n {
					return f.Value
				}
			}
			continue
		}
		for _, f := range data {
			if f.Name == alt {
				return f.Value
			}
		}
	}
	return ""
}

// expandInserts replaces %1 ... %99 in msg with the data values, and %*
// with all of them listed (name=value).
func expandInserts(msg string, data []parsers.Field) string {
	if !strings.Contains(msg, "%") {
		return msg
	}
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		if strings.HasPrefix(msg[i:], "%*") {
			b.WriteString(listValues(data))
			i++
			continue
		}
		if msg[i] == '%' && i+1 < len(msg) && msg[i+1] >= '1' && msg[i+1] <= '9' {
			j := i + 2
			if j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
				j++
			}
			b.WriteString(dataValue(data, msg[i:j]))
			i = j - 1
			continue
		}
		b.WriteByte(msg[i])
	}
	return b.String()
}

// listValues renders data as "name=value, name=value" (at most 1000 bytes):
// the message of an event whose text is not in the table.
func listValues(data []parsers.Field) string {
	var b strings.Builder
	n := 0
	for _, f := range data {
		n += len(f.Name) + len(f.Value) + 3
	}
	b.Grow(min(n, 1024))
	for _, f := range data {
		if f.Name == "Binary" || f.Value == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.WriteString(f.Value)
		if b.Len() > 1000 {
			return b.String()[:1000] + " ..."
		}
	}
	return b.String()
}

// sqlBinary reads the Binary data SQL Server attaches to its events:
// little-endian int32 error number, severity and state, then the server
// name in UTF-16 (NUL-terminated), a length and the database name. The
// severity and state are kept when the number matches the event id.
func sqlBinary(ev *parsers.Event, id int, data []parsers.Field) {
	var raw []byte
	for _, f := range data {
		if f.Name == "Binary" {
			raw, _ = hex.DecodeString(f.Value)
		}
	}
	if len(raw) < 12 || int(binary.LittleEndian.Uint32(raw)) != id {
		return
	}
	sev, state := binary.LittleEndian.Uint32(raw[4:]), binary.LittleEndian.Uint32(raw[8:])
	if sev > 25 || state > 255 {
		return
	}
	ev.Severity, ev.State = int(sev), int(state)
	var name []rune
	for i := 12; i+1 < len(raw) && len(name) < 256; i += 2 {
		c := binary.LittleEndian.Uint16(raw[i:])
		if c == 0 {
			if len(name) > 0 {
				ev.Fields = append(ev.Fields, parsers.Field{Name: "server_name", Value: string(name)})
			}
			break
		}
		name = append(name, rune(c))
	}
}
