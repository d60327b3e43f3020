// Package engine is the analysis core: it takes the files of a bundle
// (inputs.File) and gives a report.Report.
//
// Analyze reads the files (package inputs), attributes each to a server (by
// what its logs say, its folder and its name, or Options.Servers), puts
// every server's clock on UTC (the ERRORLOG's UTC adjustment, matched
// ERRORLOG and Extended Events pairs, or Options.UTCOffsets), merges all
// events into one timeline and drops copies of the same record, runs the
// rules (package rule) over it, and correlates their findings into
// incidents: findings that are one problem merge, each hangs under the
// finding that best explains it (through the rules' Links), and every
// finding nothing explains is the root cause of an incident. It then fills
// the rest of the report: failovers, roles, connection windows, the
// AG-relevant timeline and what the inputs do not cover.
//
// The engine knows no rule and no category: which rules run is
// Options.Rules (the analyzer package passes the default set).
package engine
