package xel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusAllDecoded reads the real files and expects every field of every
// event decoded: no value is "field of type T not decoded".
func TestCorpusAllDecoded(t *testing.T) {
	fields := 0
	for _, path := range corpusXEL(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res := read(t, data)
		for _, ev := range res.events {
			for _, f := range ev.Fields {
				fields++
				if strings.HasPrefix(f.Value, "field of type ") && strings.HasSuffix(f.Value, " not decoded") {
					t.Errorf("%s: %s.%s: %s", filepath.Base(path), ev.Name, f.Name, f.Value)
				}
			}
		}
	}
	if fields == 0 {
		t.Error("no fields read")
	}
}
