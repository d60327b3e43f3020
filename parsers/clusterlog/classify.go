package clusterlog

import (
	"bytes"
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// rule recognizes one cluster-log message. anchor is a substring every
// matching text holds (a cheap first test); apply checks the rest, fills the
// event and reports whether the rule matched.
type rule struct {
	anchor string
	apply  func(ev *parsers.Event, text []byte) bool
}

// rules are tried in order; the first that applies sets the event's Kind.
// The texts are those of SIGNALS.md section 6 and FORMATS.md section 2: the
// System event-log messages of the FailoverClustering source (1135, 1177,
// 1069, 1205, 1254, 1146), the [hadrag] lines of the availability group
// resource DLL and the RHS, RCM, QUORUM, NETFT, IM, NODE and NDP lines.
var rules = []rule{
	// 1135: Cluster node 'X' was removed from the active failover cluster membership.
	{"was removed from the active failover cluster membership", func(ev *parsers.Event, t []byte) bool {
		node := quotedAfter(t, "Cluster node '")
		set(ev, parsers.KindNodeRemoved, "event_id", "1135")
		if node != "" {
			ev.Replica = node
			addField(ev, "node", node)
		}
		return true
	}},
	// 1177
	{"shutting down because quorum was lost", kindWith(parsers.KindQuorumLost, "event_id", "1177")},
	// [QUORUM] Node 1: Lost quorum (1); lost quorum (status = 5925);
	// Quorum lost because failed to update witness epoch ...
	{"Lost quorum", kindWith(parsers.KindQuorumLost)},
	{"lost quorum", kindWith(parsers.KindQuorumLost)},
	{"Quorum lost", kindWith(parsers.KindQuorumLost)},
	{"Quorum witness has better epoch", kindWith(parsers.KindQuorumLost)},

	// Lease. Only "Lease timeout detected" is followed by performance rows.
	{"Lease timeout detected", kindWith(parsers.KindLeaseExpired)},
	{"lease is no longer valid", kindWith(parsers.KindLeaseExpired)},
	{"The lease is expired", kindWith(parsers.KindLeaseExpired)},
	{"Lease renewal failed", kindWith(parsers.KindLeaseExpired)},

	// Health check (sp_server_diagnostics, HealthCheckTimeout, FailureConditionLevel).
	{"diagnostics heartbeat is lost", kindWith(parsers.KindHealthFailure)},
	{"is not healthy with given HealthCheckTimeout", kindWith(parsers.KindHealthFailure)},
	{"did not receive healthinformation before HealthCheckTimeout", kindWith(parsers.KindHealthFailure)},
	// SQL Server component 'system' health state has been changed from 'warning' to 'error' at ...
	{"health state has been changed from '", func(ev *parsers.Event, t []byte) bool {
		from := quotedAfter(t, "changed from '")
		to := quotedAfter(t, "' to '")
		if !strings.EqualFold(to, "error") {
			return false
		}
		set(ev, parsers.KindHealthFailure)
		ev.From, ev.To = from, to
		if c := quotedAfter(t, "component '"); c != "" {
			addField(ev, "component", c)
		}
		return true
	}},
	// Failure detected, the state of system component is error
	{"Failure detected, the state of ", func(ev *parsers.Event, t []byte) bool {
		c := between(t, "Failure detected, the state of ", " component is error")
		if c == "" {
			return false
		}
		set(ev, parsers.KindHealthFailure, "component", c)
		return true
	}},

	// SQL Server service down.
	{"SQL server service is not alive", kindWith(parsers.KindSQLServiceDown)},
	{"QueryServiceStatusEx returned a process id 0", kindWith(parsers.KindSQLServiceDown)},

	// Resource failures.
	{"IsAlive has indicated failure", func(ev *parsers.Event, t []byte) bool {
		set(ev, parsers.KindResourceFailed)
		if res := between(t, "Resource ", " IsAlive has indicated failure"); res != "" {
			addField(ev, "resource", res)
		}
		return true
	}},
	{"Online for resource ", func(ev *parsers.Event, t []byte) bool {
		res := between(t, "Online for resource ", " failed")
		if res == "" {
			return false
		}
		set(ev, parsers.KindResourceFailed, "resource", res)
		return true
	}},
	// 1069: Cluster resource 'X' [of type 'T'] in clustered role 'Y' failed.
	{"Cluster resource '", func(ev *parsers.Event, t []byte) bool {
		const in = "in clustered role '"
		i := index(t, in)
		if i < 0 {
			return false
		}
		role := quotedAfter(t[i:], in)
		if !bytes.HasPrefix(t[i+len(in)+len(role):], []byte("' failed")) {
			return false
		}
		set(ev, parsers.KindResourceFailed, "event_id", "1069")
		addField(ev, "resource", quotedAfter(t, "Cluster resource '"))
		setRole(ev, role)
		return true
	}},
	// 1205: The Cluster service failed to bring clustered role 'X' completely online or offline.
	{"completely online or offline", func(ev *parsers.Event, t []byte) bool {
		set(ev, parsers.KindResourceFailed, "event_id", "1205")
		setRole(ev, quotedAfter(t, "clustered role '"))
		return true
	}},
	// [RCM] HandleMonitorReply: FAILURENOTIFICATION for 'X', gen(0) result 1/0.
	{"HandleMonitorReply: FAILURENOTIFICATION", func(ev *parsers.Event, t []byte) bool {
		set(ev, parsers.KindResourceFailed)
		if res := quotedAfter(t, "FAILURENOTIFICATION for '"); res != "" {
			addField(ev, "resource", res)
		}
		return true
	}},

	// Role moves.
	// Clustered role 'X' is moving from cluster node 'A' to cluster node 'B'.
	{"is moving from cluster node '", func(ev *parsers.Event, t []byte) bool {
		set(ev, parsers.KindRoleMove)
		setRole(ev, quotedAfter(t, "lustered role '"))
		ev.From = quotedAfter(t, "is moving from cluster node '")
		ev.To = quotedAfter(t, "' to cluster node '")
		return true
	}},
	// [RCM] move of group X from A(1) to B(2) of type MoveType::Manual is about to succeed, failoverCount=3, ...
	{"is about to succeed", func(ev *parsers.Event, t []byte) bool {
		i := index(t, "move of group ")
		if i < 0 {
			return false
		}
		s := t[i+len("move of group "):]
		group, s, ok1 := cutWord(s, " from ")
		from, s, ok2 := cutWord(s, " to ")
		to, s, ok3 := cutWord(s, " of type ")
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		set(ev, parsers.KindRoleMove)
		setRole(ev, string(group))
		ev.From, ev.To = nodeName(from), nodeName(to)
		if mt, _, ok := bytes.Cut(s, []byte(" is about to succeed")); ok {
			addField(ev, "move_type", string(bytes.TrimPrefix(mt, []byte("MoveType::"))))
		}
		if n := numberAfter(t, "failoverCount="); n != "" {
			addField(ev, "failover_count", n)
		}
		return true
	}},

	// Failover limit.
	// Not failing over group X, failoverCount N, failoverThresholdSetting M, computedFailoverThreshold K
	{"Not failing over group ", func(ev *parsers.Event, t []byte) bool {
		i := index(t, "Not failing over group ")
		s := t[i+len("Not failing over group "):]
		group, _, _ := bytes.Cut(s, []byte(", failoverCount"))
		set(ev, parsers.KindFailoverLimit)
		setRole(ev, string(trimRight(group)))
		for _, f := range [...][2]string{
			{"failoverCount ", "failover_count"},
			{"failoverThresholdSetting ", "failover_threshold_setting"},
			{"computedFailoverThreshold ", "computed_failover_threshold"},
		} {
			if n := numberAfter(t, f[0]); n != "" {
				addField(ev, f[1], n)
			}
		}
		return true
	}},
	// 1254: Clustered role 'X' has exceeded its failover threshold.
	{"has exceeded its failover threshold", func(ev *parsers.Event, t []byte) bool {
		set(ev, parsers.KindFailoverLimit, "event_id", "1254")
		setRole(ev, quotedAfter(t, "lustered role '"))
		return true
	}},

	// RHS terminated (1146) and the RHS seeing the cluster service die.
	{"Resource Hosting Subsystem (RHS) process was terminated", kindWith(parsers.KindRHSTerminated, "event_id", "1146")},
	{"Cluster service has terminated", kindWith(parsers.KindRHSTerminated)},

	// Heartbeats and node connections.
	{"has missed ", func(ev *parsers.Event, t []byte) bool {
		if !contains(t, "heartbeat") {
			return false
		}
		set(ev, parsers.KindHeartbeatLost)
		return true
	}},
	// [IM] got event: Remote endpoint X unreachable from Y
	{" unreachable from ", func(ev *parsers.Event, t []byte) bool {
		set(ev, parsers.KindHeartbeatLost)
		if remote := between(t, "Remote endpoint ", " unreachable from "); remote != "" {
			addField(ev, "remote_endpoint", remote)
		}
		return true
	}},
	{"NetftRemoteUnreachable", kindWith(parsers.KindHeartbeatLost)},
	// [NODE] Node 1: Connection to Node 2 is broken. Reason ...
	{"Connection to Node ", func(ev *parsers.Event, t []byte) bool {
		n := between(t, "Connection to Node ", " is broken")
		if n == "" {
			return false
		}
		set(ev, parsers.KindHeartbeatLost, "remote_node", n)
		return true
	}},
	// [NDP] All routes for route (virtual) local ... to remote ... are down
	{"All routes for ", func(ev *parsers.Event, t []byte) bool {
		if !contains(t, " are down") {
			return false
		}
		set(ev, parsers.KindHeartbeatLost)
		return true
	}},
	// Operational channel: Cluster has lost the UDP connection from local endpoint ...
	{"lost the UDP connection", kindWith(parsers.KindHeartbeatLost)},
}

// classify sets ev.Kind and the structured fields from the message text.
func classify(ev *parsers.Event, text []byte) {
	ev.Kind = parsers.KindMessage
	for i := range rules {
		r := &rules[i]
		if contains(text, r.anchor) && r.apply(ev, text) {
			break
		}
	}
	if ev.AG == "" {
		if ag := between(text, "SQL Server Availability Group <", ">"); ag != "" {
			ev.AG = ag
		} else if role := quotedAfter(text, "lustered role '"); role != "" {
			ev.AG = role
		}
	}
}

// isLeaseTimeout reports whether text is the lease-timeout line that the
// performance rows follow.
func isLeaseTimeout(text []byte) bool {
	return contains(text, "Lease timeout detected")
}

// kindWith returns a rule action that sets kind and the given name/value fields.
func kindWith(kind parsers.Kind, fields ...string) func(*parsers.Event, []byte) bool {
	return func(ev *parsers.Event, _ []byte) bool {
		set(ev, kind, fields...)
		return true
	}
}

func set(ev *parsers.Event, kind parsers.Kind, fields ...string) {
	ev.Kind = kind
	for i := 0; i+1 < len(fields); i += 2 {
		addField(ev, fields[i], fields[i+1])
	}
}

func addField(ev *parsers.Event, name, value string) {
	ev.Fields = append(ev.Fields, parsers.Field{Name: name, Value: value})
}

// setRole records a clustered role (group) name: the availability group when
// the role is one, so it goes to AG as well as to the field "role".
func setRole(ev *parsers.Event, role string) {
	if role == "" {
		return
	}
	ev.AG = role
	addField(ev, "role", role)
}

// index is bytes.Index for a string pattern, without converting the pattern.
func index(t []byte, s string) int {
	if len(s) == 0 {
		return 0
	}
	c := s[0]
	for i := 0; len(t)-i >= len(s); {
		j := bytes.IndexByte(t[i:len(t)-len(s)+1], c)
		if j < 0 {
			return -1
		}
		i += j
		if string(t[i:i+len(s)]) == s {
			return i
		}
		i++
	}
	return -1
}

func contains(t []byte, s string) bool { return index(t, s) >= 0 }

// quotedAfter returns the text between prefix and the next "'".
func quotedAfter(t []byte, prefix string) string {
	i := index(t, prefix)
	if i < 0 {
		return ""
	}
	s := t[i+len(prefix):]
	j := bytes.IndexByte(s, '\'')
	if j < 0 {
		return ""
	}
	return string(s[:j])
}

// between returns the text between the first prefix and the next suffix.
func between(t []byte, prefix, suffix string) string {
	i := index(t, prefix)
	if i < 0 {
		return ""
	}
	s := t[i+len(prefix):]
	j := index(s, suffix)
	if j <= 0 {
		return ""
	}
	return string(s[:j])
}

// numberAfter returns the decimal digits right after prefix.
func numberAfter(t []byte, prefix string) string {
	i := index(t, prefix)
	if i < 0 {
		return ""
	}
	s := t[i+len(prefix):]
	j := 0
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || j == 0 && s[j] == '-') {
		j++
	}
	if j == 0 || j == 1 && s[0] == '-' {
		return ""
	}
	return string(s[:j])
}

// cutWord splits s at sep and requires a non-empty first part without blanks.
func cutWord(s []byte, sep string) (before, after []byte, ok bool) {
	before, after, ok = bytes.Cut(s, []byte(sep))
	if !ok || len(before) == 0 || bytes.IndexByte(before, ' ') >= 0 {
		return nil, nil, false
	}
	return before, after, true
}

// nodeName drops the "(2)" node id of "ze-2016-v1(2)".
func nodeName(b []byte) string {
	if i := bytes.LastIndexByte(b, '('); i > 0 && b[len(b)-1] == ')' {
		b = b[:i]
	}
	return string(b)
}
