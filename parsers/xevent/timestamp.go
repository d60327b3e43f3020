package xevent

import (
	"strings"
	"time"
)

// parseTimestamp reads an event's timestamp attribute. XEvent timestamps are
// UTC ("2017-10-23T18:53:08.014Z"); one without a zone is taken as UTC and
// zone is false. An explicit offset is converted to UTC.
func parseTimestamp(s string) (t time.Time, zone bool, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}

// escapeText appends s to b escaped for XML character data.
func escapeText(b, s []byte) []byte {
	for _, c := range s {
		switch c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// escapeAttr appends s to b escaped for a double-quoted attribute value.
func escapeAttr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\n':
			b = append(b, "&#xA;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		case '\t':
			b = append(b, "&#x9;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
