package analyzer

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyze runs the whole analysis (readers, clocks, rules, incidents,
// writers) over two replica folders made from the fuzzer's bytes: no input may
// make a rule or a writer panic. Seeds are the scenario logs.
func FuzzAnalyze(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "*", "ERRORLOG"))
	xml, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "*", "AlwaysOn_health.xml"))
	for i, p := range seeds {
		a, _ := os.ReadFile(p)
		var b []byte
		if i < len(xml) {
			b, _ = os.ReadFile(xml[i])
		}
		if len(a) > 64<<10 {
			a = a[:64<<10]
		}
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		f.Add(a, b)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		for _, file := range []struct {
			path string
			data []byte
		}{{"SQLAG01/ERRORLOG", a}, {"SQLAG02/AlwaysOn_health.xml", b}} {
			p := filepath.Join(dir, file.path)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, file.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := AnalyzePaths([]string{dir}, Options{Workers: 1})
		if err != nil {
			return // nothing readable
		}
		if err := WriteMarkdown(io.Discard, rep, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(io.Discard, rep); err != nil {
			t.Fatal(err)
		}
		WriteMarkdown(io.Discard, Redact(rep), MarkdownOptions{})
	})
}
