package mdreport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// The report's closing sections: failovers, connections, timeline, coverage.

func (m *mdWriter) failovers() {
	if len(m.r.Failovers) == 0 {
		return
	}
	m.line("## Failovers")
	m.line("")
	head := []string{"Time (UTC)"}
	if m.tz != nil {
		head = append(head, "Time ("+mdCell(m.tz.String())+")")
	}
	head = append(head, "AG", "From", "To", "Mode", "No primary for", "Trigger", "Incident")
	t := m.newTable(head...)
	for _, f := range m.r.Failovers {
		row := []string{mdCell(mdUTC(f.At, true))}
		if m.tz != nil {
			row = append(row, mdCell(m.fmtTZ(f.At)))
		}
		inc := "—"
		if f.IncidentID > 0 {
			inc = "#" + strconv.Itoa(f.IncidentID)
		}
		gap := "—"
		if f.NoPrimary > 0 {
			gap = report.FormatDuration(time.Duration(f.NoPrimary * float64(time.Second)))
		}
		to := mdCellOr(f.To)
		if f.To == "" {
			to = "not in the bundle"
		}
		row = append(row, mdCell(f.AG), mdCellOr(f.From), to, mdCell(string(f.Mode)), gap, mdCellOr(f.Trigger), inc)
		t.row(row...)
	}
	t.end()
}

func (m *mdWriter) connections() {
	if len(m.r.Connections) == 0 {
		return
	}
	m.line("## Replica connection windows")
	m.line("")
	m.line("Periods during which a replica could not reach a partner, as seen from that replica.")
	m.line("")
	t := m.newTable("Server", "Partner", "AG", "From (UTC)", "To (UTC)", "Databases", "Cause")
	for _, c := range m.r.Connections {
		to := "not reconnected"
		if !c.End.IsZero() {
			to = mdUTC(c.End, true) + " (" + report.FormatDuration(c.End.Sub(c.Start)) + ")"
		}
		t.row(mdCell(c.Server), mdCell(c.Partner), mdCellOr(c.AG), mdCell(mdUTC(c.Start, true)), mdCell(to),
			mdCellOr(strings.Join(c.Databases, ", ")), mdCellOr(c.Cause))
	}
	t.end()
}

func (m *mdWriter) timeline() {
	tl := m.r.Timeline
	if len(tl) == 0 && m.r.TimelineDropped == 0 {
		return
	}
	m.line("## Timeline")
	m.line("")
	m.line("<details>")
	sum := fmt.Sprintf("%d AG-relevant events of all servers, merged in time order", len(tl))
	if m.r.TimelineDropped > 0 {
		sum += fmt.Sprintf(" (%d more left out)", m.r.TimelineDropped)
	}
	m.line("<summary>" + sum + "</summary>")
	m.line("")
	if m.r.TimelineDropped > 0 {
		m.printf("%d less relevant entries were left out to keep the timeline readable; use `--format events` for all events.\n\n", m.r.TimelineDropped)
	}
	if len(tl) > 0 {
		t := m.newTable("Time (UTC)", "Server", "Kind", "Message", "Position")
		for _, e := range tl {
			when := mdUTC(e.Time, true)
			if e.Local {
				when += " (local clock)"
			}
			kind := e.Kind
			if e.Error != 0 {
				kind += " " + strconv.Itoa(e.Error)
			}
			if e.Incident > 0 {
				kind += " #" + strconv.Itoa(e.Incident)
			}
			msg := e.Text
			if rep := e.Repeats(); rep != "" {
				msg = rep + " " + msg
			}
			t.row(mdCell(when), mdCell(e.Server), mdCell(kind), mdCell(msg), mdCell(e.Position))
		}
		t.end()
	}
	m.line("</details>")
	m.line("")
}

func (m *mdWriter) coverage() {
	r := m.r
	m.line("## Coverage and warnings")
	m.line("")
	if len(r.Servers) > 0 {
		m.line("### Servers")
		m.line("")
		t := m.newTable("Server", "Aliases", "Clock", "Log coverage (UTC)", "Files", "Restarts")
		for _, s := range r.Servers {
			clock := string(s.Clock)
			if s.UTCOffset != "" {
				clock += " " + s.UTCOffset
			}
			rng := mdRange(s.Start, s.End)
			if s.Clock == report.ClockUnknown {
				rng += " (local clock)"
			}
			t.row(mdCell(s.Name), mdCellOr(strings.Join(s.Aliases, ", ")), mdCellOr(clock),
				mdCell(rng), strconv.Itoa(len(s.Files)), strconv.Itoa(s.Restarts))
		}
		t.end()
	}
	// Indexes, not copies: a bundle may hold 100,000 inputs.
	var read, lost, other []int
	for i := range r.Inputs {
		switch in := &r.Inputs[i]; {
		case in.Skipped == "":
			read = append(read, i)
		case in.Ignored:
			other = append(other, i)
		default:
			lost = append(lost, i)
		}
	}
	if len(read) > 0 {
		m.line("### Input files")
		m.line("")
		t := m.newTable("File", "Format", "Encoding", "Server", "Time range (UTC)", "Events", "Unrecognized", "Skipped bytes")
		for _, i := range read {
			in := &r.Inputs[i]
			server := in.Server
			if server != "" && in.AttributedBy != "" {
				server += " (" + in.Attribution() + ")"
			}
			rng := mdRange(in.Start, in.End)
			if in.LocalClock {
				rng += " (local clock)"
			}
			t.row(mdCell(in.File), mdCellOr(in.Format), mdCellOr(in.Encoding), mdCellOr(server), mdCell(rng),
				strconv.Itoa(in.Events), strconv.Itoa(in.Unrecognized), mdBytes(in.SkippedBytes))
		}
		t.end()
	}
	if len(lost) > 0 {
		m.line("### Skipped files")
		m.line("")
		for _, i := range lost {
			m.line("- " + mdCode(r.Inputs[i].File) + ": " + mdInline(r.Inputs[i].Skipped))
		}
		m.line("")
	}
	if len(other) > 0 {
		m.line("### Ignored files")
		m.line("")
		m.line("Not logs; nothing was lost by leaving them out.")
		m.line("")
		for _, i := range other {
			m.line("- " + mdCode(r.Inputs[i].File) + ": " + mdInline(r.Inputs[i].Skipped))
		}
		m.line("")
	}
	if len(r.Gaps) > 0 {
		m.line("### Gaps")
		m.line("")
		for _, g := range r.Gaps {
			m.line("- " + mdInline(g))
		}
		m.line("")
	}
	nw := len(r.Warnings)
	for _, in := range r.Inputs {
		nw += len(in.Warnings)
	}
	if nw == 0 {
		m.line("No warnings.")
		m.line("")
		return
	}
	m.line("### Warnings")
	m.line("")
	for _, w := range r.Warnings {
		m.line("- " + mdInline(w))
	}
	for _, in := range r.Inputs {
		for _, w := range in.Warnings {
			m.line("- " + mdCode(in.File) + ": " + mdInline(w))
		}
		if more := in.TotalWarnings - len(in.Warnings); more > 0 && len(in.Warnings) > 0 {
			m.line(fmt.Sprintf("- %s: … and %d more warnings", mdCode(in.File), more))
		}
	}
	m.line("")
}

// notRead says which inputs were not read and why (at most three named).
func notRead(inputs []report.Input) string {
	var parts []string
	n := 0
	for _, in := range inputs {
		if in.Skipped == "" {
			continue
		}
		n++
		if len(parts) < 3 {
			parts = append(parts, mdCode(in.File)+": "+mdInline(in.Skipped))
		}
	}
	switch {
	case len(inputs) == 0:
		return "No input files were given."
	case n == 0:
		return fmt.Sprintf("The %s held no log records.", words.Plural(len(inputs), "input file", "input files"))
	case n > len(parts):
		parts = append(parts, fmt.Sprintf("and %d more (see Coverage)", n-len(parts)))
	}
	return fmt.Sprintf("Not read: %s.", strings.Join(parts, "; "))
}
