// Package analyzer turns the events of every replica into incidents a DBA can
// act on. It reads the inputs (through the readers of package parsers and its
// sub-packages), attributes each file to a server, puts every server's clock
// on UTC, runs the rules (values of type Rule, see rules.go) over the merged
// event stream, groups their findings into incidents with a root cause, a
// causal chain, evidence and a fix, and returns a Report. Writers (Markdown,
// JSON) only read the Report.
package analyzer
