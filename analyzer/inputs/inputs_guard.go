package inputs

import (
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// This file holds what keeps hostile inputs from hanging or exhausting the
// analysis: files that are not regular files, decompression bombs and zip
// archives whose directory lies.

// nonRegularReason explains why a file of mode m is not read, or returns ""
// for a regular file.
func nonRegularReason(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO): not read inside a folder, as reading it could wait for ever; name it on the command line or pipe it to standard input (-)"
	case m&fs.ModeSocket != 0:
		return "socket, not a file: not read"
	case m&fs.ModeCharDevice != 0:
		return "character device, not a file: not read"
	case m&fs.ModeDevice != 0:
		return "block device, not a file: not read (copy the log to a file)"
	case m&fs.ModeSymlink != 0:
		return "symbolic link, not followed (name its target to read it)"
	case m&fs.ModeIrregular != 0:
		return "not a regular file: not read"
	}
	return "not a regular file: not read"
}

// PipeIdleTimeout is how long a named pipe given on the command line (or
// process substitution, <(zcat ERRORLOG.gz)) may stay silent before reading
// it stops with a warning.
var PipeIdleTimeout = 30 * time.Second

// openRegular opens a file found as a regular file and refuses it if it is
// no longer one (swapped for a pipe or a link after the walk).
func openRegular(path string, noFollow bool) (io.ReadCloser, error) {
	f, err := openNoBlock(path, noFollow)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if r := nonRegularReason(st.Mode()); r != "" {
		f.Close()
		return nil, errors.New("changed while reading: now a " + r)
	}
	return f, nil
}

// openPipe opens a named pipe without blocking and reads it with an idle
// timeout: a pipe without a writer reads as empty, one whose writer stays
// silent for PipeIdleTimeout stops with an error.
func openPipe(path string) (io.ReadCloser, error) {
	f, err := openNoBlock(path, false)
	if err != nil {
		return nil, err
	}
	return &pipeReader{f: f, idle: PipeIdleTimeout}, nil
}

type pipeReader struct {
	f    *os.File
	idle time.Duration
}

func (p *pipeReader) Read(b []byte) (int, error) {
	deadline := p.f.SetReadDeadline(time.Now().Add(p.idle)) == nil
	n, err := p.f.Read(b)
	if deadline && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, fmt.Errorf("nothing came through the pipe for %s: reading stopped (is its writer stuck?)", p.idle)
	}
	return n, err
}

func (p *pipeReader) Close() error { return p.f.Close() }

// inflateError stops a decompression that exceeds the bounds: more than
// MaxRatio times the compressed bytes read so far (checked as the data
// flows, so a bomb stops within the first megabytes), or more than
// MaxInflate bytes in all.
type inflateError struct {
	Out, In int64 // bytes produced and compressed bytes consumed
	Total   bool  // the MaxInflate bound was hit, not the ratio
}

// Error says which archive or file exceeded which limit.
func (e *inflateError) Error() string {
	if e.Total {
		return fmt.Sprintf("compressed input exceeds the decompression limit of %d GiB; extract it and pass the files", MaxInflate>>30)
	}
	return fmt.Sprintf("compressed input exceeds the decompression limit: %d MiB from %d KiB, more than %d times its compressed size (a decompression bomb, or a very repetitive log); extract it and pass the files",
		e.Out>>20, e.In>>10, MaxRatio)
}

// Is makes errors.Is(err, errInflateLimit) true.
func (e *inflateError) Is(target error) bool { return target == errInflateLimit }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ratioSlack is output allowed beyond MaxRatio times the input: headers and
// the first blocks of a small file.
const ratioSlack = 1 << 20

// inflateGuard reads a decompressor's output and stops with an inflateError
// once the output outgrows MaxRatio times the compressed bytes consumed
// (in), or MaxInflate.
type inflateGuard struct {
	r   io.Reader
	c   io.Closer
	in  *countingReader
	out int64
	err error
}

func (g *inflateGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	g.out += int64(n)
	switch {
	case g.out > MaxInflate:
		g.err = &inflateError{Out: g.out, In: g.in.n, Total: true}
	case g.out > MaxRatio*g.in.n+ratioSlack:
		g.err = &inflateError{Out: g.out, In: g.in.n}
	}
	if g.err != nil {
		return n, g.err
	}
	return n, err
}

func (g *inflateGuard) Close() error {
	c := g.c
	g.c, g.r = nil, nil
	if g.err == nil {
		g.err = errors.New("read after close")
	}
	if c != nil {
		return c.Close()
	}
	return nil
}

// inflaters holds flate decompressors for reuse: each holds a 32 KiB window
// and more, and a zip of 100,000 small members would otherwise allocate
// 4 GB of them (archive/zip pools them the same way).
var inflaters sync.Pool

// pooledInflater returns its decompressor to inflaters when closed.
type pooledInflater struct{ fr io.ReadCloser }

func (p pooledInflater) Close() error {
	err := p.fr.Close()
	inflaters.Put(p.fr)
	return err
}

// guardedDeflate is the zip decompressor of method Deflate with the
// inflation bounds.
func guardedDeflate(r io.Reader) io.ReadCloser {
	in := &countingReader{r: r}
	fr, ok := inflaters.Get().(io.ReadCloser)
	if ok {
		fr.(flate.Resetter).Reset(in, nil)
	} else {
		fr = flate.NewReader(in)
	}
	return &inflateGuard{r: fr, c: pooledInflater{fr}, in: in}
}

// isDevNull reports whether st is the null device (standard input of a
// program started without one), which reads as empty.
func isDevNull(st fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, null)
}

// openStdin returns standard input; a pipe is read with the idle timeout of
// PipeIdleTimeout (a writer that never closes it, "sleep 1000 | agtriage -",
// does not hang the analysis for ever).
func openStdin() (io.ReadCloser, error) {
	if st, err := os.Stdin.Stat(); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		if rc, err := openPipe("/dev/stdin"); err == nil {
			return rc, nil
		}
	}
	return io.NopCloser(os.Stdin), nil
}
