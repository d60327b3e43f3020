package parsers

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzClassifyMessage checks that no input panics and that every field the
// table fills is either a substring of the message, a number found in it, or
// one of the table's own constants (To values, Reason labels, endpoint types,
// error numbers).
func FuzzClassifyMessage(f *testing.F) {
	for _, tc := range classifyTests {
		f.Add(tc.msg, tc.err)
	}
	f.Add("Always On Availability Groups:", 0)
	f.Add("* ", 0)
	f.Add("Connection handshake failed. State 99999999999999999999.", 28034)
	f.Add("Database Mirroring login attempt by user '.' failed with error: ''''.", 0)
	consts := constantStrings()
	f.Fuzz(func(t *testing.T, msg string, num int) {
		ev := &Event{Message: msg, Error: num}
		matched := ClassifyMessage(ev)
		if ev.Kind == "" {
			t.Fatal("Kind left empty")
		}
		if !matched {
			if ev.Kind != KindMessage || ev.AG != "" || ev.Reason != "" || len(ev.Fields) != 0 {
				t.Fatalf("unmatched message changed the event: %+v", ev)
			}
			return
		}
		if num != 0 && ev.Error != num {
			t.Fatalf("preset error %d replaced by %d", num, ev.Error)
		}
		ok := func(name, v string) {
			if v == "" || strings.Contains(msg, v) || consts[v] {
				return
			}
			t.Fatalf("%s = %q is neither in the message nor a table constant; message %q", name, v, msg)
		}
		for name, v := range map[string]string{
			"AG": ev.AG, "From": ev.From, "To": ev.To, "Reason": ev.Reason, "Database": ev.Database,
			"Replica": ev.Replica, "ReplicaID": ev.ReplicaID, "Login": ev.Login, "Client": ev.Client,
		} {
			ok(name, v)
		}
		for _, fld := range ev.Fields {
			ok("Field "+fld.Name, fld.Value)
		}
		if ev.HandshakeState != 0 && !strings.Contains(msg, strconv.Itoa(ev.HandshakeState)) {
			t.Fatalf("HandshakeState %d not in message %q", ev.HandshakeState, msg)
		}
		if ev.HandshakeState < 0 {
			t.Fatalf("negative HandshakeState %d", ev.HandshakeState)
		}
	})
}

// constantStrings lists every string the table can put into an event that
// is not taken from the message (To, Reason labels, field values).
func constantStrings() map[string]bool {
	c := map[string]bool{"offline": true}
	for _, t := range table.all {
		c[t.to] = true
		c[t.reason] = true
		for _, f := range t.fields {
			c[f.Value] = true
		}
		if t.num != 0 {
			c[itoa(t.num)] = true
		}
	}
	return c
}
