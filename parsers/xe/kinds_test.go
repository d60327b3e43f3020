package xe

import (
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

func TestFailoverClause(t *testing.T) {
	tests := []struct{ stmt, want string }{
		{"ALTER AVAILABILITY GROUP [ag1] FAILOVER;", "FAILOVER"},
		{"alter availability group ag1 failover", "FAILOVER"},
		{"ALTER  AVAILABILITY\r\n\tGROUP   [my ag]\n FORCE_FAILOVER_ALLOW_DATA_LOSS ;", "FORCE_FAILOVER_ALLOW_DATA_LOSS"},
		{"ALTER AVAILABILITY GROUP [ag1]FORCE_FAILOVER_ALLOW_DATA_LOSS;", "FORCE_FAILOVER_ALLOW_DATA_LOSS"},
		{`ALTER AVAILABILITY GROUP "ag one" FAILOVER`, "FAILOVER"},
		{"ALTER AVAILABILITY GROUP [ag1] MODIFY REPLICA ON N'SQLNODE1' WITH (FAILOVER_MODE = AUTOMATIC);", ""},
		{"ALTER AVAILABILITY GROUP [ag1] SET (FAILURE_CONDITION_LEVEL = 3);", ""},
		{"ALTER AVAILABILITY GROUP [ag1] JOIN;", ""},
		{"CREATE AVAILABILITY GROUP [ag1] FAILOVER", ""},
		{"ALTER AVAILABILITY GROUP [unterminated FAILOVER", ""},
		{"ALTER AVAILABILITY GROUP", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := failoverClause(tc.stmt); got != tc.want {
			t.Errorf("failoverClause(%q) = %q, want %q", tc.stmt, got, tc.want)
		}
	}
}

func TestFailoverValidationFlags(t *testing.T) {
	tests := []struct {
		forced, joined, prev string
		want                 string
	}{
		{"FALSE", "TRUE", "TRUE", ""},
		{"TRUE", "TRUE", "TRUE", "forced_quorum TRUE"},
		{"false", "false", "false", "joined_and_synchronized FALSE, previous_primary_or_automatic_failover_target FALSE"},
		{"TRUE", "FALSE", "FALSE", "forced_quorum TRUE, joined_and_synchronized FALSE, previous_primary_or_automatic_failover_target FALSE"},
	}
	for _, tc := range tests {
		ev := &parsers.Event{Name: "availability_replica_automatic_failover_validation", Fields: []parsers.Field{
			{Name: "forced_quorum", Value: tc.forced}, {Name: "joined_and_synchronized", Value: tc.joined},
			{Name: "previous_primary_or_automatic_failover_target", Value: tc.prev},
		}}
		interpret(ev)
		if ev.Reason != tc.want || ev.Kind != parsers.KindFailoverValidation {
			t.Errorf("%v: reason %q kind %q, want %q", tc, ev.Reason, ev.Kind, tc.want)
		}
	}
}
