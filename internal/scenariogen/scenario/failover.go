package scenario

import (
	"fmt"
	"time"
)

// Listener is the AG listener's virtual network name.
func listener(g AG) string { return g.Name + "-LSN" }

// Promote writes the target's side of a failover, starting at at with the
// replica in fromState (SECONDARY_NORMAL or RESOLVING_NORMAL). It returns the
// time the replica reached PRIMARY_NORMAL.
func (r *Replica) Promote(at time.Time, spid string, g AG, fromState string) time.Time {
	r.Log(at, spid, msgPrepPrimary(g.Name))
	t := at.Add(60 * ms)
	if fromState == "SECONDARY_NORMAL" {
		r.StateChange(t, spid, g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", ReasonWSFC)
		r.RoleChange(t.Add(20*ms), "spid52s", g, "SECONDARY", "RESOLVING")
		t = t.Add(400 * ms)
	}
	r.StateChange(t, spid, g, "RESOLVING_NORMAL", "PRIMARY_PENDING", ReasonComingOnline)
	r.Log(t.Add(30*ms), "Server", msgExcessSleep(g.Name, 164672))
	done := t.Add(780 * ms)
	r.StateChange(done, "Server", g, "PRIMARY_PENDING", "PRIMARY_NORMAL", ReasonOnlineDone)
	r.RoleChange(done.Add(40*ms), "spid52s", g, "RESOLVING", "PRIMARY")
	r.Log(done.Add(200*ms), "spid52s", fmt.Sprintf("0 transactions rolled back in database '%s' (5:0). This is an informational message only. No user action is required.", g.DBs[0]))
	r.Err(done.Add(350*ms), spid, 26069, 10, 1, fmt.Sprintf("Started listening on virtual network name '%s'. No user action is required.", listener(g)))
	return done
}

// Demote writes the old primary's side of a planned failover: lease stop,
// 41075, PRIMARY_NORMAL -> RESOLVING_NORMAL -> SECONDARY_NORMAL, 1480.
func (r *Replica) Demote(at time.Time, spid string, g AG, newPrimary *Replica) time.Time {
	r.Log(at, "Server", msgStopLease(g.Name))
	r.Log(at.Add(10*ms), spid, MsgPrepResolving(g.Name))
	r.Err(at.Add(30*ms), spid, 26070, 10, 1, fmt.Sprintf("Stopped listening on virtual network name '%s'. No user action is required.", listener(g)))
	r.StateChange(at.Add(50*ms), spid, g, "PRIMARY_NORMAL", "RESOLVING_NORMAL", ReasonGoingOffline)
	r.DBConnections(at.Add(70*ms), "spid33s", g, newPrimary, true, false)
	r.RoleChange(at.Add(120*ms), "spid52s", g, "PRIMARY", "RESOLVING")
	t := at.Add(3200 * ms)
	r.StateChange(t, "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", ReasonWSFC)
	r.RoleChange(t.Add(40*ms), "spid52s", g, "RESOLVING", "SECONDARY")
	return t
}

// Reconnect writes a successful reconnection between a secondary and the
// primary, on both sides.
func Reconnect(at time.Time, g AG, secondary, primary *Replica) {
	secondary.Connected(at, "spid47s", g, primary)
	primary.Connected(at.Add(310*ms), "spid61s", g, secondary)
	secondary.DBConnections(at.Add(1200*ms), "spid33s", g, primary, false, true)
	secondary.CommitPolicy(at.Add(1300*ms), "spid33s", primary, 3)
	primary.DBConnections(at.Add(1500*ms), "spid61s", g, secondary, true, true)
	primary.CommitPolicy(at.Add(1600*ms), "spid61s", secondary, 4)
}

// ManualFailoverTo writes a planned failover of g from old to target, run
// on target with ALTER AVAILABILITY GROUP ... FAILOVER. It returns the time
// target reached PRIMARY_NORMAL.
func ManualFailoverTo(at time.Time, g AG, old, target *Replica) time.Time {
	stmt := fmt.Sprintf("ALTER AVAILABILITY GROUP [%s] FAILOVER;", g.Name)
	target.DDL(at, g, "begin", stmt)
	old.Demote(at.Add(420*ms), "spid88s", g, target)
	done := target.Promote(at.Add(900*ms), "spid71", g, "SECONDARY_NORMAL")
	target.DDL(done.Add(220*ms), g, "commit", stmt)
	target.DBConnections(done.Add(60*ms), "spid33s", g, old, false, false)
	return done
}
