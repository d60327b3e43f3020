// Package analyzer explains Always On availability group incidents from the
// logs of every replica. It is the package a library user imports; it fronts
// the stages of the analysis, each a package of its own:
//
//	inputs     paths → files: folders, archives (zip, tar, gz), collectors'
//	           layouts (SQL LogScout, PSSDiag, TSS); each file read with the
//	           reader of its format (package parsers and its sub-packages)
//	engine     files → Report: servers attributed, clocks put on UTC, the
//	           rules run, their findings correlated into incidents
//	rule       the Rule, Pass and Finding types a rule is written with
//	rules      the built-in rules, one file per family
//	agstate    shared results rules read: roles, failovers, connection windows
//	report     the Report model every writer reads
//	mdreport, jsonreport, htmlreport   the writers
//	redact     pseudonymizes a Report (or events) so it can leave the company
//
// AnalyzePaths is the whole pipeline in one call:
//
//	rep, err := analyzer.AnalyzePaths([]string{"bundle/"}, analyzer.Options{})
//	if err != nil { ... }
//	mdreport.Write(os.Stdout, rep, mdreport.Options{})
//
// Analyze does the same for files already collected; Events streams the
// normalized events instead of analyzing them. Options.Rules replaces the
// default rule set (Rules), for instance to add a rule of one's own.
package analyzer
