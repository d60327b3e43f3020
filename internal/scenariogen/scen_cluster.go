package main

import (
	"fmt"
	"time"

	"github.com/agtriage/agtriage/internal/scenariogen/scenario"
)

// Scenarios whose root cause is in the WSFC cluster logs (Get-ClusterLog
// cluster.log of every node): the SQL Server logs only show the
// consequences.

// ownership tells which replica owned the AG role (was primary) when.
type ownership []struct {
	from time.Time
	r    *scenario.Replica
}

func (o ownership) at(t time.Time) *scenario.Replica {
	var cur *scenario.Replica
	for _, e := range o {
		if !t.Before(e.from) {
			cur = e.r
		}
	}
	return cur
}

// neverFailedOver is the lastFailoverTime RCM prints before a group's first
// failover (FILETIME zero).
const neverFailedOver = "1601/01/01-00:00:00.000"

// clusterDetectFailure writes what the owner node logs when the AG resource
// reports failure: RHS sees IsAlive fail, RCM gets the failure notification,
// starts processing it and logs System event 1069, and RHS terminates the
// resource.
func clusterDetectFailure(at time.Time, owner *scenario.Replica, g scenario.AG) {
	owner.Hadrag(at, "ERR", "health", g, "Resource Alive result 0.")
	owner.CL(at.Add(1*time.Millisecond), scenario.ChLog, "rhsag", "rhs", "WARN", "RHS", fmt.Sprintf("Resource %s IsAlive has indicated failure.", g.Name))
	owner.Rcm(at.Add(2*time.Millisecond), "INFO", fmt.Sprintf("HandleMonitorReply: FAILURENOTIFICATION for '%s', gen(0) result 1/0.", g.Name))
	owner.Rcm(at.Add(3*time.Millisecond), "INFO", fmt.Sprintf("TransitionToState(%s) Online-->ProcessingFailure.", g.Name))
	owner.System1069(at.Add(5*time.Millisecond), g)
	owner.CL(at.Add(9*time.Millisecond), scenario.ChLog, "rhsag", "rhs", "INFO", "RHS", fmt.Sprintf("Terminating resource %s (state is Online).", g.Name))
	owner.Hadrag(at.Add(60*time.Millisecond), "INFO", "lease", g, "Lease Thread terminated")
}

// clusterHealthTimeout writes the AG resource DLL's health-check timeout on
// the owner node (sp_server_diagnostics returned nothing within
// HealthCheckTimeout) and the failure detection that follows.
func clusterHealthTimeout(at time.Time, owner *scenario.Replica, g scenario.AG) {
	owner.Hadrag(at.Add(-40*time.Millisecond), "ERR", "health", g, "Failed to retrieve data column. Return code -1")
	owner.Hadrag(at, "ERR", "health", g, "Failure detected, diagnostics heartbeat is lost")
	owner.Hadrag(at.Add(1*time.Millisecond), "ERR", "health", g, "Availability Group is not healthy with given HealthCheckTimeout and FailureConditionLevel")
	clusterDetectFailure(at.Add(2*time.Millisecond), owner, g)
}

// clusterMove writes the failover of the AG role from one node to another as
// the old owner logs it (Operational channel and RCM), with the group's
// failover count and the time of its previous failover.
func clusterMove(at time.Time, g scenario.AG, from, to *scenario.Replica, count int, last string) {
	from.CL(at, scenario.ChOperational, "clussvc", "rcm", "INFO", "", fmt.Sprintf("The Cluster service is attempting to fail over the clustered role '%s' from node '%s' to node '%s'.", g.Name, from.Host, to.Host))
	from.CL(at.Add(1*time.Millisecond), scenario.ChOperational, "clussvc", "rcm", "INFO", "", fmt.Sprintf("Clustered role '%s' is moving from cluster node '%s' to cluster node '%s'.", g.Name, from.Host, to.Host))
	from.Rcm(at.Add(2*time.Millisecond), "INFO", fmt.Sprintf("move of group %s from %s(%d) to %s(%d) of type MoveType::Failover is about to succeed, failoverCount=%d, lastFailoverTime=%s targeted=false", g.Name, from.Host, from.NodeID, to.Host, to.NodeID, count, last))
	from.Rcm(at.Add(4*time.Millisecond), "INFO", fmt.Sprintf("rcm::RcmGroup::UpdateStateIfChanged: (%s, Online --> Pending)", g.Name))
}

// clusterOnline writes the new owner bringing the AG resource online once
// its replica reached PRIMARY_NORMAL at done.
func clusterOnline(done time.Time, g scenario.AG, node *scenario.Replica) {
	node.Hadrag(done.Add(90*time.Millisecond), "INFO", "online", g, "Resource Alive result 1.")
	node.Rcm(done.Add(120*time.Millisecond), "INFO", fmt.Sprintf("HandleMonitorReply: ONLINERESOURCE for '%s', gen(1) result 0/0.", g.Name))
	node.Rcm(done.Add(121*time.Millisecond), "INFO", fmt.Sprintf("TransitionToState(%s) OnlinePending-->Online.", g.Name))
	node.CL(done.Add(130*time.Millisecond), scenario.ChOperational, "clussvc", "rcm", "INFO", "", fmt.Sprintf("Group '%s' has transitioned from state 'Pending' to state 'Online'.", g.Name))
	node.CL(done.Add(131*time.Millisecond), scenario.ChOperational, "clussvc", "rcm", "INFO", "", fmt.Sprintf("The Cluster service successfully brought the clustered role '%s' online.", g.Name))
}

// perfRow formats a row of the performance data hadrres.dll logs after a
// lease timeout: M/D/YYYY H:MM:S.0, CPU %, available bytes, read and write
// latency in seconds.
func perfRow(t time.Time, cpu, mem, read, write float64) string {
	return fmt.Sprintf("%d/%d/%d %d:%02d:%d.0, %f, %f, %f, %f", int(t.Month()), t.Day(), t.Year(), t.Hour(), t.Minute(), t.Second(), cpu, mem, read, write)
}

// clusterLeaseCPU: no stall in the SQL logs; the primary's lease expires
// (19421, 19407, 41091) and the cluster fails over. Only SQLAG01's cluster
// log says why: the lease timeout's performance rows show the CPU at 98-99 %
// and about 300 MB of available memory.
func clusterLeaseCPU() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"OrdersDB", "Fulfillment"}}
	r1 := scenario.NewReplica("SQLAG01", "10.12.0.11", `CONTOSO\sqlsvc`, scenario.Hours(-6))
	r2 := scenario.NewReplica("SQLAG02", "10.12.0.12", `CONTOSO\sqlsvc`, scenario.Hours(-6))
	c := &scenario.Cluster{Name: "SQLCLU12", AG: g}
	c.Node(r1, 1)
	c.Node(r2, 2)

	t := r2.Startup(utc("2024-10-07 23:40:05.33"), 6120, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-10-08 06:00:00.41"), 3904)
	r1.LogBackups(utc("2024-10-08 06:00:00"), utc("2024-10-08 14:37:00"), 30*time.Minute, g)
	r1.FullBackup(utc("2024-10-08 08:00:21.06"), "OrdersDB", 1204417)
	r1.LoginFailed(utc("2024-10-08 12:58:40.19"), 8, "svc_fulfil", "Password did not match that for the login provided.", "10.12.6.40")

	ts := utc("2024-10-08 14:37:22.480")
	r1.LeaseLoss(ts, g, false, r2)
	r2.ConnectionLost(ts.Add(600*time.Millisecond), "spid47s", r1)
	r2.DBConnections(ts.Add(700*time.Millisecond), "spid33s", g, r1, false, false)
	r2.FailoverValidation(ts.Add(1900*time.Millisecond), g, true)
	fo := r2.Promote(ts.Add(2000*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL")
	rejoin(ts.Add(12*time.Second), g, r1, r2)
	r2.LogBackups(utc("2024-10-08 15:00:00"), utc("2024-10-08 17:00:00"), 30*time.Minute, g)

	// The cluster side: the resource DLL's lease check on SQLAG01 times out
	// while the machine is starved of CPU.
	lt := ts.Add(-180 * time.Millisecond)
	r1.Hadrag(lt, "ERR", "lease", g, "Lease timeout detected, logging perf counter data collected so far")
	r1.Hadrag(lt, "ERR", "lease", g, "Date/Time, Processor time(%), Available memory(bytes), Avg disk read(secs), Avg disk write(secs)")
	rows := []struct{ cpu, mem, read, write float64 }{
		{97.931034, 341835776, 0.002000, 0.006000},
		{98.642857, 318767104, 0.003000, 0.007000},
		{99.218750, 306184192, 0.002000, 0.005000},
		{99.411765, 297795584, 0.004000, 0.009000},
		{98.947368, 301989888, 0.003000, 0.008000},
	}
	for i, row := range rows {
		r1.Hadrag(lt.Add(time.Duration(i)*time.Millisecond), "ERR", "lease", g, perfRow(lt.Add(time.Duration(i-5)*10*time.Second), row.cpu, row.mem, row.read, row.write))
	}
	r1.Hadrag(lt.Add(6*time.Millisecond), "ERR", "lease", g, "Availability Group lease is no longer valid")
	clusterDetectFailure(lt.Add(8*time.Millisecond), r1, g)
	clusterMove(ts.Add(1500*time.Millisecond), g, r1, r2, 1, neverFailedOver)
	clusterOnline(fo, g, r2)

	from, to := utc("2024-10-08 13:30:00"), utc("2024-10-08 15:45:00")
	own := ownership{{from, r1}, {fo, r2}}
	r1.ClusterNoise(from.Add(11*time.Second), to, g, own.at)
	r2.ClusterNoise(from.Add(73*time.Second), to, g, own.at)

	return &scenario.Bundle{
		Name:     "cluster-lease-cpu",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "At 08:37 local (14:37 UTC) SQL Server on the primary SQLAG01 stopped receiving the lease signal from the cluster (19421); the AG1 lease expired (19407, 41091), SQLAG01 went to RESOLVING and the cluster failed AG1 over automatically to SQLAG02. The SQL logs show no stall, no non-yielding scheduler and no dump. SQLAG01's cluster log says why: the AG resource DLL detected the lease timeout and logged the performance counters of the last 50 seconds, with the processor at 98 to 99 % and only about 300 MB of available memory; the machine was starved of CPU, so the lease handshake between RHS and SQL Server did not run in time. SQLAG01 rejoined as secondary 12 seconds later.",
			Incidents: []scenario.Incident{
				{Category: "lease_expiry", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"CPU"}},
			},
			Failovers: []scenario.Failover{{AG: "AG1", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo)}},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// clusterFailoverLimit: health-check timeouts on whichever replica is
// primary; the cluster fails AG1 over twice within the hour, then refuses
// the third failover (failover threshold 2) and leaves the role failed, the
// AG RESOLVING on SQLAG01.
func clusterFailoverLimit() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"Policy", "PolicyDocs"}}
	r1 := scenario.NewReplica("SQLAG01", "10.14.0.11", `CONTOSO\sqlsvc`, scenario.Hours(8))
	r2 := scenario.NewReplica("SQLAG02", "10.14.0.12", `CONTOSO\sqlsvc`, scenario.Hours(8))
	c := &scenario.Cluster{Name: "SQLCLU14", AG: g}
	c.Node(r1, 1)
	c.Node(r2, 2)

	t := r2.Startup(utc("2024-04-21 14:05:31.22"), 5560, g)
	r2.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-04-21 16:00:00.37"), 2212)
	r1.LogBackups(utc("2024-04-21 16:00:00"), utc("2024-04-22 01:00:00"), scenario.Hours(1), g)
	r1.AgentXPs(utc("2024-04-21 18:00:01.50"), "spid77")
	r2.CheckDB(utc("2024-04-21 19:00:18.40"), "spid70", "master")

	// 09:04 local: the first health-check timeout, on SQLAG01.
	tf1 := utc("2024-04-22 01:04:17.630")
	clusterHealthTimeout(tf1, r1, g)
	r1.ResourceLost(tf1.Add(200*time.Millisecond), g, r2)
	r2.ConnectionLost(tf1.Add(450*time.Millisecond), "spid47s", r1)
	r2.DBConnections(tf1.Add(550*time.Millisecond), "spid33s", g, r1, false, false)
	clusterMove(tf1.Add(700*time.Millisecond), g, r1, r2, 1, neverFailedOver)
	r2.FailoverValidation(tf1.Add(900*time.Millisecond), g, true)
	fo1 := r2.Promote(tf1.Add(1000*time.Millisecond), "spid88s", g, "SECONDARY_NORMAL")
	clusterOnline(fo1, g, r2)
	rejoin(tf1.Add(9*time.Second), g, r1, r2)

	// 09:31 local: the same on SQLAG02, failover back to SQLAG01.
	tf2 := utc("2024-04-22 01:31:48.210")
	clusterHealthTimeout(tf2, r2, g)
	r2.ResourceLost(tf2.Add(200*time.Millisecond), g, r1)
	r1.ConnectionLost(tf2.Add(450*time.Millisecond), "spid47s", r2)
	r1.DBConnections(tf2.Add(550*time.Millisecond), "spid33s", g, r2, false, false)
	clusterMove(tf2.Add(700*time.Millisecond), g, r2, r1, 2, tf1.Add(702*time.Millisecond).Format("2006/01/02-15:04:05.000"))
	r1.FailoverValidation(tf2.Add(900*time.Millisecond), g, true)
	fo2 := r1.Promote(tf2.Add(1000*time.Millisecond), "spid90s", g, "SECONDARY_NORMAL")
	clusterOnline(fo2, g, r1)
	rejoin(tf2.Add(9*time.Second), g, r2, r1)

	// 09:52 local: the third failure. The cluster refuses to fail over and
	// leaves the role failed; SQLAG01 stays RESOLVING.
	tf3 := utc("2024-04-22 01:52:05.470")
	clusterHealthTimeout(tf3, r1, g)
	r1.ResourceLost(tf3.Add(200*time.Millisecond), g, r2)
	r2.ConnectionLost(tf3.Add(450*time.Millisecond), "spid47s", r1)
	r2.DBConnections(tf3.Add(550*time.Millisecond), "spid33s", g, r1, false, false)
	r1.Rcm(tf3.Add(690*time.Millisecond), "INFO", fmt.Sprintf("rcm::RcmGroup::UpdateStateIfChanged: (%s, Online --> Pending)", g.Name))
	r1.Rcm(tf3.Add(700*time.Millisecond), "INFO", fmt.Sprintf("Not failing over group %s, failoverCount 3, failoverThresholdSetting 2, computedFailoverThreshold 2.", g.Name))
	r1.Rcm(tf3.Add(701*time.Millisecond), "INFO", fmt.Sprintf("rcm::RcmGroup::UpdateStateIfChanged: (%s, Pending --> Failed)", g.Name))
	r1.CL(tf3.Add(702*time.Millisecond), scenario.ChSystem, "clussvc", "rcm", "ERR", "", scenario.Msg1205(g.Name))
	r1.CL(tf3.Add(703*time.Millisecond), scenario.ChSystem, "clussvc", "rcm", "ERR", "", scenario.Msg1254(g.Name))
	for i, d := range []time.Duration{3100, 9400, 15200, 44800, 121700} {
		r1.Err(tf3.Add(d*time.Millisecond), "Logon", 983, 14, 1, fmt.Sprintf(msg983, g.DBs[i%2]))
	}

	from, to := utc("2024-04-22 00:30:00"), utc("2024-04-22 02:20:00")
	own := ownership{{from, r1}, {fo1, r2}, {fo2, r1}, {tf3, nil}}
	r1.ClusterNoise(from.Add(29*time.Second), to, g, own.at)
	r2.ClusterNoise(from.Add(97*time.Second), to, g, own.at)

	return &scenario.Bundle{
		Name:     "cluster-failover-limit",
		Replicas: []*scenario.Replica{r1, r2},
		Expected: scenario.Expected{
			Description: "From 09:04 local (01:04 UTC) the health check of AG1 timed out on whichever replica was primary (cluster log: 'diagnostics heartbeat is lost', 'not healthy with given HealthCheckTimeout and FailureConditionLevel', IsAlive failed). The cluster failed AG1 over automatically from SQLAG01 to SQLAG02 at 01:04 UTC and back to SQLAG01 at 01:31 UTC. When the health check failed a third time at 01:52 UTC the cluster refused to fail over again ('Not failing over group AG1, failoverCount 3, failoverThresholdSetting 2', System event 1254: the role exceeded its failover threshold) and left the role failed: SQLAG01 stayed RESOLVING with no primary, and clients got 983. The fix is to find the cause of the repeated health-check failures, then bring the role online; the limit itself is the role's Maximum Failures in the Specified Period (FailoverThreshold).",
			Incidents: []scenario.Incident{
				{Category: "health_check", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"SQLAG01"}},
				{Category: "health_check", Server: "SQLAG02", AG: "AG1", RootCauseContains: []string{"SQLAG02"}},
				{Category: "failed_failover", Server: "SQLAG01", AG: "AG1", RootCauseContains: []string{"failover"},
					FixContains: []string{"Maximum Failures in the Specified Period"}},
			},
			Failovers: []scenario.Failover{
				{AG: "AG1", From: "SQLAG01", To: "SQLAG02", Mode: "automatic", At: rfc(fo1)},
				{AG: "AG1", From: "SQLAG02", To: "SQLAG01", Mode: "automatic", At: rfc(fo2)},
			},
			Clocks: map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog"},
		},
	}
}

// heartbeatLoss writes what node r logs when it stops hearing peer over the
// cluster network: NetFT missed heartbeats, the remote endpoint unreachable,
// the UDP connection and then the node connection lost. at is when the
// endpoint is declared unreachable.
func heartbeatLoss(at time.Time, r, peer *scenario.Replica) {
	local, remote := r.IP+":~3343~", peer.IP+":~3343~"
	r.CL(at.Add(-6*time.Second), scenario.ChLog, "clussvc", "netft", "INFO", "IM", fmt.Sprintf("got event: LocalEndpoint %s has missed two-fifth consecutive heartbeats from %s", local, remote))
	r.CL(at.Add(-6*time.Second+3*time.Millisecond), scenario.ChOperational, "clussvc", "netft", "INFO", "", "Microsoft Failover Cluster Virtual Adapter (NetFT) has missed more than 40 percent of consecutive heartbeats.",
		"", "Local endpoint: "+local, "Remote endpoint: "+remote)
	r.CL(at.Add(-1*time.Millisecond), scenario.ChLog, "clussvc", "netft", "DBG", "NETFTAPI", fmt.Sprintf("Signaled NetftRemoteUnreachable event, local address %s:3343 remote address %s:3343", r.IP, peer.IP))
	r.CL(at, scenario.ChLog, "clussvc", "netft", "INFO", "IM", fmt.Sprintf("got event: Remote endpoint %s unreachable from %s", remote, local))
	r.CL(at.Add(3*time.Millisecond), scenario.ChOperational, "clussvc", "netft", "INFO", "", fmt.Sprintf("Cluster has lost the UDP connection from local endpoint %s connected to remote endpoint %s.", local, remote))
	r.CL(at.Add(10*time.Millisecond), scenario.ChLog, "clussvc", "node", "INFO", "NODE", fmt.Sprintf("Node %d: Connection to Node %d is broken. Reason GracefulClose(1226)' because of 'channel to remote endpoint %s is closed'", r.NodeID, peer.NodeID, remote))
}

// clusterNetworkPartition: SQLAG02, a synchronous secondary, loses its
// network. Its node misses heartbeats, loses quorum and its cluster service
// stops; SQLAG01 and SQLAG03 keep quorum and remove SQLAG02 from the
// membership (1135). SQL Server on SQLAG02 loses its WSFC node (41049,
// 41048, 41092) and goes RESOLVING; the primary SQLAG01 loses the
// connection (35206, 35267). After 3 minutes 41 seconds the network is back,
// SQLAG02 rejoins and reconnects. No failover.
func clusterNetworkPartition() *scenario.Bundle {
	g := scenario.AG{Name: "AG1", DBs: []string{"Telemetry", "Devices"}}
	r1 := scenario.NewReplica("SQLAG01", "10.16.0.11", `CONTOSO\sqlsvc`, scenario.Hours(-7))
	r2 := scenario.NewReplica("SQLAG02", "10.16.0.12", `CONTOSO\sqlsvc`, scenario.Hours(-7))
	r3 := scenario.NewReplica("SQLAG03", "10.16.0.13", `CONTOSO\sqlsvc`, scenario.Hours(-7))
	c := &scenario.Cluster{Name: "SQLCLU16", AG: g}
	c.Node(r1, 1)
	c.Node(r2, 2)
	c.Node(r3, 3)

	t := r2.Startup(utc("2024-08-06 03:10:02.45"), 4472, g)
	r2.StartAsSecondary(t, g, r1)
	t = r3.Startup(utc("2024-08-06 03:30:12.08"), 3316, g)
	r3.StartAsSecondary(t, g, r1)
	r1.CycledHeader(utc("2024-08-06 07:00:00.29"), 2608)
	r1.LogBackups(utc("2024-08-06 07:00:00"), utc("2024-08-06 19:00:00"), scenario.Hours(1), g)
	r3.CheckDB(utc("2024-08-06 09:00:44.61"), "spid68", "master")
	r1.LoginFailed(utc("2024-08-06 14:12:09.83"), 5, `CONTOSO\etl_dev`, "Could not find a login matching the name provided.", "10.16.7.22")

	// 09:22 local: SQLAG02's network goes away.
	tp := utc("2024-08-06 16:22:05.300")
	heartbeatLoss(tp, r2, r1)
	heartbeatLoss(tp.Add(2*time.Millisecond), r2, r3)
	heartbeatLoss(tp.Add(40*time.Millisecond), r1, r2)
	heartbeatLoss(tp.Add(57*time.Millisecond), r3, r2)
	tq := tp.Add(480 * time.Millisecond)
	r2.CL(tq, scenario.ChLog, "clussvc", "node", "ERR", "QUORUM", "Node 2: Lost quorum (2)")
	r2.CL(tq, scenario.ChLog, "clussvc", "node", "ERR", "QUORUM", "Node 2: goingAway: 0, core.IsServiceShutdown: 0")
	r2.CL(tq.Add(1*time.Millisecond), scenario.ChLog, "clussvc", "node", "ERR", "", "lost quorum (status = 5925)")
	r2.CL(tq.Add(1*time.Millisecond), scenario.ChLog, "clussvc", "node", "INFO", "NETFT", "Cluster Service preterminate succeeded.")
	r2.CL(tq.Add(3*time.Millisecond), scenario.ChLog, "rhs", "rhs", "WARN", "RHS", "Cluster service has terminated. Cluster.Service.Running.Event got signaled.")
	r2.CL(tq.Add(20*time.Millisecond), scenario.ChSystem, "clussvc", "node", "DBG", "", scenario.Msg1177, scenario.Msg1177cont)
	for _, n := range []*scenario.Replica{r1, r3} {
		n.CL(tq.Add(140*time.Millisecond), scenario.ChSystem, "clussvc", "node", "DBG", "", scenario.Msg1135(r2.Host))
	}

	// SQL Server on SQLAG02 loses its WSFC node.
	r2.WSFC(tq.Add(30*time.Millisecond), "Server", 41049)
	r2.WSFC(tq.Add(40*time.Millisecond), "Server", 41048)
	for i := 0; i < 3; i++ {
		r2.Log(tq.Add(time.Duration(50+10*i)*time.Millisecond), "spid26s", scenario.MsgLostQuorum)
	}
	r2.ManagerState(tq.Add(60*time.Millisecond), "OFFLINE")
	r2.StateChange(tq.Add(700*time.Millisecond), "spid26s", g, "SECONDARY_NORMAL", "RESOLVING_NORMAL", scenario.ReasonWSFC)
	r2.RoleChange(tq.Add(730*time.Millisecond), "spid52s", g, "SECONDARY", "RESOLVING")
	r2.DBConnections(tq.Add(760*time.Millisecond), "spid33s", g, r1, false, false)
	r2.Log(tq.Add(1200*time.Millisecond), "spid26s", scenario.WsfcMsg[41050])
	r1.ConnectionLost(tp.Add(10200*time.Millisecond), "spid61s", r2)
	r1.DBConnections(tp.Add(10300*time.Millisecond), "spid61s", g, r2, true, false)

	// The cluster service on SQLAG02 restarts at once but cannot join until
	// the network is back.
	restart := tq.Add(5 * time.Second)
	r2.ClusterRestart(restart)
	r2.CL(restart, scenario.ChLog, "clussvc", "main", "INFO", "CS", "Starting clussvc as a service")
	r2.WSFC(restart.Add(300*time.Millisecond), "spid26s", 41051)
	r2.WSFC(restart.Add(330*time.Millisecond), "spid26s", 41052)
	back := tp.Add(3*time.Minute + 41*time.Second)
	for at := restart.Add(2 * time.Second); at.Before(back); at = at.Add(30 * time.Second) {
		for _, n := range []*scenario.Replica{r1, r3} {
			r2.CL(at.Add(time.Duration(n.NodeID)*time.Millisecond), scenario.ChLog, "clussvc", "join", "INFO", "NODE", fmt.Sprintf("Node 2: New join with n%d: stage: 'Attempt Initial Connection' status (10060) reason: 'Failed to connect to remote endpoint %s:~3343~'", n.NodeID, n.IP))
		}
	}
	r2.ClusterDown(tq, back)
	joined := back.Add(1200 * time.Millisecond)
	for _, n := range []*scenario.Replica{r1, r3} {
		r2.CL(joined.Add(time.Duration(n.NodeID)*time.Millisecond), scenario.ChLog, "clussvc", "join", "INFO", "NODE", fmt.Sprintf("Node 2: New join with n%d: stage: 'Join Succeeded' status (0) reason: 'Success'", n.NodeID))
		n.CL(joined.Add(5*time.Millisecond), scenario.ChLog, "clussvc", "join", "INFO", "NODE", fmt.Sprintf("Node %d: New join with n2: stage: 'Join Succeeded' status (0) reason: 'Success'", n.NodeID))
	}
	r2.CL(joined.Add(20*time.Millisecond), scenario.ChOperational, "clussvc", "join", "INFO", "", fmt.Sprintf("This node has successfully joined the failover cluster '%s'.", c.Name))
	r2.WSFC(joined.Add(400*time.Millisecond), "spid26s", 41053)
	r2.WSFC(joined.Add(430*time.Millisecond), "spid26s", 41054)
	on := joined.Add(900 * time.Millisecond)
	r2.WSFC(on, "spid26s", 41055)
	r2.ManagerState(on.Add(200*time.Millisecond), "ONLINE")
	r2.Log(on.Add(300*time.Millisecond), "spid26s", scenario.MsgReplicaStarting(g.Name))
	r2.StateChange(on.Add(800*time.Millisecond), "spid45s", g, "RESOLVING_NORMAL", "SECONDARY_NORMAL", scenario.ReasonWSFC)
	r2.RoleChange(on.Add(850*time.Millisecond), "spid52s", g, "RESOLVING", "SECONDARY")
	scenario.Reconnect(on.Add(2400*time.Millisecond), g, r2, r1)

	from, to := utc("2024-08-06 15:30:00"), utc("2024-08-06 17:10:00")
	own := ownership{{from, r1}}
	r1.ClusterNoise(from.Add(7*time.Second), to, g, own.at)
	r2.ClusterNoise(from.Add(61*time.Second), to, g, own.at)
	r3.ClusterNoise(from.Add(133*time.Second), to, g, own.at)

	return &scenario.Bundle{
		Name:     "cluster-network-partition",
		Replicas: []*scenario.Replica{r1, r2, r3},
		Expected: scenario.Expected{
			Description: "At 09:22 local (16:22 UTC) the node SQLAG02, a synchronous secondary of AG1, lost its network: its cluster log shows NetFT missed heartbeats from SQLAG01 and SQLAG03, the remote endpoints unreachable, the node connections broken, and then 'Lost quorum' (status 5925); its cluster service stopped (1177). SQLAG01 and SQLAG03 kept quorum and removed SQLAG02 from the active membership (System event 1135). SQL Server on SQLAG02 lost its WSFC node (41049, 41048, 41092 lost quorum) and went RESOLVING; the primary SQLAG01 lost the connection (35206, 35267). The network came back 3 minutes 41 seconds later; SQLAG02's node rejoined (41050..41055), the replica became secondary again and reconnected (35202, 35266). One cluster outage of SQLAG02; the primary did not move.",
			Incidents: []scenario.Incident{
				{Category: "cluster_outage", Server: "SQLAG02", AG: "AG1", RootCauseContains: []string{"SQLAG02", "removed"}, Confidence: "certain"},
			},
			Failovers: []scenario.Failover{},
			Clocks:    map[string]string{"SQLAG01": "errorlog", "SQLAG02": "errorlog", "SQLAG03": "errorlog"},
		},
	}
}
