package xel

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/agtriage/agtriage/parsers"
)

// Parallel decoding. Event buffers are independent: an event never crosses
// a buffer, and all an event needs besides its bytes is the metadata read
// before it. So while the caller's goroutine reads the next buffers, worker
// goroutines decode (and interpret) the event buffers already read, and the
// caller's goroutine hands out their events and warnings in file order.
//
// Everything a decode gives is kept in its job as a list of items (an event
// or a warning, with the counts to add to the stats before it), and
// everything the reading itself reports while jobs are waiting (a warning,
// skipped bytes) is queued behind them the same way. Items are counted in
// the stats only when they are handed out, so the stream and the stats are
// those of decoding on one goroutine; only after the caller stops early do
// the stats count the bytes read ahead (Bytes is then the end of the buffer
// whose item stopped it).
//
// Memory stays bounded: at most maxJobs buffers (and maxJobBytes of them)
// wait or are decoded at a time; a huge buffer (bigBuffer) is never queued:
// the queue is emptied, it is decoded on the caller's goroutine and released
// at once. A catalog is never changed while a queued job uses it: metadata
// that would merge into it waits until the queue is empty.

// Bounds of the jobs in flight. Consecutive event buffers are sent in
// batches of about batchBytes: real buffers can be as small as 512 bytes,
// and a batch costs one hand-over between goroutines.
const (
	maxJobs     = 6
	maxJobBytes = 32 << 20
	maxWorkers  = 4
	batchBytes  = 128 << 10
)

// item is one thing a buffer's decode gives, in order.
type item struct {
	ev      *parsers.Event
	w       *parsers.Warning
	records int   // records counted before it
	skipped int64 // bytes skipped before it
	pos     int64 // Bytes, should the caller stop at this item
}

// job is a batch of event buffers to decode (done != nil), or what the
// reading reported between buffers (done == nil).
type job struct {
	body []byte    // the buffers after their headers, recycled once handed out
	segs []segment // their data areas
	cat  *catalog
	pos  int64 // the input position after the buffer being decoded

	items   []item
	records int // counts after the last item
	skip    int64

	cancel  *atomic.Bool
	claimed atomic.Bool // a goroutine is decoding it
	done    chan struct{}
}

// decode decodes the batch with d and marks it done.
func (j *job) decode(d *decoder) {
	for _, sg := range j.segs {
		if j.cancel.Load() {
			break
		}
		j.pos = sg.pos
		d.events(j, j.cat, j.body[sg.lo:sg.hi], sg.dataStart)
	}
	close(j.done)
}

// segment is the data area of one buffer of a batch.
type segment struct {
	lo, hi    int   // in the job's body
	dataStart int64 // file offset of the data
	pos       int64 // the input position after the buffer
}

// A job is the sink of the worker that decodes it.

func (j *job) warn(off int64, msg string) {
	j.add(item{w: &parsers.Warning{Offset: off, Msg: msg}})
}
func (j *job) skipped(n int64)         { j.skip += n }
func (j *job) record()                 { j.records++ }
func (j *job) event(ev *parsers.Event) { j.add(item{ev: ev}) }
func (j *job) stopped() bool           { return j.cancel.Load() }

func (j *job) add(it item) {
	it.records, it.skipped, it.pos = j.records, j.skip, j.pos
	j.records, j.skip = 0, 0
	j.items = append(j.items, it)
}

// pipeline is the state of parallel decoding.
type pipeline struct {
	workers int
	work    chan *job
	wg      sync.WaitGroup
	cancel  atomic.Bool

	batch     *job // event buffers read but not yet sent
	queue     []*job
	queued    int    // bytes of the queued buffers
	spare     []*job // handed-out batches, reused with their slices
	catShared bool   // a queued job uses the reader's current catalog

	stopped bool  // the caller stopped at a queued item
	stopPos int64 // Bytes then
}

// workerCount is the number of decoding goroutines for Workers = 0.
func workerCount() int { return min(runtime.GOMAXPROCS(0), maxWorkers) }

// startPipeline prepares parallel decoding when more than one worker is
// wanted.
func (r *Reader) startPipeline() {
	n := r.Workers
	if n == 0 {
		n = workerCount()
	}
	if n <= 1 {
		return
	}
	r.par = &pipeline{workers: min(n, maxWorkers)}
}

// startWorkers starts the decoding goroutines, on the first event buffer.
func (p *pipeline) startWorkers(file string) {
	p.work = make(chan *job, maxJobs)
	for range p.workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			d := decoder{file: file}
			for j := range p.work {
				if j.claimed.CompareAndSwap(false, true) {
					j.decode(&d)
				}
			}
		}()
	}
}

// queuing reports whether what the reading reports must wait behind jobs.
func (r *Reader) queuing() bool {
	p := r.par
	return p != nil && (len(p.queue) > 0 || p.batch != nil && len(p.batch.segs) > 0)
}

// pending returns the job that collects what the reading reports behind the
// queued buffers, after sending the batch being filled.
func (r *Reader) pending() *job {
	p := r.par
	r.send()
	if j := p.queue[len(p.queue)-1]; j.done == nil {
		j.pos = r.pos
		return j
	}
	j := &job{pos: r.pos}
	p.queue = append(p.queue, j)
	return j
}

// batch returns the batch that the next event buffer is read into (with
// the current catalog).
func (r *Reader) batch() *job {
	p := r.par
	if p.batch != nil && p.batch.cat != r.cat {
		r.send()
	}
	if p.batch == nil {
		if n := len(p.spare); n > 0 {
			p.batch, p.spare = p.spare[n-1], p.spare[:n-1]
		} else {
			p.batch = &job{body: r.buf[:0], cancel: &p.cancel}
			r.buf = nil
		}
		p.batch.cat = r.cat
	}
	return p.batch
}

// add notes the event buffer just read at body[base:] of the batch, whose
// data area is at dataOff in it, and sends the batch once it is large.
func (r *Reader) add(b *job, base, dataOff int, dataStart int64) {
	b.segs = append(b.segs, segment{lo: base + dataOff, hi: len(b.body), dataStart: dataStart, pos: r.pos})
	if len(b.body) >= batchBytes {
		r.send()
	}
}

// send queues the batch being filled for the workers.
func (r *Reader) send() {
	p := r.par
	b := p.batch
	if b == nil || len(b.segs) == 0 {
		return
	}
	p.batch = nil
	for len(p.queue) > 0 && (len(p.queue) >= maxJobs || p.queued+cap(b.body) > maxJobBytes) {
		r.flushHead()
	}
	if p.work == nil {
		p.startWorkers(r.file)
	}
	b.done = make(chan struct{})
	p.queue = append(p.queue, b)
	p.queued += cap(b.body)
	p.catShared = p.catShared || b.cat == r.cat
	p.work <- b
}

// flushHead waits for the first queued job and hands out its items.
func (r *Reader) flushHead() {
	p := r.par
	j := p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	if j.done != nil {
		// Rather than wait for a worker to take it, the caller's
		// goroutine decodes the batch it needs next itself.
		if j.claimed.CompareAndSwap(false, true) {
			j.decode(&r.dec)
		}
		<-j.done
		p.queued -= cap(j.body)
		defer p.reuse(j)
	}
	if len(p.queue) == 0 {
		p.catShared = false
	}
	if r.stop {
		return
	}
	for i := range j.items {
		it := &j.items[i]
		r.stats.Records += it.records
		r.stats.SkippedBytes += it.skipped
		var ok bool
		if it.ev != nil {
			if it.ev.Server != "" && r.stats.Server == "" {
				r.stats.Server = it.ev.Server
			}
			r.stats.Count(it.ev)
			ok = r.yield(it.ev, nil)
		} else {
			it.w.File = r.file
			r.stats.Warn(*it.w)
			ok = r.yield(nil, it.w)
		}
		if !ok {
			r.stop = true
			p.stopped, p.stopPos = true, it.pos
			p.cancel.Store(true)
			return
		}
	}
	r.stats.Records += j.records
	r.stats.SkippedBytes += j.skip
}

// reuse keeps a handed-out batch for a later one.
func (p *pipeline) reuse(j *job) {
	if len(p.spare) >= maxJobs || cap(j.body) > keepBuffer {
		return
	}
	clear(j.items) // the events are the caller's now
	// A new job with the old one's slices: the old one may still wait in
	// the work channel (decoded by the caller's goroutine, claimed).
	p.spare = append(p.spare, &job{body: j.body[:0], segs: j.segs[:0], items: j.items[:0], cancel: j.cancel})
}

// drain hands out every queued job.
func (r *Reader) drain() {
	if r.par == nil {
		return
	}
	r.send()
	for len(r.par.queue) > 0 {
		r.flushHead()
	}
}

// stopWorkers ends the decoding goroutines once they have decoded what
// was sent to them; it yields nothing, so it may run while a panic
// unwinds the caller's loop.
func (r *Reader) stopWorkers() {
	p := r.par
	if p == nil || p.work == nil {
		return
	}
	p.cancel.Store(true)
	close(p.work)
	p.wg.Wait()
	p.work = nil
}
