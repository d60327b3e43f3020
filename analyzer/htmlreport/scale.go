package htmlreport

import (
	"slices"
	"time"
)

// The timeline's time axis is piecewise linear: busy stretches (where a role
// changes, an incident, a failover, a connection window or a cluster outage
// starts or ends) are drawn on a linear scale, and the quiet stretches
// between them are compressed into narrow breaks labelled with their length.
// A short report (minutes) has no quiet stretch long enough to compress and
// is drawn linearly; three weeks with a few incidents become a handful of
// readable busy stretches.

// Scale tuning.
const (
	// maxBusy bounds the number of busy stretches: beyond it, nearby
	// stretches are merged (the quiet threshold grows) so that each keeps a
	// readable width.
	maxBusy = 12
	// minBusyPx is the narrowest a busy stretch is drawn, so that a failover
	// of a second between two quiet days still has room for its arrow.
	minBusyPx = 60.0
	// quietPx is the width of a compressed quiet stretch (less when there are
	// many of them).
	quietPx = 28.0
)

// segment is one piece of the axis: times t0..t1 drawn from x0 to x1.
type segment struct {
	t0, t1 time.Time
	x0, x1 float64
	quiet  bool
}

// timeScale maps times to x positions.
type timeScale struct {
	segs []segment
}

// x returns the position of t, clamped to the axis.
func (s *timeScale) x(t time.Time) float64 {
	segs := s.segs
	if t.Before(segs[0].t0) {
		return segs[0].x0
	}
	i, _ := slices.BinarySearchFunc(segs, t, func(sg segment, t time.Time) int {
		if sg.t1.Before(t) {
			return -1
		}
		return 1
	})
	if i == len(segs) {
		return segs[len(segs)-1].x1
	}
	sg := segs[i]
	d := sg.t1.Sub(sg.t0)
	if d <= 0 {
		return sg.x0
	}
	return sg.x0 + (sg.x1-sg.x0)*float64(t.Sub(sg.t0))/float64(d)
}

// newTimeScale lays out t0..t1 over x0..x1. points are the times where
// something changes; stretches longer than the quiet threshold without any
// point are compressed. The threshold is 5 minutes or 1/40 of the whole
// range, whichever is longer, and grows until there are at most maxBusy busy
// stretches.
func newTimeScale(t0, t1 time.Time, points []time.Time, x0, x1 float64) *timeScale {
	if !t1.After(t0) {
		t0, t1 = t0.Add(-30*time.Second), t0.Add(30*time.Second)
	}
	total := t1.Sub(t0)
	// Each change gets some room either side: 1/400 of the range, but no
	// more than two minutes, so that weeks of logs still show the seconds
	// around a failover.
	pad := min(max(total/400, 2*time.Second), 2*time.Minute)
	quiet := max(5*time.Minute, total/40)
	pts := make([]time.Time, 0, len(points))
	for _, p := range points {
		if !p.IsZero() && !p.Before(t0) && !p.After(t1) {
			pts = append(pts, p)
		}
	}
	slices.SortFunc(pts, func(a, b time.Time) int { return a.Compare(b) })

	var busy [][2]time.Time
	for {
		busy = busy[:0]
		for _, p := range pts {
			a, b := p.Add(-pad), p.Add(pad)
			if n := len(busy); n > 0 && a.Sub(busy[n-1][1]) <= quiet {
				busy[n-1][1] = b
				continue
			}
			busy = append(busy, [2]time.Time{a, b})
		}
		if len(busy) <= maxBusy {
			break
		}
		quiet = quiet * 3 / 2
	}
	// Segments: quiet gaps longer than the threshold, busy stretches (which
	// absorb shorter gaps at either end) in between.
	var segs []segment
	cur := t0
	addBusy := func(a, b time.Time) {
		if n := len(segs); n > 0 && !segs[n-1].quiet {
			segs[n-1].t1 = b
			return
		}
		segs = append(segs, segment{t0: a, t1: b})
	}
	for _, c := range busy {
		a, b := c[0], c[1]
		if a.Before(t0) {
			a = t0
		}
		if b.After(t1) {
			b = t1
		}
		if a.Sub(cur) > quiet {
			segs = append(segs, segment{t0: cur, t1: a, quiet: true})
			addBusy(a, b)
		} else {
			addBusy(cur, b)
		}
		cur = b
	}
	if t1.Sub(cur) > quiet && len(segs) > 0 {
		segs = append(segs, segment{t0: cur, t1: t1, quiet: true})
	} else {
		addBusy(cur, t1)
	}
	layoutSegments(segs, x0, x1)
	return &timeScale{segs: segs}
}

// layoutSegments gives quiet segments a fixed narrow width and shares the
// rest among busy segments in proportion to their length, none narrower
// than minBusyPx.
func layoutSegments(segs []segment, x0, x1 float64) {
	width := x1 - x0
	nq, nb := 0, 0
	for _, s := range segs {
		if s.quiet {
			nq++
		} else {
			nb++
		}
	}
	qw := 0.0
	if nq > 0 {
		qw = min(quietPx, 0.3*width/float64(nq))
	}
	avail := width - qw*float64(nq)
	minW := min(minBusyPx, avail/float64(max(nb, 1)))
	w := make([]float64, len(segs))
	fixed := make([]bool, len(segs))
	for {
		rem, sum := avail, 0.0
		for i, s := range segs {
			switch {
			case s.quiet:
			case fixed[i]:
				rem -= minW
			default:
				sum += s.t1.Sub(s.t0).Seconds()
			}
		}
		changed := false
		for i, s := range segs {
			switch {
			case s.quiet:
				w[i] = qw
			case fixed[i]:
				w[i] = minW
			default:
				w[i] = rem * s.t1.Sub(s.t0).Seconds() / max(sum, 1e-9)
				if w[i] < minW {
					fixed[i] = true
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	x := x0
	for i := range segs {
		segs[i].x0 = x
		x += w[i]
		segs[i].x1 = x
	}
	segs[len(segs)-1].x1 = x1
}

// tickSteps are the candidate spacings of axis ticks.
var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour,
}

// minTickPx is the least distance between two ticks of a busy segment.
const minTickPx = 64.0

// ticks returns the tick times of a busy segment and their step: round
// multiples of the smallest step that leaves minTickPx between ticks, or the
// segment's middle when none fits.
func (sg segment) ticks() ([]time.Time, time.Duration) {
	d := sg.t1.Sub(sg.t0)
	if d <= 0 {
		return nil, 0
	}
	pxps := (sg.x1 - sg.x0) / d.Seconds()
	for _, step := range tickSteps {
		if step.Seconds()*pxps < minTickPx {
			continue
		}
		var out []time.Time
		for t := sg.t0.Truncate(step); !t.After(sg.t1); t = t.Add(step) {
			if !t.Before(sg.t0) {
				out = append(out, t)
			}
		}
		if len(out) > 0 {
			return out, step
		}
		break
	}
	mid := sg.t0.Add(d / 2).Truncate(time.Second)
	return []time.Time{mid}, time.Second
}

// widestBusy returns the widest part of x0..x1 that lies in busy segments.
func (s *timeScale) widestBusy(x0, x1 float64) (a, b float64) {
	for _, sg := range s.segs {
		if sg.quiet {
			continue
		}
		lo, hi := max(x0, sg.x0), min(x1, sg.x1)
		if hi-lo > b-a {
			a, b = lo, hi
		}
	}
	return a, b
}
