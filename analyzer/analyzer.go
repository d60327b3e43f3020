package analyzer

import (
	"github.com/agtriage/agtriage/analyzer/engine"
	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/analyzer/rule"
	"github.com/agtriage/agtriage/analyzer/rules"
	"github.com/agtriage/agtriage/parsers"
)

// Version is the tool version written into reports.
var Version = "0.1.0"

// Report is the result of an analysis; see package report.
type Report = report.Report

// File is one input file (a file on disk, an archive member, standard
// input); see package inputs.
type File = inputs.File

// Options tune an analysis; see engine.Options. The zero value analyzes
// everything with the default rules.
type Options = engine.Options

// ServerOverride attributes the files under a path to a server
// (--server NAME=PATH).
type ServerOverride = engine.ServerOverride

// Rule is one check over the normalized events; see package rule.
type Rule = rule.Rule

// Rules is the default rule set, in the order the rules run (rules.Default).
// Options.Rules nil means these.
var Rules = rules.Default

// Collect lists the files under paths: folders are walked, archives opened,
// collectors' non-log files classified. Files it cannot read are returned as
// skipped inputs with the reason, for the report.
func Collect(paths []string) (files []File, skipped []report.Input) {
	return inputs.Collect(paths)
}

// AnalyzePaths collects the files under paths (see Collect) and analyzes them.
func AnalyzePaths(paths []string, opt Options) (*Report, error) {
	files, skipped := Collect(paths)
	opt.Skipped = append(skipped, opt.Skipped...)
	return Analyze(files, opt)
}

// Analyze reads files and returns the report. It fails only when no input
// could be read at all; problems with single files are listed in the report.
func Analyze(files []File, opt Options) (*Report, error) {
	if opt.Rules == nil {
		opt.Rules = Rules
	}
	rep, err := engine.Analyze(files, opt)
	if rep != nil {
		rep.Tool = "agtriage " + Version
	}
	return rep, err
}

// Events reads files like Analyze (server attribution and clock alignment
// included) and calls fn for every event, file by file in input order; see
// engine.Events. It returns the inputs as the report would list them.
func Events(files []File, opt Options, fn func(*parsers.Event) error) ([]report.Input, error) {
	return engine.Events(files, opt, fn)
}

// UnmatchedOptions lists the option values that matched nothing (a server
// name no log uses, a --server path no file is under), for the caller to
// report; see engine.UnmatchedOptions.
func UnmatchedOptions(opt Options, servers []report.Server, inputs []report.Input) []string {
	return engine.UnmatchedOptions(opt, servers, inputs)
}
