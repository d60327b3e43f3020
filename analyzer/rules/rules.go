package rules

import (
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/parsers"
)

func agOf(ev *parsers.Event) string       { return ev.AG }
func databaseOf(ev *parsers.Event) string { return ev.Database }

// Default is the default rule set, in the order the rules run.
var Default = []*rule.Rule{
	ClusterOutageRule,
	LeaseExpiryRule,
	HealthCheckRule,
	CrashRule,
	FailoverRule,
	FailedFailoverRule,
	FailoverLimitRule,
	ReplicaDisconnectedRule,
	EndpointHandshakeRule,
	EndpointOwnershipRule,
	DataMovementRule,
	RestartRule,
	LogFullRule,
	NotSynchronizingRule,
}

// linksFrom returns l once for each cause category.
func linksFrom(causes []report.Category, l rule.Link) []rule.Link {
	out := make([]rule.Link, len(causes))
	for i, c := range causes {
		out[i] = l
		out[i].Cause = c
	}
	return out
}

// handshakeState is the Detail of a handshake finding: the state of its
// 18456 / 33xx handshake error.
type handshakeState int

// suspendReason is the Detail of a data-movement finding: who suspended it
// and why, upper case ("SUSPEND_FROM_PARTNER ...").
type suspendReason string
