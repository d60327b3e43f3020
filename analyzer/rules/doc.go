// Package rules holds the built-in rules of the analysis, one file per
// family: the cluster (outage, lease expiry, restart), health checks, the
// host (crashes, from the Windows System log), failovers (and failed ones,
// and the failover limit), connections between replicas (disconnections,
// endpoint handshakes, endpoint ownership, data movement) and
// synchronization (log full, not synchronizing).
//
// Default is the set the analyzer runs. Each rule's Doc says what it
// detects, which messages it reads and what the fix is; `agtriage --rules`
// lists them.
package rules
