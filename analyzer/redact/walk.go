package redact

import "github.com/agtriage/agtriage/analyzer/report"

// reportField tells the walker what kind of string it visits.
type reportField uint8

const (
	reportFieldText reportField = iota // free text: replaced
	reportFieldPath                    // a file path or position: replaced, '_' and '-' are boundaries
	reportFieldEnum                    // an enumerated value: kept
	reportFieldName                    // an AG or database name: kept
)

// walkReportStrings returns a deep copy of r with every string passed through f.
// It is the one place that knows every string field of a Report; Report
// collects and replaces through it.
func walkReportStrings(r *report.Report, f func(string, reportField) string) *report.Report {
	text := func(s string) string { return f(s, reportFieldText) }
	path := func(s string) string { return f(s, reportFieldPath) }
	enum := func(s string) string { return f(s, reportFieldEnum) }
	name := func(s string) string { return f(s, reportFieldName) }
	list := func(in []string, g func(string) string) []string {
		if in == nil {
			return nil
		}
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = g(s)
		}
		return out
	}
	evidence := func(in []report.Evidence) []report.Evidence {
		if in == nil {
			return nil
		}
		out := make([]report.Evidence, len(in))
		for i, e := range in {
			e.File = path(e.File)
			e.Server = text(e.Server)
			e.Text = text(e.Text)
			out[i] = e
		}
		return out
	}

	c := *r
	c.Tool = enum(r.Tool)
	c.AGs = list(r.AGs, name)
	c.Databases = list(r.Databases, name)
	if r.Servers != nil {
		c.Servers = make([]report.Server, len(r.Servers))
		for i, s := range r.Servers {
			s.Name = text(s.Name)
			s.Aliases = list(s.Aliases, text)
			s.Clock = report.ClockSource(enum(string(s.Clock)))
			s.UTCOffset = enum(s.UTCOffset)
			s.ClockDetail = text(s.ClockDetail)
			s.ServiceAccount = text(s.ServiceAccount)
			s.Addresses = list(s.Addresses, text)
			s.Files = list(s.Files, path)
			c.Servers[i] = s
		}
	}
	if r.Inputs != nil {
		c.Inputs = make([]report.Input, len(r.Inputs))
		for i, in := range r.Inputs {
			in.File = path(in.File)
			in.Format = enum(in.Format)
			in.Encoding = enum(in.Encoding)
			in.Server = text(in.Server)
			in.AttributedBy = enum(in.AttributedBy)
			in.Skipped = text(in.Skipped)
			in.Warnings = list(in.Warnings, text)
			c.Inputs[i] = in
		}
	}
	if r.Incidents != nil {
		c.Incidents = make([]report.Incident, len(r.Incidents))
		for i, in := range r.Incidents {
			in.Category = report.Category(enum(string(in.Category)))
			in.Title = text(in.Title)
			in.AGs = list(in.AGs, name)
			in.Servers = list(in.Servers, text)
			in.Databases = list(in.Databases, name)
			in.RootCause = text(in.RootCause)
			in.Summary = text(in.Summary)
			if in.Chain != nil {
				chain := make([]report.Step, len(in.Chain))
				for j, st := range in.Chain {
					st.Server = text(st.Server)
					st.Text = text(st.Text)
					st.Evidence = evidence(st.Evidence)
					chain[j] = st
				}
				in.Chain = chain
			}
			in.Fix = report.Fix{SQL: list(in.Fix.SQL, text), Steps: list(in.Fix.Steps, text)}
			in.Confidence = report.Confidence(enum(string(in.Confidence)))
			in.ConfidenceReason = text(in.ConfidenceReason)
			in.Rules = list(in.Rules, enum)
			c.Incidents[i] = in
		}
	}
	if r.Failovers != nil {
		c.Failovers = make([]report.Failover, len(r.Failovers))
		for i, fo := range r.Failovers {
			fo.AG = name(fo.AG)
			fo.From = text(fo.From)
			fo.To = text(fo.To)
			fo.Mode = report.Mode(enum(string(fo.Mode)))
			fo.Trigger = text(fo.Trigger)
			fo.Evidence = evidence(fo.Evidence)
			c.Failovers[i] = fo
		}
	}
	if r.Connections != nil {
		c.Connections = make([]report.ConnectionWindow, len(r.Connections))
		for i, cw := range r.Connections {
			cw.AG = name(cw.AG)
			cw.Server = text(cw.Server)
			cw.Partner = text(cw.Partner)
			cw.Databases = list(cw.Databases, name)
			cw.Cause = text(cw.Cause)
			c.Connections[i] = cw
		}
	}
	if r.Roles != nil {
		c.Roles = make([]report.RoleSpan, len(r.Roles))
		for i, s := range r.Roles {
			s.AG = name(s.AG)
			s.Server = text(s.Server)
			s.Role = report.Role(enum(string(s.Role)))
			c.Roles[i] = s
		}
	}
	if r.Timeline != nil {
		c.Timeline = make([]report.TimelineEntry, len(r.Timeline))
		for i, e := range r.Timeline {
			e.Server = text(e.Server)
			e.Kind = enum(e.Kind)
			e.Text = text(e.Text)
			e.Position = path(e.Position)
			c.Timeline[i] = e
		}
	}
	c.Gaps = list(r.Gaps, text)
	if r.Settings != nil {
		c.Settings = make([]report.AGSettings, len(r.Settings))
		for i, st := range r.Settings {
			st.AG = name(st.AG)
			if st.Replicas != nil {
				reps := make([]report.ReplicaSettings, len(st.Replicas))
				for j, rp := range st.Replicas {
					rp.Replica = text(rp.Replica)
					rp.AvailabilityMode = enum(rp.AvailabilityMode)
					rp.FailoverMode = enum(rp.FailoverMode)
					reps[j] = rp
				}
				st.Replicas = reps
			}
			st.Sources = list(st.Sources, path)
			c.Settings[i] = st
		}
	}
	c.Warnings = list(r.Warnings, text)
	return &c
}
