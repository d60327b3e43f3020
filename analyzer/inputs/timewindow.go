package inputs

import (
	"time"

	"github.com/agtriage/agtriage/parsers"
)

// timeWindow drops the events of one file dated outside the plausible window
// (parsers.SaneTime), whatever reader produced them, so that no writer meets
// a year it cannot print: each is a warning with its position and counts as
// an unrecognized line. It also recomputes the file's time range without them.
type timeWindow struct {
	file        string
	dropped     int
	warnings    []string
	first, last time.Time
}

func (w *timeWindow) keep(ev *parsers.Event) bool {
	if parsers.SaneTime(ev.Time) && parsers.SaneTime(ev.LastTime) && parsers.SaneTime(ev.Local) {
		if !ev.Time.IsZero() {
			if w.first.IsZero() || ev.Time.Before(w.first) {
				w.first = ev.Time
			}
			if ev.Time.After(w.last) {
				w.last = ev.Time
			}
		}
		return true
	}
	w.dropped++
	if len(w.warnings) < parsers.MaxWarnings {
		t := ev.Time
		if parsers.SaneTime(t) {
			t = ev.LastTime
		}
		if parsers.SaneTime(t) {
			t = ev.Local
		}
		w.warnings = append(w.warnings, parsers.Position(w.file, ev.Line, ev.Offset)+": "+parsers.OutOfWindow(t)+" (event dropped)")
	}
	return false
}

// fix corrects the file's statistics for the dropped events.
func (w *timeWindow) fix(st *parsers.FileStats) {
	if w.dropped == 0 {
		return
	}
	st.Events -= w.dropped
	st.Unrecognized += w.dropped
	st.TotalWarnings += w.dropped
	st.First, st.Last = w.first, w.last
}
