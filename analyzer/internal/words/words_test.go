package words

import (
	"testing"
	"time"
)

func TestBetween(t *testing.T) {
	a := time.Date(2025, 1, 1, 14, 22, 41, 100e6, time.UTC)
	if got := Between(a, a.Add(300*time.Millisecond)); got != "at 14:22:41 UTC" {
		t.Errorf("between equal ends = %q", got)
	}
	if got := Between(a, a.Add(time.Minute)); got != "between 14:22:41 UTC and 14:23:41 UTC" {
		t.Errorf("between = %q", got)
	}
}
