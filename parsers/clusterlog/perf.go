package clusterlog

import (
	"bytes"
	"strconv"

	"github.com/agtriage/agtriage/parsers"
)

// perfHeader starts the header row that the availability group resource DLL
// writes after "Lease timeout detected, logging perf counter data collected so
// far": "Date/Time, Processor time(%), Available memory(bytes), Avg disk
// read(secs), Avg disk write(secs)".
var perfHeader = []byte("Date/Time, Processor time")

// perfStats summarizes the performance rows that follow a lease timeout.
type perfStats struct {
	rows                int
	cpuMax, cpuSum      float64
	memMin              float64
	readMax, writeMax   float64
	firstTime, lastTime string
	header              bool // the header row was seen
}

// perfText returns the part of a line that may hold a performance row: the
// text after "[hadrag] " for a resource DLL line, else the whole text.
func perfText(t []byte) []byte {
	if i := bytes.Index(t, []byte("[hadrag] ")); i >= 0 {
		return t[i+len("[hadrag] "):]
	}
	return trimLeftBlanks(t)
}

// add takes t if it is the header or a data row and reports whether it was.
func (p *perfStats) add(t []byte) bool {
	t = trimRight(perfText(t))
	if bytes.HasPrefix(t, perfHeader) {
		p.header = true
		return true
	}
	if bytes.Count(t, []byte(",")) != 4 {
		return false
	}
	cols := bytes.Split(t, []byte(","))
	when := bytes.TrimSpace(cols[0])
	if len(when) < 8 || when[0] < '0' || when[0] > '9' || bytes.IndexByte(when, '/') < 0 {
		return false
	}
	var v [4]float64
	for i := range v {
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(cols[i+1])), 64)
		if err != nil || f < 0 {
			return false
		}
		v[i] = f
	}
	if p.rows == 0 {
		p.firstTime = string(when)
		p.memMin = v[1]
	}
	p.lastTime = string(when)
	p.rows++
	p.cpuSum += v[0]
	p.cpuMax = max(p.cpuMax, v[0])
	p.memMin = min(p.memMin, v[1])
	p.readMax = max(p.readMax, v[2])
	p.writeMax = max(p.writeMax, v[3])
	return true
}

// fields adds the summary to the lease event.
func (p *perfStats) fields(ev *parsers.Event) {
	if p.rows == 0 {
		return
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	addField(ev, "perf_rows", strconv.Itoa(p.rows))
	addField(ev, "cpu_max", f(p.cpuMax))
	addField(ev, "cpu_avg", strconv.FormatFloat(p.cpuSum/float64(p.rows), 'f', 1, 64))
	addField(ev, "mem_min_bytes", strconv.FormatFloat(p.memMin, 'f', 0, 64))
	addField(ev, "disk_read_max", f(p.readMax))
	addField(ev, "disk_write_max", f(p.writeMax))
	addField(ev, "perf_from", p.firstTime)
	addField(ev, "perf_to", p.lastTime)
}
