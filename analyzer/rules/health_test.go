package rules

import (
	"testing"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

// TestFailureConditionLevel: the level comes from the SQLDIAG result, else
// from the collection's settings of the event's AG.
func TestFailureConditionLevel(t *testing.T) {
	withField := &parsers.Event{AG: "AG1", Fields: []parsers.Field{{Name: "failure_condition_level", Value: "5"}}}
	plain := &parsers.Event{AG: "AG1"}
	p := &rule.Pass{Settings: []report.AGSettings{{AG: "AG1", FailureConditionLevel: 3}, {AG: "AG2", FailureConditionLevel: 4}}}
	if got := failureConditionLevel(p, []*parsers.Event{withField}); got != 5 {
		t.Errorf("from the event: %d, want 5", got)
	}
	if got := failureConditionLevel(p, []*parsers.Event{plain}); got != 3 {
		t.Errorf("from the settings: %d, want 3", got)
	}
	if got := failureConditionLevel(&rule.Pass{}, []*parsers.Event{plain}); got != 0 {
		t.Errorf("unknown: %d, want 0", got)
	}
}
