package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"

	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/health"
	"github.com/agtriage/agtriage/parsers/xel"
)

// TestHealthBundles reads the primary's SQLDIAG log of both health bundles
// and interprets it: clean, then warning, then error with deadlocked
// schedulers, every 10 s; the error fails the group over at level 5 and not
// at level 3.
func TestHealthBundles(t *testing.T) {
	for _, c := range []struct {
		build    func() *scenario.Bundle
		level    int
		failover bool
	}{{healthFailoverFCL5, 5, true}, {healthLeaseFCL3, 3, false}} {
		b := c.build()
		r1 := b.Replicas[0]
		data, err := r1.SqldiagFile()
		if err != nil {
			t.Fatal(err)
		}
		tr := health.NewTracker()
		var states []string
		var firstError *health.Summary
		var isAlive *parsers.Event
		for ev, err := range xel.NewReader(bytes.NewReader(data), r1.SqldiagName()).Events() {
			if err != nil {
				t.Fatalf("%s: %v", b.Name, err)
			}
			if ev.Server != "SQLAG01" {
				t.Fatalf("%s: server %q", b.Name, ev.Server)
			}
			if ev.Kind == parsers.KindIsAliveFailure {
				isAlive = ev
			}
			s, ok, err := tr.Interpret(ev)
			if !ok {
				continue
			}
			if err != nil {
				t.Fatalf("%s %s: %v", b.Name, ev.Position(), err)
			}
			if lvl, _ := strconv.Atoi(ev.Field("failure_condition_level")); lvl != c.level {
				t.Fatalf("%s: level %d", b.Name, lvl)
			}
			if s.Component != health.QueryProcessing {
				if s.State >= health.StateWarning {
					t.Errorf("%s: %s", b.Name, s.Text)
				}
				continue
			}
			if n := len(states); n == 0 || states[n-1] != s.State.String() {
				states = append(states, s.State.String())
			}
			if s.State == health.StateError && firstError == nil {
				firstError = &s
			}
		}
		if strings.Join(states, ",") != "clean,warning,error" || firstError == nil {
			t.Fatalf("%s: states %v", b.Name, states)
		}
		want := "query_processing error: deadlocked schedulers; 512 of 512 workers in use; oldest pending task waited 68 s (215 pending tasks); 1 blocked-process report (blocking session 57)"
		if firstError.Text != want {
			t.Errorf("%s:\n got %q\nwant %q", b.Name, firstError.Text, want)
		}
		if got := health.FailsOver(c.level, firstError.Component, firstError.State); got != c.failover {
			t.Errorf("%s: FailsOver at level %d = %v", b.Name, c.level, got)
		}
		if f := firstError.Fix(); !strings.Contains(f, "(top wait LCK_M_X by duration, top wait THREADPOOL by count, blocking session 57) Find the head of the blocking chain") {
			t.Errorf("%s: fix %q", b.Name, f)
		}
		wantReason := map[bool]string{true: "ResourceUnhealthy", false: "LeaseExpired"}[c.failover]
		if isAlive == nil || isAlive.Reason != wantReason || isAlive.AG != "AGOrders" {
			t.Errorf("%s: is-alive failure %+v", b.Name, isAlive)
		}
	}
}
