package scenario

import (
	"fmt"
	"time"
)

// Stall writes the precursors of a lease timeout on r: long I/O (833), a
// non-yielding scheduler and the stack dump it triggers.
func (r *Replica) Stall(at time.Time) {
	r.Log(at.Add(-25*sec), "spid19s", "SQL Server has encountered 4 occurrence(s) of I/O requests taking longer than 15 seconds to complete on file [E:\\SQLData\\SalesDB.mdf] in database id 5.  The OS file handle is 0x0000000000000D3C.  The offset of the latest long I/O is: 0x00000a3b5e0000.  The duration of the long I/O is: 41250 ms.")
	r.Log(at, "Server", "Process 0:0:0 (0x1a2c) Worker 0x000001E3A8C30160 appears to be non-yielding on Scheduler 2. Thread creation time: 13358329561021. Approx Thread CPU Used: kernel 15 ms, user 60406 ms. Process Utilization 95%. System Idle 2%. Interval: 70416 ms.")
	d := at.Add(180 * ms)
	local := d.Add(r.Offset)
	for _, l := range []string{
		"Using 'dbghelp.dll' version '4.0.5'",
		"**Dump thread - spid = 0, EC = 0x0000000000000000",
		"***Stack Dump being sent to " + instDir + "\\Log\\SQLDump0001.txt",
		"* *******************************************************************************",
		"*",
		"* BEGIN STACK DUMP:",
		"*   " + local.Format("01/02/06 15:04:05") + " spid 0",
		"*",
		"* Non-yielding Scheduler",
		"*",
		"* *******************************************************************************",
	} {
		r.Log(d, "Server", l)
	}
	r.Log(d.Add(2100*ms), "Server", "Stack Signature for the dump is 0x00000000000001E4")
	r.Log(d.Add(2900*ms), "Server", "External dump process return code 0x20000001.", "External dump process returned no errors.")
}

// LeaseLoss writes the primary's side of a lease expiry (19419 or 19421,
// then 19407, 41091, PRIMARY_NORMAL -> RESOLVING_NORMAL, 1480).
func (r *Replica) LeaseLoss(at time.Time, g AG, sqlSide bool, peer *Replica) {
	if sqlSide {
		r.Err(at, "Server", 19419, 16, 1, msgNoProcessSignal(g.Name))
	} else {
		r.Err(at, "Server", 19421, 16, 1, msgNoClusterSignal(g.Name))
	}
	r.Err(at.Add(10*ms), "Server", 19407, 16, 1, MsgLeaseExpired(g.Name))
	r.LeaseExpiredXE(at.Add(10*ms), g)
	r.Log(at.Add(20*ms), "Server", MsgLeaseOffline(g.Name))
	r.StateChange(at.Add(30*ms), "Server", g, "PRIMARY_NORMAL", "RESOLVING_NORMAL", ReasonLease)
	r.DBConnections(at.Add(60*ms), "spid33s", g, peer, true, false)
	r.RoleChange(at.Add(90*ms), "spid52s", g, "PRIMARY", "RESOLVING")
}

// ResourceLost writes the primary's side of the cluster taking the AG
// resource offline after a failed health check: 41093,
// PRIMARY_NORMAL -> RESOLVING_NORMAL, 35267, 1480.
func (r *Replica) ResourceLost(at time.Time, g AG, peer *Replica) {
	r.Log(at, "spid88s", MsgResourceOffline(g.Name))
	r.Err(at.Add(20*ms), "spid88s", 26070, 10, 1, fmt.Sprintf("Stopped listening on virtual network name '%s'. No user action is required.", listener(g)))
	r.StateChange(at.Add(40*ms), "spid88s", g, "PRIMARY_NORMAL", "RESOLVING_NORMAL", ReasonGoingOffline)
	r.DBConnections(at.Add(70*ms), "spid33s", g, peer, true, false)
	r.RoleChange(at.Add(110*ms), "spid52s", g, "PRIMARY", "RESOLVING")
}
