//go:build race

package xevent

// raceEnabled: the race detector's instrumentation defeats some of the
// compiler's allocation-free conversions, so allocation bounds are looser.
const raceEnabled = true
