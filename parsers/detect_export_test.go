package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectExports(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{
		{"Date,Source,Severity,Message\r\n", FormatSSMSExport},
		{"Date,Source,Severity,Message,Log ID,Process ID,Mail Item ID,Account ID,Last Modified,Last Modified By\r\n", FormatSSMSExport},
		{"03/14/2024 02:17:41,spid47s,Unknown,Error: 19407<c/> Severity: 16<c/> State: 1.\r\n", FormatSSMSExport},
		{"#TYPE System.Data.DataRow\r\n", FormatDbatoolsCSV},
		{"\"ComputerName\",\"InstanceName\",\"SqlInstance\",\"Source\",\"LogDate\",\"ProcessInfo\",\"Text\"\r\n", FormatDbatoolsCSV},
		{"LogDate\tProcessInfo\tText\r\n", FormatXPReadErrorlog},
		{"LogDate,ProcessInfo,Text\r\n", FormatXPReadErrorlog},
		{"LogDate                 ProcessInfo  Text\r\n----------------------- ------------ ----\r\n", FormatXPReadErrorlog},
		{"2024-03-14 02:17:41.230,spid47s,Error: 19407, Severity: 16, State: 1.\r\n", FormatXPReadErrorlog},
		{"2024-03-14 02:17:41.230\tspid47s\tError: 19407, Severity: 16, State: 1.\r\n", FormatXPReadErrorlog},
		{"LogDate\tErrorLevel\tText\r\n", FormatAgentLog},
		{"2024-03-14 02:17:45 - ! [298] SQLServer Error: 10054, TCP Provider\r\n", FormatAgentLog},
		{"create_time\tcomponent_type\tstate_desc\r\n2024-03-14 02:17:41.230\tsystem\tclean\r\n", FormatTable},
		{"a,b,c\r\n1,2,3\r\n", FormatTable},
		// Not tables: a native ERRORLOG and a cluster log whose first
		// lines hold commas, prose with commas.
		{"2024-03-12 08:14:02.31 Server      Error: 19419, Severity: 16, State: 1.\r\n2024-03-12 08:14:02.31 Server      a, b, c\r\n", FormatErrorlog},
		{"00000a30.00000c84::2017/10/23-20:16:26.000 ERR   [RES] a, b, c\r\n00000a30.00000c84::2017/10/23-20:16:26.000 ERR   [RES] d, e, f\r\n", FormatClusterlog},
		{"Hello, this is a note. It has, commas.\r\nAnd more, and more, text.\r\n", FormatText},
	} {
		if got := Detect([]byte(tc.in)); got != tc.want {
			t.Errorf("Detect(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDetectKeepsNativeFormats: every native log of testdata (and of the
// corpus, when present) is still detected as what it is.
func TestDetectKeepsNativeFormats(t *testing.T) {
	want := func(name string) Format {
		switch base := strings.ToLower(filepath.Base(name)); {
		case strings.HasSuffix(base, ".xel"):
			return FormatXEL
		case strings.HasSuffix(base, ".csv") && strings.Contains(base, "eventlog_"):
			return FormatEventCSV
		case strings.HasSuffix(base, ".xml") && (strings.Contains(base, "_system") || strings.Contains(base, "_application")):
			return FormatEventXML
		case strings.HasSuffix(base, ".evtx"):
			return FormatEVTX
		case strings.HasSuffix(base, ".xml"):
			return FormatXEventXML
		case strings.Contains(base, "cluster"):
			return FormatClusterlog
		case strings.Contains(base, "errorlog"):
			return FormatErrorlog
		}
		return ""
	}
	var files []string
	for _, g := range []string{"../testdata/scenarios/*/*/*", "../testdata/demo/*/*", "../testdata/clusterlog/*.log",
		"../testdata/errorlog/*.log", "../../shared/corpus/*ERRORLOG*", "../../shared/corpus/*luster*"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	n := 0
	for _, f := range files {
		w := want(f)
		if w == "" || strings.Contains(f, "damaged") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if got := Detect(data[:min(len(data), SniffLen)]); got != w {
			t.Errorf("%s: Detect = %q, want %q", f, got, w)
		}
	}
	if n < 20 {
		t.Errorf("only %d files checked", n)
	}
}
