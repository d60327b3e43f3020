package report

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ms"},
		{350 * time.Millisecond, "350 ms"},
		{42 * time.Second, "42 s"},
		{4*time.Minute + 12*time.Second, "4 min 12 s"},
		{15 * time.Minute, "15 min"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min"},
		{3 * time.Hour, "3 h"},
		{27 * time.Hour, "1 d 3 h"},
		{-90 * time.Second, "1 min 30 s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestCategoryTitle: every built-in category has a name of its own (the
// HTML writer once showed "crash" raw), and a rule's own category reads as
// words.
func TestCategoryTitle(t *testing.T) {
	seen := map[string]Category{}
	for _, c := range []Category{CatClusterOutage, CatLeaseExpiry, CatHealthCheck, CatFailover, CatFailedFailover,
		CatReplicaDisconnected, CatEndpointHandshake, CatEndpointOwnership, CatDataMovement, CatRestart,
		CatLogFull, CatNotSynchronizing, CatCrash} {
		title := c.Title()
		if title == string(c) || title == "" {
			t.Errorf("%s has no title of its own: %q", c, title)
		}
		if other, ok := seen[title]; ok {
			t.Errorf("%s and %s share the title %q", c, other, title)
		}
		seen[title] = c
	}
	if got := Category("slow_failover").Title(); got != "Slow failover" {
		t.Errorf("custom category title %q", got)
	}
	if got := Category("").Title(); got != "Incident" {
		t.Errorf("empty category title %q", got)
	}
}
