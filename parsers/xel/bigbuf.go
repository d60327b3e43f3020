package xel

import (
	"io"
	"sync"
)

// Huge buffers. A busy session can write event buffers of up to MaxBuffer
// (256 MiB). Such a buffer is read into memory outside the garbage-collected
// heap (where the system allows it) and released as soon as its events are
// decoded, and one process holds at most MaxBuffer bytes of them at a time:
// readers running in parallel wait for their turn. So reading any number of
// such files peaks near one buffer's size, not at their sum, and the heap
// (and the garbage the decoding leaves) does not grow with the buffer.

// bigBuffer is the size from which a buffer counts as huge.
const bigBuffer = 16 << 20

// bigBudget admits huge buffers up to MaxBuffer bytes in all.
var bigBudget = struct {
	sync.Mutex
	cond *sync.Cond
	used int
}{}

func init() { bigBudget.cond = sync.NewCond(&bigBudget.Mutex) }

func acquireBig(n int) {
	bigBudget.Lock()
	for bigBudget.used > 0 && bigBudget.used+n > MaxBuffer {
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
