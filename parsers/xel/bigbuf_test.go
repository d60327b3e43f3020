package xel

import (
	"testing"
	"time"
)

// TestBigBudget: huge buffers wait for each other, and a nested
// acquisition (a second file read from inside the first one's event loop)
// goes on after bigWait instead of waiting for ever.
func TestBigBudget(t *testing.T) {
	old := bigWait
	bigWait = 200 * time.Millisecond
	defer func() { bigWait = old }()

	acquireBig(MaxBuffer - 1)
	released := make(chan time.Time, 1)
	got := make(chan time.Time, 1)
	go func() {
		acquireBig(MaxBuffer - 1) // waits for the release below
		got <- time.Now()
		releaseBig(MaxBuffer - 1)
	}()
	time.Sleep(50 * time.Millisecond)
	released <- time.Now()
	releaseBig(MaxBuffer - 1)
	if g, r := <-got, <-released; g.Before(r) {
		t.Error("the second buffer did not wait for the first")
	}

	start := time.Now()
	acquireBig(MaxBuffer - 1)
	acquireBig(MaxBuffer - 1) // nested: over budget after bigWait
	if d := time.Since(start); d < bigWait || d > 10*bigWait {
		t.Errorf("nested acquisition after %v", d)
	}
	releaseBig(MaxBuffer - 1)
	releaseBig(MaxBuffer - 1)
	if bigBudget.used != 0 {
		t.Errorf("budget used %d", bigBudget.used)
	}
}
