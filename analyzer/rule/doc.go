// Package rule defines what a rule of the analysis is, in the manner of
// golang.org/x/tools/go/analysis: a Rule is a value with a name, a
// category, documentation, the shared Results it requires, the Links that
// relate its findings to other rules' findings, and a Run function that
// reads a Pass (every server's events on one UTC timeline) and reports
// Findings with evidence and a fix.
//
// The helpers in toolkit.go (Evidence, Step, GroupByGap, byServer, ...) are
// the usual ways of quoting and grouping events. The built-in rules are in
// package rules; the shared results they read (roles, failovers, connection
// windows) in package agstate.
package rule
