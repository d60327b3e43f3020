// Package words holds the small wording and list helpers the analysis
// stages share: times and ranges in sentences, plurals, host names.
package words

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// HMS formats a time for sentences.
func HMS(t time.Time) string { return t.UTC().Format("15:04:05") + " UTC" }

// Between formats a time range for sentences, with the dates when it spans
// more than a day ("at" one time when both ends fall in the same second).
func Between(a, b time.Time) string {
	if a.Truncate(time.Second).Equal(b.Truncate(time.Second)) {
		return "at " + HMS(a)
	}
	if a.UTC().Format("20060102") != b.UTC().Format("20060102") {
		return "between " + a.UTC().Format("2006-01-02 15:04:05") + " and " + b.UTC().Format("2006-01-02 15:04:05") + " UTC"
	}
	return "between " + HMS(a) + " and " + HMS(b)
}

// Plural formats n with the singular or plural noun ("1 file", "2 files").
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// QuoteIdent quotes a T-SQL identifier ([name], ] doubled).
func QuoteIdent(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }

// FirstLine returns s up to its first newline.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// UpperFirst capitalizes the first byte of s.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// LowerFirst lowers the first letter of a sentence, unless the first word
// is an acronym or a name in capitals.
func LowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'a' && s[1] <= 'z' {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

// OrUnknown returns s, or "an unknown replica" when s is empty.
func OrUnknown(s string) string {
	if s == "" {
		return "an unknown replica"
	}
	return s
}

// ContainsFold reports whether list holds s, ignoring case.
func ContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// HostPart returns HOST of "HOST\INSTANCE" (or the name itself).
func HostPart(s string) string {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return s[:i]
	}
	return s
}

// SameHost reports whether a cluster node name and a server name denote the
// same machine ("SQLAG01" and "SQLAG01\\INST").
func SameHost(node, server string) bool {
	return node != "" && strings.EqualFold(HostPart(node), HostPart(server))
}

// NonEmpty returns the non-empty values of ss, each once.
func NonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ContainsHost reports whether list names server (or its host).
func ContainsHost(list []string, server string) bool {
	for _, s := range list {
		if strings.EqualFold(s, server) || SameHost(s, server) {
			return true
		}
	}
	return false
}

// Truncate cuts s to at most n characters, marking the cut with "…".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}
