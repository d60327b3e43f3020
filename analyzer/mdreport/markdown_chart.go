package mdreport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// roleChart writes the Mermaid gantt chart of each replica's role over time,
// with the incident windows as a section of their own.
func (m *mdWriter) roleChart() {
	r := m.r
	if len(r.Roles) == 0 {
		return
	}
	m.line("## Replica roles")
	m.line("")
	m.line("Role of each replica per availability group over time (UTC); incident windows in the last section.")
	m.line("")
	m.line("```mermaid")
	m.line("gantt")
	m.line("    title Replica roles (UTC)")
	m.line("    dateFormat YYYY-MM-DDTHH:mm:ss")
	m.line("    axisFormat %H:%M")
	m.line("    todayMarker off")
	type key struct{ ag, server string }
	var order []key
	spans := map[key][]report.RoleSpan{}
	for _, s := range r.Roles {
		k := key{s.AG, s.Server}
		if _, ok := spans[k]; !ok {
			order = append(order, k)
		}
		spans[k] = append(spans[k], s)
	}
	for _, k := range order {
		sec := k.server
		if k.ag != "" {
			sec = k.ag + " - " + k.server
		}
		m.line("    section " + mdMermaidName(sec))
		for _, s := range spans[k] {
			end := s.End
			if end.IsZero() {
				end = r.End
			}
			m.line("    " + mdGanttTask(cmp.Or(mdMermaidName(string(s.Role)), "unknown"), mdRoleTags(s.Role), s.Start, end))
		}
	}
	if len(m.incidents) > 0 {
		m.line("    section Incidents")
		byStart := slices.Clone(m.incidents)
		slices.SortStableFunc(byStart, func(a, b *report.Incident) int { return a.Start.Compare(b.Start) })
		for _, in := range byStart {
			name := mdMermaidName(fmt.Sprintf("Incident %d %s", m.incidentNumber(in), in.Category.Title()))
			m.line("    " + mdGanttTask(name, "crit", in.Start, in.End))
		}
	}
	m.line("```")
	m.line("")
}

// mdRoleTags maps a role to Mermaid task tags (which only set the bar style).
func mdRoleTags(role report.Role) string {
	switch role {
	case report.RolePrimary:
		return "active"
	case report.RoleSecondary:
		return "done"
	case report.RoleResolving:
		return "crit"
	case report.RoleDown:
		return "done, crit"
	}
	return ""
}

// mdGanttTask formats one task line. Mermaid's dateFormat has whole seconds, so
// the span is widened to whole seconds and to at least one second: a
// sub-second RESOLVING blip stays visible.
func mdGanttTask(name, tags string, start, end time.Time) string {
	const f = "2006-01-02T15:04:05"
	s := start.UTC().Truncate(time.Second)
	e := end.UTC()
	if t := e.Truncate(time.Second); t.Before(e) {
		e = t.Add(time.Second)
	}
	if !e.After(s) {
		e = s.Add(time.Second)
	}
	if tags != "" {
		tags += ", "
	}
	return name + " :" + tags + s.Format(f) + ", " + e.Format(f)
}

// mdMermaidName keeps the characters Mermaid accepts in section and task
// names; ':' ';' '#' and the rest of the punctuation would end or break the
// line, so they become spaces.
func mdMermaidName(s string) string {
	var b strings.Builder
	space := false
	for _, c := range s {
		ok := mdIsLetterOrDigit(c) || strings.ContainsRune(`.-_\/()+'`, c)
		if !ok {
			if b.Len() > 0 {
				space = true
			}
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(c)
	}
	return words.Truncate(b.String(), 60)
}
