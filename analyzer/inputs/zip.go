package inputs

import (
	"archive/zip"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/agtriage/agtriage/analyzer/report"
)

// zipEntry is what opening a zip member needs, kept instead of archive/zip's
// directory entry (about 200 bytes and the name again): a bundle of 100,000
// members then costs the File list alone.
type zipEntry struct {
	archive *os.File
	offset  int64 // of the member's data (after its local header)
	csize   int64
	size    uint64
	crc     uint32
	method  uint16
}

// addZip lists the members of the zip archive at path. The archive stays open
// for the members' Open functions; it is released when the process ends
// (inputs are read once, and again for the events view).
func addZip(files []File, skipped []report.Input, path, root string) ([]File, []report.Input) {
	fh, err := os.Open(path)
	if err != nil {
		return files, append(skipped, report.Input{File: path, Skipped: "cannot read zip archive: " + describeOpenError(err)})
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return files, append(skipped, report.Input{File: path, Skipped: "cannot read zip archive: " + err.Error()})
	}
	zr, err := zip.NewReader(fh, st.Size())
	if err != nil {
		fh.Close()
		return files, append(skipped, report.Input{File: path, Skipped: "cannot read zip archive: " + err.Error()})
	}
	zr.RegisterDecompressor(zip.Deflate, guardedDeflate)
	members := make([]*zip.File, 0, len(zr.File))
	for _, m := range zr.File {
		if !m.FileInfo().IsDir() {
			members = append(members, m)
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	// The members' names ("bundle.zip/SQLAG01/ERRORLOG.1") are cut from
	// one string and their entries from one array: a bundle of 100,000
	// members then holds no more than it must, without padding or small
	// objects scattered among the garbage of reading.
	var names strings.Builder
	ends := make([]int, len(members))
	for k, m := range members {
		if name := cleanMemberName(m.Name); !isTarName(name) {
			names.WriteString(path)
			names.WriteByte('/')
			names.WriteString(name)
		}
		ends[k] = names.Len()
	}
	slab := names.String()
	entries := make([]zipEntry, 0, len(members))
	// archive/zip's directory (about 200 bytes a member) is let go member by
	// member as the Files are made, so that both are not held whole at once.
	zr.File = nil
	files = slices.Grow(files, len(members))
	start := 0
	for k, m := range members {
		members[k] = nil
		full := slab[start:ends[k]]
		start = ends[k]
		// Member names are only labels: nothing is ever written, so "../"
		// cannot escape anywhere; clean them for display.
		name := cleanMemberName(m.Name)
		if isTarName(name) { // a tar inside the zip (tar.go)
			c, _ := tarKind(strings.ToLower(name))
			files, skipped = addTar(files, skipped, path+"/"+name, path+"/"+filepath.ToSlash(filepath.Dir(name)), root,
				int64(m.UncompressedSize64), c, m.Open, 1)
			continue
		}
		dir := full[:len(path)] // the archive itself for a member at its top
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			dir = full[:len(path)+1+i] // shares the name's bytes
		}
		f := File{Name: full, Dir: dir, Root: root, Size: int64(m.UncompressedSize64)}
		off, err := m.DataOffset()
		switch {
		case err != nil:
			f.Open = func() (io.ReadCloser, error) {
				return nil, fmt.Errorf("zip member's local header cannot be read: %w", err)
			}
		case m.Method != zip.Store && m.Method != zip.Deflate:
			method := m.Method
			f.Open = func() (io.ReadCloser, error) {
				return nil, fmt.Errorf("zip member compressed with method %d, which is not supported (only stored and deflate): extract it and pass the file", method)
			}
		default:
			entries = append(entries, zipEntry{archive: fh, offset: off, csize: int64(m.CompressedSize64), size: m.UncompressedSize64, crc: m.CRC32, method: m.Method})
			f.Open = entries[len(entries)-1].open // entries never grows past its capacity: the pointer stays
		}
		files = append(files, f)
	}
	return files, skipped
}

// isTarName reports whether a member's name is that of a tar archive, read
// as one (tar.go); it lower-cases only the end of the name, on the stack.
func isTarName(name string) bool {
	var buf [8]byte
	_, ok := tarKind(lowerTail(buf[:0], name))
	return ok
}

// open reads the member: its compressed bytes from the archive, inflated
// within the bounds of MaxInflate and MaxRatio, checked against the sizes
// and the CRC-32 of the archive directory.
func (e *zipEntry) open() (io.ReadCloser, error) {
	var rc io.ReadCloser
	if e.method == zip.Deflate {
		rc = guardedDeflate(io.NewSectionReader(e.archive, e.offset, e.csize))
	} else {
		rc = io.NopCloser(io.NewSectionReader(e.archive, e.offset, e.csize))
	}
	rc = &zipMember{rc: rc, e: e, crc: crc32.NewIEEE()}
	limit := int64(MaxInflate)
	if c := e.csize * MaxRatio; c > 0 && c < limit {
		limit = max(c, 1<<20)
	}
	return &limitedReadCloser{r: io.LimitReader(rc, limit), c: rc, limit: limit}, nil
}

// zipMember reads a member's data and checks it as archive/zip does, with
// reasons that say what is wrong: no more bytes than the archive directory
// states (what it states is kept, the excess reported), not fewer, and the
// CRC-32 at the end.
type zipMember struct {
	rc  io.ReadCloser // the member's data, inflated
	e   *zipEntry
	crc hash.Hash32
	n   int64
}

func (z *zipMember) Read(p []byte) (int, error) {
	if size := z.e.size; size < math.MaxInt64 {
		rem := int64(size) - z.n
		if rem <= 0 {
			var one [1]byte
			n, err := z.rc.Read(one[:])
			if n > 0 {
				return 0, fmt.Errorf("zip member holds more than the %d bytes its archive directory states (a damaged or crafted archive): read up to that size", size)
			}
			if err == nil {
				err = io.EOF
			}
			return 0, z.end(err)
		}
		if int64(len(p)) > rem {
			p = p[:rem]
		}
	}
	n, err := z.rc.Read(p)
	z.crc.Write(p[:n])
	z.n += int64(n)
	return n, z.end(err)
}

// end says why the member's data ended, when it did.
func (z *zipMember) end(err error) error {
	var ie *inflateError
	switch {
	case err == nil, errors.As(err, &ie):
		return err
	case err == io.EOF && uint64(z.n) >= z.e.size:
		if z.e.crc != 0 && z.crc.Sum32() != z.e.crc {
			return fmt.Errorf("zip member's checksum (CRC-32) does not match its %d bytes: the content is damaged", z.n)
		}
		return io.EOF
	case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF) && uint64(z.n) < z.e.size:
		return fmt.Errorf("zip member ends after %d bytes but its archive directory states %d (a truncated or crafted archive)", z.n, z.e.size)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("zip member's compressed data ends early after %d bytes (the archive directory's compressed size %d does not match the data)", z.n, z.e.csize)
	}
	return err
}

func (z *zipMember) Close() error { return z.rc.Close() }
