package inputs

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMultiStreamBzip2 lists SQL LogScout's Agent-log .bz2: two bzip2
// streams, each a tar, one after the other.
func TestMultiStreamBzip2(t *testing.T) {
	fh, err := os.Open(filepath.Join("..", "..", "testdata", "collections", "output_sqllnx1_02_10_2025_06_30.tar.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	tr := tar.NewReader(bzip2.NewReader(fh))
	var inner []byte
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatal("no Agent-log archive in the fixture: ", err)
		}
		if strings.HasSuffix(h.Name, "_sqlagent_logs.bz2") {
			inner, _ = io.ReadAll(tr)
			break
		}
	}
	path := filepath.Join(t.TempDir(), "agent_copy.bz2")
	os.WriteFile(path, inner, 0o644)
	// Both members are listed (and ignored by name: Agent logs).
	_, skipped := Collect([]string{path})
	var names []string
	for _, in := range skipped {
		names = append(names, filepath.Base(in.File))
	}
	if strings.Join(names, ",") != "sqlagent.out,sqlagentstartup.log" {
		t.Errorf("members %v", names)
	}
	// And the second one, in the second stream, reads back.
	a := &tarArchive{name: path, compression: "bzip2", limit: 1 << 20, last: 1,
		openRaw: func() (io.ReadCloser, error) { return os.Open(path) }}
	rc, err := a.member(1)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Contains(data, []byte("SQLServerAgent is starting")) {
		t.Errorf("second member: %q, %v", data, err)
	}
}
