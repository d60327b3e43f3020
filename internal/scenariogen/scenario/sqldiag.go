package scenario

import (
	"fmt"
	"sort"
	"time"

	"github.com/agtriage/agtriage/internal/xelwrite"
)

// diagEvent is one event of a replica's SQLDIAG log.
type diagEvent struct {
	at     time.Time
	ev     xelwrite.Event
	values []any
}

// diagHealth adds a component_health_result of the local instance.
func (r *Replica) diagHealth(at time.Time, fcl int, comp, state, payload string) {
	states := map[string]uint32{"unknown": 0, "clean": 1, "warning": 2, "error": 3}
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	r.sqldiag = append(r.sqldiag, diagEvent{at, xelwrite.EvComponentHealth, []any{
		states[state], uint32(fcl), xelwrite.Filetime(at.Add(r.Offset).Add(-120 * ms)),
		"instance", comp, state, payload, r.Host, inst}})
}

// DiagIsAlive adds the resource DLL's IsAlive verdict for the group.
func (r *Replica) DiagIsAlive(at time.Time, g AG, reason string) {
	key, ok := xelwrite.MapIsAliveReason.Key(reason)
	if !ok {
		panic("is-alive reason " + reason)
	}
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	r.sqldiag = append(r.sqldiag, diagEvent{at, xelwrite.EvIsAliveFailure, []any{key, g.Name, inst, r.Host}})
}

// diagInfo adds an info_message (the DLL's own lines, as in the cluster log).
func (r *Replica) diagInfo(at time.Time, msg string) {
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	r.sqldiag = append(r.sqldiag, diagEvent{at, xelwrite.EvInfoMessage, []any{msg, inst, r.Host}})
}

// SqldiagName is the SQLDIAG log's file name: HOST_INSTANCE_SQLDIAG_0_ and
// the FILETIME of its first event.
func (r *Replica) SqldiagName() string {
	inst := r.Instance
	if inst == "" {
		inst = "MSSQLSERVER"
	}
	first := r.sortedDiag()[0].at
	return fmt.Sprintf("%s_%s_SQLDIAG_0_%d.xel", r.Host, inst, xelwrite.Filetime(first))
}

func (r *Replica) sortedDiag() []diagEvent {
	evs := append([]diagEvent(nil), r.sqldiag...)
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].at.Before(evs[b].at) })
	return evs
}

// SqldiagFile renders the SQLDIAG log with xelwrite's SQLDIAG metadata.
func (r *Replica) SqldiagFile() ([]byte, error) {
	evs := r.sortedDiag()
	id, _ := xelwrite.GUID(guid("sqldiag-file/" + r.Host))
	stream, _ := xelwrite.GUID(guid("sqldiag-stream/" + r.Host))
	f := &xelwrite.File{ID: id, Stream: stream, Packages: xelwrite.SQLDIAG(), ClockBase: xelwrite.Filetime(evs[0].at.Add(-Hours(2)))}
	for _, e := range evs {
		if err := f.Add(e.ev, e.at, e.values...); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Host, err)
		}
	}
	return f.Bytes()
}
