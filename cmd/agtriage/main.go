// Command agtriage analyzes the logs of SQL Server Always On availability group
// replicas (ERRORLOG files, AlwaysOn_health .xel files or XML exports, WSFC
// cluster logs) and writes a report of the incidents they show: root cause,
// evidence, fix and timeline.
//
// Usage:
//
//	agtriage [flags] PATH...
//
// Run agtriage -h for the flags and examples.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/agtriage/agtriage/analyzer"
	"github.com/agtriage/agtriage/analyzer/htmlreport"
	"github.com/agtriage/agtriage/analyzer/jsonreport"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/redact"
	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// Exit codes.
const (
	exitOK      = 0 // report written, every input read
	exitPartial = 1 // report written, some inputs skipped or partly unreadable
	exitUsage   = 2 // usage error, or nothing readable
)

const usageText = `agtriage explains SQL Server Always On availability group incidents from the
logs of every replica: ERRORLOG files (UTF-16 or 8-bit, or exported from SSMS,
xp_readerrorlog or dbatools), AlwaysOn_health, system_health and SQLDIAG Extended
Events (.xel files or XML exports), WSFC cluster.log files and Windows event logs
(.evtx or XML exports), as they are or inside SQL LogScout, PSSDiag and SDP/TSS
collections.
It reads files, folders (recursively), .zip, .tar, .tar.gz and .tar.bz2 archives
and .gz and .bz2 files, detects each file's format from its content, and writes
a Markdown report (or HTML, JSON: -f, or the extension of -o).

Usage:
  agtriage [flags] PATH...

Examples:
  agtriage bundle/                            report for every replica folder in bundle/
  agtriage -o report.md incident.zip          read a zipped support bundle in place
  agtriage -o report.html bundle/             one self-contained HTML page with the timeline picture
  agtriage --since "2024-03-12 01:00" --until "2024-03-12 06:00" --tz Europe/Paris logs/
  agtriage --utc-offset SQLAG02=+02:00 --server SQLAG03=logs/dr logs/
  agtriage -f json logs/ | jq '.incidents[].root_cause'
  agtriage -f events ERRORLOG                 one JSON object per event (debugging view)
  agtriage --redact -o ticket.md logs/        pseudonymize hosts, IPs and logins

Flags:
`

type config struct {
	output, format, since, until, tz, ag string
	utcOffsets, servers                  []string
	redact, quiet, version, rules        bool
}

func main() {
	if os.Getenv("GOGC") == "" {
		// What a large bundle keeps (a summary per file, the AG events) is
		// small next to what reading it allocates and drops: collecting at
		// 50% growth instead of 100% keeps the peak near the live data
		// (50,000 small files: 200 -> 140 MB) for a few percent of CPU.
		debug.SetGCPercent(50)
		tuneGC = true
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC is set when main chose the collector's pace (GOGC unset), so
// that run may adapt it to the number of files.
var tuneGC bool

// manyFiles is the number of input files from which the collector runs at
// 25% growth. Each file is read with buffers its worker reuses, so reading
// allocates little more than what stays live to the end: the file's line in
// the report, its summary and its name, about 550 bytes a file. Collecting
// more often then costs little: a 100,000-entry zip peaks at 95-100 MB
// instead of 108-110 MB for 15% more CPU (measured 2026-12-01).
const manyFiles = 10000

func run(args []string, stdout, stderr io.Writer) (code int) {
	var c config
	fs := pflag.NewFlagSet("agtriage", pflag.ContinueOnError)
	// -h/--help is asked for: print it on standard output (GNU style, so that
	// "agtriage -h | less" works). pflag writes nothing else to this output:
	// with ContinueOnError it returns parse errors, which run prints on stderr.
	fs.SetOutput(stdout)
	fs.StringVarP(&c.output, "output", "o", "", "write the report to `FILE` (default: standard output)")
	fs.StringVarP(&c.format, "format", "f", "", "output `FORMAT`: markdown (default), html, json or events; without -f, the extension of -o chooses (.md, .html, .json, .jsonl)")
	fs.StringVar(&c.since, "since", "", "ignore events before `TIME` (RFC 3339 or \"2006-01-02 15:04\", UTC unless a zone is given)")
	fs.StringVar(&c.until, "until", "", "ignore events after `TIME`")
	fs.StringVar(&c.tz, "tz", "", "also show times in `ZONE` (e.g. America/New_York)")
	fs.StringArrayVar(&c.utcOffsets, "utc-offset", nil, "set a server's UTC offset, `SERVER=±hh:mm` (repeatable)")
	fs.StringArrayVar(&c.servers, "server", nil, "attribute the files under PATH to a server, `NAME=PATH` (repeatable)")
	fs.StringVar(&c.ag, "ag", "", "only this availability `GROUP`")
	fs.BoolVar(&c.redact, "redact", false, "replace host names, IP addresses, logins and instance names by pseudonyms")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress or warnings on standard error")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.BoolVar(&c.rules, "rules", false, "describe the rules: what each detects, which messages it reads, the fix")
	fs.Usage = func() {
		fmt.Fprint(stdout, usageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "agtriage: %v (agtriage -h for help)\n", err)
		return exitUsage
	}
	if c.version {
		fmt.Fprintln(stdout, "agtriage", analyzer.Version)
		return exitOK
	}
	if c.rules {
		for _, r := range analyzer.Rules {
			fmt.Fprintf(stdout, "%s (%s)\n", r.Name, r.Category)
			for _, line := range strings.Split(r.Doc, "\n") {
				fmt.Fprintf(stdout, "    %s\n", line)
			}
			fmt.Fprintln(stdout)
		}
		return exitOK
	}
	paths := fs.Args()
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "agtriage: no input: give the ERRORLOG files, XEvent XML exports or folders to read (agtriage -h for help)")
		return exitUsage
	}
	opt, tz, err := options(&c)
	if err != nil {
		fmt.Fprintln(stderr, "agtriage:", err)
		return exitUsage
	}
	if !fs.Changed("format") {
		c.format = formatOf(c.output)
	}
	if c.format != "markdown" && c.format != "html" && c.format != "json" && c.format != "events" {
		fmt.Fprintf(stderr, "agtriage: unknown format %q: use markdown, html, json or events\n", c.format)
		return exitUsage
	}

	out := stdout
	if c.output != "" && c.output != "-" {
		// The file is created when the report is written, so that a run that
		// reads nothing does not truncate the report of an earlier run.
		if st, err := os.Stat(filepath.Dir(c.output)); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "agtriage: cannot write the report to %s: no folder %s\n", c.output, filepath.Dir(c.output))
			return exitUsage
		}
		lf := &lazyFile{name: c.output}
		defer func() {
			if code != exitUsage {
				if err := lf.close(); err != nil {
					fmt.Fprintf(stderr, "agtriage: cannot write the report: %v\n", err)
					code = exitUsage
				}
			} else if lf.f != nil {
				lf.f.Close()
			}
		}()
		out = lf
	}
	bw := bufio.NewWriterSize(out, 64*1024)
	defer bw.Flush()

	files, skipped := analyzer.Collect(paths)
	if tuneGC && len(files) >= manyFiles {
		debug.SetGCPercent(25)
	}
	if err := checkServerPaths(opt.Servers, files); err != nil {
		fmt.Fprintln(stderr, "agtriage:", err)
		return exitUsage
	}
	var optWarnings []string
	if !c.quiet && isTerminal(stderr) {
		opt.Progress = progressPrinter(stderr, files)
	}
	var inputs []report.Input
	if c.format == "events" {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		emit := func(ev *parsers.Event) error { return enc.Encode(ev) }
		if c.redact {
			// Two passes learn every name (the second the unquoted
			// DOMAIN\name of the domains the first found), the third
			// prints the events redacted; standard input is kept for them.
			files = replayStdin(files)
			red := redact.NewEvents(redact.Options{Roots: paths})
			quiet := opt
			quiet.Progress = nil
			if _, err = analyzer.Events(files, quiet, func(ev *parsers.Event) error { red.Learn(ev); return nil }); err == nil {
				_, err = analyzer.Events(files, quiet, func(ev *parsers.Event) error { red.LearnUnquoted(ev); return nil })
			}
			if err != nil {
				fmt.Fprintln(stderr, "agtriage:", err)
				return exitUsage
			}
			emit = func(ev *parsers.Event) error { return enc.Encode(red.Redact(ev)) }
		}
		opt.Skipped = skipped
		inputs, err = analyzer.Events(files, opt, emit)
		optWarnings = analyzer.UnmatchedOptions(opt, nil, inputs)
		if err != nil {
			fmt.Fprintln(stderr, "agtriage:", err)
			return exitUsage
		}
	} else {
		opt.Skipped = skipped // listed first, without copying the inputs read
		rep, err := analyzer.Analyze(files, opt)
		if rep != nil {
			inputs = rep.Inputs
		}
		if err != nil {
			reportInputs(stderr, inputs, c.quiet)
			fmt.Fprintf(stderr, "agtriage: %v\n", err)
			return exitUsage
		}
		optWarnings = analyzer.UnmatchedOptions(opt, rep.Servers, rep.Inputs)
		rep.Warnings = append(rep.Warnings, optWarnings...)
		if c.redact {
			rep = redact.Report(rep, redact.Options{Roots: paths})
		}
		switch c.format {
		case "json":
			err = jsonreport.Write(bw, rep)
		case "html":
			err = htmlreport.Write(bw, rep, htmlreport.Options{TZ: tz})
		default:
			err = mdreport.Write(bw, rep, mdreport.Options{TZ: tz})
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			fmt.Fprintf(stderr, "agtriage: writing the report: %v\n", err)
			return exitUsage
		}
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "agtriage: writing the output: %v\n", err)
		return exitUsage
	}
	code = reportInputs(stderr, inputs, c.quiet)
	for _, w := range optWarnings {
		if !c.quiet {
			fmt.Fprintln(stderr, "agtriage:", w)
		}
		code = max(code, exitPartial)
	}
	return code
}

// replayStdin makes standard input readable more than once (the passes of
// -f events --redact): its bytes are kept the first time it is read.
func replayStdin(files []analyzer.File) []analyzer.File {
	out := append([]analyzer.File(nil), files...)
	for i, f := range out {
		if f.Root != "-" {
			continue
		}
		open := f.Open
		var kept []byte
		read := false
		out[i].Open = func() (io.ReadCloser, error) {
			if !read {
				rc, err := open()
				if err != nil {
					return nil, err
				}
				kept, err = io.ReadAll(rc)
				rc.Close()
				if err != nil {
					return nil, err
				}
				read = true
			}
			return io.NopCloser(bytes.NewReader(kept)), nil
		}
	}
	return out
}

// checkServerPaths refuses a --server path that neither exists nor names a
// member of an archive among the inputs: a typo would otherwise leave files
// attributed to the wrong server without a word.
func checkServerPaths(overrides []analyzer.ServerOverride, files []analyzer.File) error {
	for _, o := range overrides {
		if _, err := os.Stat(o.Path); err == nil {
			continue
		}
		p := filepath.ToSlash(filepath.Clean(o.Path))
		found := false
		for _, f := range files {
			n := filepath.ToSlash(filepath.Clean(f.Name))
			if n == p || strings.HasPrefix(n, p+"/") {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("--server %s=%s: no such file or folder (nor a member of an archive among the inputs)", o.Name, o.Path)
		}
	}
	return nil
}

// formatOf is the format an output file's extension asks for; markdown for
// standard output and unknown extensions.
func formatOf(output string) string {
	switch strings.ToLower(filepath.Ext(output)) {
	case ".html", ".htm":
		return "html"
	case ".json":
		return "json"
	case ".jsonl", ".ndjson":
		return "events"
	}
	return "markdown"
}

// reportInputs lists skipped and damaged inputs on stderr and returns the exit code.
func reportInputs(stderr io.Writer, inputs []report.Input, quiet bool) int {
	code, read := exitOK, 0
	for _, in := range inputs {
		switch {
		case in.Ignored:
			if !quiet {
				fmt.Fprintf(stderr, "agtriage: ignored %s: %s\n", in.File, in.Skipped)
			}
		case in.Skipped != "":
			code = exitPartial
			if !quiet {
				fmt.Fprintf(stderr, "agtriage: skipped %s: %s\n", in.File, in.Skipped)
			}
		case in.TotalWarnings > 0 || in.SkippedBytes > 0 || len(in.Warnings) > 0:
			read++
			code = exitPartial
			if !quiet {
				fmt.Fprintf(stderr, "agtriage: %s was read with %d warning(s)", in.File, max(in.TotalWarnings, len(in.Warnings)))
				if len(in.Warnings) > 0 {
					fmt.Fprintf(stderr, ", first: %s", in.Warnings[0])
				}
				fmt.Fprintln(stderr)
			}
		default:
			read++
		}
	}
	if read == 0 {
		return exitUsage
	}
	return code
}

func options(c *config) (analyzer.Options, *time.Location, error) {
	var opt analyzer.Options
	var err error
	var tz *time.Location
	if c.tz != "" {
		if tz, err = time.LoadLocation(c.tz); err != nil {
			return opt, nil, fmt.Errorf("--tz %q: unknown time zone (use an IANA name such as Europe/Paris)", c.tz)
		}
	}
	if opt.Since, err = parseTime(c.since); err != nil {
		return opt, nil, fmt.Errorf("--since: %w", err)
	}
	if opt.Until, err = parseTime(c.until); err != nil {
		return opt, nil, fmt.Errorf("--until: %w", err)
	}
	for _, s := range c.utcOffsets {
		name, val, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return opt, nil, fmt.Errorf("--utc-offset %q: want SERVER=±hh:mm", s)
		}
		d, ok := parsers.ParseUTCAdjustment(val)
		if !ok {
			return opt, nil, fmt.Errorf("--utc-offset %q: %q is not an offset like +02:00 or -07:00", s, val)
		}
		if opt.UTCOffsets == nil {
			opt.UTCOffsets = map[string]time.Duration{}
		}
		opt.UTCOffsets[name] = d
	}
	for _, s := range c.servers {
		name, path, ok := strings.Cut(s, "=")
		if !ok || name == "" || path == "" {
			return opt, nil, fmt.Errorf("--server %q: want NAME=PATH", s)
		}
		opt.Servers = append(opt.Servers, analyzer.ServerOverride{Name: name, Path: path})
	}
	if !opt.Since.IsZero() && !opt.Until.IsZero() && opt.Since.After(opt.Until) {
		return opt, nil, fmt.Errorf("--since %s is after --until %s", c.since, c.until)
	}
	opt.AG = c.ag
	return opt, tz, nil
}

// lazyFile creates the file name on the first write (or on close when
// nothing was written).
type lazyFile struct {
	name string
	f    *os.File
	err  error
}

func (l *lazyFile) open() error {
	if l.f == nil && l.err == nil {
		l.f, l.err = os.Create(l.name)
	}
	return l.err
}

func (l *lazyFile) Write(p []byte) (int, error) {
	if err := l.open(); err != nil {
		return 0, err
	}
	return l.f.Write(p)
}

func (l *lazyFile) close() error {
	if err := l.open(); err != nil {
		return err
	}
	return l.f.Close()
}

// parseTime accepts RFC 3339 or "2006-01-02 15:04[:05]" (UTC).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2024-03-12T02:00:00Z) or \"2024-03-12 02:00\"", s)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressPrinter returns a callback that shows files done, MB read and rate.
func progressPrinter(w io.Writer, files []analyzer.File) func(done int, bytes int64) {
	start := time.Now()
	return func(done int, bytes int64) {
		secs := time.Since(start).Seconds()
		rate := 0.0
		if secs > 0 {
			rate = float64(bytes) / 1e6 / secs
		}
		fmt.Fprintf(w, "\ragtriage: %d/%d files, %.1f MB read, %.0f MB/s ", done, len(files), float64(bytes)/1e6, rate)
		if done == len(files) {
			fmt.Fprintln(w)
		}
	}
}
