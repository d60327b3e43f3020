// Package evtx reads Windows XML Event Log files (.evtx: System.evtx,
// Application.evtx, Security.evtx, FailoverClustering%4Operational.evtx ...)
// natively, on any operating system, as a stream.
//
// The format (libyal's "Windows XML Event Log (EVTX)" document and
// [MS-EVEN6]): a 4096-byte file header, then 64 KiB chunks, each with a
// 512-byte header and event records. A record holds Binary XML: a template
// instance that refers to a template definition stored once per chunk, and the
// instance's values (strings, integers, GUIDs, SIDs, FILETIME and SYSTEMTIME,
// binary data, arrays, nested Binary XML). Element and attribute names are
// stored once per chunk and referenced by offset. The reader keeps one chunk
// and its caches of names and compiled templates, so memory is flat in the
// file size.
//
// Each record becomes one parsers.Event: Time from System/TimeCreated (UTC),
// Process the provider (Event Viewer's "Source"), Server the computer's host
// name, and Fields EventID, Level, Channel, RecordID, Computer (and UserID
// when present), then the EventData values (named Data by their Name,
// unnamed ones Data1, Data2 ...; Binary as hex) or the UserData leaf
// elements. Events of known providers and ids are classified by
// winevent.Classify (Kind and Message); SQL Server's own events in the
// Application log (source MSSQLSERVER or MSSQL$INSTANCE) carry the message
// number in Error and are classified like ERRORLOG lines.
//
// Damage is reported, never fatal after the file header: CRC32 checksums of
// the file header, of each chunk header and of each chunk's records are
// verified (unless the file or chunk says it carries none, flag 0x4); a chunk
// with a bad signature or checksum is read record by record, each record
// checked on its own (signature, size and trailing copy, Binary XML); a
// damaged record is skipped with its offset and the search goes on at the
// next record signature. The header's dirty flag and its stale counts do not
// limit reading: every chunk present is read, and intact records written
// after a chunk header was last updated (they continue its record ids) are
// read too. Stale copies of older records in a chunk's free space are not.
package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"

	"github.com/agtriage/agtriage/parsers"
)

// Format constants.
const (
	// FileHeaderSize is the size of the file header block; the first chunk
	// follows it.
	FileHeaderSize = 4096
	// ChunkSize is the size of every chunk.
	ChunkSize = 65536

	chunkHeaderSize  = 512
	recordHeaderSize = 24
	minRecordSize    = recordHeaderSize + 4 + 4 // header, at least a fragment header, size copy

	flagDirty   = 0x1
	flagNoCRC32 = 0x4
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte{0x2A, 0x2A, 0x00, 0x00}
)

// ErrNotEVTX is wrapped by the error of an input that is not an .evtx file.
var ErrNotEVTX = errors.New("not an .evtx file")

// Reader reads one .evtx file. Create it with NewReader and range over
// Events; Stats is complete once the iteration has ended.
type Reader struct {
	in    io.Reader
	file  string
	stats parsers.FileStats
	out   parsers.Emitter

	pos   int64
	chunk []byte
	ctx   chunkCtx
	block []parsers.Event
	build eventBuilder
	eval  evaluator

	// Header facts, for the statistics and the tests.
	Dirty      bool   // the file header's dirty flag was set
	Version    string // the file format version, "3.1" or "3.2"
	chunks     int    // chunks read
	noCRC      bool
	newSink    func() sink // tests: receive the XML instead of events
	recordHook func(id uint64, written uint64, off int64)
}

var _ parsers.Reader = (*Reader)(nil)

// NewReader returns a reader of the .evtx data in r; file names the input in
// events, warnings and errors.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{
		in:   r,
		file: file,
		stats: parsers.FileStats{
			File:     file,
			Format:   parsers.FormatEVTX,
			Encoding: "binary",
			Clock:    parsers.ClockUTC,
		},
		ctx: chunkCtx{names: map[uint32]string{}, tmpls: map[uint32]*elem{}},
	}
}

// Stats returns the statistics of the file, complete once Events has ended.
// Records counts the event records found, Events those emitted, SkippedBytes
// the bytes of damaged chunks and records.
func (r *Reader) Stats() *parsers.FileStats { return &r.stats }

// Events returns the stream of events in file order. Offset is the byte
// offset of the event record, Line is 0. A warning (*parsers.Warning) is
// yielded with a nil event and reading goes on; any other error ends the
// stream. Events may be ranged over only once.
func (r *Reader) Events() iter.Seq2[*parsers.Event, error] {
	return r.out.Events("evtx", &r.stats, func() {
		r.run()
		r.stats.Bytes = r.pos
	})
}

func (r *Reader) read(p []byte) (int, error) {
	n, err := io.ReadFull(r.in, p)
	r.pos += int64(n)
	return n, err
}

func (r *Reader) run() {
	var hdr [FileHeaderSize]byte
	n, err := r.read(hdr[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		r.out.Fail(fmt.Errorf("%s: %w", r.file, err))
		return
	}
	if n < len(fileMagic) || !bytes.Equal(hdr[:len(fileMagic)], fileMagic) {
		r.out.Fail(fmt.Errorf("%s: %w: no ElfFile signature at offset 0", r.file, ErrNotEVTX))
		return
	}
	if n < 128 {
		r.truncated(0, "file header", int64(n))
		return
	}
	r.fileHeader(hdr[:128])
	if n < FileHeaderSize {
		r.truncated(0, "file header", int64(n))
		return
	}
	r.chunk = make([]byte, ChunkSize)
	for !r.out.Stopped() {
		start := r.pos
		n, err := r.read(r.chunk)
		if n == 0 {
			if err != nil && err != io.EOF {
				r.out.Fail(fmt.Errorf("%s@%d: %w", r.file, start, err))
			}
			return
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			r.out.Fail(fmt.Errorf("%s@%d: %w", r.file, r.pos, err))
			return
		}
		r.readChunk(start, r.chunk[:n])
		if n < ChunkSize {
			return
		}
	}
}

// fileHeader checks the first 128 bytes of the file header.
func (r *Reader) fileHeader(h []byte) {
	le := binary.LittleEndian
	flags := le.Uint32(h[120:])
	r.Dirty = flags&flagDirty != 0
	r.noCRC = flags&flagNoCRC32 != 0
	r.Version = fmt.Sprintf("%d.%d", le.Uint16(h[38:]), le.Uint16(h[36:]))
	if major := le.Uint16(h[38:]); major != 3 {
		r.warn(38, fmt.Sprintf("format version %s, expected 3.x: reading on", r.Version))
	}
	if !r.noCRC {
		if sum, want := crc32.ChecksumIEEE(h[:120]), le.Uint32(h[124:]); sum != want {
			r.warn(124, fmt.Sprintf("file header checksum %#08x, computed %#08x: header counts not trusted (every chunk present is read)", want, sum))
		}
	}
	if bs := le.Uint16(h[40:]); bs != FileHeaderSize {
		r.warn(40, fmt.Sprintf("header block size %d, expected %d: chunks read from offset %d", bs, FileHeaderSize, FileHeaderSize))
	}
}

// readChunk reads the records of the chunk read at file offset start; b is
// shorter than ChunkSize when the file ends inside it.
func (r *Reader) readChunk(start int64, b []byte) {
	r.chunks++
	le := binary.LittleEndian
	full := len(b) == ChunkSize
	if len(b) < chunkHeaderSize {
		if !allZero(b) {
			r.truncated(start, "chunk header", int64(len(b)))
		} else {
			r.stats.SkippedBytes += int64(len(b))
			r.warn(start, fmt.Sprintf("truncated: the file ends inside an empty chunk (%d bytes present)", len(b)))
		}
		return
	}
	// The free-space offset ends the records the header vouches for.
	limit := int(le.Uint32(b[48:]))
	badFree := limit < chunkHeaderSize || limit > ChunkSize
	if badFree || limit > len(b) {
		limit = len(b)
	}
	if !bytes.Equal(b[:8], chunkMagic) {
		if allZero(b) {
			if !full {
				r.stats.SkippedBytes += int64(len(b))
				r.warn(start, fmt.Sprintf("truncated: the file ends inside an empty chunk (%d bytes present)", len(b)))
			}
			return // unused space
		}
		r.warn(start, "no chunk signature (ElfChnk): chunk header damaged, its records are checked one by one")
		r.records(start, b, limit)
		return
	}
	noCRC := r.noCRC || le.Uint32(b[120:])&flagNoCRC32 != 0
	if badFree {
		r.warn(start+48, fmt.Sprintf("chunk free-space offset %d out of range: records checked up to the end of the chunk", le.Uint32(b[48:])))
	}
	switch {
	case !full:
		r.warn(start, fmt.Sprintf("truncated: the file ends inside a chunk (%d of %d bytes present): its complete records are read", len(b), ChunkSize))
	case noCRC:
	default:
		hsum := crc32.Update(crc32.ChecksumIEEE(b[:120]), crc32.IEEETable, b[128:chunkHeaderSize])
		if want := le.Uint32(b[124:]); hsum != want {
			r.warn(start+124, fmt.Sprintf("chunk header checksum %#08x, computed %#08x: records checked one by one", want, hsum))
			break
		}
		if dsum, want := crc32.ChecksumIEEE(b[chunkHeaderSize:limit]), le.Uint32(b[52:]); dsum != want {
			dirty := ""
			if r.Dirty {
				dirty = " (dirty file)"
			}
			r.warn(start+52, fmt.Sprintf("chunk records checksum %#08x, computed %#08x%s: records checked one by one", want, dsum, dirty))
		}
	}
	r.records(start, b, limit)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// records walks the records of a chunk from offset 512. Up to limit (the
// chunk header's free-space offset) every byte belongs to a record, so a
// damaged record is skipped and the search goes on at the next intact record
// whose id follows the last one read. Past limit, records are read while
// they are intact and continue the record ids: a dirty file's last chunk may
// hold records written after its header was updated, while older copies of
// records left in the free space are not read again.
func (r *Reader) records(start int64, b []byte, limit int) {
	r.ctx.reset(b)
	le := binary.LittleEndian
	p := chunkHeaderSize
	var lastID uint64
	haveID := false
	for p+minRecordSize <= len(b) && !r.out.Stopped() {
		size, ok := intact(b, p)
		var id uint64
		if ok {
			id = le.Uint64(b[p+8:])
			if haveID && (id <= lastID || p >= limit && id != lastID+1) {
				ok = false // out of sequence: a stale copy
			}
		}
		if !ok {
			if p >= limit {
				return // the free space
			}
			next := r.resync(b, p+1, lastID, haveID)
			end := next
			if next < 0 || next > limit {
				end = limit
			}
			r.stats.SkippedBytes += int64(end - p)
			what := "no record signature"
			if bytes.Equal(b[p:p+4], recordMagic) {
				what = fmt.Sprintf("damaged record (size %d)", le.Uint32(b[p+4:]))
				if size > 0 {
					what = fmt.Sprintf("record %d out of sequence after record %d", id, lastID)
				}
			}
			r.warn(start+int64(p), fmt.Sprintf("%s: %d bytes skipped", what, end-p))
			p = end
			continue
		}
		r.stats.Records++
		if !r.record(start+int64(p), b, p, size, id) {
			r.stats.SkippedBytes += int64(size)
		}
		lastID, haveID = id, true
		p += size
	}
}

// intact reports whether a record starts at p: its signature, and a size
// within the chunk that its trailing copy repeats.
func intact(b []byte, p int) (int, bool) {
	if p+minRecordSize > len(b) || !bytes.Equal(b[p:p+4], recordMagic) {
		return 0, false
	}
	size := int(binary.LittleEndian.Uint32(b[p+4:]))
	if size < minRecordSize || size > len(b)-p || int(binary.LittleEndian.Uint32(b[p+size-4:])) != size {
		return 0, false
	}
	return size, true
}

// resync returns the offset of the next intact record at or after p whose id
// follows lastID, or -1.
func (r *Reader) resync(b []byte, p int, lastID uint64, haveID bool) int {
	for p < len(b) {
		i := bytes.Index(b[p:], recordMagic)
		if i < 0 {
			return -1
		}
		q := p + i
		if _, ok := intact(b, q); ok && (!haveID || binary.LittleEndian.Uint64(b[q+8:]) > lastID) {
			return q
		}
		p = q + 1
	}
	return -1
}

// record decodes the record of size bytes at chunk offset p (file offset
// off) and emits its event. It reports whether the record was usable.
func (r *Reader) record(off int64, b []byte, p, size int, id uint64) bool {
	written := binary.LittleEndian.Uint64(b[p+16:])
	if r.recordHook != nil {
		r.recordHook(id, written, off)
	}
	r.ctx.out = 0
	r.ctx.vals = r.ctx.vals[:0]
	ps := &parser{c: &r.ctx, p: p + recordHeaderSize, end: p + size - 4}
	items := ps.document()
	if ps.err != nil {
		r.warn(off, fmt.Sprintf("record %d: %v: record skipped", id, ps.err))
		return false
	}
	var s sink
	if r.newSink != nil {
		s = r.newSink()
	} else {
		r.build.reset()
		s = &r.build
	}
	ev := &r.eval
	ev.c, ev.s, ev.depth, ev.err = &r.ctx, s, 0, nil
	ev.items(items, nil)
	if ev.err != nil {
		r.warn(off, fmt.Sprintf("record %d: %v: record skipped", id, ev.err))
		return false
	}
	if r.newSink != nil {
		return true
	}
	e := r.newEvent()
	r.build.fill(e, id, written)
	e.File = r.file
	e.Offset = off
	if r.stats.Server == "" && e.Server != "" {
		r.stats.Server = e.Server
	}
	r.out.Emit(e)
	return true
}

// newEvent returns a zeroed event from a block: one allocation per 64.
func (r *Reader) newEvent() *parsers.Event {
	if len(r.block) == 0 {
		r.block = make([]parsers.Event, 64)
	}
	e := &r.block[0]
	r.block = r.block[1:]
	return e
}

// truncated reports an input that ends inside a structure started at off, of
// which n bytes were present.
func (r *Reader) truncated(off int64, what string, n int64) {
	r.stats.SkippedBytes += n
	r.warn(off, fmt.Sprintf("truncated: the file ends inside the %s (%d bytes present)", what, n))
}

// warn records and yields a warning at a byte offset.
func (r *Reader) warn(off int64, msg string) { r.out.Warn(0, off, msg) }
