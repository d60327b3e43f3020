package xel

import (
	"io"
	"sync"
	"time"
)

// Huge buffers. A busy session can write event buffers of up to MaxBuffer
// (256 MiB). Such a buffer is read into memory outside the garbage-collected
// heap (where the system allows it) and released as soon as its events are
// decoded, and one process holds at most MaxBuffer bytes of them at a time:
// readers running in parallel wait for their turn. So reading any number of
// such files peaks near one buffer's size, not at their sum, and the heap
// (and the garbage the decoding leaves) does not grow with the buffer.

// bigBuffer is the size from which a buffer counts as huge (a variable
// so that tests can mix huge and ordinary buffers in small files).
var bigBuffer = 16 << 20

// bigBudget admits huge buffers up to MaxBuffer bytes in all.
var bigBudget = struct {
	sync.Mutex
	cond *sync.Cond
	used int
}{}

func init() { bigBudget.cond = sync.NewCond(&bigBudget.Mutex) }

// bigWait bounds the wait for the budget: a caller that reads a second
// file from inside the event loop of a first (whose huge buffer is held
// while its events are yielded) goes on over budget instead of waiting for
// ever.
var bigWait = 30 * time.Second

func acquireBig(n int) {
	deadline := time.Now().Add(bigWait)
	wake := time.AfterFunc(bigWait, func() {
		bigBudget.Lock()
		bigBudget.cond.Broadcast()
		bigBudget.Unlock()
	})
	defer wake.Stop()
	bigBudget.Lock()
	for bigBudget.used > 0 && bigBudget.used+n > MaxBuffer && time.Now().Before(deadline) {
		bigBudget.cond.Wait()
	}
	bigBudget.used += n
	bigBudget.Unlock()
}

func releaseBig(n int) {
	bigBudget.Lock()
	bigBudget.used -= n
	bigBudget.cond.Broadcast()
	bigBudget.Unlock()
}

// readBig reads n bytes into a huge buffer. The caller calls the returned
// release once nothing refers to the bytes any more (events hold copies).
// Pages the input does not fill (a corrupt length) cost no memory.
func (r *Reader) readBig(n int) ([]byte, func(), error) {
	acquireBig(n)
	buf, free := allocBig(n)
	release := func() {
		free()
		releaseBig(n)
	}
	m, err := r.read(buf)
	if err == io.EOF && m > 0 {
		err = io.ErrUnexpectedEOF
	}
	return buf[:m], release, err
}
