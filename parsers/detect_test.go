package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func utf16leBOM(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Format
	}{
		{"empty", nil, FormatEmpty},
		{"xel", []byte{0x5A, 0x37, 0xAB, 0xEF, 0, 0, 1}, FormatXEL},
		{"errorlog utf16le", utf16leBOM("2024-03-12 08:14:02.31 Server      Microsoft SQL Server 2019\r\n"), FormatErrorlog},
		{"errorlog utf8 after blank lines", []byte("\n\n2023-02-15 07:10:55.500 spid43s Always On\n"), FormatErrorlog},
		{"errorlog utf8 bom", []byte("\xef\xbb\xbf2025-03-11 11:07:19.58 Server      x\n"), FormatErrorlog},
		{"cluster", []byte("0000084c.000011d4::2017/10/23-18:56:37.336 INFO  [RCM] x\n"), FormatClusterlog},
		{"cluster channel", []byte("[System] 00000a30.00000c84::2017/10/23-20:16:26.000 ERR x\n"), FormatClusterlog},
		{"xevent", []byte("<event name=\"error_reported\" package=\"sqlserver\">"), FormatXEventXML},
		{"other xml", []byte("<html></html>"), FormatText},
		{"saved query results", []byte("(No column name)\r\n-----\r\n<event name=\"x\" package=\"sqlserver\" timestamp=\"2024-03-12T07:14:03Z\"/>\r\n"), FormatXEventXML},
		{"cluster section first", []byte("[=== Cluster ===]\r\nUTC = localtime + time zone offset\r\n"), FormatClusterlog},
		{"numbered excerpt", []byte("   381 [Operational] 0000084c.000011d4::2017/10/23-18:51:58.828 INFO  x\n"), FormatClusterlog},
		{"binary", []byte("MZ\x00\x90\x00"), FormatBinary},
		{"text", []byte("hello world\n"), FormatText},
		{"blank", []byte("  \n\t\n"), FormatText},
	}
	for _, tc := range tests {
		if got := Detect(tc.in); got != tc.want {
			t.Errorf("%s: Detect = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestDetectFixtures checks every ERRORLOG fixture, whatever its encoding.
func TestDetectFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "errorlog", "*.log"))
	if len(files) == 0 {
		t.Skip("no fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(data[:min(len(data), SniffLen)]); got != FormatErrorlog {
			t.Errorf("%s: Detect = %q", filepath.Base(f), got)
		}
	}
}

func TestIsErrorlogTimestamp(t *testing.T) {
	for s, want := range map[string]bool{
		"2024-03-12 08:14:02.31 Server": true,
		"2024-03-12 08:14:02":           true,
		"2024-03-12 08:14:0":            false,
		"2024/03/12 08:14:02":           false,
		"\t2024-03-12 08:14:02":         false,
	} {
		if got := IsErrorlogTimestamp([]byte(s)); got != want {
			t.Errorf("IsErrorlogTimestamp(%q) = %v", s, got)
		}
	}
}

// TestFirstDamage compares the word-at-a-time scan with a byte loop on
// every byte value at every position of lines of several lengths.
func TestFirstDamage(t *testing.T) {
	slow := func(b []byte) int {
		for i, c := range b {
			if isDamageByte(c) {
				return i
			}
		}
		return len(b)
	}
	for n := 0; n < 20; n++ {
		for pos := 0; pos < n; pos++ {
			for v := 0; v < 256; v++ {
				b := []byte(strings.Repeat("A\tz\xe9", 5)[:n])
				b[pos] = byte(v)
				if got, want := firstDamage(b), slow(b); got != want {
					t.Fatalf("firstDamage(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}
