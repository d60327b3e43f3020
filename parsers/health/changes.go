package health

// cumulative are the payload counters that count since the instance
// started.
var cumulative = []string{
	"totalDumpRequests", "writeAccessViolationCount", "nonYieldingTasksReported", "latchWarnings",
	"spinlockBackoffs", "outOfMemoryExceptions", "totalLongIos",
}

// Change is a cumulative counter that rose between two results.
type Change struct {
	Attr     string // the payload attribute
	From, To int64  // its values in the previous and this result
}

// Changes compares two consecutive results of the same component of one
// instance and returns the cumulative counters that rose (dumps, write
// access violations, non-yielding tasks, latch warnings, spinlock backoffs,
// out-of-memory exceptions, long I/Os), in that order. A counter that fell
// means the instance restarted between them: restarted is true and no
// change is returned.
func Changes(prev, cur *Summary) (rose []Change, restarted bool) {
	if prev == nil || cur == nil || prev.Component != cur.Component {
		return nil, false
	}
	for _, a := range cumulative {
		p, okP := prev.Values[a]
		c, okC := cur.Values[a]
		if !okP || !okC {
			continue
		}
		if c < p {
			return nil, true
		}
		if c > p {
			rose = append(rose, Change{a, p, c})
		}
	}
	return rose, false
}
