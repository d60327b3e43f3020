package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// Chart geometry, in SVG user units (the SVG scales to the page width).
const (
	chartW = 1000.0
	plotX1 = 988.0
	// The lane labels end at labelX, which depends on the longest name
	// (labelChars at most), between minLabelX and maxLabelX; the plot starts
	// 8 units further right.
	minLabelX  = 90.0
	maxLabelX  = 210.0
	labelChars = 30
	labelCharW = 6.4  // width of a character of a lane label
	badgeH     = 32.0 // incident badges above the lanes
	laneH      = 30.0
	groupH     = 18.0 // an AG's heading when there are several AGs
	axisRow    = 13.0

	// maxMarks bounds the incident events drawn as ticks on the lanes.
	maxMarks = 600
	// maxTitle bounds the text of a hover title.
	maxTitle = 400
)

// chart is the laid-out timeline picture, ready for the template.
type chart struct {
	W, H           float64
	LabelX         float64 // right edge of the lane labels
	PlotX0, PlotX1 float64
	LanesY0        float64
	LanesY1        float64
	AxisY          float64
	Label          string // accessible description
	Groups         []chartGroup
	Lanes          []*lane
	Quiet          []quietBreak
	Grid           []float64
	Ticks          []tickLabel
	RowLabels      []tickLabel
	Bands          []band
	Arrows         []arrow
	MarksDropped   int
	Compressed     int // number of quiet breaks
}

type chartGroup struct {
	Y     float64
	Label string
}

// lane is one replica's row (per AG when there are several).
type lane struct {
	Y       float64
	AG      string
	Server  string
	Label   string
	Title   string
	NoLogs  bool
	Cover   []rect
	Spans   []rect
	Conns   []rect
	Outages []rect
	Marks   []mark
}

type rect struct {
	X, Y, W, H   float64
	Class        string
	Title        string
	Text         string // written inside, when it fits
	TextX, TextY float64
}

type mark struct {
	X, Y1, Y2 float64
	Title     string
}

type quietBreak struct {
	X, Y, W, H   float64
	TextX, TextY float64
	Label, Title string
}

type tickLabel struct {
	X, Y   float64
	Text   string
	Anchor string
	Class  string
}

// band is an incident's window across all lanes, with its numbered badge.
type band struct {
	X, Y, W, H     float64
	BadgeX, BadgeY float64
	N              int
	Title          string
}

// arrow is a failover: from the old primary's lane to the new one's.
type arrow struct {
	X, Y1, Y2      float64
	LabelX, LabelY float64
	Class          string
	Label          string
	Title          string
}

// laneSet finds the lane of a server (in an AG when there are several).
type laneSet struct {
	multi bool
	lanes []*lane
	byKey map[string]*lane // ag + "\x00" + SERVER
	first map[string]*lane // SERVER -> its first lane
}

func key(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func (ls *laneSet) find(ag, server string) *lane {
	if server == "" {
		return nil
	}
	if ls.multi {
		if l := ls.byKey[ag+"\x00"+key(server)]; l != nil {
			return l
		}
	}
	return ls.first[key(server)]
}

// all returns every lane of a server.
func (ls *laneSet) all(server string) []*lane {
	var out []*lane
	for _, l := range ls.lanes {
		if key(l.Server) == key(server) {
			out = append(out, l)
		}
	}
	return out
}

// buildLanes orders the replicas: the servers of the bundle first, in the
// report's order, then the partners seen only in messages (a replica whose
// logs are missing still gets a lane, so that a failover to it has an
// arrow). With several AGs, each AG gets the replicas it involves.
func buildLanes(r *report.Report) (*laneSet, []string) {
	var order []string
	display := map[string]string{}
	hasLogs := map[string]bool{}
	add := func(name string) {
		if strings.TrimSpace(name) == "" {
			return
		}
		k := key(name)
		if _, ok := display[k]; !ok {
			display[k] = name
			order = append(order, k)
		}
	}
	for _, s := range r.Servers {
		add(s.Name)
		hasLogs[key(s.Name)] = true
	}
	var agOrder []string
	agSeen := map[string]bool{}
	members := map[string]map[string]bool{}
	addAG := func(ag string, servers ...string) {
		if ag == "" {
			for _, s := range servers {
				add(s)
			}
			return
		}
		if !agSeen[ag] {
			agSeen[ag] = true
			agOrder = append(agOrder, ag)
			members[ag] = map[string]bool{}
		}
		for _, s := range servers {
			add(s)
			if s != "" {
				members[ag][key(s)] = true
			}
		}
	}
	for _, ag := range r.AGs {
		if slices.ContainsFunc(r.Roles, func(s report.RoleSpan) bool { return s.AG == ag }) {
			addAG(ag)
		}
	}
	for _, s := range r.Roles {
		addAG(s.AG, s.Server)
	}
	for _, f := range r.Failovers {
		addAG(f.AG, f.From, f.To)
	}
	for _, c := range r.Connections {
		addAG(c.AG, c.Server, c.Partner)
	}
	ls := &laneSet{multi: len(agOrder) > 1, byKey: map[string]*lane{}, first: map[string]*lane{}}
	newLane := func(ag, k string) {
		l := &lane{AG: ag, Server: display[k], NoLogs: !hasLogs[k]}
		ls.lanes = append(ls.lanes, l)
		ls.byKey[ag+"\x00"+k] = l
		if ls.first[k] == nil {
			ls.first[k] = l
		}
	}
	var groups []string
	if !ls.multi {
		ag := ""
		if len(agOrder) == 1 {
			ag = agOrder[0]
		}
		for _, k := range order {
			newLane(ag, k)
		}
		return ls, nil
	}
	placed := map[string]bool{}
	for _, ag := range agOrder {
		groups = append(groups, ag)
		for _, k := range order {
			if members[ag][k] {
				newLane(ag, k)
				placed[k] = true
			}
		}
	}
	for _, k := range order {
		if !placed[k] {
			if !slices.Contains(groups, "") {
				groups = append(groups, "")
			}
			newLane("", k)
		}
	}
	return ls, groups
}

// buildChart lays out the timeline picture of r, or returns nil when there
// is nothing to draw (no replica, or no time).
func buildChart(r *report.Report, incidents []*incidentView, tz *time.Location) *chart {
	ls, groups := buildLanes(r)
	if len(ls.lanes) == 0 {
		return nil
	}
	t0, t1 := r.Start, r.End
	widen := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if t0.IsZero() || t.Before(t0) {
			t0 = t
		}
		if t1.IsZero() || t.After(t1) {
			t1 = t
		}
	}
	var points []time.Time
	for _, s := range r.Roles {
		widen(s.Start)
		widen(s.End)
		points = append(points, s.Start, s.End)
	}
	for _, in := range r.Incidents {
		widen(in.Start)
		widen(in.End)
		points = append(points, in.Start, in.End)
	}
	for _, f := range r.Failovers {
		widen(f.At)
		points = append(points, f.At)
	}
	for _, c := range r.Connections {
		widen(c.Start)
		widen(c.End)
		points = append(points, c.Start, c.End)
	}
	outages := clusterOutages(r)
	for _, o := range outages {
		points = append(points, o.start, o.end)
	}
	if t0.IsZero() || t1.IsZero() {
		return nil
	}
	// The report's own start and end are not changes.
	points = slices.DeleteFunc(points, func(t time.Time) bool { return t.Equal(t0) || t.Equal(t1) })
	// Lane labels: as wide as the longest name needs, within bounds.
	labelX := minLabelX
	for _, l := range ls.lanes {
		labelX = max(labelX, float64(len([]rune(words.Truncate(l.Server, labelChars))))*labelCharW+8)
	}
	labelX = min(labelX, maxLabelX)
	plotX0 := labelX + 8
	sc := newTimeScale(t0, t1, points, plotX0, plotX1)
	t0, t1 = sc.segs[0].t0, sc.segs[len(sc.segs)-1].t1

	c := &chart{W: chartW, LabelX: labelX, PlotX0: plotX0, PlotX1: plotX1}
	// Vertical layout.
	y := badgeH
	c.LanesY0 = y
	gi := -1
	for _, l := range ls.lanes {
		if ls.multi && (gi < 0 || groups[gi] != l.AG) {
			gi++
			label := "Availability group " + l.AG
			if l.AG == "" {
				label = "Other servers"
			}
			c.Groups = append(c.Groups, chartGroup{Y: y + 13, Label: words.Truncate(label, 60)})
			y += groupH
		}
		l.Y = y
		l.Label = words.Truncate(l.Server, max(4, int((labelX-8)/labelCharW)))
		l.Title = l.Server
		if l.AG != "" {
			l.Title += " — availability group " + l.AG
		}
		if l.NoLogs {
			l.Title += " — no logs of this replica in the bundle; seen in its partners' messages"
		}
		y += laneH
	}
	c.LanesY1 = y
	c.AxisY = y + 4

	// Log coverage of each server, faint under the role bars.
	for _, s := range r.Servers {
		if s.Start.IsZero() || s.End.IsZero() {
			continue
		}
		for _, l := range ls.all(s.Name) {
			x0, x1 := sc.x(s.Start), sc.x(s.End)
			l.Cover = append(l.Cover, rect{X: x0, Y: l.Y + 11, W: max(x1-x0, 1), H: 2, Class: "cov",
				Title: fmt.Sprintf("%s: logs cover %s", s.Name, span(s.Start, s.End))})
		}
	}
	for _, s := range r.Roles {
		l := ls.find(s.AG, s.Server)
		if l == nil || s.Start.IsZero() {
			continue
		}
		end := cmp.Or(s.End, t1)
		x0, x1 := sc.x(s.Start), sc.x(end)
		role := cmp.Or(s.Role, "unknown")
		title := fmt.Sprintf("%s: %s", s.Server, role)
		if s.AG != "" {
			title += " of " + s.AG
		}
		title += fmt.Sprintf(", %s – %s (%s)", utc(s.Start, true), utc(end, true), report.FormatDuration(end.Sub(s.Start)))
		sp := rect{X: x0, Y: l.Y + 5, W: max(x1-x0, 1.5), H: 14, Class: roleClass(s.Role), Title: title}
		// The role written in the bar where it fits outside the quiet
		// breaks, so that the picture reads without the legend.
		if word := roleWord(s.Role); word != "" {
			if a, b := sc.widestBusy(x0, x1); b-a >= float64(len(word))*5.5+16 {
				sp.Text, sp.TextX, sp.TextY = word, (a+b)/2, sp.Y+10.5
			}
		}
		l.Spans = append(l.Spans, sp)
	}
	for _, cw := range r.Connections {
		l := ls.find(cw.AG, cw.Server)
		if l == nil {
			continue
		}
		end, class := cw.End, "conn"
		to := "not reconnected in the logs"
		if end.IsZero() {
			end, class = t1, "conn open"
		} else {
			to = utc(end, true) + " (" + report.FormatDuration(end.Sub(cw.Start)) + ")"
		}
		x0, x1 := sc.x(cw.Start), sc.x(end)
		title := fmt.Sprintf("%s could not reach %s", cw.Server, cw.Partner)
		if cw.AG != "" {
			title += " (" + cw.AG + ")"
		}
		title += ": " + utc(cw.Start, true) + " – " + to
		if cw.Cause != "" {
			title += "\n" + cw.Cause
		}
		l.Conns = append(l.Conns, rect{X: x0, Y: l.Y + 21, W: max(x1-x0, 2), H: 4, Class: class, Title: words.Truncate(title, maxTitle)})
	}
	for _, o := range outages {
		for _, l := range ls.all(o.server) {
			x0, x1 := sc.x(o.start), sc.x(o.end)
			class := "outage"
			until := utc(o.end, true) + " (" + report.FormatDuration(o.end.Sub(o.start)) + ")"
			if o.open {
				class = "outage open"
				until = "no recovery in the logs"
			}
			title := fmt.Sprintf("WSFC cluster unavailable to %s: %s – %s\n%s", o.server, utc(o.start, true), until, oneLine(o.text))
			l.Outages = append(l.Outages, rect{X: x0, Y: l.Y + 3, W: max(x1-x0, 2), H: 18, Class: class, Title: words.Truncate(title, maxTitle)})
		}
	}
	marks := 0
	for _, e := range r.Timeline {
		if e.Incident <= 0 {
			continue
		}
		l := ls.find("", e.Server)
		if l == nil {
			continue
		}
		if marks == maxMarks {
			c.MarksDropped++
			continue
		}
		marks++
		kind := e.Kind
		if e.Error != 0 {
			kind += fmt.Sprintf(" %d", e.Error)
		}
		title := fmt.Sprintf("%s UTC · %s · %s · incident %d", utc(e.Time, true), e.Server, kind, e.Incident)
		if e.Count > 1 {
			title += fmt.Sprintf(" · ×%d", e.Count)
		}
		title += "\n" + oneLine(e.Text)
		x := sc.x(e.Time)
		l.Marks = append(l.Marks, mark{X: x, Y1: l.Y, Y2: l.Y + 4.5, Title: words.Truncate(title, maxTitle)})
	}

	// Quiet breaks and the axis.
	for _, sg := range sc.segs {
		if !sg.quiet {
			continue
		}
		c.Compressed++
		d := sg.t1.Sub(sg.t0)
		c.Quiet = append(c.Quiet, quietBreak{
			X: sg.x0, Y: c.LanesY0 - 2, W: sg.x1 - sg.x0, H: c.LanesY1 - c.LanesY0 + 4,
			TextX: (sg.x0 + sg.x1) / 2, TextY: (c.LanesY0 + c.LanesY1) / 2,
			Label: shortDuration(d),
			Title: fmt.Sprintf("%s compressed (%s – %s): no role change, failover or incident, and no connection window or cluster outage starts or ends", report.FormatDuration(d), utc(sg.t0, false), utc(sg.t1, false)),
		})
	}
	c.axis(sc, tz)

	// Incidents, worst first in the list; drawn in time order so that the
	// badges stagger left to right.
	byStart := slices.Clone(incidents)
	slices.SortStableFunc(byStart, func(a, b *incidentView) int { return a.in.Start.Compare(b.in.Start) })
	var lastX [2]float64
	lastX[0], lastX[1] = -100, -100
	for _, iv := range byStart {
		in := iv.in
		start, end := in.Start, in.End
		if start.IsZero() {
			continue
		}
		if end.Before(start) {
			end = start
		}
		x0, x1 := sc.x(start), sc.x(end)
		w := max(x1-x0, 2)
		bx := x0 + w/2
		row := 0
		if bx-lastX[0] < 18 && bx-lastX[1] >= 18 {
			row = 1
		}
		lastX[row] = bx
		title := fmt.Sprintf("Incident %d — %s\n%s – %s (%s)", iv.N, iv.Title, utc(start, true), utc(end, true), iv.Duration)
		if in.RootCause != "" {
			title += "\n" + in.RootCause
		}
		c.Bands = append(c.Bands, band{X: x0, Y: c.LanesY0 - 2, W: w, H: c.LanesY1 - c.LanesY0 + 2,
			BadgeX: bx, BadgeY: 9 + float64(row)*14, N: iv.N, Title: words.Truncate(oneLine(title), maxTitle)})
	}

	for _, f := range r.Failovers {
		if f.At.IsZero() {
			continue
		}
		from, to := ls.find(f.AG, f.From), ls.find(f.AG, f.To)
		x := sc.x(f.At)
		a := arrow{X: x, Label: modeLabel(f.Mode), Class: "fo " + modeClass(f.Mode)}
		switch {
		case from != nil && to != nil && from != to:
			a.Y1, a.Y2 = from.Y+12, to.Y+12
		case from != nil:
			// The new primary is not known: an arrow leaving the old primary.
			a.Y1, a.Y2 = from.Y+12, from.Y+12+laneH*0.8
			if from == ls.lanes[len(ls.lanes)-1] {
				a.Y2 = from.Y + 12 - laneH*0.8
			}
			a.Class += " fo-open"
		case to != nil:
			a.Y1, a.Y2 = to.Y+12-laneH*0.8, to.Y+12
			if to == ls.lanes[0] {
				a.Y1 = to.Y + 12 + laneH*0.8
			}
			a.Class += " fo-open"
		default:
			a.Y1, a.Y2 = c.LanesY0, c.LanesY0+laneH*0.6
			a.Class += " fo-open"
		}
		a.LabelX, a.LabelY = x+4, (a.Y1+a.Y2)/2+3
		// Close failovers would print their modes over each other: the
		// first keeps its label, the others tell theirs on hover.
		for _, p := range c.Arrows {
			if p.Label != "" && a.LabelX-p.LabelX < 34 && a.LabelX-p.LabelX > -34 && a.LabelY-p.LabelY < 11 && a.LabelY-p.LabelY > -11 {
				a.Label = ""
				break
			}
		}
		to2 := cmp.Or(f.To, "a replica not in the bundle")
		title := fmt.Sprintf("%s: failover %s → %s at %s UTC (%s)", cmp.Or(f.AG, "AG"), cmp.Or(f.From, "?"), to2, utc(f.At, true), cmp.Or(f.Mode, "mode unknown"))
		if f.NoPrimary > 0 {
			title += "; no primary for " + report.FormatDuration(time.Duration(f.NoPrimary*float64(time.Second)))
		}
		if f.Trigger != "" {
			title += "\nTrigger: " + f.Trigger
		}
		if f.IncidentID > 0 {
			title += fmt.Sprintf("\nIncident %d", f.IncidentID)
		}
		a.Title = words.Truncate(oneLine(title), maxTitle)
		c.Arrows = append(c.Arrows, a)
	}

	c.H = c.AxisY + axisRow*2 + 6
	if tz != nil {
		c.H += axisRow * 2
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("Timeline of %s from %s to %s", plural(len(ls.lanes), "lane", "lanes"), utc(t0, false), utc(t1, false)))
	parts = append(parts, plural(len(c.Bands), "incident", "incidents"), plural(len(c.Arrows), "failover", "failovers"))
	c.Label = strings.Join(parts, ", ")
	c.Lanes = ls.lanes
	return c
}
