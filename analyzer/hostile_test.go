package analyzer

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/agtriage/agtriage/analyzer/inputs"
	"github.com/agtriage/agtriage/analyzer/report"
)

// hostileCase is a bad input for TestBadInputs beyond the basic table: the
// cases of issue 12 (hangs, unbounded memory, writers that fail, whole files
// lost on a few bad bytes, silent loss).
type hostileCase struct {
	name, file string
	data       []byte
	want       string
	skipped    bool
	warn       bool
	minEvents  int                             // events still read from the bad file
	setup      func(*testing.T, string)        // creates the file instead of data
	check      func(*testing.T, *report.Input) // more assertions on its Input
}

// insertAt returns b with ins inserted at offset at.
func insertAt(b []byte, at int, ins []byte) []byte {
	out := append([]byte(nil), b[:at]...)
	out = append(out, ins...)
	return append(out, b[at:]...)
}

// storedZip writes one stored member whose directory states size declared
// while it holds data (a lying archive).
func storedZip(t *testing.T, name string, data []byte, declared uint64) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	zw.Close()
	return buf.Bytes()
}

func hostileCases(t *testing.T) []hostileCase {
	longLog := goodLog
	for i := 0; i < 40; i++ {
		longLog += "2024-03-12 02:15:00.00 spid9s      Starting up database 'db" + string(rune('a'+i%26)) + "'.\r\n"
	}
	// A log of about 12 KB with one NUL on its second line.
	nulEarly := []byte(strings.Replace(longLog, "UTC adjustment", "UTC\x00adjustment", 1))
	u16 := utf16LE(longLog)
	nul1000 := insertAt(u16, 1000, make([]byte, 1000))

	event := func(ts, state string) string {
		return `<event name="availability_replica_state_change" package="sqlserver" timestamp="` + ts + `"><data name="previous_state"><value>1</value><text>PRIMARY_NORMAL</text></data><data name="current_state"><value>0</value><text>` + state + `</text></data><data name="availability_group_name"><value>AG1</value></data><data name="availability_replica_name"><value>SQLAG01</value></data></event>` + "\n"
	}
	var xml strings.Builder
	xml.WriteString("<events>\n")
	for i := 0; i < 30; i++ {
		xml.WriteString(event("2024-03-12T07:14:03.031Z", "RESOLVING_NORMAL"))
	}
	xml.WriteString("</events>\n")
	garbage := make([]byte, 200)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.IntN(256))
	}
	xmlDamaged := insertAt([]byte(xml.String()), 3000, garbage)

	year9999 := goodLog + "9999-12-31 23:59:59.99 spid9s      Starting up database 'future'.\r\n"
	xmlFuture := "<events>\n" + event("2024-03-12T07:14:03.031Z", "RESOLVING_NORMAL") +
		event("9999-12-31T23:59:59.999-05:00", "SECONDARY_NORMAL") + event("0001-01-01T00:00:00.001Z", "PRIMARY_NORMAL") + "</events>\n"
	badOffset := strings.Replace(goodLog, "UTC adjustment: -5:00", "UTC adjustment: +99:99", 1)

	// A cluster log with 40 lines of binary garbage among its records.
	clusterData, err := os.ReadFile(filepath.Join("..", "testdata", "clusterlog", "sqlnode1_cluster.utf16le.log"))
	if err != nil {
		t.Fatal(err)
	}
	var clusterText []rune
	for i := 2; i+1 < len(clusterData); i += 2 {
		clusterText = append(clusterText, rune(uint16(clusterData[i])|uint16(clusterData[i+1])<<8))
	}
	clusterLines := strings.SplitAfter(string(clusterText), "\n")
	var garbled strings.Builder
	for i, ln := range clusterLines {
		garbled.WriteString(ln)
		if i >= 20 && i < 60 {
			g := make([]byte, 60)
			for j := range g {
				g[j] = byte(rng.IntN(256))
				if g[j] == '\n' || g[j] == '\r' {
					g[j] = 0
				}
			}
			g[0] = 1 // at least one control byte
			garbled.WriteString(string(g) + "\r\n")
		}
	}

	var gzBomb bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&gzBomb, gzip.BestCompression)
	gw.Write([]byte(strings.ReplaceAll(goodLog, "\r\n", "\n")))
	gw.Write(bytes.Repeat([]byte{' '}, 64<<20)) // 64 MiB of spaces in 64 KB
	gw.Close()

	cases := []hostileCase{
		{name: "one NUL in the first 8 KB", file: "ERRORLOG.20", data: nulEarly, want: ":2: 1 NUL or control byte(s) removed", warn: true, minEvents: 43},
		{name: "1,000 NULs at offset 1,000 of UTF-16", file: "ERRORLOG.21", data: nul1000, want: "500 NUL or control byte(s) removed", warn: true, minEvents: 43},
		{name: "garbage at offset 3,000 of XML", file: "damaged.xml", data: xmlDamaged, warn: true, minEvents: 28},
		{name: "year 9999 in a UTC-5 ERRORLOG", file: "ERRORLOG.22", data: []byte(year9999), want: ":4: date outside 1990-2100", warn: true, minEvents: 3,
			check: func(t *testing.T, in *report.Input) {
				if in.End.Year() != 2024 || in.Unrecognized != 1 {
					t.Errorf("range %v to %v, %d unrecognized", in.Start, in.End, in.Unrecognized)
				}
			}},
		{name: "year 9999 and year 1 in XML", file: "future.xml", data: []byte(xmlFuture), want: "outside 1990-2100", warn: true, minEvents: 1,
			check: func(t *testing.T, in *report.Input) {
				if in.Events != 1 || in.Unrecognized != 2 || in.End.Year() != 2024 || in.Start.Year() != 2024 {
					t.Errorf("%d events, %d unrecognized, range %v to %v", in.Events, in.Unrecognized, in.Start, in.End)
				}
			}},
		{name: "UTC adjustment +99:99", file: "ERRORLOG.23", data: []byte(badOffset), want: ":2: \"UTC adjustment: +99:99\" is not an offset", warn: true, minEvents: 3},
		{name: "40 garbage lines in a cluster log", file: "garbled_cluster.log", data: []byte(garbled.String()), want: "unreadable line", warn: true, minEvents: 1,
			check: func(t *testing.T, in *report.Input) {
				if in.Unrecognized < 40 {
					t.Errorf("%d unrecognized lines, want the 40 garbage lines", in.Unrecognized)
				}
			}},
		{name: "gzip bomb", file: "ERRORLOG.gz", data: gzBomb.Bytes(), want: "more than 200 times its compressed size", warn: true, minEvents: 3},
		{name: "zip member longer than its directory says", file: "lie.zip", data: storedZip(t, "ERRORLOG", utf16LE(longLog), 500),
			want: "holds more than the 500 bytes its archive directory states", warn: true},
		{name: "zip member shorter than its directory says", file: "short.zip", data: storedZip(t, "ERRORLOG", utf16LE(longLog), uint64(len(utf16LE(longLog))+4096)),
			want: "but its archive directory states", warn: true, minEvents: 40},
	}
	cases = append(cases, hostileCase{name: "hidden folder", file: ".hidden", want: "hidden folder, not read", skipped: true,
		setup: func(t *testing.T, p string) {
			os.MkdirAll(p, 0o755)
			os.WriteFile(filepath.Join(p, "ERRORLOG"), utf16LE(goodLog), 0o644)
		},
		check: func(t *testing.T, in *report.Input) {
			if !in.Ignored {
				t.Errorf("a hidden folder is listed as ignored: %+v", in)
			}
		}})
	if runtime.GOOS != "windows" {
		cases = append(cases,
			hostileCase{name: "named pipe in a folder", file: "pipe", want: "named pipe (FIFO)", skipped: true,
				setup: func(t *testing.T, p string) {
					if err := syscall.Mkfifo(p, 0o644); err != nil {
						t.Skip("no named pipes:", err)
					}
				},
				check: func(t *testing.T, in *report.Input) {
					if !in.Ignored {
						t.Errorf("a pipe in a folder is listed, not an error: %+v", in)
					}
				}},
		)
	}
	return cases
}

// TestNonRegularNamedDirectly: a named pipe given on the command line is
// read without blocking (empty when no writer, an idle timeout when the
// writer stays silent); devices are refused with a reason.
func TestNonRegularNamedDirectly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes")
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "ERRORLOG")
	os.WriteFile(good, utf16LE(goodLog), 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	silent := filepath.Join(dir, "silent")
	if err := syscall.Mkfifo(silent, 0o644); err != nil {
		t.Fatal(err)
	}
	// A writer that opens the pipe and never writes.
	wr := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(silent, os.O_WRONLY, 0)
		if err == nil {
			wr <- f
		}
	}()
	// Let the writer's open complete once a reader opens too: open a reader
	// end here, which also keeps the pipe writable.
	keep, err := os.OpenFile(silent, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	w := <-wr
	defer w.Close()

	old := inputs.PipeIdleTimeout
	inputs.PipeIdleTimeout = 300 * time.Millisecond
	defer func() { inputs.PipeIdleTimeout = old }()
	start := time.Now()
	rep, err := AnalyzePaths([]string{fifo, silent, os.DevNull, good}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	got := map[string]report.Input{}
	for _, in := range rep.Inputs {
		got[in.File] = in
	}
	if in := got[good]; in.Events < 3 {
		t.Errorf("good file: %+v", in)
	}
	if in := got[fifo]; !strings.Contains(in.Skipped, "empty") {
		t.Errorf("pipe without writer: %+v", in)
	}
	if in := got[silent]; !strings.Contains(in.Skipped+strings.Join(in.Warnings, " "), "nothing came through the pipe") {
		t.Errorf("silent pipe: %+v", in)
	}
	if in := got[os.DevNull]; !strings.Contains(in.Skipped, "character device") {
		t.Errorf("%s: %+v", os.DevNull, in)
	}
}

var _ = utf16.Encode
