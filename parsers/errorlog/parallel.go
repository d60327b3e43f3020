package errorlog

// This file reads one large ERRORLOG on several cores. The file is cut into
// chunks at record boundaries; each chunk is read by a Reader of its own in
// "chunk mode" (the same code as the sequential path, with what it would
// yield recorded as items instead), and the chunks are merged in file order:
// line numbers shifted, times converted with the UTC offset known at that
// point, warnings numbered. The result is the sequential reader's, event for
// event, warning for warning; see TestParallelMatchesSequential.
//
// What a chunk's reader cannot know, and how it stays exact:
//
//   - The record being assembled and a waiting "Error:" header: a chunk starts
//     only at a line L that is a valid record and directly follows another
//     valid record P that is not an "Error:" header (both plain ASCII lines,
//     tested on the raw bytes). Before L the sequential reader has nothing
//     pending but P, and the chunk before ends with P.
//   - The hold-back of the first events: it ends within the first HoldBytes of
//     decoded text when lines are shorter than HoldBytes, so the first cut
//     comes after 2*HoldBytes+64 raw bytes and a too-small MaxLineBytes reads
//     sequentially. A first chunk still holding at its end (never expected)
//     makes the whole file read again sequentially before anything is yielded.
//   - The latest time so far (for the clock-goes-back warning): a chunk is
//     read assuming no earlier record is later than its first record; when
//     the merge finds one, the chunk is read again, knowing it.
//   - The UTC offset: chunks record where the log declares one; the merge
//     converts times.

import (
	"bufio"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/agtriage/agtriage/parsers"
)

// Parallel reading settings.
const (
	// DefaultChunkBytes is the nominal size of the chunks of a file read in
	// parallel: big enough that a chunk's overhead does not count, small
	// enough that the chunks in flight stay a few megabytes.
	DefaultChunkBytes = 1 << 20
	// ParallelMinBytes is the size from which NewReaderAt reads in parallel;
	// smaller files are read sequentially.
	ParallelMinBytes = 4 << 20
	// firstCut is the least offset of a chunk boundary (see the file comment).
	firstCut = 2*HoldBytes + 64
	// maxCandidate bounds the raw length of the lines tested at a boundary.
	maxCandidate = 4096
)

// parallel is the input of a reader created by NewReaderAt.
type parallel struct {
	ra    io.ReaderAt
	size  int64
	chunk int64   // nominal chunk size
	cuts  []int64 // nominal cut offsets (tests); nil: every chunk bytes
	min   int64   // smallest size read in parallel
	first int64   // least offset of a cut
}

// NewReaderAt returns a reader of the ERRORLOG of size bytes in ra (a
// regular file, typically). It yields exactly what NewReader yields on the
// same bytes, but reads a large file (ParallelMinBytes or more) in chunks on
// up to Workers goroutines, with a bounded number of chunks in flight. ra
// must not change while it is read, and ReadAt may be called concurrently.
func NewReaderAt(ra io.ReaderAt, size int64, file string) *Reader {
	r := NewReader(nil, file)
	r.par = parallel{ra: ra, size: size, chunk: DefaultChunkBytes, min: ParallelMinBytes, first: firstCut}
	return r
}

// item is one thing a chunk's reader would have yielded, in order: an event
// (in chunkResult.plain, or rich when kind is itemRich), a warning or a
// declared UTC offset, at index idx of the slice of its kind.
type item struct {
	kind uint8
	idx  int32
}

// warnItem is a warning of a chunk. With rec > 0 it is the record-too-long
// warning of line rec, whose text the merge writes.
type warnItem struct {
	w        parsers.Warning
	rec, max int
}

const (
	itemEvent uint8 = iota
	itemRich
	itemWarning
	itemOffset
)

// plainEvent is an event that no template matched, stored compactly: most
// events of a large log are such noise, and a whole parsers.Event is big.
type plainEvent struct {
	local           time.Time
	process         string
	msg, msgLen     int // the message is chunkResult.text[msg:msg+msgLen]
	line            int
	err, sev, state int32
}

// chunkResult is what reading one chunk produced.
type chunkResult struct {
	k          int
	start, end int64 // raw byte range; start < 0 when the chunk is empty
	enc        parsers.Encoding
	items      []item
	plain      []plainEvent
	rich       []parsers.Event
	warns      []warnItem
	offs       []time.Duration
	text       []byte // the messages of plain events
	stats      parsers.FileStats
	skipped    int // skipped lines
	holding    bool
	first      time.Time // local time of the first record
	hasFirst   bool
	last       time.Time // latest local time of the chunk (or before it, when given)
	err        error
	done       chan struct{}
}

func (c *chunkResult) addEvent(ev *parsers.Event) {
	if isPlain(ev) {
		c.items = append(c.items, item{kind: itemEvent, idx: int32(len(c.plain))})
		c.plain = append(c.plain, plainEvent{local: ev.Local, process: ev.Process, msg: len(c.text), msgLen: len(ev.Message),
			line: ev.Line, err: int32(ev.Error), sev: int32(ev.Severity), state: int32(ev.State)})
		c.text = append(c.text, ev.Message...)
		return
	}
	c.items = append(c.items, item{kind: itemRich, idx: int32(len(c.rich))})
	c.rich = append(c.rich, *ev)
}

func (c *chunkResult) addWarning(w warnItem) {
	c.items = append(c.items, item{kind: itemWarning, idx: int32(len(c.warns))})
	c.warns = append(c.warns, w)
}

func (c *chunkResult) addOffset(off time.Duration) {
	c.items = append(c.items, item{kind: itemOffset, idx: int32(len(c.offs))})
	c.offs = append(c.offs, off)
}

// reset empties c for reading (again), keeping its buffers.
func (c *chunkResult) reset() {
	c.items, c.plain, c.rich, c.warns, c.offs = c.items[:0], c.plain[:0], c.rich[:0], c.warns[:0], c.offs[:0]
	c.text = c.text[:0]
	c.hasFirst, c.holding, c.err = false, false, nil
}

// classifyInPlace classifies ev, whose Message still points into the
// record's buffer (see newEvent). An event no template matches keeps it: a
// chunk copies it into its text, a sequential reader with Reuse yields it
// as it is. One that matched gets a string of its own, and is classified
// again so that its fields point into that string.
func classifyInPlace(ev *parsers.Event) {
	num, sev, state := ev.Error, ev.Severity, ev.State
	parsers.ClassifyMessage(ev)
	if isPlain(ev) {
		return
	}
	*ev = parsers.Event{Source: ev.Source, File: ev.File, Line: ev.Line, Process: ev.Process, Local: ev.Local,
		Message: strings.Clone(ev.Message), Error: num, Severity: sev, State: state}
	parsers.ClassifyMessage(ev)
}

// isPlain reports whether ev holds only what newEvent sets and Kind
// KindMessage, so that plainEvent keeps all of it.
func isPlain(ev *parsers.Event) bool {
	return ev.Kind == parsers.KindMessage && ev.Fields == nil && ev.AG == "" && ev.Replica == "" &&
		ev.ReplicaID == "" && ev.Database == "" && ev.From == "" && ev.To == "" && ev.Reason == "" &&
		ev.Login == "" && ev.Client == "" && ev.HandshakeState == 0 && ev.Name == "" && ev.Server == "" &&
		ev.Offset == 0 && ev.Repeats == 0 && ev.LastTime.IsZero() && ev.Time.IsZero() &&
		ev.Error == int(int32(ev.Error)) && ev.Severity == int(int32(ev.Severity)) && ev.State == int(int32(ev.State))
}

// event returns the event of an item, in storage of the merge's reader.
func (m *merger) event(c *chunkResult, it *item) *parsers.Event {
	r := m.r
	var ev *parsers.Event
	if r.Reuse {
		ev = &r.one
	} else {
		if len(r.block) == 0 {
			r.block = make([]parsers.Event, eventBlock)
		}
		ev = &r.block[0]
		r.block = r.block[1:]
	}
	if it.kind == itemRich {
		*ev = c.rich[it.idx]
		return ev
	}
	p := &c.plain[it.idx]
	text := c.text[p.msg : p.msg+p.msgLen]
	var msg string
	if r.Reuse {
		msg = unsafe.String(unsafe.SliceData(text), len(text)) // valid until c is reused; see Reader.Reuse
	} else {
		msg = string(text)
	}
	*ev = parsers.Event{Source: parsers.SourceErrorlog, File: r.file, Line: p.line, Process: p.process, Local: p.local,
		Message: msg, Kind: parsers.KindMessage, Error: int(p.err), Severity: int(p.sev), State: int(p.state)}
	return ev
}

// runParallel reads the file of NewReaderAt.
func (r *Reader) runParallel() {
	p := &r.par
	max := r.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	cuts := p.cutOffsets()
	if p.size < p.min || len(cuts) == 0 {
		r.runSection()
		return
	}
	head := make([]byte, 512)
	n, _ := p.ra.ReadAt(head, 0)
	enc, _ := parsers.SniffEncoding(head[:n])
	nchunks := len(cuts) + 1
	workers := r.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, nchunks)

	// A chunk in flight (being read, or read and waiting for the merge)
	// holds a chunk result of the process-wide chunkPool, so the chunks in
	// flight over every file read at once stay bounded, and a token of
	// local, so one file leaves some to the others.
	local := make(chan struct{}, min(workers+1, cap(chunkPool)))
	order := make(chan *chunkResult, cap(local)) // chunks in file order, for the merge
	jobs := make(chan *chunkResult)
	quit := make(chan struct{})
	produced := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scanner{p: p, enc: enc, max: max}
			tools := &chunkTools{br: bufio.NewReaderSize(nil, 64*1024)}
			for c := range jobs {
				readJob(r, c, sc, cuts, tools)
			}
		}()
	}
	go func() {
		defer close(produced)
		defer close(jobs)
		defer close(order)
		for k := range nchunks {
			select {
			case local <- struct{}{}:
			case <-quit:
				return
			}
			var c *chunkResult
			select {
			case c = <-chunkPool:
			case <-quit:
				return
			}
			c.enc, c.k, c.done = enc, k, make(chan struct{})
			order <- c // never blocks: order has room for every chunk of the pool
			select {
			case jobs <- c:
			case <-quit:
				return
			}
		}
	}()
	var cur *chunkResult // taken from order, not yet given back
	defer func() {
		close(quit)
		<-produced
		wg.Wait()
		// Give back the chunks of a read that stopped early.
		if cur != nil {
			cur.reset()
			chunkPool <- cur
		}
		for c := range order {
			c.reset()
			chunkPool <- c
		}
	}()

	m := merger{r: r}
	for c := range order {
		cur = c
		<-c.done
		if c.start >= 0 || c.err != nil {
			if c.k == 0 && c.holding {
				// Not expected (see the file comment): read it all sequentially.
				r.runSection()
				return
			}
			if c.k > 0 && c.hasFirst && m.hasLast && m.last.After(c.first) {
				// An earlier record is later than this chunk's first one:
				// read the chunk again knowing it, for the clock warnings.
				r.readChunk(c, m.last, nil)
			}
			if !m.replay(c) {
				return
			}
		}
		cur = nil
		c.reset()
		chunkPool <- c
		<-local
	}
}

// chunkPool holds the chunk results of the process: its size bounds the
// chunks in flight over every file read in parallel at once (GOMAXPROCS+2,
// at least 4 and at most 16, a few megabytes each), and their buffers are
// reused from file to file.
var chunkPool = func() chan *chunkResult {
	n := min(max(runtime.GOMAXPROCS(0)+2, 4), 16)
	p := make(chan *chunkResult, n)
	for range n {
		p <- &chunkResult{}
	}
	return p
}()

// readJob reads chunk c on a worker goroutine. A panic (a bug: readers must
// not panic) becomes the chunk's error, reported by the merge like a read
// error, instead of ending the process from a goroutine no caller can
// recover.
func readJob(r *Reader, c *chunkResult, sc *scanner, cuts []int64, tools *chunkTools) {
	defer close(c.done)
	defer func() {
		if p := recover(); p != nil {
			c.err = fmt.Errorf("%s: internal error while reading a chunk at byte %d (please report): %v", r.file, c.start, p)
		}
	}()
	c.start, c.err = -1, nil
	c.start = sc.chunkStart(c.k, cuts)
	if c.start >= 0 {
		c.end = sc.chunkEnd(c.k, cuts)
		r.readChunk(c, time.Time{}, tools)
	}
}

// runSection reads the whole file sequentially.
func (r *Reader) runSection() {
	r.src = io.NewSectionReader(r.par.ra, 0, r.par.size)
	r.run()
}

// readChunk reads the chunk c with a Reader of its own. last is the latest
// record time before the chunk, when known.
func (r *Reader) readChunk(c *chunkResult, last time.Time, tools *chunkTools) {
	c.reset()
	src := io.Reader(io.NewSectionReader(r.par.ra, c.start, c.end-c.start))
	if tools != nil {
		tools.br.Reset(src)
		src = tools.br
	}
	cr := &Reader{
		MaxLineBytes: r.MaxLineBytes,
		Reuse:        true, // send copies the event into c
		file:         r.file,
		src:          src,
		stats:        parsers.FileStats{File: r.file, Format: parsers.FormatErrorlog},
		sink:         c,
		tools:        tools,
		lastLocal:    last,
	}
	cr.run()
	c.stats, c.skipped = cr.stats, cr.skippedLines
	c.last = cr.lastLocal
}

// chunkTools are the decoding buffers of a goroutine reading chunks, kept
// from one chunk to the next.
type chunkTools struct {
	br    *bufio.Reader
	text  *parsers.TextReader
	lines *parsers.LineReader
	max   int
}

// merger replays the chunks' items in file order.
type merger struct {
	r       *Reader
	lines   int       // lines of the chunks merged so far
	last    time.Time // latest record time so far
	hasLast bool
	encSet  bool
}

// replay yields the items of c; it reports false when the consumer stopped
// or the chunk ended with a read error.
func (m *merger) replay(c *chunkResult) bool {
	r := m.r
	for i := range c.items {
		it := &c.items[i]
		switch it.kind {
		case itemEvent, itemRich:
			ev := m.event(c, it)
			ev.Line += m.lines
			r.sendMerged(ev)
		case itemOffset:
			off := c.offs[it.idx]
			r.offset, r.hasOffset = off, true
			r.stats.UTCOffset, r.stats.HasUTCOffset = off, true
		case itemWarning:
			wi := &c.warns[it.idx]
			w := wi.w
			if w.Line > 0 {
				w.Line += m.lines
			}
			if wi.rec > 0 {
				w.Msg = recordWarning(wi.rec+m.lines, wi.max)
			}
			r.stats.Warn(w)
			if !r.stopped && !r.yield(nil, &w) {
				r.stopped = true
			}
		}
		if r.stopped {
			return false
		}
	}
	st := &r.stats
	cs := &c.stats
	if !m.encSet {
		st.Encoding = cs.Encoding
		m.encSet = true
	} else if cs.Encoding == string(parsers.Windows125) {
		st.Encoding = cs.Encoding
	}
	if st.Server == "" {
		st.Server = cs.Server
	}
	st.Lines += cs.Lines
	st.Records += cs.Records
	st.Continuations += cs.Continuations
	st.Unrecognized += cs.Unrecognized
	st.SkippedBytes += cs.SkippedBytes
	st.Bytes = cs.Bytes
	r.skippedLines += c.skipped
	m.lines += cs.Lines
	if c.hasFirst && (!m.hasLast || c.last.After(m.last)) {
		m.last, m.hasLast = c.last, true
	}
	if c.err != nil {
		if !r.stopped {
			r.yield(nil, c.err)
		}
		return false
	}
	return true
}

// sendMerged is send for an event of a chunk.
func (r *Reader) sendMerged(ev *parsers.Event) {
	if r.hasOffset {
		ev.Time = ev.Local.Add(-r.offset)
		ev.Clock = parsers.ClockUTC
	} else {
		ev.Time = ev.Local
		ev.Clock = parsers.ClockLocal
		r.stats.Clock = parsers.ClockLocal
	}
	r.stats.Count(ev)
	if !r.yield(ev, nil) {
		r.stopped = true
	}
}
