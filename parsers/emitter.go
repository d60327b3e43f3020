package parsers

import (
	"fmt"
	"iter"
)

// Emitter is the part of a streaming reader that every format shares: it
// runs the reading once as a Go iterator, hands events and warnings to the
// consumer while counting them in the file's FileStats, and remembers when
// the consumer has stopped. With it a reader of a new format is only its
// format. A reader keeps one in an unexported field, next to its stats:
//
//	type Reader struct {
//		stats parsers.FileStats
//		out   parsers.Emitter
//		// the format's own state
//	}
//
//	func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
//		return r.out.Events("myformat", &r.stats, r.run)
//	}
//
// and run reads the input, calling Emit and Warn, and returns early once
// Stopped reports true.
type Emitter struct {
	stats   *FileStats
	yield   func(*Event, error) bool
	used    bool
	stopped bool
}

// Events returns an iterator that calls read once, with the consumer's
// yield function in place for Emit, Warn and Fail. stats is the file's
// statistics, which Emit and Warn update; its File names the input in
// warnings. A second iteration yields only an error naming the file and
// reader (for example "x.xml: xevent: Events called twice"), or nothing at
// all when reader is "".
func (e *Emitter) Events(reader string, stats *FileStats, read func()) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		if e.used {
			if reader != "" {
				yield(nil, fmt.Errorf("%s: %s: Events called twice", stats.File, reader))
			}
			return
		}
		e.used = true
		e.stats = stats
		e.yield = yield
		read()
		e.yield = nil
	}
}

// Emit counts ev in the statistics (FileStats.Count) and yields it, unless
// the consumer has stopped.
func (e *Emitter) Emit(ev *Event) {
	if e.stopped {
		return
	}
	e.stats.Count(ev)
	if !e.yield(ev, nil) {
		e.stopped = true
	}
}

// Warn records a warning at a line (0 when unknown) and byte offset of the
// file in the statistics, and yields it unless the consumer has stopped.
// Warnings are recorded even after the consumer has stopped.
func (e *Emitter) Warn(line int, offset int64, msg string) {
	w := &Warning{File: e.stats.File, Line: line, Offset: offset, Msg: msg}
	e.stats.Warn(*w)
	if !e.stopped && !e.yield(nil, w) {
		e.stopped = true
	}
}

// Fail yields err, which ends the stream: Stopped reports true afterwards.
func (e *Emitter) Fail(err error) {
	if !e.stopped {
		e.yield(nil, err)
		e.stopped = true
	}
}

// Stopped reports whether the stream has ended: the consumer stopped the
// iteration, or Fail was called.
func (e *Emitter) Stopped() bool { return e.stopped }
