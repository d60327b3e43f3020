package parsers

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestDetectByEvidence: a few NULs or garbage bytes do not make a log
// binary; only a file without any recognizable format is.
func TestDetectByEvidence(t *testing.T) {
	errorlog := strings.Repeat("2024-03-12 02:14:00.00 Server      UTC adjustment: -5:00\r\n", 50)
	cluster := strings.Repeat("00000d1c.00000d20::2024/03/12-15:00:00.001 INFO  [CS] Starting clussvc as a service\r\n", 50)
	xml := strings.Repeat(`<event name="x" package="p" timestamp="2024-03-12T07:14:03Z"><data name="a"><value>1</value></data></event>`+"\n", 40)
	garbage := []byte{0, 1, 2, 0xFF, 0x80, 0, 7, 8, 0, 0, 0x1B}
	for _, tc := range []struct {
		name string
		data []byte
		want Format
	}{
		{"errorlog with a NUL", []byte(strings.Replace(errorlog, "UTC", "U\x00TC", 1)), FormatErrorlog},
		{"errorlog with garbage at 1000", append(append([]byte(errorlog[:1000]), garbage...), errorlog[1000:]...), FormatErrorlog},
		{"cluster log with NULs", append([]byte(cluster[:500]), append(make([]byte, 300), cluster[500:]...)...), FormatClusterlog},
		{"xml with garbage at 3000", append(append([]byte(xml[:3000]), bytes.Repeat(garbage, 20)...), xml[3000:]...), FormatXEventXML},
		{"zeros", make([]byte, 8192), FormatBinary},
		{"random binary", bytes.Repeat(garbage, 700), FormatBinary},
		{"text with a NUL", []byte("hello\x00 world, this is a readme\n"), FormatBinary},
		{"plain text", []byte("hello world\n"), FormatText},
	} {
		if got := Detect(tc.data); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestStripControl(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		n       int
	}{
		{"abc", "abc", 0},
		{"a\x00b\x00c\r", "abc\r", 2},
		{"\x00\x00\x00", "", 3},
		{"tab\tand\fform", "tab\tand\fform", 0},
		{"esc\x1b[0m", "esc[0m", 1},
	} {
		out, n := StripControl([]byte(tc.in))
		if string(out) != tc.out || n != tc.n {
			t.Errorf("StripControl(%q) = %q, %d; want %q, %d", tc.in, out, n, tc.out, tc.n)
		}
	}
}

func TestLooksGarbage(t *testing.T) {
	for s, want := range map[string]bool{
		"Run the Validate a Configuration wizard":  false,
		"Base de données 'Café' démarrée":          false,
		"日本語のメッセージ":                                false,
		"\u00bf\u00a4\u00b6\u00a7\u00a9\u00ae x":   true,
		"text with a replacement \ufffd character": true,
	} {
		if got := LooksGarbage([]byte(s)); got != want {
			t.Errorf("LooksGarbage(%q) = %v", s, got)
		}
	}
}

func TestSaneTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{time.Time{}, true},
		{time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1989, 12, 31, 23, 0, 0, 0, time.UTC), false},
		{time.Date(2100, 12, 31, 9, 0, 0, 0, time.UTC), true},
		{time.Date(2100, 12, 31, 23, 0, 0, 0, time.UTC), false}, // 2101 after a -05:00 offset
		{time.Date(1990, 1, 1, 3, 0, 0, 0, time.UTC), false},    // 1989 after a +05:00 offset
		{time.Date(9999, 12, 31, 23, 59, 0, 0, time.FixedZone("", -5*3600)).UTC(), false},
	} {
		if got := SaneTime(tc.t); got != tc.want {
			t.Errorf("SaneTime(%v) = %v", tc.t, got)
		}
	}
}
