package htmlreport

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 12, 7, 0, 0, 0, time.UTC)

// TestScaleShortIsLinear: ten minutes with a failover in the middle are
// drawn on one linear axis (no quiet stretch is long enough to compress).
func TestScaleShortIsLinear(t *testing.T) {
	t1 := t0.Add(10 * time.Minute)
	sc := newTimeScale(t0, t1, []time.Time{t0.Add(5 * time.Minute), t0.Add(5*time.Minute + 4*time.Second)}, 0, 1000)
	if len(sc.segs) != 1 || sc.segs[0].quiet {
		t.Fatalf("segments %+v, want one busy segment", sc.segs)
	}
	for _, m := range []int{0, 1, 5, 9, 10} {
		want := float64(m) * 100
		if got := sc.x(t0.Add(time.Duration(m) * time.Minute)); got < want-0.01 || got > want+0.01 {
			t.Errorf("x(%d min) = %v, want %v", m, got, want)
		}
	}
}

// TestScaleLongCompresses: three weeks with a few short bursts become busy
// stretches that share the width and narrow quiet breaks; the axis stays
// monotonic and each burst gets a readable width.
func TestScaleLongCompresses(t *testing.T) {
	t1 := t0.Add(21 * 24 * time.Hour)
	var pts []time.Time
	for d := 1; d < 21; d += 3 {
		p := t0.Add(time.Duration(d)*24*time.Hour + 3*time.Hour)
		pts = append(pts, p, p.Add(5*time.Second), p.Add(4*time.Minute))
	}
	sc := newTimeScale(t0, t1, pts, 100, 1100)
	quiet, busy := 0, 0
	for i, sg := range sc.segs {
		if sg.quiet {
			quiet++
			if w := sg.x1 - sg.x0; w > quietPx+0.01 {
				t.Errorf("quiet segment %d is %v px wide", i, w)
			}
		} else {
			busy++
			if w := sg.x1 - sg.x0; w < minBusyPx-0.01 {
				t.Errorf("busy segment %d is only %v px wide", i, w)
			}
		}
		if i > 0 && (sg.t0 != sc.segs[i-1].t1 || sg.x0 != sc.segs[i-1].x1) {
			t.Errorf("segment %d does not start where %d ends", i, i-1)
		}
	}
	if busy != len(pts)/3 || quiet != busy+1 {
		t.Errorf("%d busy and %d quiet segments, want %d and %d", busy, quiet, len(pts)/3, len(pts)/3+1)
	}
	if sc.segs[0].x0 != 100 || sc.segs[len(sc.segs)-1].x1 != 1100 {
		t.Errorf("axis spans %v..%v, want 100..1100", sc.segs[0].x0, sc.segs[len(sc.segs)-1].x1)
	}
	// A failover 5 s after its burst starts is at least 1 px away.
	if d := sc.x(pts[1]) - sc.x(pts[0]); d < 1 {
		t.Errorf("5 s inside a burst are %v px", d)
	}
	prev := -1.0
	for tm := t0.Add(-time.Hour); tm.Before(t1.Add(time.Hour)); tm = tm.Add(17 * time.Minute) {
		x := sc.x(tm)
		if x < prev {
			t.Fatalf("x decreases at %v: %v < %v", tm, x, prev)
		}
		prev = x
	}
}

// TestScaleManyBursts: more bursts than maxBusy are merged into at most
// maxBusy busy stretches.
func TestScaleManyBursts(t *testing.T) {
	t1 := t0.Add(60 * 24 * time.Hour)
	var pts []time.Time
	for h := 5; h < 60*24; h += 7 {
		pts = append(pts, t0.Add(time.Duration(h)*time.Hour))
	}
	sc := newTimeScale(t0, t1, pts, 0, 900)
	busy := 0
	for _, sg := range sc.segs {
		if !sg.quiet {
			busy++
		}
	}
	if busy > maxBusy {
		t.Errorf("%d busy stretches, want at most %d", busy, maxBusy)
	}
}

// TestTicks: ticks fall on round times inside their segment, no closer than
// minTickPx.
func TestTicks(t *testing.T) {
	sg := segment{t0: t0.Add(37 * time.Second), t1: t0.Add(20 * time.Minute), x0: 0, x1: 600}
	ts, step := sg.ticks()
	if step != time.Minute*5 {
		t.Errorf("step %v, want 5m for 20 min on 600 px", step)
	}
	for _, tm := range ts {
		if tm.Before(sg.t0) || tm.After(sg.t1) || tm.Truncate(step) != tm {
			t.Errorf("tick %v outside the segment or not round", tm)
		}
	}
}

// TestCheckPageCatches: the structure check fails on the ways out it guards
// against (so that its silence on the hostile reports means something).
func TestCheckPageCatches(t *testing.T) {
	good := render(t, sampleReport(), Options{})
	for _, bad := range []string{
		`<img src=x onerror=alert(1)>`,
		`<script>alert(1)</script>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<b onclick="x">y</b>`,
		`<p style="color:red">x</p>`,
	} {
		page := strings.Replace(good, "<main>", "<main>"+bad, 1)
		rec := &recorder{TB: t}
		checkPage(rec, page)
		if !rec.failed {
			t.Errorf("checkPage accepts a page with %s", bad)
		}
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Error(...any)          { r.failed = true }
