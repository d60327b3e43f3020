package parsers

import "strings"

// SQLMessageFromInserts rebuilds the text of SQL Server message num from the
// insertion strings an event log holds for it (the message's arguments in
// order), using the message table's patterns: the pattern's captures are
// filled with the values in order. It returns "" when the table has no
// pattern of that number whose captures the values can fill.
func SQLMessageFromInserts(num int, values []string) string {
	for _, t := range table.byNum[num] {
		n := 0
		for _, s := range t.segs {
			if s.capture != "" {
				n++
			}
		}
		if n > len(values) {
			continue
		}
		var b strings.Builder
		i := 0
		for k, s := range t.segs {
			b.WriteString(s.lit)
			if s.capture == "" {
				continue
			}
			if k == len(t.segs)-1 {
				// A final capture takes the rest of the message: the
				// remaining values, which SQL Server concatenates.
				b.WriteString(strings.Join(values[i:], ""))
				break
			}
			b.WriteString(strings.TrimSpace(values[i]))
			i++
		}
		return b.String()
	}
	return ""
}
