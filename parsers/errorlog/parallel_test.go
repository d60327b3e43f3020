package errorlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/agtriage/agtriage/parsers"
)

// trace is everything a reader yields, in order, and its final statistics.
type trace struct {
	out     []any // parsers.Event, parsers.Warning or an error's text
	stats   parsers.FileStats
	skipped int
}

func readTrace(r *Reader) trace {
	var tr trace
	for ev, err := range r.Events() {
		var w *parsers.Warning
		switch {
		case ev != nil:
			cp := *ev
			cp.Fields = slices.Clone(ev.Fields)
			cp.Message = strings.Clone(ev.Message) // see Reader.Reuse
			tr.out = append(tr.out, cp)
		case errors.As(err, &w):
			tr.out = append(tr.out, *w)
		default:
			tr.out = append(tr.out, err.Error())
		}
	}
	tr.stats, tr.skipped = *r.Stats(), r.SkippedLines()
	return tr
}

// readOpts are the reader settings a differential run uses.
type readOpts struct {
	maxLine int
	reuse   bool
	first   int64 // least cut offset; 0 means firstCut
}

func sequentialTrace(data []byte, o readOpts) trace {
	r := NewReader(bytes.NewReader(data), "big/ERRORLOG")
	r.MaxLineBytes, r.Reuse = o.maxLine, o.reuse
	return readTrace(r)
}

func parallelTrace(data []byte, cuts []int64, o readOpts) trace {
	r := NewReaderAt(bytes.NewReader(data), int64(len(data)), "big/ERRORLOG")
	r.MaxLineBytes, r.Reuse, r.Workers = o.maxLine, o.reuse, 2
	r.par.min, r.par.cuts = 0, cuts
	if o.first > 0 {
		r.par.first = o.first
	}
	return readTrace(r)
}

// diffTrace describes the first difference between two traces, or "".
func diffTrace(seq, par trace) string {
	for i := range min(len(seq.out), len(par.out)) {
		if !reflect.DeepEqual(seq.out[i], par.out[i]) {
			return fmt.Sprintf("item %d:\n sequential %+v\n parallel   %+v", i, seq.out[i], par.out[i])
		}
	}
	if len(seq.out) != len(par.out) {
		return fmt.Sprintf("%d items sequentially, %d in parallel", len(seq.out), len(par.out))
	}
	if !reflect.DeepEqual(seq.stats, par.stats) {
		return fmt.Sprintf("stats:\n sequential %+v\n parallel   %+v", seq.stats, par.stats)
	}
	if seq.skipped != par.skipped {
		return fmt.Sprintf("skipped lines %d sequentially, %d in parallel", seq.skipped, par.skipped)
	}
	return ""
}

// checkCuts reads data sequentially once and in parallel with each cut list.
func checkCuts(t *testing.T, name string, data []byte, o readOpts, cutLists [][]int64) {
	t.Helper()
	seq := sequentialTrace(data, o)
	if len(seq.out) == 0 {
		t.Fatalf("%s: nothing read", name)
	}
	// Reuse classifies unmatched lines in place: the same result.
	other := o
	other.reuse = !o.reuse
	if d := diffTrace(seq, sequentialTrace(data, other)); d != "" {
		t.Fatalf("%s: sequential with reuse %v and %v differ: %s", name, o.reuse, other.reuse, d)
	}
	for _, cuts := range cutLists {
		if d := diffTrace(seq, parallelTrace(data, cuts, o)); d != "" {
			t.Fatalf("%s (max %d, reuse %v), cuts %v: %s", name, o.maxLine, o.reuse, cuts, d)
		}
	}
}

// encode writes text as UTF-16LE with a BOM, UTF-16BE with a BOM, or UTF-8.
// In text, \uFFFE stands for a lone high surrogate (not valid in Go strings).
func encode(text string, enc parsers.Encoding) []byte {
	if enc != parsers.UTF16LE && enc != parsers.UTF16BE {
		return []byte(text)
	}
	var units []uint16
	for _, r := range text {
		if r == 0xFFFE {
			units = append(units, 0xD83D)
			continue
		}
		units = append(units, utf16.Encode([]rune{r})...)
	}
	out := []byte{0xFF, 0xFE}
	if enc == parsers.UTF16BE {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range units {
		if enc == parsers.UTF16BE {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// awkwardLog returns an ERRORLOG of about 200 KB: a startup head (with or
// without its UTC adjustment), 150 KB of ordinary records, a region with
// every construct a chunk boundary must respect, and ordinary records after
// it. It returns the text and the region's byte range.
func awkwardLog(enc parsers.Encoding, utcAdjust bool) ([]byte, int, int) {
	var b strings.Builder
	b.WriteString("2024-03-10 01:00:00.00 Server      Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) \r\n\tJul 27 2023 21:58:01 \r\n\r\n")
	if utcAdjust {
		b.WriteString("2024-03-10 01:00:00.01 Server      UTC adjustment: -7:00\r\n")
	}
	noise := func(n, base int) {
		for i := range n {
			sec := base + i
			stamp := fmt.Sprintf("2024-03-10 %02d:%02d:%02d.%02d", 1+sec/3600%20, sec/60%60, sec%60, i%100)
			switch i % 9 {
			case 2:
				fmt.Fprintf(&b, "%s Logon       Error: 18456, Severity: 14, State: 8.\r\n", stamp)
				fmt.Fprintf(&b, "%s Logon       Login failed for user 'app%d'. Reason: Password did not match that for the login provided. [CLIENT: 10.0.0.%d]\r\n", stamp, i%7, i%250)
			case 5:
				fmt.Fprintf(&b, "%s spid%ds     A connection timeout has occurred on a previously established connection to availability replica 'SQL2' with id [9A0B7C6D-1E2F-4A3B-8C9D-0E1F2A3B4C5D]. Either a networking or a firewall issue exists.\r\n", stamp, 20+i%40)
			default:
				fmt.Fprintf(&b, "%s spid%ds     DbMgrPartnerCommitPolicy::SetSyncAndRecoveryPoint: 8F3C21A0-11B2-4C5D-9E6F-%012X:%d\r\n", stamp, 20+i%60, i, i%5)
			}
		}
	}
	utf16 := enc == parsers.UTF16LE || enc == parsers.UTF16BE
	per := 1
	if utf16 {
		per = 2
	}
	for i := 0; b.Len()*per < 150_000; i += 50 {
		noise(50, i)
	}
	startText := b.Len()
	b.WriteString("2024-03-10 11:00:00.00 Server      Registry startup parameters: \r\n\t -d C:\\Data\\master.mdf\r\n\t -e C:\\Log\\ERRORLOG\r\n\r\n")
	b.WriteString("2024-03-10 11:00:01.00 Logon       Error: 18456, Severity: 14, State: 8.\r\n")
	b.WriteString("2024-03-10 11:00:01.00 Logon       Login failed for user 'Ünïcödé😀'. Reason: Password did not match that for the login provided. [CLIENT: 10.1.2.3]\r\n")
	b.WriteString("2024-03-10 11:00:02.00 Server      Error: 19407, Severity: 16, State: 1.\r\n")
	b.WriteString("2024-03-10 11:00:02.00 spid9s      a different source: the header stays alone\r\n")
	b.WriteString("2024-03-10 11:00:03.00 Server      Error: 1, Severity: 2, State: 3.\r\n\tcontinuation of a header\r\n")
	b.WriteString("2024-03-10 11:00:03.00 Server      The lease between availability group 'AG1' and the Windows Server Failover Cluster has expired.\r\n")
	b.WriteString("2024-13-45 99:99:99.00 Server      broken timestamp\r\n\tcontinuation of the broken record\r\n")
	b.WriteString("2024-03-10 11:00:04.00 spid5s      damaged\x00\x00 text with 😀😀 and a lone \uFFFE surrogate\r\n")
	b.WriteString("2024-03-10 11:00:04.50 spid5s      line ending in LF only\n2024-03-10 11:00:04.60 spid5s      bare CR inside\r the line\r\n")
	b.WriteString("2024-03-10 09:30:00.00 spid7s      the clock went back two hours\r\n")
	b.WriteString("2024-03-10 09:30:01.00 spid7s      still back\r\n2024-03-10 09:30:02.00 spid7s      still back\r\n")
	b.WriteString("2024-03-10 11:00:05.00 Server      UTC adjustment: -8:00\r\n")
	b.WriteString("2024-03-10 11:00:05.00 Server      UTC adjustment: 99:00\r\n")
	b.WriteString("2024-03-10 11:00:06.00 spid14s     Server name is 'SQLX'. This is an informational message only.\r\n")
	b.WriteString("2024-03-10 11:00:07.00 spid8s      " + strings.Repeat("long line ", 40) + "\r\n")
	b.WriteString("2024-03-10 11:00:08.00 spid8s      record with many continuations\r\n")
	for i := range 40 {
		fmt.Fprintf(&b, "\tcontinuation %d %s\r\n", i, strings.Repeat("x", i*7))
	}
	b.WriteString("2024-03-10 11:00:09.00 Backup      Error: 3041, Severity: 16, State: 1.\r\n")
	endText := b.Len()
	noise(300, 40000)
	b.WriteString("2024-03-10 12:00:00.00 spid5s      last line without a newline")
	text := b.String()
	return encode(text, enc), len(encode(text[:startText], enc)), len(encode(text[:endText], enc))
}

// TestParallelMatchesSequential is the differential test of the parallel
// reader: on generated logs in every encoding, with the first chunk boundary
// tried at every byte of a region holding continuation lines, "Error:" pairs
// (paired, alone, with continuations), surrogate pairs and a lone surrogate,
// CRLF, LF and bare CR, a broken timestamp, damaged bytes, the clock going
// back, UTC adjustments and long lines, and with many small chunks, the
// parallel reader yields exactly the sequential reader's events (line
// numbers, times, fields), warnings and statistics.
func TestParallelMatchesSequential(t *testing.T) {
	for _, enc := range []parsers.Encoding{parsers.UTF16LE, parsers.UTF16BE, parsers.UTF8} {
		for _, utc := range []bool{true, false} {
			data, start, end := awkwardLog(enc, utc)
			// Every byte near a line end (CR, LF, the next line's
			// start) and near a non-ASCII character (surrogate pairs).
			var cutLists [][]int64
			near := -1
			for c := start - 64; c < end+64; c++ {
				if data[c] == '\n' || data[c] >= 0x80 {
					near = c
				}
				if c-near <= 4 || (c < len(data)-4 && (data[c+4] == '\n' || data[c+4] >= 0x80)) {
					cutLists = append(cutLists, []int64{int64(c)})
				}
			}
			if enc != parsers.UTF16LE || !utc {
				cutLists = everyNth(cutLists, 7)
			}
			for _, stride := range []int{37, 331, 4093} {
				var cuts []int64
				for c := start - 1000; c < len(data); c += stride {
					cuts = append(cuts, int64(c))
				}
				cutLists = append(cutLists, cuts)
			}
			name := fmt.Sprintf("%s utc=%v", enc, utc)
			checkCuts(t, name, data, readOpts{reuse: true}, cutLists)
			// Records longer than MaxLineBytes, skipped lines, a reader
			// that does not reuse events: every fifth cut list.
			checkCuts(t, name, data, readOpts{maxLine: 300}, everyNth(cutLists, 5))
		}
	}
}

func everyNth(lists [][]int64, n int) [][]int64 {
	var out [][]int64
	for i := 0; i < len(lists); i += n {
		out = append(out, lists[i])
	}
	return out
}

// TestParallelBoundaries checks where chunks start: only before a valid
// record that follows another valid record which is not an "Error:" header,
// and never when no such line comes before the next cut.
func TestParallelBoundaries(t *testing.T) {
	data, start, end := awkwardLog(parsers.UTF16LE, true)
	sc := &scanner{p: &parallel{ra: bytes.NewReader(data), size: int64(len(data))}, enc: parsers.UTF16LE, max: DefaultMaxLineBytes}
	text := func(from, to int64) string {
		var u []uint16
		for i := from; i+1 < to; i += 2 {
			u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
		}
		return string(utf16.Decode(u))
	}
	found := 0
	for c := int64(start); c < int64(end); c++ {
		b := sc.boundary(c, int64(end))
		if b < 0 {
			continue
		}
		found++
		if b < c || b%2 != 0 {
			t.Fatalf("cut %d: boundary %d", c, b)
		}
		before := text(max(b-4000, 0), b)
		lines := strings.Split(before, "\r\n")
		if len(lines) < 3 || lines[len(lines)-1] != "" {
			t.Fatalf("cut %d: boundary %d is not after a CRLF: %q", c, b, before)
		}
		prev := lines[len(lines)-2]
		next := text(b, min(b+200, int64(len(data))))
		if !looksLikeDate([]byte(prev)) || !looksLikeDate([]byte(next)) || strings.Contains(prev, "Error: ") {
			t.Fatalf("cut %d: boundary %d between %q and %q", c, b, prev, next)
		}
	}
	if found == 0 {
		t.Fatal("no boundary found in the region")
	}
	// A stretch of continuation lines has no boundary.
	cont := encode("2024-03-10 11:00:08.00 spid8s      x\r\n"+strings.Repeat("\tcontinuation\r\n", 2000), parsers.UTF16LE)
	sc = &scanner{p: &parallel{ra: bytes.NewReader(cont), size: int64(len(cont))}, enc: parsers.UTF16LE, max: DefaultMaxLineBytes}
	if b := sc.boundary(10, int64(len(cont))); b >= 0 {
		t.Errorf("boundary %d among continuation lines", b)
	}
}

// repeated returns the fixture followed by copies of its text (without a
// byte-order mark) until it is at least n bytes long.
func repeated(data []byte, n int) []byte {
	_, bom := parsers.SniffEncoding(data)
	out := slices.Clone(data)
	body := data[bom:]
	if len(body)%2 == 1 && bom == 2 {
		body = body[:len(body)-1] // keep UTF-16 code units aligned
		out = out[:len(out)-1]
	}
	for len(out) < n {
		out = append(out, body...)
	}
	return out
}

// lineCuts returns single-cut lists around every line end of data[from:to].
func lineCuts(data []byte, from, to int) [][]int64 {
	var lists [][]int64
	for i := from; i < to && i < len(data); i++ {
		if data[i] == '\n' {
			for d := -3; d <= 3; d++ {
				lists = append(lists, []int64{int64(i + d)})
			}
		}
	}
	return lists
}

// TestParallelFixtures runs the differential test on every ERRORLOG fixture
// (repeated past the first possible cut) and on the real logs of the corpus
// when it is present.
func TestParallelFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.log"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	if _, err := os.Stat(corpusDir); err == nil {
		more, _ := filepath.Glob(filepath.Join(corpusDir, "*"))
		for _, f := range more {
			if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() && !strings.HasSuffix(f, ".md") {
				files = append(files, f)
			}
		}
	} else {
		t.Logf("corpus not available (%v): fixtures only", err)
	}
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if parsers.Detect(raw[:min(len(raw), parsers.SniffLen)]) != parsers.FormatErrorlog {
			continue // the corpus also holds cluster logs and other formats
		}
		data := repeated(raw, firstCut+len(raw)+1000)
		from := max(len(data)-len(raw), firstCut)
		lists := lineCuts(data, from, len(data))
		if n := max(20, 8<<20/len(data)); len(lists) > n { // about 8 MB read per file
			lists = everyNth(lists, len(lists)/n+1)
		}
		for _, stride := range []int{97, 1021, 16411} {
			var cuts []int64
			for c := firstCut; c < len(data); c += stride {
				cuts = append(cuts, int64(c))
			}
			lists = append(lists, cuts)
		}
		checkCuts(t, filepath.Base(path), data, readOpts{reuse: true}, lists)
		checkCuts(t, filepath.Base(path), data, readOpts{maxLine: 120}, lists[len(lists)-3:])
	}
}

// TestParallelLarge reads a log of several chunks through the default chunk
// size and the public entry point, with and without reused events.
func TestParallelLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	data := repeated(benchLog()[:9<<20], 9<<20)
	for _, reuse := range []bool{false, true} {
		seq := sequentialTrace(data, readOpts{reuse: reuse})
		r := NewReaderAt(bytes.NewReader(data), int64(len(data)), "big/ERRORLOG")
		r.Reuse = reuse
		if d := diffTrace(seq, readTrace(r)); d != "" {
			t.Fatalf("reuse %v: %s", reuse, d)
		}
	}
}

// TestParallelStopEarly checks that a consumer may stop in the middle.
func TestParallelStopEarly(t *testing.T) {
	data, _, _ := awkwardLog(parsers.UTF16LE, true)
	r := NewReaderAt(bytes.NewReader(data), int64(len(data)), "x")
	r.par.min, r.par.chunk = 0, 4096
	n := 0
	for ev := range r.Events() {
		if ev != nil {
			n++
		}
		if n == 500 {
			break
		}
	}
	if n != 500 {
		t.Fatalf("%d events", n)
	}
}

// FuzzParallel compares the parallel reader with the sequential one on
// arbitrary text after a valid head, cut at fuzzed places, and the
// sequential reader with and without Reuse (which classifies in place).
func FuzzParallel(f *testing.F) {
	data, start, _ := awkwardLog(parsers.UTF8, true)
	f.Add(uint8(0), data[start:start+2000], uint16(10), uint16(300), uint16(900))
	f.Add(uint8(1), []byte("2024-01-01 00:00:00.00 Server      Error: 1, Severity: 2, State: 3.\n2024-01-01 00:00:00.00 Server      x\n"), uint16(1), uint16(40), uint16(41))
	f.Add(uint8(2), []byte("2\x000\x002\x004\x00\n\x00\x00\xd8\r\x00\n\x00"), uint16(2), uint16(3), uint16(4))
	f.Fuzz(func(t *testing.T, mode uint8, tail []byte, c1, c2, c3 uint16) {
		enc := []parsers.Encoding{parsers.UTF8, parsers.UTF16LE, parsers.UTF16BE}[mode%3]
		head := encode("2024-01-01 00:00:00.00 Server      UTC adjustment: 1:00\r\n2024-01-01 00:00:01.00 spid5s      Starting up database 'master'.\r\n", enc)
		data := append(head, tail...)
		o := readOpts{maxLine: []int{0, 50}[mode/3%2], reuse: mode&8 != 0, first: int64(len(head))}
		seq := sequentialTrace(data, o)
		other := o
		other.reuse = !o.reuse
		if d := diffTrace(seq, sequentialTrace(data, other)); d != "" {
			t.Fatalf("sequential with and without reuse: %s", d)
		}
		cuts := []int64{int64(len(head)) + int64(c1), int64(len(head)) + int64(c2), int64(len(head)) + int64(c3)}
		slices.Sort(cuts)
		if d := diffTrace(seq, parallelTrace(data, cuts, o)); d != "" {
			t.Fatalf("cuts %v: %s", cuts, d)
		}
	})
}

// failingAt is an io.ReaderAt whose reads fail from byte bad on.
type failingAt struct {
	data []byte
	bad  int64
}

func (f *failingAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.bad {
		n := max(0, int(f.bad-off))
		copy(p, f.data[off:off+int64(n)])
		return n, errors.New("disk error")
	}
	return copy(p, f.data[off:]), nil
}

// TestParallelReadError checks that a read error in the middle of the file
// ends the sequence with an error naming the file, after the events of the
// chunks before it, in order.
func TestParallelReadError(t *testing.T) {
	data, start, _ := awkwardLog(parsers.UTF16LE, true)
	r := NewReaderAt(&failingAt{data: data, bad: int64(start + 5000)}, int64(len(data)), "big/ERRORLOG")
	r.par.min, r.par.chunk, r.Workers = 0, 8192, 2
	var last error
	events, prevLine := 0, 0
	for ev, err := range r.Events() {
		if last != nil {
			t.Fatalf("something after the error %v", last)
		}
		var w *parsers.Warning
		switch {
		case ev != nil:
			events++
			if ev.Line <= prevLine {
				t.Fatalf("line %d after line %d", ev.Line, prevLine)
			}
			prevLine = ev.Line
		case errors.As(err, &w):
		default:
			last = err
		}
	}
	if last == nil || !strings.Contains(last.Error(), "big/ERRORLOG") || !strings.Contains(last.Error(), "disk error") {
		t.Fatalf("last error %v", last)
	}
	if events == 0 {
		t.Fatal("no events before the error")
	}
}

// TestParallelManyFilesBounded reads more large files at once than the
// process-wide pool has chunks, some stopping early: every full read equals
// the sequential one, and the pool is whole again afterwards (no chunk lost
// by a read that stopped).
func TestParallelManyFilesBounded(t *testing.T) {
	data, _, _ := awkwardLog(parsers.UTF16LE, true)
	seq := sequentialTrace(data, readOpts{})
	var wg sync.WaitGroup
	errs := make(chan string, 4*cap(chunkPool))
	for i := range 3 * cap(chunkPool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := NewReaderAt(bytes.NewReader(data), int64(len(data)), "big/ERRORLOG")
			r.par.min, r.par.chunk = 0, 4096
			if i%3 == 2 {
				n := 0
				for range r.Events() {
					if n++; n == 50 {
						break // its chunks must go back to the pool
					}
				}
				return
			}
			if d := diffTrace(seq, readTrace(r)); d != "" {
				errs <- fmt.Sprintf("reader %d: %s", i, d)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("readers still waiting for chunks after a minute: chunks lost from the pool")
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(chunkPool); n != cap(chunkPool) {
		t.Errorf("%d of %d chunk results back in the pool", n, cap(chunkPool))
	}
}
