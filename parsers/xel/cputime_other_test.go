//go:build !unix

package xel

import "time"

// cpuTime is not measured here: the benchmarks leave out MB/cpu-s.
func cpuTime() time.Duration { return 0 }
