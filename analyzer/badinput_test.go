package analyzer

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/agtriage/agtriage/analyzer/jsonreport"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/report"
)

// utf16LE encodes s as UTF-16LE with a BOM.
func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

const goodLog = "2024-03-12 02:14:00.00 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) \r\n" +
	"2024-03-12 02:14:00.01 Server      UTC adjustment: -5:00\r\n" +
	"2024-03-12 02:14:03.03 Server      The state of the local availability replica in availability group 'AG1' has changed from 'PRIMARY_NORMAL' to 'RESOLVING_NORMAL'.  The state changed because the lease between the local availability replica and Windows Server Failover Clustering (WSFC) has expired.  For more information, see the SQL Server error log, Windows Server Failover Clustering (WSFC) management console, or WSFC log.\r\n"

// TestBadInputs feeds the analyzer damaged and hostile inputs, each next to a
// good ERRORLOG: no panic, the damage reported with the file and a position
// (or a reason for skipping), and the good file still analyzed.
func TestBadInputs(t *testing.T) {
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>` +
		`<events><event name="error_reported" package="sqlserver" timestamp="2024-03-12T07:14:02.310Z"><data name="message"><value>&lol4;</value></data></event></events>`
	event := `<event name="availability_replica_state_change" package="sqlserver" timestamp="2024-03-12T07:14:03.031Z"><data name="previous_state"><value>1</value><text>PRIMARY_NORMAL</text></data><data name="current_state"><value>0</value><text>RESOLVING_NORMAL</text></data><data name="availability_group_name"><value>AG1</value></data><data name="availability_replica_name"><value>SQLAG09</value></data></event>`
	outOfOrder := strings.Replace(goodLog, "02:14:03.03", "01:14:03.03", 1) // clock jump back (DST)
	var zipRatio, zipEvil bytes.Buffer
	zw := zip.NewWriter(&zipRatio)
	w, _ := zw.Create("huge.log")
	w.Write(utf16LE(goodLog))
	w.Write(bytes.Repeat([]byte{' ', 0}, 32<<20)) // 64 MiB of UTF-16 spaces: a ratio near 1000:1
	zw.Close()
	zw = zip.NewWriter(&zipEvil)
	w, _ = zw.Create("../../evil/ERRORLOG")
	w.Write(utf16LE(goodLog))
	zw.Close()

	minEvents := map[string]int{}
	checks := map[string]func(*testing.T, *report.Input){}
	setups := map[string]func(*testing.T, string){}
	tables := []struct {
		name    string
		file    string
		data    []byte
		want    string // in the input's Skipped reason or warnings
		skipped bool
		warn    bool // a warning with a position is expected
	}{
		{"empty", "ERRORLOG.9", nil, "empty", true, false},
		{"binary", "blob.bak", append([]byte{0, 1, 2, 3, 0xFF, 0, 0x80}, bytes.Repeat([]byte{0, 7}, 4000)...), "binary", true, false},
		{"nul bytes in text", "ERRORLOG.8", []byte("2024-03-12 02:14:00.00 Server      a\x00b\x00c\r\n"), ":1: 2 NUL or control byte(s) removed", false, true},
		{"utf16 odd byte count", "ERRORLOG.7", append(utf16LE(goodLog), 'x'), "odd trailing byte", false, true},
		{"utf16 cut mid-record", "ERRORLOG.6", utf16LE(goodLog)[:len(utf16LE(goodLog))-101], "", false, false},
		{"50 MB single line", "ERRORLOG.5", append([]byte("2024-03-12 02:14:00.00 Server      "), bytes.Repeat([]byte{'x'}, 50<<20)...), "longer than", false, true},
		{"clock jump back", "ERRORLOG.4", utf16LE(outOfOrder), "clock goes back by 1h0m0s", false, true},
		{"xml cut mid-event", "cut.xml", []byte(event + "\n" + event[:len(event)/2]), "", false, true},
		{"malformed xml", "bad.xml", []byte(event + "\n<event name=\"x\" timestamp=\"2024-03-12T07:14:03Z\"><data></event>\n" + event), "", false, false},
		{"billion laughs", "lol.xml", []byte(laughs), "DOCTYPE", false, true},
		{"10000-deep nesting", "deep.xml", []byte(`<events><event name="x" package="p" timestamp="2024-03-12T07:14:03Z">` + deep + `</event></events>`), "", false, true},
		{"zip with a huge ratio", "bomb.zip", zipRatio.Bytes(), "decompression limit", false, true},
		{"zip with ../ names", "evil.zip", zipEvil.Bytes(), "", false, false},
	}
	for _, tc := range hostileCases(t) {
		tables = append(tables, struct {
			name    string
			file    string
			data    []byte
			want    string
			skipped bool
			warn    bool
		}{tc.name, tc.file, tc.data, tc.want, tc.skipped, tc.warn})
		minEvents[tc.name] = tc.minEvents
		checks[tc.name] = tc.check
		setups[tc.name] = tc.setup
	}
	for _, tc := range tables {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			good := filepath.Join(dir, "SQLAG01", "ERRORLOG")
			os.MkdirAll(filepath.Dir(good), 0o755)
			os.WriteFile(good, utf16LE(goodLog), 0o644)
			bad := filepath.Join(dir, "SQLAG01", tc.file)
			if setup := setups[tc.name]; setup != nil {
				setup(t, bad)
			} else if err := os.WriteFile(bad, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			rep, err := AnalyzePaths([]string{dir}, Options{})
			if err != nil {
				t.Fatalf("analyze: %v", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			var goodIn, badIn *report.Input
			for i := range rep.Inputs {
				in := &rep.Inputs[i]
				switch {
				case in.File == good:
					goodIn = in
				case strings.HasPrefix(in.File, bad):
					badIn = in
				}
			}
			if goodIn == nil || goodIn.Events < 3 || goodIn.Skipped != "" {
				t.Fatalf("the good file was not analyzed: %+v", goodIn)
			}
			if badIn == nil {
				t.Fatalf("no input entry for %s: %+v", bad, rep.Inputs)
			}
			if tc.skipped != (badIn.Skipped != "") {
				t.Errorf("skipped = %q, want skipped %v", badIn.Skipped, tc.skipped)
			}
			all := badIn.Skipped + " " + strings.Join(badIn.Warnings, " ")
			if tc.want != "" && !strings.Contains(all, tc.want) {
				t.Errorf("no %q in %q", tc.want, all)
			}
			for _, w := range badIn.Warnings {
				if !strings.Contains(w, badIn.File) {
					t.Errorf("warning does not name the file: %q", w)
				}
			}
			if tc.warn && len(badIn.Warnings) == 0 {
				t.Errorf("no warning for %s: %+v", tc.name, badIn)
			}
			if n := minEvents[tc.name]; badIn.Events < n {
				t.Errorf("%d events read from the damaged file, want at least %d: %+v", badIn.Events, n, badIn)
			}
			if check := checks[tc.name]; check != nil {
				check(t, badIn)
			}
			// Every writer writes whatever the readers produced.
			if err := jsonreport.Write(io.Discard, rep); err != nil {
				t.Errorf("JSON report: %v", err)
			}
			if err := mdreport.Write(io.Discard, rep, mdreport.Options{}); err != nil {
				t.Errorf("Markdown report: %v", err)
			}
		})
	}
}

// TestMixedBundle reads one bundle holding every encoding and format at once,
// a symbolic link loop and an unreadable file.
func TestMixedBundle(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, data []byte) string {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("A/ERRORLOG", utf16LE(goodLog))
	be := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(goodLog)) {
		be = append(be, byte(u>>8), byte(u))
	}
	write("B/ERRORLOG", be)
	write("C/errorlog", []byte(strings.ReplaceAll(goodLog, "\r\n", "\n")+"2024-03-12 02:15:00.00 spid9s      Base de donn\xe9es 'Caf\xe9' d\xe9marr\xe9e.\n"))
	write("D/ERRORLOG", append([]byte{0xEF, 0xBB, 0xBF}, goodLog...))
	os.Symlink(dir, filepath.Join(dir, "D", "loop"))
	locked := write("E/ERRORLOG", utf16LE(goodLog))
	os.Chmod(locked, 0)
	rep, err := AnalyzePaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc := map[string]string{}
	for _, in := range rep.Inputs {
		enc[filepath.Base(filepath.Dir(in.File))] = in.Encoding
		if strings.HasSuffix(in.File, "loop") && !in.Ignored {
			t.Errorf("symlink %s: %+v", in.File, in)
		}
	}
	for d, want := range map[string]string{"A": "UTF-16LE", "B": "UTF-16BE", "C": "Windows-1252", "D": "UTF-8 (BOM)"} {
		if enc[d] != want {
			t.Errorf("%s: encoding %q, want %q", d, enc[d], want)
		}
	}
	if n := len(rep.Roles); n < 4 {
		t.Errorf("%d role spans, want one per readable replica", n)
	}
	if os.Geteuid() != 0 { // root reads anything
		found := false
		for _, in := range rep.Inputs {
			found = found || in.File == locked && strings.Contains(in.Skipped, "permission denied")
		}
		if !found {
			t.Errorf("unreadable file not reported: %+v", rep.Inputs)
		}
	}
}

// TestManySmallFiles reads a folder of 50,000 small files.
func TestManySmallFiles(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("-short")
	}
	dir := filepath.Join(t.TempDir(), "SQLAG01")
	os.MkdirAll(dir, 0o755)
	line := []byte("2024-03-12 02:14:00.00 spid9s      Starting up database 'master'.\r\n")
	for i := 0; i < 50000; i++ {
		if err := os.WriteFile(filepath.Join(dir, "ERRORLOG."+strconv.Itoa(i)), line, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	rep, err := AnalyzePaths([]string{filepath.Dir(dir)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Inputs) != 50000 || len(rep.Servers) != 1 || rep.Servers[0].Name != "SQLAG01" {
		t.Errorf("%d inputs, servers %+v", len(rep.Inputs), rep.Servers)
	}
	t.Logf("50,000 files in %v", time.Since(start))
}
