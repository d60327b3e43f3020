package parsers

import (
	"testing"
	"unicode/utf8"
)

// FuzzDetect feeds arbitrary prefixes to Detect and, for tabular text, to
// DescribeTable: no panic, and a description that is valid UTF-8 and names
// its columns.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"Date,Source,Severity,Message\r\n03/14/2024 02:17:41,spid47s,Unknown,x<c/> y\r\n",
		"#TYPE System.Data.DataRow\r\n\"ComputerName\",\"LogDate\",\"Text\"\r\n",
		"LogDate\tProcessInfo\tText\r\n2024-03-14 02:17:41.230\tspid47s\tx\r\n",
		"2024-03-14 02:17:41.230,spid47s,Error: 19407, Severity: 16, State: 1.\r\n",
		"a,b,c\r\n1,2,3\r\n",
		"col1 col2\r\n---- ----\r\n",
		"2024-03-12 08:14:02.31 Server      Microsoft SQL Server 2019\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > SniffLen {
			data = data[:SniffLen]
		}
		format := Detect(data)
		if format == FormatTable {
			d := DescribeTable(data)
			if !utf8.ValidString(d) || d == "" {
				t.Fatalf("description %q", d)
			}
		}
	})
}
