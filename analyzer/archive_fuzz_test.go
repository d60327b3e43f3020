package analyzer

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/internal/exportgen"
)

// FuzzArchives feeds arbitrary bytes as a .tar, .tgz, .tar.bz2 or .bz2 file
// (and as an export next to it): listing and reading must not panic nor
// hang, and the report must still be written.
func FuzzArchives(f *testing.F) {
	for _, p := range []string{"output_sqllnx1_02_10_2025_06_30.tar.bz2", "output_sqllnx2_02_10_2025_06_30.tar.bz2"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "collections", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(2))
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	data := exportgen.UTF16LE(goodLog)
	tw.WriteHeader(&tar.Header{Name: "SQLAG01/ERRORLOG", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write(data)
	tw.Close()
	f.Add(buf.Bytes(), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		names := []string{"x.tar", "x.tgz", "x.tar.bz2", "SQLNODE1_host_instance_sql_logs.bz2"}
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, names[int(kind)%len(names)]), data, 0o644)
		os.WriteFile(filepath.Join(dir, "export.csv"), data, 0o644)
		rep, err := AnalyzePaths([]string{dir}, Options{Workers: 2})
		if err != nil {
			return
		}
		if err := mdreport.Write(io.Discard, rep, mdreport.Options{}); err != nil {
			t.Fatal(err)
		}
	})
}
