package xel

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/xel from the synthetic writer")

// fixtures is the folder of the small synthetic .xel files of the repository.
var fixtures = filepath.Join("..", "..", "testdata", "xel")

// TestFixtures keeps testdata/xel/sample.xel (written by the test writer,
// used by the example and by other packages' tests) equal to what the writer
// produces; go test -update rewrites it.
func TestFixtures(t *testing.T) {
	path := filepath.Join(fixtures, "sample.xel")
	want := sampleFile()
	if *update {
		if err := os.MkdirAll(fixtures, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the writer's output: run go test -update", path)
	}
}
