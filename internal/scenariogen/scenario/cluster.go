package scenario

import (
	"crypto/sha1"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Cluster log channels: the cluster log proper and the two event channels
// that Get-ClusterLog (Windows Server 2016 and later) copies into its own
// sections, each line prefixed with the channel name.
const (
	ChLog         = ""
	ChSystem      = "System"
	ChOperational = "Operational"
)

// Section headers of a Get-ClusterLog file, in the order written.
const (
	SecCluster     = "[=== Cluster ===]"
	SecNodes       = "[=== Nodes ===]"
	SecResources   = "[=== Resources ===]"
	SecSystem      = "[=== System ===]"
	SecOperational = "[=== Microsoft-Windows-FailoverClustering/Operational logs ===]"
	SecLogs        = "[=== Cluster Logs ===]"
)

// clRecord is one cluster.log record: a timestamped line and the unprefixed
// lines that continue it (event texts of several paragraphs).
type clRecord struct {
	at      time.Time // UTC
	channel string    // chLog, chSystem or chOperational
	proc    string    // process: clussvc, rhs, rhsag (the AG resource's RHS)
	thread  string    // thread role, for a stable thread id
	level   string    // INFO, WARN, ERR, DBG
	comp    string    // component without brackets; none on channel lines
	text    string
	cont    []string
}

// Cluster describes the WSFC cluster of a bundle; every replica with a
// cluster log is one of its nodes.
type Cluster struct {
	Name  string
	Nodes []*Replica
	AG    AG
}

// Node makes r node id of c (ids start at 1) and gives it a
// cluster.log.
func (c *Cluster) Node(r *Replica, id int) {
	r.NodeID = id
	r.cluster = c
	c.Nodes = append(c.Nodes, r)
}

// CL appends a record to r's cluster log. proc names the process (a cluster
// service restart is a new name, "clussvc2"), thread the thread's role.
func (r *Replica) CL(at time.Time, channel, proc, thread, level, comp, text string, cont ...string) {
	r.clog = append(r.clog, clRecord{at: at, channel: channel, proc: proc, thread: thread, level: level, comp: comp, text: text, cont: cont})
}

// Hadrag logs a line of the availability group resource DLL (hadrres.dll)
// hosted in the AG's own RHS process.
func (r *Replica) Hadrag(at time.Time, level, thread string, g AG, text string) {
	r.CL(at, ChLog, "rhsag", thread, level, "RES", fmt.Sprintf("SQL Server Availability Group <%s>: [hadrag] %s", g.Name, text))
}

// Rcm logs a Resource Control Manager line of the cluster service.
func (r *Replica) Rcm(at time.Time, level, text string) {
	r.CL(at, ChLog, "clussvc", "rcm", level, "RCM", text)
}

// ClusterRestart records that r's cluster service (and with it the RHS
// processes) started again at at: records from then on carry new process ids.
func (r *Replica) ClusterRestart(at time.Time) {
	r.clRestarts = append(r.clRestarts, at)
}

// ClusterDown records that r's cluster service was not in the cluster
// between from and to (no routine chatter then).
func (r *Replica) ClusterDown(from, to time.Time) {
	r.clDown = append(r.clDown, [2]time.Time{from, to})
}

// procSeed names the process instance that wrote rec: the process name and
// the number of cluster service restarts before the record.
func (r *Replica) procSeed(rec clRecord) string {
	gen := 0
	for _, t := range r.clRestarts {
		if !rec.at.Before(t) {
			gen++
		}
	}
	return fmt.Sprintf("%s/%s#%d", r.Host, rec.proc, gen)
}

// hexID derives a stable process or thread id (Windows ids are multiples of
// 4) from a seed.
func hexID(seed string) uint32 {
	h := sha1.Sum([]byte(seed))
	v := uint32(h[0])<<8 | uint32(h[1])
	return 0x400 + (v%0x1c00)&^3
}

// zoneLine is the header line with the Windows time-zone bias: UTC = local
// time + bias, so the bias is the negated UTC offset.
func zoneLine(offset time.Duration) string {
	bias := int(-offset / time.Minute)
	s := fmt.Sprintf("UTC = localtime + time zone offset; the time zone offset of this machine is %d minutes", bias)
	if bias%60 == 0 {
		s += fmt.Sprintf(", or %d hours", bias/60)
	}
	return s
}

// clusterText renders r's cluster.log as Get-ClusterLog writes it (lines
// without line ends): the header area, the System and Operational channel
// sections and the cluster log proper, each in time order, times in UTC.
func (r *Replica) clusterText() []string {
	c := r.cluster
	out := []string{
		SecCluster,
		zoneLine(r.Offset),
		"The logs were generated using Coordinated Universal Time (UTC). 'Get-ClusterLog -UseLocalTime' will generate in local time.",
		"Build Number 17763",
		fmt.Sprintf("Current node: name (%s) id (%d)", r.Host, r.NodeID),
		"",
		SecNodes,
		"Name       Id   State",
		"----       --   -----",
	}
	for _, n := range c.Nodes {
		out = append(out, fmt.Sprintf("%-10s %-4d Up", n.Host, n.NodeID))
	}
	out = append(out, "", SecResources,
		"Name                           State       OwnerGroup    ResourceType",
		"----                           -----       ----------    ------------",
		fmt.Sprintf("%-30s Online      %-13s SQL Server Availability Group", c.AG.Name, c.AG.Name),
		fmt.Sprintf("%-30s Online      %-13s Network Name", c.AG.Name+"_"+listener(c.AG), c.AG.Name),
		"Cluster IP Address             Online      Cluster Group IP Address",
		"Cluster Name                   Online      Cluster Group Network Name",
		"")
	for _, sec := range []struct{ header, channel string }{
		{SecSystem, ChSystem}, {SecOperational, ChOperational}, {SecLogs, ChLog},
	} {
		out = append(out, sec.header)
		var recs []clRecord
		for _, rec := range r.clog {
			if rec.channel == sec.channel {
				recs = append(recs, rec)
			}
		}
		sort.SliceStable(recs, func(a, b int) bool { return recs[a].at.Before(recs[b].at) })
		for _, rec := range recs {
			out = append(out, r.clLine(rec))
			out = append(out, rec.cont...)
		}
		if sec.channel != ChLog {
			out = append(out, "")
		}
	}
	return out
}

// clLine formats one record: [Channel] pid.tid::YYYY/MM/DD-HH:MM:SS.mmm
// LEVEL [COMP] text, the level left-justified in five columns.
func (r *Replica) clLine(rec clRecord) string {
	seed := r.procSeed(rec)
	pid := hexID(seed)
	tid := hexID(seed + "/" + rec.thread)
	var b strings.Builder
	if rec.channel != ChLog {
		b.WriteString("[" + rec.channel + "] ")
	}
	fmt.Fprintf(&b, "%08x.%08x::%s %-5s ", pid, tid, rec.at.UTC().Format("2006/01/02-15:04:05.000"), rec.level)
	if rec.comp != "" {
		b.WriteString("[" + rec.comp + "] ")
	}
	b.WriteString(rec.text)
	return b.String()
}

// Msg1135 and the functions below give the texts of the FailoverClustering
// System events (SIGNALS.md section 6).
func Msg1135(node string) string {
	return fmt.Sprintf("Cluster node '%s' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster. Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapters on this node. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges.", node)
}

const (
	Msg1177     = "The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk. "
	Msg1177cont = "Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapter. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges."
	msg1069cont = "Based on the failure policies for the resource and role, the cluster service may try to bring the resource online on this node or move the group to another node of the cluster and then restart it.  Check the resource and group state using Failover Cluster Manager or the Get-ClusterResource Windows PowerShell cmdlet."
)

func msg1069(ag string) string {
	return fmt.Sprintf("Cluster resource '%s' of type 'SQL Server Availability Group' in clustered role '%s' failed.", ag, ag)
}

func Msg1205(ag string) string {
	return fmt.Sprintf("The Cluster service failed to bring clustered role '%s' completely online or offline. One or more resources may be in a failed state. This may impact the availability of the clustered role.", ag)
}

func Msg1254(ag string) string {
	return fmt.Sprintf("Clustered role '%s' has exceeded its failover threshold.  It has exhausted the configured number of failover attempts within the failover period of time allotted to it and will be left in a failed state.  No additional attempts will be made to bring the role online or fail it over to another node in the cluster.  Please check the events associated with the failure.  After the issues causing the failure are resolved the role can be brought online manually or the cluster may attempt to bring it online again after the restart delay period.", ag)
}

// System1069 logs "Cluster resource ... failed." with its second paragraph.
func (r *Replica) System1069(at time.Time, g AG) {
	r.CL(at, ChSystem, "clussvc", "rcm", "ERR", "", msg1069(g.Name), "", msg1069cont)
}

// ClusterNoise writes the routine chatter of a node's cluster service and of
// the AG resource DLL between from and to: the availability group's health
// polling on the node that owns the role (owner reports the owner at a
// time), GUM/DM updates and RCM resource-control replies. None of it matches an
// incident pattern.
func (r *Replica) ClusterNoise(from, to time.Time, g AG, owner func(time.Time) *Replica) {
	i := 0
next:
	for t := from; t.Before(to); t = t.Add(4*minute + time.Duration(i*7919%60000)*ms) {
		i++
		for _, d := range r.clDown {
			if !t.Before(d[0].Add(-2*sec)) && t.Before(d[1].Add(2*sec)) {
				continue next
			}
		}
		gum := 4100 + i*3 + r.NodeID*1000
		r.CL(t, ChLog, "clussvc", "gum", "INFO", "GUM", fmt.Sprintf("Node %d: Processing RequestLock %d:%d", r.NodeID, 1+i%len(r.cluster.Nodes), gum))
		r.CL(t.Add(2*ms), ChLog, "clussvc", "gum", "INFO", "GUM", fmt.Sprintf("Node %d: Processing GrantLock to %d (sent by %d gumid: %d)", r.NodeID, 1+i%len(r.cluster.Nodes), r.NodeID, gum+1))
		r.CL(t.Add(3*ms), ChLog, "clussvc", "dm", "INFO", "DM", fmt.Sprintf("Node %d: executing request locally, gumId:%d, my action: /dm/update, # of updates: 1", r.NodeID, gum+1))
		if owner(t) == r {
			if i%3 == 1 {
				r.Rcm(t.Add(40*ms), "INFO", fmt.Sprintf("HandleMonitorReply: RESOURCECONTROL for '%s', gen(0) result 0/0.", g.Name))
			}
			r.Hadrag(t.Add(1500*ms), "INFO", "health", g, "Resource Alive result 1.")
		}
	}
}
