package clusterlog

import (
	"bytes"
	"time"
)

// header reads the facts of the log's header area (the "[=== Cluster ===]"
// section of Get-ClusterLog output) from a line that is not a record:
//
//	UTC = localtime + time zone offset; the time zone offset of this machine is -60 minutes ...
//	The logs were generated using local time ...
//	Current node: name (SQLNODE1) id (1)
//
// The offset is the Windows time-zone bias: UTC = local time + offset.
func (r *Reader) header(b []byte) {
	if len(b) < 12 {
		return
	}
	if bytes.Contains(b, []byte("generated using")) {
		// "... using local time" or "... using Coordinated Universal Time (UTC)".
		r.sawClock = true
		r.localTime = bytes.Contains(b, []byte("generated using local time"))
		return
	}
	if off, ok := zoneOffset(b); ok {
		r.bias, r.hasBias = off, true
		r.stats.UTCOffset, r.stats.HasUTCOffset = -off, true
		return
	}
	if r.stats.Server == "" {
		if i := bytes.Index(b, []byte("Current node: name (")); i >= 0 {
			s := b[i+len("Current node: name ("):]
			if j := bytes.Index(s, []byte(") id")); j > 0 {
				r.stats.Server = string(bytes.TrimSpace(s[:j]))
			}
		}
	}
}

// zoneOffset reads "the time zone offset of this machine is N minutes" (or
// "N hours"; a bare number is minutes, the unit of the Windows bias).
func zoneOffset(b []byte) (time.Duration, bool) {
	const phrase = "time zone offset of this machine is"
	i := bytes.Index(b, []byte(phrase))
	if i < 0 {
		return 0, false
	}
	s := trimLeftBlanks(b[i+len(phrase):])
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n, digits := 0, 0
	for digits < len(s) && digits < 5 && s[digits] >= '0' && s[digits] <= '9' {
		n = n*10 + int(s[digits]-'0')
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	unit := time.Minute
	if rest := trimLeftBlanks(s[digits:]); bytes.HasPrefix(rest, []byte("hour")) {
		unit = time.Hour
	}
	d := time.Duration(n) * unit
	if d > 24*time.Hour {
		return 0, false
	}
	if neg {
		d = -d
	}
	return d, true
}
