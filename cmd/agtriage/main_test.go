package main

// End-to-end tests: TestMain builds the agtriage binary once and the tests run
// it as a user would, on the scenario bundles of testdata, on archives and
// streams built here, and on bad inputs, asserting the output and exit code.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin is the agtriage binary built by TestMain.
var bin string

// testdata is the repository's testdata folder (absolute).
var testdata string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "agtriage-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "agtriage")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	if testdata, err = filepath.Abs(filepath.Join("..", "..", "testdata")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// result is what one run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
	maxRSS         int64 // bytes, when the platform reports it
}

// runOpts are the optional settings of a run.
type runOpts struct {
	dir        string    // working directory (default: a fresh temporary one)
	stdin      io.Reader // standard input (default: empty)
	extraFiles []*os.File
	timeout    time.Duration // default 30 s
}

// agt runs the binary with args and fails the test when it does not finish
// within o.timeout (30 s by default) or cannot be started.
func agt(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	timeout := cmp.Or(o.timeout, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = o.dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	cmd.Stdin = o.stdin
	cmd.ExtraFiles = o.extraFiles
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("agtriage %q did not finish within %v; stderr:\n%s", args, timeout, r.stderr)
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	default:
		t.Fatalf("agtriage %q: %v", args, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return r
}

// expectCode fails the test when the run did not exit with want.
func (r result) expectCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, want, clip(r.stderr))
	}
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// jsonReport mirrors the parts of the JSON report the tests look at.
type jsonReport struct {
	Tool      string   `json:"tool"`
	AGs       []string `json:"ags"`
	Incidents []struct {
		ID        int       `json:"id"`
		Category  string    `json:"category"`
		RootCause string    `json:"root_cause"`
		Start     time.Time `json:"start"`
	} `json:"incidents"`
	Failovers []struct {
		AG   string    `json:"ag"`
		From string    `json:"from"`
		To   string    `json:"to"`
		Mode string    `json:"mode"`
		At   time.Time `json:"at"`
	} `json:"failovers"`
	Servers []struct {
		Name           string   `json:"name"`
		Aliases        []string `json:"aliases"`
		ServiceAccount string   `json:"service_account"`
		Addresses      []string `json:"addresses"`
	} `json:"servers"`
	Inputs []struct {
		File    string `json:"file"`
		Format  string `json:"format"`
		Events  int    `json:"events"`
		Skipped string `json:"skipped"`
		Ignored bool   `json:"ignored"`
	} `json:"inputs"`
	Timeline []struct {
		Time time.Time `json:"time"`
		Text string    `json:"text"`
	} `json:"timeline"`
}

func parseReport(t *testing.T, out string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("the JSON report does not parse: %v\n%s", err, clip(out))
	}
	return r
}

// incidentKeys lists each incident as "category: root cause" for comparisons.
func (r jsonReport) incidentKeys() []string {
	var keys []string
	for _, in := range r.Incidents {
		keys = append(keys, in.Category+" @"+in.Start.Format(time.RFC3339Nano)+": "+in.RootCause)
	}
	sort.Strings(keys)
	return keys
}

func (r jsonReport) failoverKeys() []string {
	var keys []string
	for _, f := range r.Failovers {
		keys = append(keys, fmt.Sprintf("%s %s->%s %s %s", f.AG, f.From, f.To, f.Mode, f.At.Format(time.RFC3339Nano)))
	}
	return keys
}

func (r jsonReport) serverNames() []string {
	var names []string
	for _, s := range r.Servers {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}

// mdUnescape undoes the Markdown writer's escaping (backslash escapes of
// punctuation and the HTML entities) so that plain strings can be searched.
func mdUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\|`*_[]~#<>!-+.(){}\"'=", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&").Replace(b.String())
}

// bundles lists the scenario folders and the demo bundle.
func bundles(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(testdata, "scenarios", "*", "expected.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no scenarios under %s (err %v)", testdata, err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Dir(d))
	}
	return append(out, filepath.Join(testdata, "demo"))
}

// expected is the part of a bundle's expected.json this test checks.
type expected struct {
	Incidents []struct {
		Category string `json:"category"`
	} `json:"incidents"`
	Failovers []struct {
		AG   string `json:"ag"`
		From string `json:"from"`
		To   string `json:"to"`
		Mode string `json:"mode"`
	} `json:"failovers"`
}

const incidentHeader = "| # | Start (UTC) | Duration | Category | Root cause | Confidence |"

// TestBundles runs every scenario and the demo in the three formats.
func TestBundles(t *testing.T) {
	for _, dir := range bundles(t) {
		name := filepath.Base(dir)
		if filepath.Base(filepath.Dir(dir)) != "scenarios" {
			name = "demo"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var exp expected
			raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &exp); err != nil {
				t.Fatalf("expected.json: %v", err)
			}

			// JSON.
			js := agt(t, runOpts{}, "-f", "json", dir)
			js.expectCode(t, 0)
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(js.stdout), &top); err != nil {
				t.Fatalf("-f json: invalid JSON: %v", err)
			}
			for _, k := range []string{"incidents", "failovers", "servers", "inputs", "timeline", "tool"} {
				if _, ok := top[k]; !ok {
					t.Errorf("-f json: no %q field", k)
				}
			}
			rep := parseReport(t, js.stdout)
			var gotCats, wantCats []string
			for _, in := range rep.Incidents {
				gotCats = append(gotCats, in.Category)
				if strings.TrimSpace(in.RootCause) == "" {
					t.Errorf("incident %d has no root cause", in.ID)
				}
			}
			for _, in := range exp.Incidents {
				wantCats = append(wantCats, in.Category)
			}
			sort.Strings(gotCats)
			sort.Strings(wantCats)
			if strings.Join(gotCats, ",") != strings.Join(wantCats, ",") {
				t.Errorf("incident categories %v, expected.json says %v", gotCats, wantCats)
			}
			if len(rep.Failovers) != len(exp.Failovers) {
				t.Errorf("%d failovers, expected.json says %d: %v", len(rep.Failovers), len(exp.Failovers), rep.failoverKeys())
			} else {
				for i, f := range exp.Failovers {
					g := rep.Failovers[i]
					// expected.json may name a replica by its host ("NODEA" for NODEA\PROD).
					if g.AG != f.AG || !sameReplica(g.From, f.From) || !sameReplica(g.To, f.To) || g.Mode != f.Mode {
						t.Errorf("failover %d: %s, want %s %s->%s %s", i, rep.failoverKeys()[i], f.AG, f.From, f.To, f.Mode)
					}
				}
			}
			if len(rep.Servers) == 0 {
				t.Error("no servers in the JSON report")
			}
			events := 0
			for _, in := range rep.Inputs {
				events += in.Events
			}

			// Markdown.
			md := agt(t, runOpts{}, dir)
			md.expectCode(t, 0)
			if !strings.HasPrefix(md.stdout, "# Always On incident report\n") {
				t.Errorf("markdown does not start with the title: %q", clip(md.stdout[:min(len(md.stdout), 200)]))
			}
			if len(rep.Incidents) > 0 {
				if !strings.Contains(md.stdout, "\n## Incidents\n") || !strings.Contains(md.stdout, incidentHeader) {
					t.Errorf("markdown has no incidents table (%q)", incidentHeader)
				}
			} else if !strings.Contains(md.stdout, "No incident found") {
				t.Error(`markdown of a bundle without incidents does not say "No incident found"`)
			}
			plain := mdUnescape(md.stdout)
			for _, in := range rep.Incidents {
				if !strings.Contains(plain, in.RootCause) {
					t.Errorf("the root cause of incident %d is not in the markdown: %q", in.ID, in.RootCause)
				}
				if !strings.Contains(md.stdout, fmt.Sprintf("### Incident %d ", in.ID)) {
					t.Errorf("the markdown has no section for incident %d", in.ID)
				}
			}
			for _, s := range rep.Servers {
				if !strings.Contains(plain, s.Name) {
					t.Errorf("server %s is not in the markdown", s.Name)
				}
			}

			// Events: one JSON object per line, as many as the inputs report.
			ev := agt(t, runOpts{}, "-f", "events", dir)
			ev.expectCode(t, 0)
			checkEventLines(t, ev.stdout, events)
		})
	}
}

// checkEventLines checks that every line of out is a JSON event with the
// required fields, and that there are want of them (want < 0: any number > 0).
func checkEventLines(t *testing.T, out string, want int) []map[string]any {
	t.Helper()
	var evs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		n++
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("events line %d is not JSON: %v: %.200s", n, err, sc.Text())
		}
		for _, k := range []string{"time", "kind", "source", "file"} {
			if s, ok := ev[k].(string); !ok || s == "" {
				t.Fatalf("events line %d has no %q: %.300s", n, k, sc.Text())
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, ev["time"].(string)); err != nil {
			t.Fatalf("events line %d: time: %v", n, err)
		}
		evs = append(evs, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if want >= 0 && n != want {
		t.Errorf("%d event lines, the JSON report counts %d events in its inputs", n, want)
	}
	if want < 0 && n == 0 {
		t.Error("no event lines")
	}
	return evs
}

// zipDir writes the files under dir into a new zip archive at dst, with
// member names prefix/relative/path.
func zipDir(t *testing.T, dst, dir, prefix string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestZipMatchesFolder: a zipped bundle gives the same findings as the folder.
func TestZipMatchesFolder(t *testing.T) {
	dir := filepath.Join(testdata, "scenarios", "wsfc-outage-failover-connect")
	tmp := t.TempDir()
	zipPath := filepath.Join(tmp, "incident.zip")
	zipDir(t, zipPath, dir, "bundle")

	folder := agt(t, runOpts{}, "-f", "json", dir)
	folder.expectCode(t, 0)
	zipped := agt(t, runOpts{dir: tmp}, "-f", "json", "incident.zip")
	zipped.expectCode(t, 0)
	a, b := parseReport(t, folder.stdout), parseReport(t, zipped.stdout)
	if len(a.Incidents) == 0 {
		t.Fatal("the folder has no incidents: nothing to compare")
	}
	if got, want := strings.Join(b.incidentKeys(), "\n"), strings.Join(a.incidentKeys(), "\n"); got != want {
		t.Errorf("zip incidents:\n%s\nfolder incidents:\n%s", got, want)
	}
	if got, want := strings.Join(b.failoverKeys(), "\n"), strings.Join(a.failoverKeys(), "\n"); got != want {
		t.Errorf("zip failovers:\n%s\nfolder failovers:\n%s", got, want)
	}
	if got, want := b.serverNames(), a.serverNames(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("zip servers %v, folder servers %v", got, want)
	}
	for _, in := range b.Inputs {
		if !strings.HasPrefix(in.File, "incident.zip/bundle/") {
			t.Errorf("input %q is not named after its archive member", in.File)
		}
	}
	// Nothing was extracted next to the archive.
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Errorf("the zip was extracted: %v", entries)
	}
}

// TestZipHostile: a member named ../evil/ERRORLOG is read in place, a member
// of 50 MB of zeros is bounded, and neither creates any file.
func TestZipHostile(t *testing.T) {
	errorlog, err := os.ReadFile(filepath.Join(testdata, "demo", "SQLAG02", "ERRORLOG"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	work := filepath.Join(root, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(work, "bundle.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create("../evil/ERRORLOG")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(errorlog)
	w, err = zw.Create("/abs/../../SQLAG03/ERRORLOG")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(errorlog)
	w, err = zw.Create("SQLAG01/zeros.log")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range 50 {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before := listTree(t, root)

	r := agt(t, runOpts{dir: work}, "-f", "json", "bundle.zip")
	// The zeros are skipped (not a log), so the report is partial.
	r.expectCode(t, 1)
	rep := parseReport(t, r.stdout)
	if after := listTree(t, root); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("files changed under the test folder:\nbefore %v\nafter  %v", before, after)
	}
	read := 0
	for _, in := range rep.Inputs {
		if strings.Contains(in.File, "..") {
			t.Errorf("input name %q keeps the ../ of the member name", in.File)
		}
		if in.Format == "errorlog" && in.Skipped == "" {
			read++
		}
		if strings.HasSuffix(in.File, "zeros.log") && in.Skipped == "" {
			t.Errorf("the zeros member was not skipped: %+v", in)
		}
	}
	if read != 2 {
		t.Errorf("%d ERRORLOG members read, want 2: %+v", read, rep.Inputs)
	}
	if !strings.Contains(r.stderr, "zeros.log") {
		t.Errorf("stderr does not name the skipped member:\n%s", r.stderr)
	}
	if r.maxRSS > 300<<20 {
		t.Errorf("agtriage used %d MB of memory on a 50 MB member", r.maxRSS>>20)
	}
	t.Logf("hostile zip: %v, max RSS %d MB", r.elapsed, r.maxRSS>>20)
}

// listTree lists every path under root with its size.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		out = append(out, fmt.Sprintf("%s %d", path, info.Size()))
		return nil
	})
	return out
}

// TestGzipAndStdin: an ERRORLOG gzipped or piped gives the same findings as the file.
func TestGzipAndStdin(t *testing.T) {
	// SQLAG02's ERRORLOG names its server ("Server name is"), so the findings
	// do not depend on the folder the file sits in.
	src := filepath.Join(testdata, "demo", "SQLAG02", "ERRORLOG")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(filepath.Join(tmp, "ERRORLOG.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	plain := agt(t, runOpts{}, "-f", "json", src)
	plain.expectCode(t, 0)
	want := parseReport(t, plain.stdout)
	if len(want.Incidents) == 0 || len(want.Timeline) == 0 {
		t.Fatal("the plain ERRORLOG gives no incidents or timeline: nothing to compare")
	}
	for _, tc := range []struct {
		name  string
		opts  runOpts
		args  []string
		input string
	}{
		{"gzip", runOpts{dir: tmp}, []string{"-f", "json", "ERRORLOG.gz"}, "ERRORLOG.gz"},
		{"stdin", runOpts{stdin: bytes.NewReader(data)}, []string{"-f", "json", "-"}, "(stdin)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := agt(t, tc.opts, tc.args...)
			r.expectCode(t, 0)
			got := parseReport(t, r.stdout)
			if g, w := strings.Join(got.incidentKeys(), "\n"), strings.Join(want.incidentKeys(), "\n"); g != w {
				t.Errorf("incidents:\n%s\nfrom the file:\n%s", g, w)
			}
			if len(got.Timeline) != len(want.Timeline) {
				t.Errorf("%d timeline entries, %d from the file", len(got.Timeline), len(want.Timeline))
			}
			if len(got.Inputs) != 1 || got.Inputs[0].File != tc.input || got.Inputs[0].Format != "errorlog" {
				t.Errorf("inputs %+v, want one errorlog named %q", got.Inputs, tc.input)
			}
		})
	}
	t.Run("stdin-markdown", func(t *testing.T) {
		r := agt(t, runOpts{stdin: bytes.NewReader(data)}, "-")
		r.expectCode(t, 0)
		if !strings.HasPrefix(r.stdout, "# Always On incident report") || !strings.Contains(r.stdout, incidentHeader) {
			t.Errorf("no report from stdin:\n%s", clip(r.stdout))
		}
	})
	t.Run("empty-stdin", func(t *testing.T) {
		r := agt(t, runOpts{stdin: strings.NewReader("")}, "-")
		r.expectCode(t, 2)
	})
	t.Run("dev-fd", func(t *testing.T) {
		// Process substitution, agtriage <(zcat ERRORLOG.gz), names a pipe.
		if _, err := os.Stat("/dev/fd"); err != nil {
			t.Skip("no /dev/fd")
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			pw.Write(data)
			pw.Close()
		}()
		r := agt(t, runOpts{extraFiles: []*os.File{pr}}, "-f", "json", "/dev/fd/3")
		pr.Close()
		r.expectCode(t, 0)
		got := parseReport(t, r.stdout)
		if g, w := strings.Join(got.incidentKeys(), "\n"), strings.Join(want.incidentKeys(), "\n"); g != w {
			t.Errorf("incidents:\n%s\nfrom the file:\n%s", g, w)
		}
	})
}

// TestBadInputs covers missing, binary, empty, unreadable and unsupported inputs.
func TestBadInputs(t *testing.T) {
	good := filepath.Join(testdata, "demo", "SQLAG02", "ERRORLOG")
	tmp := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(tmp, "no-such", "ERRORLOG")
	noise := make([]byte, 8192)
	for i := range noise {
		noise[i] = byte(i*7 + i/251)
	}
	binary := write("blob.bak", noise)
	empty := write("empty.log", nil)
	xel := write("AlwaysOn_health_0_131532583880140000.xel", append([]byte{0x5A, 0x37, 0xAB, 0xEF, 0, 0, 1, 0}, noise...))

	// Damaged archives: a truncated .gz of an XEvent export, a zip whose
	// member fails its checksum, and files named .gz/.zip that are not.
	xml := mustRead(t, filepath.Join(testdata, "demo", "SQLAG02", "AlwaysOn_health.xml"))
	var gzBuf bytes.Buffer
	gzw := gzip.NewWriter(&gzBuf)
	gzw.Write(xml)
	gzw.Close()
	truncGz := write("xe.xml.gz", gzBuf.Bytes()[:gzBuf.Len()*2/3])
	// The same for a UTF-16LE ERRORLOG: the cut must be reported, not taken
	// for the end of the file.
	var elBuf bytes.Buffer
	elw := gzip.NewWriter(&elBuf)
	elw.Write(mustRead(t, filepath.Join(testdata, "demo", "SQLAG02", "ERRORLOG")))
	elw.Close()
	truncGz16 := write("errorlog.gz", elBuf.Bytes()[:elBuf.Len()*2/3])
	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	zm, err := zw.CreateHeader(&zip.FileHeader{Name: "SQLAG02/ERRORLOG", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	zm.Write(mustRead(t, good))
	zw.Close()
	zb := zipBuf.Bytes()
	zb[len(zb)/2] ^= 0x20 // inside the stored member: its CRC-32 no longer matches
	badCRC := write("crc.zip", zb)
	notGz := write("ERRORLOG.gz", mustRead(t, good))
	notZip := write("bundle.zip", []byte("PK but not really a zip archive\n"))

	// A folder with a symbolic link loop and a log.
	loop := filepath.Join(tmp, "loop")
	write("loop/SQLAG02/ERRORLOG", mustRead(t, good))
	if err := os.Symlink("..", filepath.Join(loop, "SQLAG02", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(loop, filepath.Join(loop, "self")); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stderr    []string // substrings of stderr
		reportFor string   // a server the report must show, "" when no report
	}{
		{"missing", []string{missing}, 2, []string{missing, "no such file"}, ""},
		{"good-and-missing", []string{good, missing}, 1, []string{missing, "no such file"}, "SQLAG02"},
		{"binary", []string{binary}, 2, []string{binary, "binary"}, ""},
		{"good-and-binary", []string{good, binary}, 1, []string{binary}, "SQLAG02"},
		{"empty", []string{empty}, 2, []string{empty, "empty"}, ""},
		// An empty file loses nothing: ignored, not a partial report.
		{"good-and-empty", []string{good, empty}, 0, []string{empty}, "SQLAG02"},
		{"symlink-loop", []string{loop}, 0, // a link is listed as ignored, not a lost log
			[]string{"symbolic link"}, "SQLAG02"},
		// A .xel header with a format version that was never verified.
		{"xel", []string{xel}, 2, []string{xel, "format version", "not supported"}, ""},
		{"good-and-xel", []string{good, xel}, 1, []string{"not supported"}, "SQLAG02"},
		{"truncated-gz", []string{truncGz}, 1, []string{truncGz, "unexpected EOF"}, "SQLAG02"},
		{"truncated-gz-utf16", []string{truncGz16}, 1, []string{truncGz16, "unexpected EOF"}, "SQLAG02"},
		{"zip-checksum", []string{badCRC}, 1, []string{badCRC + "/SQLAG02/ERRORLOG", "checksum"}, "SQLAG02"},
		{"not-gzip", []string{notGz}, 2, []string{notGz, "gzip"}, ""},
		{"not-zip", []string{notZip}, 2, []string{notZip, "zip"}, ""},
		{"directory-is-a-file", []string{good + "/ERRORLOG"}, 2, []string{good + "/ERRORLOG"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := agt(t, runOpts{}, tc.args...)
			r.expectCode(t, tc.code)
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
				}
			}
			if tc.reportFor == "" {
				if r.stdout != "" {
					t.Errorf("a report was written although nothing was readable:\n%s", clip(r.stdout))
				}
				return
			}
			if !strings.HasPrefix(r.stdout, "# Always On incident report") || !strings.Contains(r.stdout, tc.reportFor) {
				t.Errorf("no report for %s:\n%s", tc.reportFor, clip(r.stdout))
			}
			// Skipped and damaged inputs are listed in the report too.
			if tc.code == 1 && !strings.Contains(r.stdout, "### Skipped files") && !strings.Contains(r.stdout, "### Warnings") {
				t.Error("the report has neither a Skipped files nor a Warnings section")
			}
		})
	}

	t.Run("unreadable", func(t *testing.T) {
		// chmod 000 does not stop root, who runs these tests in CI; a read
		// error is what matters, and /proc/self/mem gives one (EIO at offset 0).
		path := filepath.Join(tmp, "secret.log")
		write("secret.log", mustRead(t, good))
		if os.Geteuid() != 0 {
			if err := os.Chmod(path, 0); err != nil {
				t.Fatal(err)
			}
		} else {
			path = "/proc/self/mem"
			if _, err := os.Stat(path); err != nil {
				t.Skip("running as root and no /proc/self/mem")
			}
		}
		r := agt(t, runOpts{}, good, path)
		r.expectCode(t, 1)
		if !strings.Contains(r.stderr, path) {
			t.Errorf("stderr does not name %s:\n%s", path, r.stderr)
		}
		if !strings.Contains(r.stdout, "SQLAG02") {
			t.Error("no report for the readable file")
		}
		r = agt(t, runOpts{}, path)
		r.expectCode(t, 2)
	})

	t.Run("real-xel", func(t *testing.T) {
		corpus := filepath.Join(testdata, "..", "..", "shared", "corpus", "xel_binary")
		files, _ := filepath.Glob(filepath.Join(corpus, "*.xel"))
		if len(files) == 0 {
			t.Skip("no .xel files in", corpus)
		}
		// Real AlwaysOn_health files are read natively.
		r := agt(t, runOpts{}, "-f", "json", files[0])
		r.expectCode(t, 0)
		var rep struct {
			Inputs []struct {
				Format string
				Events int
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Inputs) != 1 || rep.Inputs[0].Format != "xel" || rep.Inputs[0].Events == 0 {
			t.Errorf("report %v %+v, stderr:\n%s", err, rep, r.stderr)
		}
	})

	t.Run("damaged", func(t *testing.T) {
		// A file read with warnings: report written, exit 1, warning with file:line.
		path := filepath.Join(testdata, "errorlog", "damaged.utf8.log")
		if _, err := os.Stat(path); err != nil {
			t.Skip(err)
		}
		r := agt(t, runOpts{}, path)
		r.expectCode(t, 1)
		if !regexp.MustCompile(regexp.QuoteMeta(path) + `:\d+`).MatchString(r.stderr) {
			t.Errorf("the warning does not name file:line:\n%s", r.stderr)
		}
		if !strings.HasPrefix(r.stdout, "# Always On incident report") {
			t.Error("no report")
		}
		q := agt(t, runOpts{}, "-q", path)
		q.expectCode(t, 1)
		if q.stderr != "" {
			t.Errorf("-q printed warnings:\n%s", q.stderr)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameReplica reports whether the report's replica name got is the expected
// name want or the instance of host want.
func sameReplica(got, want string) bool {
	host, _, _ := strings.Cut(got, `\`)
	return strings.EqualFold(got, want) || strings.EqualFold(host, want)
}
