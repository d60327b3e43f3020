package inputs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/agtriage/agtriage/analyzer/report"
	"github.com/agtriage/agtriage/parsers"
)

// maxEntries bounds the members listed from one tar archive.
const maxEntries = 100000

// Linux collections (SQL LogScout on Linux) arrive as tar archives, often
// compressed with bzip2 or gzip, and as ".bz2" files that hold a tar. They are
// read in place like .zip files: the archive is listed once, and members are
// read from a shared cursor that moves forward through the (decompressed)
// stream, so each member is decompressed once when they are read in order.

// tarKind tells how a file name says it is compressed.
func tarKind(lower string) (compression string, ok bool) {
	switch {
	case strings.HasSuffix(lower, ".tar"):
		return "", true
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		return "gzip", true
	case strings.HasSuffix(lower, ".tar.bz2"), strings.HasSuffix(lower, ".tbz2"), strings.HasSuffix(lower, ".tbz"),
		strings.HasSuffix(lower, ".bz2"):
		return "bzip2", true
	}
	return "", false
}

// tarArchive is one archive and the cursor its members are read from.
type tarArchive struct {
	name        string
	openRaw     func() (io.ReadCloser, error) // the archive's bytes (a file, or a member of another archive)
	compression string
	limit       int64 // bound on the decompressed bytes of one pass
	last        int   // index of the last member listed: closing it ends the pass

	mu     sync.Mutex
	fh     io.ReadCloser
	stream *boundedReader
	tr     *tar.Reader
	next   int // index of the header the next call to nextHeader returns
}

// boundedReader counts the bytes read through it and stops at limit.
type boundedReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *boundedReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		return 0, errInflateLimit
	}
	if int64(len(p)) > c.limit-c.n {
		p = p[:c.limit-c.n]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// restart opens the archive from its first byte.
func (a *tarArchive) restart() error {
	a.end()
	fh, err := a.openRaw()
	if err != nil {
		return err
	}
	var r io.Reader = bufio.NewReaderSize(fh, 64*1024)
	switch a.compression {
	case "gzip":
		gz, err := gzip.NewReader(r)
		if err != nil {
			fh.Close()
			return fmt.Errorf("not a gzip file: %w", err)
		}
		r = gz
	case "bzip2":
		r = bzip2.NewReader(r) // concatenated bzip2 streams are read as one
	}
	a.fh = fh
	a.stream = &boundedReader{r: r, limit: a.limit}
	a.tr = tar.NewReader(a.stream)
	a.next = 0
	return nil
}

// end closes the current pass (releasing the enclosing archive, if any).
func (a *tarArchive) end() {
	if a.fh != nil {
		a.fh.Close()
		a.fh, a.tr = nil, nil
	}
}

// nextHeader returns the next member header. Several tar archives written
// one after the other into one stream (SQL LogScout appends a second tar to
// its Agent-log .bz2) are read as one: after the end-of-archive blocks the
// reader skips zero blocks and starts again.
func (a *tarArchive) nextHeader() (*tar.Header, error) {
	for {
		h, err := a.tr.Next()
		if err == io.EOF {
			var block [512]byte
			for {
				if _, err := io.ReadFull(a.stream, block[:]); err != nil {
					return nil, io.EOF
				}
				if !bytes.Equal(block[:], make([]byte, 512)) {
					break
				}
			}
			a.tr = tar.NewReader(io.MultiReader(bytes.NewReader(append([]byte(nil), block[:]...)), a.stream))
			continue
		}
		if err != nil {
			return nil, err
		}
		a.next++
		return h, nil
	}
}

// member returns a reader of the k-th header's data; the archive stays
// locked until it is closed.
func (a *tarArchive) member(k int) (io.ReadCloser, error) {
	a.mu.Lock()
	if a.tr == nil || k < a.next {
		if err := a.restart(); err != nil {
			a.mu.Unlock()
			return nil, err
		}
	}
	for a.next <= k {
		if _, err := a.nextHeader(); err != nil {
			a.end()
			a.mu.Unlock()
			if err == io.EOF {
				err = errors.New("member no longer found in the archive")
			}
			return nil, err
		}
	}
	return &tarMember{a: a, r: a.tr, k: k}, nil
}

type tarMember struct {
	a      *tarArchive
	r      io.Reader
	k      int
	closed bool
}

func (m *tarMember) Read(p []byte) (int, error) { return m.r.Read(p) }

func (m *tarMember) Close() error {
	if !m.closed {
		m.closed = true
		if m.k >= m.a.last {
			// The last member: end the pass, so that an archive this one
			// lies in is free for its other members.
			m.a.end()
		}
		m.a.mu.Unlock()
	}
	return nil
}

// isTar reports whether b (a stream's first 512 bytes or more) starts with a
// tar header ("ustar" magic at offset 257).
func isTar(b []byte) bool {
	return len(b) >= 262 && string(b[257:262]) == "ustar"
}

// addTar lists the members of a tar archive (compressed or not) as Files, or
// adds a .bz2 file that holds no tar as one decompressed file. Archives inside
// the archive (SQL LogScout's Linux output holds .bz2 tars) are listed too.
func addTar(files []File, skipped []report.Input, name, dir, root string, size int64, compression string, openRaw func() (io.ReadCloser, error), depth int) ([]File, []report.Input) {
	limit := int64(MaxInflate)
	if compression != "" && size > 0 {
		if c := size * MaxRatio; c < limit {
			limit = max(c, 1<<20)
		}
	}
	a := &tarArchive{name: name, openRaw: openRaw, compression: compression, limit: limit}
	if err := a.restart(); err != nil {
		return files, append(skipped, report.Input{File: name, Skipped: "cannot read archive: " + err.Error()})
	}
	head := bufio.NewReaderSize(a.stream, 4096)
	b, err := head.Peek(512)
	if !isTar(b) {
		a.end()
		if compression == "bzip2" && len(b) > 0 {
			// A compressed single file, like .gz.
			return append(files, File{Name: name, Dir: dir, Root: root, Open: func() (io.ReadCloser, error) {
				rc, err := openRaw()
				if err != nil {
					return nil, err
				}
				return &limitedReadCloser{r: io.LimitReader(bzip2.NewReader(bufio.NewReader(rc)), limit), c: rc, limit: limit}, nil
			}}), skipped
		}
		reason := "not a tar archive"
		if err != nil && err != io.EOF {
			reason = "cannot read archive: " + err.Error()
		}
		return files, append(skipped, report.Input{File: name, Skipped: reason})
	}
	a.stream = &boundedReader{r: head, limit: limit}
	a.tr = tar.NewReader(a.stream)
	var members []File
	type nested struct {
		f           File
		compression string
		k           int
	}
	var inner []nested
	for idx := 0; ; idx++ {
		h, err := a.nextHeader()
		if err == io.EOF {
			break
		}
		if err != nil {
			what := "archive damaged"
			if errors.Is(err, errInflateLimit) {
				what = "listing stopped"
			}
			skipped = append(skipped, report.Input{File: name, Skipped: fmt.Sprintf("%s after %d members: %v", what, idx, err)})
			break
		}
		if idx >= maxEntries {
			skipped = append(skipped, report.Input{File: name, Skipped: fmt.Sprintf("more than %d members: the rest of the archive is not read; extract it and pass the folders", maxEntries)})
			break
		}
		if h.Typeflag != tar.TypeReg { // archive/tar reports old-style regular files (TypeRegA) as TypeReg
			continue
		}
		mname := cleanMemberName(h.Name)
		f := File{Name: name + "/" + mname, Dir: name, Root: root, Size: h.Size}
		if d := dirOf(mname); d != "" {
			f.Dir = name + "/" + d
		}
		if in, ok := collectorSkip(f.Name); ok {
			in.Bytes = h.Size
			skipped = append(skipped, in)
			continue
		}
		a.last = idx
		if c, ok := tarKind(strings.ToLower(mname)); ok && depth < 3 {
			inner = append(inner, nested{f, c, idx})
			continue
		}
		k := idx
		f.Open = func() (io.ReadCloser, error) { return a.member(k) }
		members = append(members, f)
	}
	a.end()
	files = append(files, members...)
	// An archive inside is copied (still compressed) to a temporary file
	// that is removed at once where the system allows: its members are then
	// read from that copy, never holding this archive's cursor, so readers
	// running in parallel cannot wait on each other.
	for _, n := range inner {
		raw, size, err := spill(a, n.k)
		if err != nil {
			skipped = append(skipped, report.Input{File: n.f.Name, Skipped: "cannot read archive: " + err.Error()})
			continue
		}
		files, skipped = addTar(files, skipped, n.f.Name, n.f.Dir, root, size, n.compression,
			func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(raw, 0, size)), nil }, depth+1)
	}
	return files, skipped
}

// spill copies member k of a to an anonymous temporary file.
func spill(a *tarArchive, k int) (*os.File, int64, error) {
	rc, err := a.member(k)
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp("", "agtriage-archive-*")
	if err != nil {
		return nil, 0, err
	}
	os.Remove(tmp.Name()) // the open file lives on (Unix); elsewhere it stays in the temp folder
	n, err := io.Copy(tmp, rc)
	if err != nil {
		tmp.Close()
		return nil, 0, err
	}
	return tmp, n, nil
}

func dirOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return ""
}

// nestedArchive explains an archive found inside another archive that is not
// opened (a zip or gzip member of an archive), or returns "".
func nestedArchive(name string, f parsers.Format) string {
	lower := strings.ToLower(name)
	if f != parsers.FormatBinary || !(strings.HasSuffix(lower, ".zip") || strings.HasSuffix(lower, ".gz")) {
		return ""
	}
	return "an archive inside an archive is not opened: extract the outer archive and pass the folder"
}
