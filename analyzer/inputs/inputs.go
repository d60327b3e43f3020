package inputs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/agtriage/agtriage/analyzer/report"
)

// File is one input to analyze: a file on disk, a member of a .zip archive, a
// decompressed .gz file or standard input.
type File struct {
	// Name is the path shown in the report and in evidence ("bundle.zip/SQLAG01/ERRORLOG").
	Name string
	// Dir is the folder that holds the file (used to attribute it to a server)
	// and Root the path the user named that led to it.
	Dir, Root string
	// Size in bytes when known (0 for stdin and compressed members).
	Size int64
	// Open returns the file's content. It is called once.
	Open func() (io.ReadCloser, error)
}

// Limits that protect against hostile archives.
const (
	// MaxInflate bounds the bytes read from one compressed member.
	MaxInflate = 8 << 30
	// MaxRatio bounds the compression ratio of a zip member: reading stops
	// after MaxRatio times its compressed size (at least 1 MiB). Real logs
	// compress 10 to 50 times; deflate cannot exceed about 1030.
	MaxRatio = 200
)

// Collect expands paths (files, directories walked recursively without
// following symbolic links, .zip archives read in place, .gz files, and "-" for
// standard input) into Files. Problems with a path (missing, unreadable) come
// back as skipped Inputs with the reason; the walk goes on.
func Collect(paths []string) (files []File, skipped []report.Input) {
	for _, p := range paths {
		if p == "-" {
			if st, err := os.Stdin.Stat(); err == nil && st.Mode()&fs.ModeCharDevice != 0 && !isDevNull(st) {
				skipped = append(skipped, report.Input{File: "(stdin)", Skipped: "standard input is a terminal: pipe a log into agtriage (agtriage - < ERRORLOG)"})
				continue
			}
			files = append(files, File{Name: "(stdin)", Dir: "", Root: "-", Open: openStdin})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			skipped = append(skipped, report.Input{File: p, Skipped: describeOpenError(err)})
			continue
		}
		if !info.IsDir() {
			if info.Mode()&fs.ModeNamedPipe != 0 {
				files = append(files, pipeFile(p))
				continue
			}
			if r := nonRegularReason(info.Mode()); r != "" {
				skipped = append(skipped, report.Input{File: p, Skipped: r})
				continue
			}
			files, skipped = addFile(files, skipped, p, filepath.Dir(p), p, info)
			continue
		}
		root := p
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				skipped = append(skipped, report.Input{File: path, Skipped: describeOpenError(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != root && strings.HasPrefix(d.Name(), ".") {
					// .git and the like; listed, so that nothing is left
					// out without a word.
					skipped = append(skipped, report.Input{File: path, Skipped: "hidden folder, not read (name it to read it)", Ignored: true})
					return fs.SkipDir
				}
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Symbolic links are not followed: that is how loops are avoided.
				skipped = append(skipped, report.Input{File: path, Skipped: "symbolic link, not followed (name its target to read it)", Ignored: true})
				return nil
			}
			if r := nonRegularReason(d.Type()); r != "" {
				skipped = append(skipped, report.Input{File: path, Skipped: r, Ignored: true})
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				skipped = append(skipped, report.Input{File: path, Skipped: describeOpenError(err)})
				return nil
			}
			files, skipped = addFile(files, skipped, path, filepath.Dir(path), root, fi)
			return nil
		})
		if err != nil {
			skipped = append(skipped, report.Input{File: p, Skipped: err.Error()})
		}
	}
	// Copies of one cluster log (collectors.go) are read once.
	files, dups := collectorDuplicates(files)
	return files, append(skipped, dups...)
}

// addFile adds a regular file, expanding .zip archives and .gz files.
func addFile(files []File, skipped []report.Input, path, dir, root string, info fs.FileInfo) ([]File, []report.Input) {
	if in, ok := collectorSkip(path); ok {
		return files, append(skipped, in) // a collector's non-log file (collectors.go)
	}
	lower := strings.ToLower(path)
	if c, ok := tarKind(lower); ok { // tar.go
		return addTar(files, skipped, path, dir, root, info.Size(), c, func() (io.ReadCloser, error) { return os.Open(path) }, 0)
	}
	switch {
	case strings.HasSuffix(lower, ".zip"):
		return addZip(files, skipped, path, root) // zip.go
	case strings.HasSuffix(lower, ".gz"):
		return append(files, File{
			Name: path, Dir: dir, Root: root,
			Open: func() (io.ReadCloser, error) {
				fh, err := openRegular(path, path != root)
				if err != nil {
					return nil, err
				}
				in := &countingReader{r: fh}
				gz, err := gzip.NewReader(in)
				if err != nil {
					fh.Close()
					return nil, fmt.Errorf("not a gzip file: %w", err)
				}
				return &inflateGuard{r: gz, c: fh, in: in}, nil
			},
		}), skipped
	}
	return append(files, File{
		Name: path, Dir: dir, Root: root, Size: info.Size(),
		Open: func() (io.ReadCloser, error) { return openRegular(path, path != root) },
	}), skipped
}

// pipeFile is a named pipe given on the command line (or by process
// substitution): read once, with an idle timeout.
func pipeFile(path string) File {
	return File{Name: path, Dir: filepath.Dir(path), Root: path, Open: func() (io.ReadCloser, error) { return openPipe(path) }}
}

func cleanMemberName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	parts := strings.Split(n, "/")
	out := parts[:0]
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return "_"
	}
	return strings.Join(out, "/")
}

// limitedReadCloser reads at most limit bytes and says so when it stops there.
type limitedReadCloser struct {
	r     io.Reader
	c     io.Closer
	limit int64
	n     int64
}

// errInflateLimit is returned when a compressed member exceeds the inflation bounds.
var errInflateLimit = errors.New("compressed input exceeds the decompression limit; extract it and pass the files")

func (l *limitedReadCloser) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if err == io.EOF && l.n >= l.limit {
		return n, errInflateLimit
	}
	return n, err
}

func (l *limitedReadCloser) Close() error { return l.c.Close() }

func describeOpenError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory: check the path"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied: run as a user who can read the file, or copy it"
	}
	return err.Error()
}
