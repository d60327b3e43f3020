package analyzer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/agtriage/agtriage/analyzer/jsonreport"
	"github.com/agtriage/agtriage/analyzer/mdreport"
	"github.com/agtriage/agtriage/analyzer/redact"
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
		// Small seeds: the fuzzer mutates and minimizes faster.
		if len(a) > 16<<10 {
			a = a[:16<<10]
		}
		if len(b) > 16<<10 {
			b = b[:16<<10]
		}
		f.Add(a, b)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		// In memory: no temporary folder per execution, so that the fuzzer
		// spends its time in the analysis (hundreds of executions a second
		// instead of a handful).
		mem := func(name string, data []byte) File {
			return File{Name: "bundle/" + name, Dir: "bundle/" + filepath.Dir(name), Root: "bundle", Size: int64(len(data)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		}
		rep, err := Analyze([]File{mem("SQLAG01/ERRORLOG", a), mem("SQLAG02/AlwaysOn_health.xml", b)}, Options{Workers: 1})
		if err != nil {
			return // nothing readable
		}
		if err := mdreport.Write(io.Discard, rep, mdreport.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := jsonreport.Write(io.Discard, rep); err != nil {
			t.Fatal(err)
		}
		red := redact.Report(rep, redact.Options{Roots: []string{"bundle"}})
		if err := jsonreport.Write(io.Discard, red); err != nil {
			t.Fatal(err)
		}
		mdreport.Write(io.Discard, red, mdreport.Options{})
	})
}
