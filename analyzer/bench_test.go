package analyzer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/agtriage/agtriage/internal/bigbundle"
	"github.com/agtriage/agtriage/parsers/errorlog"
)

var (
	benchOnce  sync.Once
	benchDir   string
	benchBytes int64
	benchErr   error
)

// benchBundle writes (once per process, reused between runs when present) a
// three-replica bundle of AGTRIAGE_BENCH_MB megabytes (default 256) under the
// temporary folder.
func benchBundle(b *testing.B) (string, int64) {
	benchOnce.Do(func() {
		mb := int64(256)
		if s := os.Getenv("AGTRIAGE_BENCH_MB"); s != "" {
			if mb, benchErr = strconv.ParseInt(s, 10, 64); benchErr != nil {
				return
			}
		}
		benchDir = filepath.Join(os.TempDir(), fmt.Sprintf("agtriage-bench-%dMB", mb))
		if n, ok := bundleSize(benchDir); ok {
			benchBytes = n
			return
		}
		os.RemoveAll(benchDir)
		benchBytes, benchErr = bigbundle.Write(benchDir, mb<<20)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchBytes
}

func bundleSize(dir string) (int64, bool) {
	var n int64
	for _, h := range bigbundle.Replicas {
		fi, err := os.Stat(filepath.Join(dir, h, "ERRORLOG"))
		if err != nil {
			return 0, false
		}
		n += fi.Size()
	}
	return n, true
}

// BenchmarkAnalyzeBundle is the end-to-end analysis of a multi-replica bundle,
// files read in parallel (one worker per CPU).
func BenchmarkAnalyzeBundle(b *testing.B) { benchAnalyze(b, 0) }

// BenchmarkAnalyzeBundleOneWorker is the same with the files read one by one.
func BenchmarkAnalyzeBundleOneWorker(b *testing.B) { benchAnalyze(b, 1) }

func benchAnalyze(b *testing.B, workers int) {
	dir, size := benchBundle(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := AnalyzePaths([]string{dir}, Options{Workers: workers})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Failovers) != 1 {
			b.Fatalf("%d failovers", len(rep.Failovers))
		}
	}
}

// BenchmarkReadersBaseline is the sum of the single-reader baselines: each
// ERRORLOG of the bundle streamed through errorlog.Reader alone, one after
// the other, events discarded.
func BenchmarkReadersBaseline(b *testing.B) {
	dir, size := benchBundle(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, h := range bigbundle.Replicas {
			f, err := os.Open(filepath.Join(dir, h, "ERRORLOG"))
			if err != nil {
				b.Fatal(err)
			}
			for _, err := range errorlog.NewReader(f, f.Name()).Events() {
				if err != nil {
					b.Fatal(err)
				}
			}
			f.Close()
		}
	}
}
