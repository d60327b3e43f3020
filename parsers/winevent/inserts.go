package winevent

import (
	"strconv"
	"strings"

	"github.com/agtriage/agtriage/parsers"
)

// Inserts recovers the data values of an event from its rendered
// message (the text of an export that keeps the message but not the values),
// using the message template of the event's table row: each %n of the
// template is located by the literal text before it and ends where the
// literal after it begins (at its quote when the value is quoted, as in
// "Cluster node '%1' was removed"). Values that cannot be located are empty.
// The result holds the values in order as Data1, Data2 ..., ready for
// Record.Data; nil when the event is not in the table or nothing
// was found.
func Inserts(provider string, id int, message string) []parsers.Field {
	var c *Class
	for _, k := range index[id] {
		if providerMatch(k.Provider, provider) {
			c = k
			break
		}
	}
	if c == nil || !strings.Contains(c.Message, "%") {
		return nil
	}
	msg := collapseSpace(message)
	tmpl := collapseSpace(c.Message)
	var vals []string
	pos := 0 // search position in msg
	lit := 0 // start of the current literal in tmpl
	found := false
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '%' || i+1 >= len(tmpl) || tmpl[i+1] < '1' || tmpl[i+1] > '9' {
			continue
		}
		j := i + 2
		if j < len(tmpl) && tmpl[j] >= '0' && tmpl[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(tmpl[i+1 : j])
		before := anchorBefore(tmpl[lit:i])
		after := anchorAfter(tmpl[j:])
		lit = j
		i = j - 1
		start := pos
		if before != "" {
			k := strings.Index(msg[pos:], before)
			if k < 0 {
				continue
			}
			start = pos + k + len(before)
		}
		end := len(msg)
		if after != "" {
			k := strings.Index(msg[start:], after)
			if k < 0 {
				continue
			}
			end = start + k
		}
		v := strings.TrimSpace(msg[start:end])
		for len(vals) < n {
			vals = append(vals, "")
		}
		if vals[n-1] == "" && v != "" {
			vals[n-1] = v
			found = true
		}
		pos = end
	}
	if !found {
		return nil
	}
	out := make([]parsers.Field, len(vals))
	for i, v := range vals {
		out[i] = parsers.Field{Name: "Data" + strconv.Itoa(i+1), Value: v}
	}
	return out
}

// anchorBefore is the end of the literal before a value: its last few words
// (at most 24 bytes, cut at a space), enough to find the value's start.
func anchorBefore(lit string) string {
	if len(lit) <= 24 {
		return lit
	}
	s := lit[len(lit)-24:]
	if k := strings.IndexByte(s, ' '); k >= 0 && k < len(s)-1 {
		s = s[k:]
	}
	return s
}

// anchorAfter is the start of the literal after a value: its quote when the
// value is quoted, else its first words (at most 20 bytes, up to the next
// value).
func anchorAfter(lit string) string {
	if k := strings.IndexByte(lit, '%'); k >= 0 {
		lit = lit[:k]
	}
	if lit == "" {
		return ""
	}
	if lit[0] == '\'' || lit[0] == '"' {
		return lit[:1]
	}
	if len(lit) > 20 {
		s := lit[:20]
		if k := strings.LastIndexByte(s, ' '); k > 0 {
			s = s[:k]
		}
		lit = s
	}
	return lit
}

// collapseSpace replaces runs of white space by one space (the exports
// rewrap messages: LogScout turns line feeds and tabs into spaces).
func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
