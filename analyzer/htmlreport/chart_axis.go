package htmlreport

import (
	"cmp"
	"strings"
	"time"

	"github.com/agtriage/agtriage/analyzer/internal/words"
	"github.com/agtriage/agtriage/analyzer/report"
)

// The chart's time axis, outage bands and the CSS classes of roles and modes.

// axis adds the grid lines and the labels of the busy segments' ticks: UTC
// time and date rows, then the same in tz.
func (c *chart) axis(sc *timeScale, tz *time.Location) {
	type row struct {
		y        float64
		loc      *time.Location
		date     bool
		lastDate string
		right    float64
	}
	rows := []*row{{y: c.AxisY + axisRow, loc: time.UTC}, {y: c.AxisY + 2*axisRow, loc: time.UTC, date: true}}
	c.RowLabels = append(c.RowLabels, tickLabel{X: c.LabelX, Y: rows[0].y, Text: "UTC", Anchor: "end", Class: "axl"})
	if tz != nil {
		rows = append(rows, &row{y: c.AxisY + 3*axisRow, loc: tz}, &row{y: c.AxisY + 4*axisRow, loc: tz, date: true})
		c.RowLabels = append(c.RowLabels, tickLabel{X: c.LabelX, Y: rows[2].y, Text: words.Truncate(tz.String(), int((c.LabelX-8)/labelCharW)), Anchor: "end", Class: "axl"})
	}
	for _, r := range rows {
		r.right = -1e9
	}
	// The ends of the axis, when a quiet break leaves them unlabelled.
	edge := func(t time.Time, x float64, anchor string) {
		for i := 0; i < len(rows); i += 2 {
			tr, dr := rows[i], rows[i+1]
			lt := t.In(tr.loc)
			c.Ticks = append(c.Ticks, tickLabel{X: x, Y: tr.y, Text: lt.Format("15:04"), Anchor: anchor},
				tickLabel{X: x, Y: dr.y, Text: lt.Format("2006-01-02"), Anchor: anchor, Class: "date"})
			if anchor == "start" {
				tr.right, dr.right = x+5*6, x+10*6
				dr.lastDate = lt.Format("2006-01-02")
			}
		}
	}
	first, last := sc.segs[0], sc.segs[len(sc.segs)-1]
	if first.quiet {
		edge(first.t0, first.x0, "start")
	}
	for _, sg := range sc.segs {
		if sg.quiet {
			continue
		}
		ts, step := sg.ticks()
		for _, t := range ts {
			x := sc.x(t)
			c.Grid = append(c.Grid, x)
			if last.quiet && len(sc.segs) > 1 && x > last.x0-66 {
				continue // room for the end label
			}
			for i := 0; i < len(rows); i += 2 {
				tr, dr := rows[i], rows[i+1]
				lt := t.In(tr.loc)
				timeText := lt.Format("15:04")
				if step < time.Minute {
					timeText = lt.Format("15:04:05")
				}
				if step >= 24*time.Hour && tr.loc == time.UTC {
					timeText = ""
				}
				if timeText != "" {
					if l, ok := c.place(x, timeText, tr.right); ok {
						l.Y = tr.y
						c.Ticks = append(c.Ticks, l)
						tr.right = l.right()
					}
				}
				date := lt.Format("2006-01-02")
				if date != dr.lastDate {
					if l, ok := c.place(x, date, dr.right); ok {
						l.Y, l.Class = dr.y, "date"
						c.Ticks = append(c.Ticks, l)
						dr.right = l.right()
						dr.lastDate = date
					}
				}
			}
		}
	}
	if last.quiet && len(sc.segs) > 1 {
		edge(last.t1, last.x1, "end")
	}
}

// labelW estimates the width of an axis label.
func labelW(text string) float64 { return float64(len(text)) * 6 }

// right is where the label ends.
func (l tickLabel) right() float64 {
	switch l.Anchor {
	case "start":
		return l.X + labelW(l.Text)
	case "end":
		return l.X
	}
	return l.X + labelW(l.Text)/2
}

// place centres a label on x, or starts it at x when centring would run
// into the row labels; ok is false when it would overlap the label before.
func (c *chart) place(x float64, text string, right float64) (tickLabel, bool) {
	l := tickLabel{X: x, Text: text, Anchor: "middle"}
	left := x - labelW(text)/2
	switch {
	case left < c.PlotX0-2:
		l.Anchor, left = "start", x
	case x+labelW(text)/2 > chartW:
		l.Anchor, left = "end", x-labelW(text)
	}
	return l, left > right+4
}

// outage is a period during which a server's WSFC service or node was
// unavailable, from the timeline: from the first "unavailable" or "quorum
// lost" message of a server to its "node is online" message (41055), or to
// the last "online" message before it goes down again or the logs end.
type outage struct {
	server     string
	start, end time.Time
	open       bool
	text       string
}

func clusterOutages(r *report.Report) []outage {
	var out []outage
	openAt := map[string]int{} // SERVER -> index in out
	ends := map[string]time.Time{}
	for _, s := range r.Servers {
		ends[key(s.Name)] = s.End
	}
	for _, e := range r.Timeline {
		k := key(e.Server)
		switch e.Kind {
		case "cluster_unavailable", "quorum_lost":
			if i, ok := openAt[k]; ok && !out[i].end.IsZero() {
				delete(openAt, k) // back without "node is online", and down again
			}
			if _, ok := openAt[k]; !ok && !e.Time.IsZero() {
				openAt[k] = len(out)
				out = append(out, outage{server: e.Server, start: e.Time, text: e.Text})
			}
		case "cluster_online":
			// The service comes back first (41051), then the node starts
			// (41053) and is online (41055): the outage lasts until the
			// last of these, or until "node is online".
			if i, ok := openAt[k]; ok {
				out[i].end = e.Time
				if e.Error == 41055 || strings.Contains(strings.ToLower(e.Text), "node is online") {
					delete(openAt, k)
				}
			}
		}
	}
	for k, i := range openAt {
		if !out[i].end.IsZero() {
			continue // back, without the final message
		}
		out[i].open = true
		out[i].end = cmp.Or(ends[k], r.End)
		if out[i].end.Before(out[i].start) {
			out[i].end = out[i].start
		}
	}
	return out
}

// roleClass maps a role to its CSS class (a fixed set, whatever the input).
func roleClass(role report.Role) string {
	switch role {
	case report.RolePrimary:
		return "role r-primary"
	case report.RoleSecondary:
		return "role r-secondary"
	case report.RoleResolving:
		return "role r-resolving"
	case report.RoleDown:
		return "role r-down"
	}
	return "role r-other"
}

// roleWord is the word written in a role bar ("" for none).
func roleWord(role report.Role) string {
	switch role {
	case report.RolePrimary, report.RoleSecondary, report.RoleResolving:
		return string(role)
	case report.RoleDown:
		return "down"
	}
	return ""
}

func modeClass(mode report.Mode) string {
	switch mode {
	case report.ModeAutomatic:
		return "fo-automatic"
	case report.ModeManual:
		return "fo-manual"
	case report.ModeForced:
		return "fo-forced"
	}
	return "fo-unknown"
}

func modeLabel(mode report.Mode) string {
	switch mode {
	case report.ModeAutomatic:
		return "auto"
	case report.ModeManual, report.ModeForced:
		return string(mode)
	}
	return "?"
}
