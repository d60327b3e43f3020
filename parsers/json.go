package parsers

import (
	"encoding/json"
)

// TimeLayout is the layout of event times in JSON and reports: RFC 3339 with
// milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// localLayout is the layout of local (zone-less) times.
const localLayout = "2006-01-02T15:04:05.000"

// eventJSON is the documented JSON shape of an Event (one line of
// `agtriage --format events`). Empty fields are omitted.
type eventJSON struct {
	Time           string  `json:"time"`
	Clock          string  `json:"clock,omitempty"`
	LocalTime      string  `json:"local_time,omitempty"`
	Server         string  `json:"server,omitempty"`
	Source         Source  `json:"source,omitempty"`
	File           string  `json:"file,omitempty"`
	Line           int     `json:"line,omitempty"`
	Offset         int64   `json:"offset,omitempty"`
	Process        string  `json:"process,omitempty"`
	Name           string  `json:"name,omitempty"`
	Kind           Kind    `json:"kind,omitempty"`
	Error          int     `json:"error,omitempty"`
	Severity       int     `json:"severity,omitempty"`
	State          int     `json:"state,omitempty"`
	AG             string  `json:"ag,omitempty"`
	Replica        string  `json:"replica,omitempty"`
	ReplicaID      string  `json:"replica_id,omitempty"`
	Database       string  `json:"database,omitempty"`
	From           string  `json:"from,omitempty"`
	To             string  `json:"to,omitempty"`
	Reason         string  `json:"reason,omitempty"`
	Login          string  `json:"login,omitempty"`
	Client         string  `json:"client,omitempty"`
	HandshakeState int     `json:"handshake_state,omitempty"`
	Message        string  `json:"message,omitempty"`
	Fields         []Field `json:"fields,omitempty"`
	Repeats        int     `json:"repeats,omitempty"`
	LastTime       string  `json:"last_time,omitempty"`
}

// MarshalJSON writes the event with the stable field names documented in the
// README: time is RFC 3339 UTC with milliseconds, or the local time plus
// "clock":"local" when the server's UTC offset is unknown.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{
		Server: e.Server, Source: e.Source, File: e.File, Line: e.Line,
		Process: e.Process, Name: e.Name, Kind: e.Kind,
		Error: e.Error, Severity: e.Severity, State: e.State,
		AG: e.AG, Replica: e.Replica, ReplicaID: e.ReplicaID, Database: e.Database,
		From: e.From, To: e.To, Reason: e.Reason, Login: e.Login, Client: e.Client,
		HandshakeState: e.HandshakeState, Message: e.Message, Fields: e.Fields,
	}
	if e.Line == 0 {
		j.Offset = e.Offset
	}
	if e.Clock == ClockLocal {
		j.Time = e.Time.Format(localLayout)
		j.Clock = "local"
	} else if !e.Time.IsZero() {
		j.Time = e.Time.UTC().Format(TimeLayout)
	}
	if !e.Local.IsZero() {
		j.LocalTime = e.Local.Format(localLayout)
	}
	if e.Repeats > 0 {
		j.Repeats = e.Repeats
		j.LastTime = e.LastTime.UTC().Format(TimeLayout)
	}
	return json.Marshal(j)
}

// MarshalJSON writes a field as {"name": ..., "value": ...}.
func (f Field) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}{f.Name, f.Value})
}
