package inputs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
	"github.com/agtriage/agtriage/parsers/errorlog"
)

// readers maps each readable format to its reader; see readers.go.
var readers = map[parsers.Format]func(r io.Reader, file string) parsers.Reader{}

// skipReasons explains formats that are recognized but not read.
var skipReasons = map[parsers.Format]string{
	parsers.FormatBinary:   "binary data, not a log",
	parsers.FormatEmpty:    "empty file",
	parsers.FormatText:     "text, but not an ERRORLOG, an XEvent export or a cluster log",
	parsers.FormatAgentLog: reasonAgent,
}

// openInput opens f and detects its format from its first bytes. The
// returned reader holds those bytes still unread. sc, when not nil, lends
// its buffered reader.
func openInput(f File, sc *scratch) (io.ReadCloser, *bufio.Reader, parsers.Format, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, "", errors.New("cannot open: " + describeOpenError(err))
	}
	var br *bufio.Reader
	switch {
	case sc != nil && sc.br != nil:
		br = sc.br
		br.Reset(rc)
	case sc != nil:
		// One 64 KiB buffer for all the files a worker reads.
		sc.br = bufio.NewReaderSize(rc, 64*1024)
		br = sc.br
	default:
		// 64 KiB, less for small files (a folder of 50,000 tiny files
		// should not allocate 3 GB of buffers); the text decoder reuses
		// this reader.
		size := 64 * 1024
		if f.Size > 0 && f.Size < int64(size) {
			// The whole file fits: Peek sees its end before the buffer
			// is full. 4 KiB at least, which the text decoder reuses.
			size = max(int(f.Size)+16, 4096)
		}
		br = bufio.NewReaderSize(rc, size)
	}
	head, err := br.Peek(parsers.SniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) && len(head) == 0 {
		rc.Close()
		return nil, nil, "", errors.New("cannot read: " + describeOpenError(err))
	}
	// A read error after some bytes (a truncated .gz) reaches the reader,
	// which keeps what came before and reports the error.
	return rc, br, parsers.Detect(head), nil
}

// scratch is what one of Read's workers reuses from file to file: a
// buffered reader and an ERRORLOG reader with their buffers. A bundle of
// 100,000 one-line logs would otherwise allocate and drop 10 KB or more per
// file, which the collector has to keep up with.
type scratch struct {
	br       *bufio.Reader
	errorlog *errorlog.Reader
}

// reader returns the reader of format for src, reusing the worker's
// ERRORLOG reader.
func (sc *scratch) reader(format parsers.Format, src io.Reader, file string) parsers.Reader {
	if format != parsers.FormatErrorlog || sc == nil {
		return readers[format](src, file)
	}
	if sc.errorlog == nil {
		sc.errorlog = readers[format](src, file).(*errorlog.Reader)
	} else {
		sc.errorlog.Reset(src, file)
	}
	return sc.errorlog
}

// Result is what reading one File produced.
type Result struct {
	// Input is the file's line in the report: format, counts, warnings, or
	// why it was not read. It points into the slice Read returns beside the
	// results, which can become the report's Inputs as it is. Read sets
	// its Start and End to the file's first and last records on the file's
	// own clock (Summary.Clock); the analysis puts them on UTC.
	Input *report.Input
	// Summary is what the analysis needs of the file's statistics; zero
	// when the file could not be read (Read).
	Summary Summary
	// Events are the AG-relevant events (every event for a file Read was
	// asked to keep whole), storms folded.
	Events []*parsers.Event
	// Settings are the AG settings of a collector's configuration file
	// (see MergeSettings), nil for the others.
	Settings *[]Setting
}

// Format returns the detected format, as the report's line of the file
// names it, except that an exported ERRORLOG reads as
// parsers.FormatErrorlog.
func (r *Result) Format() parsers.Format {
	f := parsers.Format(r.Input.Format)
	if parsers.IsErrorlogExport(f) {
		return parsers.FormatErrorlog
	}
	return f
}

// Read reports whether the file was read; when it was not, Input.Skipped
// says why.
func (r *Result) Read() bool { return r.Summary.Read }

// Summary is what the analysis needs of a read file's statistics
// (parsers.FileStats) beyond the counts and times the file's
// report.Input holds: 32 bytes a file instead of 250, which counts when a
// bundle has 100,000 files.
type Summary struct {
	// Server is the server the file names itself (ERRORLOG "Server name is", an
	// XEvent server_name), "" when it does not.
	Server string
	// UTCOffset is local minus UTC, when the file says (HasUTCOffset).
	UTCOffset time.Duration
	// Clock says whether its times are UTC or local.
	Clock        parsers.Clock
	HasUTCOffset bool
	ClockAssumed bool // times taken as UTC without the file saying so
	// Read is true when the file was read.
	Read bool
}

// stormKinds are the kinds whose events can repeat every few seconds for
// days (an application with a wrong password, a replica retrying its
// endpoint): past the first foldAfter of a kind, text and fields in a file,
// the analyzer folds further identical events into one that counts them
// (Event.Repeats, Event.LastTime), so memory stays flat in the input size
// while counts and time ranges stay exact.
var stormKinds = map[parsers.Kind]bool{
	parsers.KindLoginFailed:       true,
	parsers.KindHandshakeFailure:  true,
	parsers.KindConnectionTimeout: true,
	parsers.KindConnectionError:   true,
	parsers.KindSyncState:         true,
	parsers.KindRedoBlocked:       true,
	parsers.KindEndpointState:     true,
	// Windows event logs: NIC flaps, storage resets and crash-looping
	// services repeat for days; boots and shutdowns in a long System log.
	parsers.KindNetworkDown:  true,
	parsers.KindStorageIssue: true,
	parsers.KindServiceCrash: true,
	parsers.KindOSStart:      true,
	parsers.KindOSShutdown:   true,
	parsers.KindOSCrash:      true,
}

const (
	foldAfter  = 50               // events of one storm kept whole
	foldGap    = 10 * time.Minute // a longer pause ends a folded run...
	kindBudget = 5000             // ...until a kind has this many events kept in a file
	foldKeys   = 2000             // distinct storms tracked per file; the rest share one
)

// folder folds the storms of one file. Memory is bounded by kindBudget
// events per storm kind plus one run per storm: past the budget, runs are no
// longer split at pauses.
type folder struct {
	kept    map[string]int
	perKind map[parsers.Kind]int      // events kept (whole or runs) per kind
	runs    map[string]*parsers.Event // the open folded run of each storm
	out     *[]*parsers.Event
	// notKept counts the events folded away.
	notKept int
}

func stormKey(ev *parsers.Event) string {
	// Built in a stack buffer, without fmt: every storm event of a file
	// needs its key. The message's digits become '#' (parsers.MessageShape).
	var buf [256]byte
	b := append(buf[:0], ev.Kind...)
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(ev.Error), 10)
	for _, s := range [...]string{ev.Login, ev.Client, ev.Replica, ev.Database} {
		b = append(b, '|')
		b = append(b, s...)
	}
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(ev.HandshakeState), 10)
	b = append(b, '|')
	for i := 0; i < len(ev.Message); i++ {
		c := ev.Message[i]
		if c >= '0' && c <= '9' {
			c = '#'
		}
		b = append(b, c)
	}
	return string(b)
}

// add keeps ev, or folds it into the run of its storm. It reports whether ev
// itself must be kept.
func (f *folder) add(ev *parsers.Event) bool {
	if !stormKinds[ev.Kind] {
		return true
	}
	if f.kept == nil {
		// Made at the first storm event: most files of a large bundle
		// have none.
		f.kept, f.perKind, f.runs = map[string]int{}, map[parsers.Kind]int{}, map[string]*parsers.Event{}
	}
	k := stormKey(ev)
	n, seen := f.kept[k]
	if !seen && len(f.kept) >= foldKeys {
		k = string(ev.Kind) + "|other storms" // pathological variety: one run for the rest
		n = f.kept[k]
	}
	budget := f.perKind[ev.Kind] < kindBudget
	if n < foldAfter && budget {
		f.kept[k] = n + 1
		f.perKind[ev.Kind]++
		return true
	}
	run := f.runs[k]
	if run != nil && budget && ev.Time.Sub(run.Until()) > foldGap {
		*f.out = append(*f.out, run)
		run = nil
	}
	if run == nil {
		cp := *ev
		cp.Fields = slices.Clip(slices.Clone(ev.Fields))
		cp.LastTime = ev.Time
		f.runs[k] = &cp
		f.perKind[ev.Kind]++
		if _, ok := f.kept[k]; !ok {
			f.kept[k] = foldAfter
		}
		return false
	}
	run.Repeats++
	if ev.Time.After(run.LastTime) {
		run.LastTime = ev.Time
	}
	f.notKept++
	return false
}

// flush appends the open runs.
func (f *folder) flush() {
	for _, run := range f.runs {
		*f.out = append(*f.out, run)
	}
	clear(f.runs)
}

// relevant reports whether the analyzer keeps ev: everything that has a kind
// other than a plain message. Plain messages are only counted.
func relevant(ev *parsers.Event) bool {
	return ev.Kind != parsers.KindMessage && ev.Kind != ""
}

// Read reads files with up to workers goroutines (0 = number of CPUs) and
// returns the results in input order, with the report's lines: skipped
// first (Collect's inputs that could not be opened), then each file's
// (Result.Input points into that slice). For the files keepAll approves
// every event is kept; otherwise only the AG-relevant ones, storms folded.
// progress, when set, is called after each file with the number of files
// done and the bytes read so far (never concurrently).
func Read(files []File, skipped []report.Input, workers int, keepAll func(File) bool, progress func(int, int64)) ([]Result, []report.Input) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]Result, len(files))
	all := make([]report.Input, len(skipped)+len(files))
	copy(all, skipped)
	ins := all[len(skipped):]
	var wg sync.WaitGroup
	var mu sync.Mutex
	done, bytes := 0, int64(0)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := new(scratch)
			for i := range next {
				results[i] = readFile(files[i], keepAll != nil && keepAll(files[i]), &ins[i], sc)
				if progress != nil {
					mu.Lock()
					done++
					bytes += results[i].Input.Bytes
					progress(done, bytes)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, all
}

// readFile detects the format of f and streams its events.
// sc, when not nil, lends the worker's buffers.
func readFile(f File, keepAll bool, in *report.Input, sc *scratch) (res Result) {
	res.Input = in
	*res.Input = report.Input{File: f.Name, Bytes: f.Size}
	defer func() {
		// A reader must never panic; if one does, the file is reported and the
		// analysis goes on.
		if p := recover(); p != nil {
			res.Input.Skipped = fmt.Sprintf("internal error while reading (please report): %v", p)
			res.Summary, res.Events = Summary{}, nil
			res.Input.Start, res.Input.End = time.Time{}, time.Time{}
		}
	}()
	rule, _ := classifyFile(f.Name) // the collector's role of the file, once
	if skip, ok := rule.skip(f.Name); ok {
		skip.Bytes = f.Size
		*res.Input = skip // a collector's non-log file (collectors.go)
		return res
	}
	if reason, ok := rule.settings(); ok {
		*res.Input = report.Input{File: f.Name, Format: "settings", Bytes: f.Size, Skipped: reason, Ignored: true}
		rows, err := readSettings(f) // settings.go
		if len(rows) > 0 {
			res.Settings = &rows
		}
		switch {
		case err != nil:
			res.Input.Skipped += "; AG settings could not be read: " + err.Error()
		case len(rows) > 0:
			res.Input.Skipped += fmt.Sprintf("; %d AG setting values read", len(rows))
		}
		return res
	}
	rc, br, format, err := openInput(f, sc)
	if err != nil {
		res.Input.Skipped = err.Error()
		return res
	}
	defer rc.Close()
	headTail := rule != nil && rule.HeadTail
	res.Input.Format = string(format)
	_, ok := readers[format]
	if !ok {
		reason := skipReasons[format]
		if format == parsers.FormatTable {
			head, _ := br.Peek(parsers.SniffLen)
			reason = parsers.DescribeTable(head)
		}
		if reason == "" {
			reason = "unknown format"
		}
		if r := nestedArchive(f.Name, format); r != "" {
			reason = r
		}
		res.Input.Skipped = reason
		res.Input.Ignored = format == parsers.FormatText || format == parsers.FormatEmpty || format == parsers.FormatAgentLog
		return res
	}
	var r parsers.Reader
	if big := newReaderAt(format, rc, f.Size, f.Name); big != nil {
		r = big // a large regular file, read in chunks at offsets
	} else {
		r = sc.reader(format, br, f.Name)
	}
	fold := &folder{out: &res.Events}
	fatal := ""
	window := &timeWindow{file: f.Name}
	for ev, err := range r.Events() {
		if err != nil {
			var w *parsers.Warning
			if errors.As(err, &w) {
				continue // already recorded in the stats
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, f.Name) {
				msg = f.Name + ": " + msg
			}
			fatal = msg
			res.Input.Warnings = append(res.Input.Warnings, msg+" (reading stopped here)")
			break
		}
		if headTail {
			noteHeadTail(res.Input, ev)
		}
		if !window.keep(ev) {
			continue
		}
		if !keepAll && relevant(ev) && !fold.add(ev) {
			continue
		}
		if keepAll || relevant(ev) {
			// Copy: a reader may allocate events in blocks, and keeping one
			// pointer would keep its whole block alive.
			cp := *ev
			cp.Fields = slices.Clip(slices.Clone(ev.Fields)) // fields may live in a block too
			if !relevant(ev) {
				cp.Message = strings.Clone(ev.Message) // a reader may reuse the text of plain messages (errorlog.Reader.Reuse)
			}
			res.Events = append(res.Events, &cp)
		}
	}
	fold.flush()
	res.Input.NotKept = fold.notKept
	// A summary: the reader's own stats would keep the whole reader (its
	// line buffer, its event block) alive as long as the result.
	st := r.Stats()
	window.fix(st)
	res.Summary = Summary{Server: st.Server, Clock: st.Clock, UTCOffset: st.UTCOffset,
		HasUTCOffset: st.HasUTCOffset, ClockAssumed: st.ClockAssumed, Read: true}
	res.Input.Start, res.Input.End = st.First, st.Last // on the file's clock, see Result.Input
	if fatal != "" && st.Events == 0 {
		// Nothing could be read (an unsupported .xel version, a file that is
		// not XML after all): the file is skipped, not counted as read.
		res.Input.Skipped = fatal
		res.Input.Warnings = nil
		res.Summary, res.Events = Summary{}, nil
		res.Input.Start, res.Input.End = time.Time{}, time.Time{}
		return res
	}
	if format == parsers.FormatErrorlog && st.Events == 0 && st.Unrecognized > 0 {
		// Lines that start like ERRORLOG records but none could be read:
		// never analyze such a file as a log without events.
		first := ""
		if len(st.Warnings) > 0 {
			first = " (first problem: " + st.Warnings[0].Error() + ")"
		}
		res.Input.Skipped = fmt.Sprintf("text that starts like an ERRORLOG, but none of its %d lines could be read as a record%s", st.Lines, first)
		res.Input.Warnings = nil
		res.Summary, res.Events = Summary{}, nil
		res.Input.Start, res.Input.End = time.Time{}, time.Time{}
		return res
	}
	res.Input.Encoding = st.Encoding
	if st.Bytes > 0 {
		res.Input.Bytes = st.Bytes
	}
	res.Input.Lines = st.Lines
	res.Input.Events = st.Events
	res.Input.Unrecognized = st.Unrecognized
	res.Input.SkippedBytes = st.SkippedBytes
	res.Input.TotalWarnings = st.TotalWarnings
	res.Input.MissingZone = st.MissingZone
	for _, w := range st.Warnings {
		res.Input.Warnings = append(res.Input.Warnings, w.Error())
	}
	res.Input.Warnings = append(res.Input.Warnings, window.warnings...)
	return res
}

// Stream reads f and calls fn for each of its events, unfolded and
// unfiltered but for the time window Read applies. It reports no reading
// problem: Read, the first pass, did.
func Stream(f File, fn func(*parsers.Event) error) error {
	rc, br, format, err := openInput(f, nil)
	if err != nil {
		return nil
	}
	defer rc.Close()
	newReader, ok := readers[format]
	if !ok {
		return nil
	}
	window := &timeWindow{file: f.Name}
	for ev, err := range newReader(br, f.Name).Events() {
		if err != nil {
			continue // warnings and a fatal error were counted in the first pass
		}
		if !window.keep(ev) {
			continue // counted in the first pass
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return nil
}
