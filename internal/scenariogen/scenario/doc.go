// Package scenario holds the writers of the scenario generator
// (internal/scenariogen). It takes an incident told as UTC events per
// replica — a Bundle of Replicas in availability groups (AG), with methods
// that log what SQL Server, the cluster and Windows would log (Log, Err, XE,
// StateChange, Promote, Stall, LeaseLoss, CL, Sys ...) — and gives the files
// as they would be collected: ERRORLOG generations in each replica's local
// time (UTF-16LE with BOM and CRLF, or Windows-1252 with LF on Linux),
// AlwaysOn_health as XML or binary .xel, the SQLDIAG .xel, the node's
// cluster.log, its System event log (.evtx and exports), and the
// expected.json that says what the analyzer must report (Expected).
//
// The scenarios themselves, one builder per incident, are in package main
// of internal/scenariogen.
package scenario
