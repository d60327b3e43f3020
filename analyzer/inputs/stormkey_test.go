package inputs

import (
	"fmt"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// TestStormKeyFormula checks the allocation-light stormKey against the
// formula it replaces (fmt and parsers.MessageShape), on ASCII, non-ASCII and
// invalid UTF-8 messages.
func TestStormKeyFormula(t *testing.T) {
	oracle := func(ev *parsers.Event) string {
		return string(ev.Kind) + fmt.Sprintf("|%d|%s|%s|%s|%s|%d|", ev.Error, ev.Login, ev.Client, ev.Replica, ev.Database, ev.HandshakeState) + parsers.MessageShape(ev.Message)
	}
	evs := []parsers.Event{
		{Kind: parsers.KindLoginFailed, Error: 18456, Login: "app_user7", Client: "10.30.1.2", Message: "Login failed for user 'app_user7'. Reason: Password did not match. [CLIENT: 10.30.1.2]"},
		{Kind: parsers.KindHandshakeFailure, Error: -3, HandshakeState: 84, Replica: "SQL\\B", Database: "Sales DB", Message: "État 84 — Ünïcode 12"},
		{Kind: parsers.KindConnectionTimeout, Message: "bad \xff\xfe utf-8 9"},
		{Kind: parsers.KindSyncState},
		{Kind: parsers.KindEndpointState, Message: string(make([]byte, 400)) + "123"},
	}
	for i := range evs {
		if got, want := stormKey(&evs[i]), oracle(&evs[i]); got != want {
			t.Errorf("event %d: stormKey = %q, want %q", i, got, want)
		}
	}
}
