package htmlreport

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// Options tunes Write.
type Options struct {
	// TZ, when set, shows the key times also in this zone and adds a row in
	// this zone to the timeline's axis (the report is always in UTC, the only
	// clock every replica agrees on).
	TZ *time.Location
}

// Write writes rep as one self-contained HTML page. It reads nothing but
// rep; it fails only when w does.
func Write(w io.Writer, rep *report.Report, opt Options) error {
	if rep == nil {
		return errors.New("htmlreport: nil report")
	}
	p := newPage(rep, opt)
	bw := bufio.NewWriterSize(w, 64*1024)
	if err := pageTemplate.Execute(bw, p); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	return nil
}

// Bounds on quoted text.
const (
	maxQuote   = 4000 // an evidence record
	maxMessage = 1000 // a timeline message
)

// page is everything the template shows, as plain strings and numbers: the
// template escapes every string for its context.
type page struct {
	Tool         string
	TZ           string
	Scope        []field
	Clocks       []field
	ClockUnknown bool
	Summary      []summaryItem
	NoIncident   string
	Incidents    []*incidentView
	Chart        *chart
	Legend       []legendItem
	Failovers    []failoverRow
	Connections  []connectionRow
	Timeline     []timelineRow
	TLDropped    int
	TLServers    []string
	TLKinds      []string
	Servers      []serverRow
	// Inputs yields the rows of the files read, built one at a time as
	// the template writes them (a bundle may hold 100,000 files).
	Inputs     iter.Seq[inputRow]
	HasInputs  bool
	Skipped    []field
	Ignored    []field
	Gaps       []string
	Warnings   []field
	NoWarnings bool
}

type field struct {
	Name, Value string
	Warn        bool
}

type summaryItem struct {
	N        int
	Category string
	When     string
	Text     string
	Severity string
}

type legendItem struct{ Class, Text string }

// incidentView is one incident, ready to show.
type incidentView struct {
	in         *report.Incident
	N          int
	Title      string
	Category   string
	Sev        string // "high", "medium", "low": the colour of its badge
	When       string
	WhenTZ     string
	Start      string
	StartTZ    string
	Duration   string
	Ongoing    bool
	AGs        string
	Servers    string
	Databases  string
	RootCause  string
	Summary    string
	Steps      []stepView
	NEvidence  int
	SQL        []string
	FixSteps   []string
	Confidence string
	Reason     string
	Rules      []string
}

type stepView struct {
	Time     string
	Server   string
	Text     string
	Evidence []evidenceView
	Where    string // the positions, for the collapsed evidence's summary
}

type evidenceView struct {
	Position string
	Server   string
	Time     string
	Repeats  string
	Text     string
}

type failoverRow struct {
	Time, TimeTZ, AG, From, To, Mode, ModeClass, NoPrimary, Trigger string
	Incident                                                        int
}

type connectionRow struct {
	Server, Partner, AG, From, To, Databases, Cause string
	Open                                            bool
}

type timelineRow struct {
	Time, Server, Kind, Text, Position string
	RawKind                            string
	Incident                           int
	Local                              bool
}

type serverRow struct {
	Name, Aliases, Clock, Coverage string
	Files, Restarts                int
	NoLogs, LocalClock             bool
}

type inputRow struct {
	File, Format, Encoding, Server, Range string
	Events, Unrecognized                  int
	SkippedBytes                          string
	LocalClock, Damaged                   bool
}

func newPage(r *report.Report, opt Options) *page {
	p := &page{Tool: r.Tool}
	if opt.TZ != nil {
		p.TZ = opt.TZ.String()
	}
	p.incidents(r, opt.TZ)
	p.scope(r, opt.TZ)
	p.Chart = buildChart(r, p.Incidents, opt.TZ)
	p.legend()
	p.failovers(r, opt.TZ)
	p.connections(r)
	p.timeline(r)
	p.coverage(r)
	return p
}

func joinOr(list []string, none string) string {
	if len(list) == 0 {
		return none
	}
	return strings.Join(list, ", ")
}

func (p *page) scope(r *report.Report, tz *time.Location) {
	names := make([]string, 0, len(r.Servers))
	for _, s := range r.Servers {
		names = append(names, s.Name)
	}
	p.Scope = append(p.Scope,
		field{Name: "Servers", Value: joinOr(names, "none found")},
		field{Name: "Availability groups", Value: joinOr(r.AGs, "none found")},
		field{Name: "Databases", Value: joinOr(r.Databases, "none found")})
	cov := "no timestamped events"
	if !r.Start.IsZero() || !r.End.IsZero() {
		cov = utc(r.Start, false) + " – " + utc(r.End, false)
		if !r.Start.IsZero() && !r.End.IsZero() {
			cov += " (" + report.FormatDuration(r.End.Sub(r.Start)) + ")"
		}
		if tz != nil {
			cov += "; " + inZone(r.Start, tz) + " – " + inZone(r.End, tz)
		}
		cov += r.LocalClockNote()
	}
	p.Scope = append(p.Scope, field{Name: "Covered", Value: cov})
	if w := r.Window(); w != "" {
		p.Scope = append(p.Scope, field{Name: "Window", Value: w + "; events outside it were not analyzed", Warn: true})
	}
	skipped, ignored := 0, 0
	for _, in := range r.Inputs {
		switch {
		case in.Ignored:
			ignored++
		case in.Skipped != "":
			skipped++
		}
	}
	inputs := plural(len(r.Inputs)-ignored, "file", "files")
	switch {
	case skipped > 0 && ignored > 0:
		inputs += fmt.Sprintf(" (%d skipped; %s ignored; see Coverage)", skipped, plural(ignored, "other file", "other files"))
	case skipped > 0:
		inputs += fmt.Sprintf(" (%d skipped, see Coverage)", skipped)
	case ignored > 0:
		inputs += fmt.Sprintf(" (%s ignored, see Coverage)", plural(ignored, "other file", "other files"))
	}
	p.Scope = append(p.Scope, field{Name: "Inputs", Value: inputs, Warn: skipped > 0})
	if len(r.Background) > 0 {
		p.Scope = append(p.Scope, field{Name: "Not about the AG", Value: backgroundText(r.Background) + " (counted, not in the timeline)"})
	}
	for _, s := range r.Servers {
		p.Clocks = append(p.Clocks, field{Name: s.Name, Value: s.ClockSentence(), Warn: s.Clock == report.ClockUnknown})
		if s.Clock == report.ClockUnknown {
			p.ClockUnknown = true
		}
	}
}

// incidents orders the incidents worst first (severity, then start) and
// prepares their sections and the summary.
func (p *page) incidents(r *report.Report, tz *time.Location) {
	list := make([]*report.Incident, len(r.Incidents))
	for i := range r.Incidents {
		list[i] = &r.Incidents[i]
	}
	slices.SortStableFunc(list, func(a, b *report.Incident) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		return a.Start.Compare(b.Start)
	})
	for rank, in := range list {
		iv := &incidentView{in: in, N: cmp.Or(in.ID, rank+1)}
		if in.ID <= 0 {
			iv.N = rank + 1
		}
		iv.Category = in.Category.Title()
		iv.Title = cmp.Or(in.Title, iv.Category)
		iv.Sev = "low"
		switch {
		case in.Severity >= 70:
			iv.Sev = "high"
		case in.Severity >= 40:
			iv.Sev = "medium"
		}
		iv.When = span(in.Start, in.End)
		iv.Start = utc(in.Start, true)
		if tz != nil {
			iv.WhenTZ = inZone(in.Start, tz) + " – " + inZone(in.End, tz)
			iv.StartTZ = inZone(in.Start, tz)
		}
		iv.Duration = report.FormatDuration(in.Length())
		iv.Ongoing = in.Ongoing
		iv.AGs = strings.Join(in.AGs, ", ")
		iv.Servers = strings.Join(in.Servers, ", ")
		iv.Databases = strings.Join(in.Databases, ", ")
		iv.RootCause = in.RootCause
		iv.Summary = in.Summary
		for _, st := range in.Chain {
			sv := stepView{Time: stepTime(st.Time, in.Start), Server: st.Server, Text: st.Text}
			var where []string
			for _, ev := range st.Evidence {
				e := evidenceView{Position: ev.Position(), Server: ev.Server, Time: utc(ev.Time, true),
					Text: strings.TrimRight(strings.ReplaceAll(words.Truncate(ev.Text, maxQuote), "\r\n", "\n"), "\n")}
				if ev.Time.IsZero() {
					e.Time = ""
				}
				if ev.Count > 1 {
					e.Repeats = fmt.Sprintf("×%d", ev.Count)
					if !ev.Last.IsZero() {
						e.Repeats += " until " + ev.Last.UTC().Format("15:04:05")
					}
				}
				sv.Evidence = append(sv.Evidence, e)
				where = append(where, e.Position)
			}
			iv.NEvidence += len(st.Evidence)
			if len(where) > 3 {
				where = append(where[:3], fmt.Sprintf("and %d more", len(where)-3))
			}
			sv.Where = strings.Join(where, ", ")
			iv.Steps = append(iv.Steps, sv)
		}
		iv.SQL = in.Fix.SQL
		iv.FixSteps = in.Fix.Steps
		iv.Confidence = cmp.Or(string(in.Confidence), "not rated")
		iv.Reason = in.ConfidenceReason
		iv.Rules = in.Rules
		p.Incidents = append(p.Incidents, iv)

		extra := iv.Duration
		if in.Ongoing {
			extra += ", still ongoing when the logs end"
		}
		p.Summary = append(p.Summary, summaryItem{N: iv.N, Category: iv.Category, Severity: iv.Sev,
			When: utc(in.Start, false) + ", " + extra, Text: cmp.Or(in.Summary, in.RootCause, in.Title)})
	}
	if len(list) == 0 {
		events := 0
		for _, in := range r.Inputs {
			events += in.Events
		}
		s := fmt.Sprintf("No incident found. Checked %s from %s of %s", words.Plural(events, "event", "events"), words.Plural(len(r.Inputs), "input file", "input files"), words.Plural(len(r.Servers), "server", "servers"))
		if !r.Start.IsZero() {
			s += fmt.Sprintf(" between %s and %s", utc(r.Start, false), utc(r.End, false))
		}
		p.NoIncident = s + " for WSFC cluster outages, lease expiries, health-check failures, failovers (planned, automatic, " +
			"forced and failed), replica disconnections, endpoint handshake and ownership problems, " +
			"suspended data movement and instance restarts."
	}
}

// legend lists the marks the chart uses.
func (p *page) legend() {
	if p.Chart == nil {
		return
	}
	has := func(class string) bool {
		for _, l := range p.Chart.Lanes {
			for _, s := range l.Spans {
				if s.Class == class {
					return true
				}
			}
		}
		return false
	}
	for _, it := range []legendItem{
		{"role r-primary", "primary"}, {"role r-secondary", "secondary"}, {"role r-resolving", "resolving"},
		{"role r-down", "instance down / AG offline"}, {"role r-other", "other role"},
	} {
		if has(it.Class) {
			p.Legend = append(p.Legend, it)
		}
	}
	if len(p.Chart.Bands) > 0 {
		p.Legend = append(p.Legend, legendItem{"band", "incident (click the number)"})
	}
	if len(p.Chart.Arrows) > 0 {
		p.Legend = append(p.Legend, legendItem{"fo", "failover, old → new primary"})
	}
	conn, outage, marks := false, false, false
	for _, l := range p.Chart.Lanes {
		conn = conn || len(l.Conns) > 0
		outage = outage || len(l.Outages) > 0
		marks = marks || len(l.Marks) > 0
	}
	if conn {
		p.Legend = append(p.Legend, legendItem{"conn", "partner not connected"})
	}
	if outage {
		p.Legend = append(p.Legend, legendItem{"outage", "WSFC cluster unavailable"})
	}
	if marks {
		p.Legend = append(p.Legend, legendItem{"mark", "event of an incident"})
	}
	if p.Chart.Compressed > 0 {
		p.Legend = append(p.Legend, legendItem{"quiet", "quiet period, compressed"})
	}
	p.Legend = append(p.Legend, legendItem{"cov", "log coverage"})
}

func (p *page) failovers(r *report.Report, tz *time.Location) {
	for _, f := range r.Failovers {
		row := failoverRow{Time: utc(f.At, true), TimeTZ: inZone(f.At, tz), AG: f.AG, From: cmp.Or(f.From, "—"),
			To: f.To, Mode: cmp.Or(string(f.Mode), "—"), ModeClass: modeClass(f.Mode), NoPrimary: "—",
			Trigger: cmp.Or(f.Trigger, "—"), Incident: f.IncidentID}
		if f.To == "" {
			row.To = "not in the bundle"
		}
		if f.NoPrimary > 0 {
			row.NoPrimary = report.FormatDuration(time.Duration(f.NoPrimary * float64(time.Second)))
		}
		p.Failovers = append(p.Failovers, row)
	}
}

func (p *page) connections(r *report.Report) {
	for _, c := range r.Connections {
		row := connectionRow{Server: c.Server, Partner: c.Partner, AG: cmp.Or(c.AG, "—"), From: utc(c.Start, true),
			Databases: joinOr(c.Databases, "—"), Cause: cmp.Or(c.Cause, "—")}
		if c.End.IsZero() {
			row.To, row.Open = "not reconnected", true
		} else {
			row.To = utc(c.End, true) + " (" + report.FormatDuration(c.End.Sub(c.Start)) + ")"
		}
		p.Connections = append(p.Connections, row)
	}
}

func (p *page) timeline(r *report.Report) {
	servers, kinds := map[string]bool{}, map[string]bool{}
	for _, e := range r.Timeline {
		kind := e.Kind
		if e.Error != 0 {
			kind += " " + strconv.Itoa(e.Error)
		}
		msg := oneLine(words.Truncate(e.Text, maxMessage))
		if rep := e.Repeats(); rep != "" {
			msg = rep + " " + msg
		}
		p.Timeline = append(p.Timeline, timelineRow{Time: utc(e.Time, true), Server: e.Server, Kind: kind, RawKind: e.Kind,
			Text: msg, Position: e.Position, Incident: e.Incident, Local: e.Local})
		if !servers[e.Server] {
			servers[e.Server] = true
			p.TLServers = append(p.TLServers, e.Server)
		}
		kinds[e.Kind] = true
	}
	for k := range kinds {
		p.TLKinds = append(p.TLKinds, k)
	}
	slices.Sort(p.TLKinds)
	p.TLDropped = r.TimelineDropped
}

func (p *page) coverage(r *report.Report) {
	for _, s := range r.Servers {
		clock := string(s.Clock)
		if s.UTCOffset != "" {
			clock += " " + s.UTCOffset
		}
		p.Servers = append(p.Servers, serverRow{Name: s.Name, Aliases: joinOr(s.Aliases, "—"), Clock: cmp.Or(clock, "—"),
			Coverage: span(s.Start, s.End), LocalClock: s.Clock == report.ClockUnknown, Files: len(s.Files), Restarts: s.Restarts})
	}
	for _, in := range r.Inputs {
		switch {
		case in.Ignored:
			p.Ignored = append(p.Ignored, field{Name: in.File, Value: in.Skipped})
		case in.Skipped != "":
			p.Skipped = append(p.Skipped, field{Name: in.File, Value: in.Skipped, Warn: true})
		default:
			p.HasInputs = true
		}
	}
	p.Inputs = func(yield func(inputRow) bool) {
		for i := range r.Inputs {
			in := &r.Inputs[i]
			if in.Skipped != "" {
				continue
			}
			server := in.Server
			if server != "" && in.AttributedBy != "" {
				server += " (" + in.Attribution() + ")"
			}
			row := inputRow{File: in.File, Format: cmp.Or(in.Format, "—"), Encoding: cmp.Or(in.Encoding, "—"),
				Server: cmp.Or(server, "—"), Range: span(in.Start, in.End), LocalClock: in.LocalClock, Events: in.Events,
				Unrecognized: in.Unrecognized, SkippedBytes: bytesText(in.SkippedBytes),
				Damaged: in.Unrecognized > 0 || in.SkippedBytes > 0 || in.TotalWarnings > 0}
			if !yield(row) {
				return
			}
		}
	}
	p.Gaps = r.Gaps
	for _, w := range r.Warnings {
		p.Warnings = append(p.Warnings, field{Value: w})
	}
	for _, in := range r.Inputs {
		for _, w := range in.Warnings {
			p.Warnings = append(p.Warnings, field{Name: in.File, Value: w})
		}
		if more := in.TotalWarnings - len(in.Warnings); more > 0 && len(in.Warnings) > 0 {
			p.Warnings = append(p.Warnings, field{Name: in.File, Value: fmt.Sprintf("… and %d more warnings", more)})
		}
	}
	p.NoWarnings = len(p.Warnings) == 0
}
