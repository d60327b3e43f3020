package inputs

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// Setting is one value found in a collector's settings file; MergeSettings
// turns the values of every file into each AG's settings.
type Setting struct {
	ag, replica, name, value string
	pos                      string
}

// timeoutRowRE matches SQL LogScout's "-- Availability Group timeout
// settings --" rows: the AG name padded to 32 columns, the setting, the value.
var timeoutRowRE = regexp.MustCompile(`^(\S(?:.*\S)?)\s+(HealthCheckTimeout|LeaseTimeout)\s+(\d+)\s*$`)

// settingColumns are the DMV columns read from Results-to-Text tables.
var settingColumns = map[string]bool{
	"failure_condition_level": true, "health_check_timeout": true,
	"availability_mode_desc": true, "failover_mode_desc": true, "session_timeout": true,
}

// readSettings reads the AG settings of a configuration file: timeout rows
// and Results-to-Text tables (a header, a dashes row giving the column
// widths, rows until a blank line).
func readSettings(f File) ([]Setting, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lines := parsers.NewLineReader(parsers.NewTextReader(rc), 64*1024)
	var rows []Setting
	var prev []byte
	var cols []textColumn // the table being read
	n := 0
	for {
		line, tooLong, ok := lines.Next(func([]byte) {})
		if !ok {
			break
		}
		n++
		if tooLong {
			cols = nil
			continue
		}
		line = bytes.TrimRight(line, "\r")
		pos := fmt.Sprintf("%s:%d", f.Name, n)
		if m := timeoutRowRE.FindSubmatch(line); m != nil {
			rows = append(rows, Setting{ag: string(m[1]), name: string(m[2]), value: string(m[3]), pos: pos})
		}
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			cols = nil
		case isDashes(line) && prev != nil:
			cols = tableColumns(prev, line)
		case cols != nil:
			rows = append(rows, tableRow(cols, line, pos)...)
		}
		prev = append(prev[:0], line...)
	}
	return rows, lines.Err()
}

type textColumn struct {
	name       string
	start, end int
}

func isDashes(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '-' {
		return false
	}
	for _, c := range b {
		if c != '-' && c != ' ' {
			return false
		}
	}
	return true
}

// tableColumns cuts a header at the dash runs under it.
func tableColumns(header, dashes []byte) []textColumn {
	var cols []textColumn
	for i := 0; i < len(dashes); {
		if dashes[i] != '-' {
			i++
			continue
		}
		j := i
		for j < len(dashes) && dashes[j] == '-' {
			j++
		}
		name := ""
		if i < len(header) {
			name = strings.TrimSpace(string(header[i:min(j, len(header))]))
		}
		cols = append(cols, textColumn{name: strings.ToLower(name), start: i, end: j})
		i = j
	}
	return cols
}

// tableRow reads the setting columns of one row.
func tableRow(cols []textColumn, line []byte, pos string) []Setting {
	if bytes.HasPrefix(line, []byte("(")) && bytes.Contains(line, []byte("affected)")) {
		return nil
	}
	cell := func(c textColumn) string {
		if c.start >= len(line) {
			return ""
		}
		return strings.TrimSpace(string(line[c.start:min(c.end, len(line))]))
	}
	var ag, replica string
	for _, c := range cols {
		switch c.name {
		case "name", "group_name", "ag_name", "availability group":
			if ag == "" {
				ag = cell(c)
			}
		case "replica_server_name", "replica_name":
			replica = cell(c)
		}
	}
	if ag == "" {
		return nil
	}
	var out []Setting
	for _, c := range cols {
		if settingColumns[c.name] {
			if v := cell(c); v != "" && v != "NULL" {
				out = append(out, Setting{ag: ag, replica: replica, name: c.name, value: v, pos: pos})
			}
		}
	}
	return out
}

// MergeSettings gathers the rows of all settings files into one entry per
// AG (the first value found wins).
func MergeSettings(rows []Setting) []report.AGSettings {
	byAG := map[string]*report.AGSettings{}
	var order []string
	for _, r := range rows {
		k := strings.ToUpper(r.ag)
		s := byAG[k]
		if s == nil {
			s = &report.AGSettings{AG: r.ag}
			byAG[k] = s
			order = append(order, k)
		}
		num, _ := strconv.Atoi(r.value)
		set := func(dst *int) {
			if *dst == 0 && num > 0 {
				*dst = num
				s.Sources = appendOnce(s.Sources, r.pos)
			}
		}
		switch r.name {
		case "LeaseTimeout":
			set(&s.LeaseTimeoutMs)
		case "HealthCheckTimeout", "health_check_timeout":
			set(&s.HealthCheckTimeoutMs)
		case "failure_condition_level":
			set(&s.FailureConditionLevel)
		case "availability_mode_desc", "failover_mode_desc", "session_timeout":
			if r.replica == "" {
				continue
			}
			var rep *report.ReplicaSettings
			for i := range s.Replicas {
				if strings.EqualFold(s.Replicas[i].Replica, r.replica) {
					rep = &s.Replicas[i]
				}
			}
			if rep == nil {
				s.Replicas = append(s.Replicas, report.ReplicaSettings{Replica: r.replica})
				rep = &s.Replicas[len(s.Replicas)-1]
			}
			switch r.name {
			case "availability_mode_desc":
				if rep.AvailabilityMode == "" {
					rep.AvailabilityMode = r.value
				}
			case "failover_mode_desc":
				if rep.FailoverMode == "" {
					rep.FailoverMode = r.value
				}
			case "session_timeout":
				if rep.SessionTimeoutS == 0 {
					rep.SessionTimeoutS = num
				}
			}
			s.Sources = appendOnce(s.Sources, r.pos)
		}
	}
	out := make([]report.AGSettings, 0, len(order))
	for _, k := range order {
		s := byAG[k]
		sort.Slice(s.Replicas, func(i, j int) bool { return s.Replicas[i].Replica < s.Replicas[j].Replica })
		out = append(out, *s)
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
