// Package xel reads binary Extended Events files (.xel) as SQL Server's
// event_file target writes them, such as AlwaysOn_health_0_*.xel and
// system_health_0_*.xel, on any operating system and without SQL Server.
//
// It emits the same parsers.Event values as the XML reader (parsers/xevent)
// gives for an XML export of the same events: the same Name, Time and Fields,
// interpreted by xe.Interpret. A map field holds its label under the
// field name and its number under name+"_value"; a bit-flag map (such as
// error_reported's destination) gives the matching labels joined by ", " and
// its number as 0x and eight hex digits; a GUID is printed in upper case.
//
// The format was worked out from real AlwaysOn_health files of SQL Server 2017
// RTM (XEL_FORMAT.md in the project's shared reference): a 512-byte file
// header (format version 10), then buffers whose metadata records describe
// packages, events, maps and types, and whose event records reference them;
// a CRC-32 over the last KiB of each buffer's data. Only version 10 is read; any other version ends the
// file with "format version N not supported".
//
// The reader streams buffer by buffer: it holds the file's metadata and a
// bounded number of buffers (at most 6 batches of buffers, 32 MiB in all,
// besides the one being read), never the file. Event buffers are
// independent, so worker goroutines (Reader.Workers) decode them while the
// caller's goroutine reads the next ones; events and warnings are handed
// out in file order, the same stream as on one goroutine. No length field
// is trusted to allocate: a buffer is read in growing chunks, so memory
// follows the bytes actually present, and every offset is checked against
// its enclosing record. A buffer whose tail checksum fails is skipped with
// a warning; after a damaged buffer header the reader looks for the next
// valid header at the following 512-byte boundaries; a file that ends
// inside a buffer (the live file of a running session) gives a "truncated"
// warning. Every event of the good buffers is kept.
//
// Concatenated files: a file header found where a buffer header is expected
// starts a new file within the same input, with its own metadata. So the
// .xel files of a session may be read as one stream (cat *.xel).
//
// Every package0 type is decoded. The types not present in the real files
// (XEL_FORMAT.md section 8) follow the public description of the format:
// floats (shortest round-trip decimal), FILETIME (an RFC 3339 UTC time),
// activity ids (GUID-sequence), ANSI strings (Windows-1252), XML (UTF-16LE
// text, such as the sp_server_diagnostics payload of a data field), binary
// data (lower-case hex) and call stacks (one 0x address per line). Action
// values are decoded by their action's type. Only a type of another package
// or an unknown type id is reported as "field of type T not decoded"; the
// rest of the event is kept.
package xel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"

	"github.com/agtriage/agtriage/parsers"
)

// Format constants (XEL_FORMAT.md sections 1 and 2).
const (
	// Magic is the first u32 of every .xel file.
	Magic = 0xEFAB375A
	// Version is the only file and buffer format version the reader accepts.
	Version = 10
	// HeaderSize is the size of the file header.
	HeaderSize = 512
	// MaxBuffer is the largest buffer accepted; a header claiming more is corrupt.
	MaxBuffer = 256 << 20

	bufHeaderSize = 32
	sector        = 512
	bufEvents     = 0
	bufMetadata   = 1
	tailCRCBytes  = 1024
	readChunk     = 64 << 10
)

// ErrNotXEL is wrapped by the error of an input that is not a .xel file.
var ErrNotXEL = errors.New("not a .xel file")

// ErrVersion is wrapped by the error of a .xel file of a format version the
// reader does not know.
var ErrVersion = errors.New("unknown .xel format version")

// Reader reads one .xel file (or several concatenated). Create it with
// NewReader and range over Events; Stats is complete once the iteration has
// ended.
type Reader struct {
	in    io.Reader
	file  string
	stats parsers.FileStats
	used  bool

	yield func(*parsers.Event, error) bool
	stop  bool

	pos     int64  // bytes consumed from in
	buf     []byte // the current buffer after its header, reused
	scratch []byte // where skipped bytes are read
	cat     *catalog
	prevCat *catalog // of the previous file of a concatenated input
	dec     decoder

	// known holds the package records parsed so far by their bytes from
	// pkgBody on (see parsePackage), up to maxKnownBytes of them.
	known      map[string]*pkgRecord
	knownBytes int

	resyncFrom int64 // offset where a search for a valid header began, -1 if none

	// Workers is the number of goroutines that decode event buffers while
	// the caller's goroutine reads the next ones and hands out the events,
	// in file order: the stream is the same whatever the number. 0 means
	// GOMAXPROCS (at most 4); 1 decodes everything on the caller's
	// goroutine. Set it before calling Events.
	Workers int
	par     *pipeline // nil when decoding on the caller's goroutine
}

var _ parsers.Reader = (*Reader)(nil)

// NewReader returns a reader of the .xel data in r; file names the input in
// events, warnings and errors.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{
		in:   r,
		file: file,
		dec:  decoder{file: file},
		stats: parsers.FileStats{
			File:     file,
			Format:   parsers.FormatXEL,
			Encoding: "binary",
			Clock:    parsers.ClockUTC,
		},
		resyncFrom: -1,
	}
}

// Stats returns the statistics of the file, complete once Events has ended.
// Records counts event records found, Events those emitted; SkippedBytes the
// bytes of buffers and records that could not be used.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// Events returns the stream of events in file order. Offset is the byte
// offset of the event record, Line is 0. A warning (*parsers.Warning) is
// yielded with a nil event and reading goes on; any other error ends the
// stream. Events may be ranged over only once.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return func(yield func(*parsers.Event, error) bool) {
		if r.used {
			yield(nil, fmt.Errorf("%s: xel: Events called twice", r.file))
			return
		}
		r.used = true
		r.yield = yield
		r.startPipeline()
		defer r.stopWorkers()
		r.run()
		r.drain()
		r.stats.Bytes = r.pos
		if r.par != nil && r.par.stopped {
			r.stats.Bytes = r.par.stopPos
		}
		r.yield = nil
	}
}

// read fills p from the input, counting the bytes read.
func (r *Reader) read(p []byte) (int, error) {
	n, err := io.ReadFull(r.in, p)
	r.pos += int64(n)
	return n, err
}

// discard skips n bytes of input and returns how many were there; err is
// io.EOF when there were fewer.
func (r *Reader) discard(n int64) (int64, error) {
	var done int64
	for done < n {
		if r.scratch == nil {
			r.scratch = make([]byte, 8<<10)
		}
		m, err := io.ReadFull(r.in, r.scratch[:min(n-done, int64(len(r.scratch)))])
		done += int64(m)
		r.pos += int64(m)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// readGrowing reads n bytes into r.buf.
func (r *Reader) readGrowing(n int) ([]byte, error) {
	buf, err := r.readInto(r.buf[:0], n)
	r.buf = buf
	return buf, err
}

// readInto appends n bytes of input to buf, growing it chunk by chunk so
// that a corrupt length costs no more memory than the bytes actually
// present.
func (r *Reader) readInto(buf []byte, n int) ([]byte, error) {
	base := len(buf)
	for got := 0; got < n; got = len(buf) - base {
		chunk := min(n-got, max(got, readChunk))
		if cap(buf)-len(buf) < chunk {
			nb := make([]byte, len(buf), len(buf)+chunk)
			copy(nb, buf)
			buf = nb
		}
		m, err := r.read(buf[len(buf) : len(buf)+chunk])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func (r *Reader) run() {
	var hdr [HeaderSize]byte
	if !r.fileHeader(hdr[:], 0) {
		return
	}
	for !r.stop {
		start := r.pos
		n, err := r.read(hdr[:bufHeaderSize])
		if n == 0 && err != nil {
			if err != io.EOF {
				r.fatal(fmt.Errorf("%s: %w", r.file, err))
			}
			r.endResync(start)
			return
		}
		if err != nil {
			r.truncated(start, "buffer header", int64(n))
			return
		}
		if binary.LittleEndian.Uint32(hdr[:]) == Magic {
			r.endResync(start)
			if !r.fileHeader(hdr[:], bufHeaderSize) {
				return
			}
			continue
		}
		h, problem := parseBufHeader(hdr[:bufHeaderSize])
		if problem != "" {
			r.startResync(start, problem)
			if _, err := r.discard(sector - bufHeaderSize); err != nil {
				r.endResync(r.pos)
				return
			}
			continue
		}
		r.endResync(start)
		if !r.buffer(start, h) {
			return
		}
		if cap(r.buf) > keepBuffer {
			r.buf = nil // its events are decoded: a large buffer is not kept
		}
	}
}

// keepBuffer is the largest buffer kept for reuse by the next one; the
// sessions' buffers are 64 KiB to 4 MiB.
const keepBuffer = 8 << 20

// fileHeader reads (the rest of) a file header into hdr, of which have bytes
// are already read, and checks it. It reports whether reading goes on.
func (r *Reader) fileHeader(hdr []byte, have int) bool {
	start := r.pos - int64(have)
	n, err := r.read(hdr[have:])
	n += have
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		r.fatal(fmt.Errorf("%s: %w", r.file, err))
		return false
	}
	if n < 4 || binary.LittleEndian.Uint32(hdr) != Magic {
		if start == 0 {
			r.fatal(fmt.Errorf("%s: %w: no .xel magic at offset 0", r.file, ErrNotXEL))
		}
		return false
	}
	if n >= 6 {
		if v := binary.LittleEndian.Uint16(hdr[4:]); v != Version {
			r.fatal(fmt.Errorf("%s@%d: format version %d not supported (only %d): %w", r.file, start+4, v, Version, ErrVersion))
			return false
		}
	}
	if n < HeaderSize {
		r.truncated(start, "file header", int64(n))
		return false
	}
	if hs := binary.LittleEndian.Uint16(hdr[6:]); hs != HeaderSize {
		r.warn(start+6, fmt.Sprintf("file header size %d, expected %d: reading buffers from offset %d", hs, HeaderSize, start+HeaderSize))
	}
	if start > 0 {
		r.prevCat, r.cat = r.cat, nil // a concatenated file: its own metadata follows
		if r.par != nil {
			r.par.catShared = false
		}
	}
	return true
}

// bufHeader is the 32-byte header of a buffer (XEL_FORMAT.md 2.1).
type bufHeader struct {
	typ      uint16
	size     uint32
	dataOff  uint32
	dataLen  uint32
	checksum uint32
}

// parseBufHeader decodes and checks a buffer header; problem says what is
// wrong with it.
func parseBufHeader(b []byte) (h bufHeader, problem string) {
	v := binary.LittleEndian.Uint16(b[0x0C:])
	h.typ = binary.LittleEndian.Uint16(b[0x0E:])
	h.size = binary.LittleEndian.Uint32(b[0x10:])
	h.dataOff = uint32(binary.LittleEndian.Uint16(b[0x16:]))
	h.dataLen = binary.LittleEndian.Uint32(b[0x18:])
	h.checksum = binary.LittleEndian.Uint32(b[0x1C:])
	switch {
	case v != Version:
		return h, fmt.Sprintf("buffer version %d", v)
	case h.typ > 3:
		return h, fmt.Sprintf("buffer type %d", h.typ)
	case h.size < sector || h.size%sector != 0 || h.size > MaxBuffer:
		return h, fmt.Sprintf("buffer size %d", h.size)
	case h.dataOff < bufHeaderSize || uint64(h.dataOff)+uint64(h.dataLen) > uint64(h.size):
		return h, fmt.Sprintf("data %d+%d outside the %d-byte buffer", h.dataOff, h.dataLen, h.size)
	}
	return h, ""
}

// startResync notes a bad buffer header at off; the reader then tries the
// following 512-byte boundaries.
func (r *Reader) startResync(off int64, problem string) {
	if r.resyncFrom >= 0 {
		return
	}
	r.resyncFrom = off
	r.warn(off, "corrupt buffer header ("+problem+"): looking for the next buffer")
}

// endResync reports how far the search for a header went, if one was running.
func (r *Reader) endResync(at int64) {
	if r.resyncFrom < 0 {
		return
	}
	skipped := at - r.resyncFrom
	r.skipped(skipped)
	if r.pos > at {
		r.warn(at, fmt.Sprintf("resumed at a valid buffer: %d bytes skipped from offset %d", skipped, r.resyncFrom))
	} else {
		r.warn(at, fmt.Sprintf("no further buffer found: %d bytes skipped from offset %d to the end", skipped, r.resyncFrom))
	}
	r.resyncFrom = -1
}

// truncated reports an input that ends inside a structure started at off, of
// which n bytes were present.
func (r *Reader) truncated(off int64, what string, n int64) {
	r.skipped(n)
	r.warn(off, fmt.Sprintf("truncated: the file ends inside a %s (%d bytes present)", what, n))
}

// buffer reads and decodes the buffer whose header h was read at start. It
// reports whether reading goes on.
func (r *Reader) buffer(start int64, h bufHeader) bool {
	end := int(h.dataOff + h.dataLen) // end of data from the buffer start
	var body []byte
	var err error
	var batch *job // the batch of buffers the body is read into
	base := 0      // where in it
	if n := end - bufHeaderSize; h.typ == bufEvents && n > bigBuffer {
		// Events hold copies of what they decode from the buffer, so
		// it can be released (unmapped) when its events are decoded.
		var release func()
		body, release, err = r.readBig(n)
		defer release()
	} else if h.typ == bufEvents && r.par != nil {
		batch = r.batch()
		base = len(batch.body)
		batch.body, err = r.readInto(batch.body, n)
		body = batch.body[base:]
	} else {
		body, err = r.readGrowing(n)
	}
	if batch != nil && err != nil {
		batch.body = batch.body[:base] // not decoded
	}
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			r.truncated(start, fmt.Sprintf("%d-byte buffer", h.size), int64(bufHeaderSize+len(body)))
		} else {
			r.fatal(fmt.Errorf("%s@%d: %w", r.file, r.pos, err))
		}
		return false
	}
	slack := int64(h.size) - int64(end)
	gotSlack, err := r.discard(slack)
	cut := err != nil
	if cut && err != io.EOF {
		r.fatal(fmt.Errorf("%s@%d: %w", r.file, r.pos, err))
		return false
	}
	data := body[h.dataOff-bufHeaderSize:]
	dataStart := start + int64(h.dataOff)
	tail := data[len(data)-min(len(data), tailCRCBytes):]
	if sum := crc32.ChecksumIEEE(tail) ^ 0xFFFFFFFF; sum != h.checksum {
		if batch != nil {
			batch.body = batch.body[:base]
		}
		r.skipped(int64(end) + gotSlack)
		r.warn(start, fmt.Sprintf("buffer checksum %#08x, computed %#08x: %d-byte buffer skipped", h.checksum, sum, h.size))
	} else {
		switch h.typ {
		case bufMetadata:
			r.metadata(data, dataStart)
		case bufEvents:
			if batch != nil {
				r.add(batch, base, int(h.dataOff-bufHeaderSize), dataStart)
			} else {
				r.drain()
				r.dec.events(r, r.cat, data, dataStart)
			}
		default:
			r.skipped(int64(h.dataLen))
			r.warn(start, fmt.Sprintf("buffer of type %d skipped", h.typ))
		}
	}
	if cut && !r.stop {
		r.warn(start+int64(end)+gotSlack, fmt.Sprintf("truncated: the file ends inside the slack of the %d-byte buffer at offset %d", h.size, start))
		return false
	}
	return !r.stop
}

// warn records and yields a warning at a byte offset, or queues it behind
// the buffers being decoded.
func (r *Reader) warn(off int64, msg string) {
	if r.queuing() {
		r.pending().warn(off, msg)
		return
	}
	if r.par != nil && r.par.stopped {
		return
	}
	w := &parsers.Warning{File: r.file, Offset: off, Msg: msg}
	r.stats.Warn(*w)
	if !r.stop && !r.yield(nil, w) {
		r.stop = true
	}
}

func (r *Reader) fatal(err error) {
	r.drain()
	if !r.stop {
		r.yield(nil, err)
		r.stop = true
	}
}

// The Reader is the sink of its own decoder: what it decodes is counted and
// yielded at once.

func (r *Reader) skipped(n int64) {
	switch {
	case r.queuing():
		r.pending().skipped(n)
	case r.par == nil || !r.par.stopped:
		r.stats.SkippedBytes += n
	}
}
func (r *Reader) record()       { r.stats.Records++ }
func (r *Reader) stopped() bool { return r.stop }

// event counts an interpreted event and yields it.
func (r *Reader) event(ev *parsers.Event) {
	if ev.Server != "" && r.stats.Server == "" {
		r.stats.Server = ev.Server
	}
	r.stats.Count(ev)
	if !r.yield(ev, nil) {
		r.stop = true
	}
}
