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
	b.ReportAllocs()
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
	b.ReportAllocs()
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

var (
	singleOnce  sync.Once
	singleDir   string
	singleBytes int64
	singleErr   error
)

// singleBundle writes (once, reused when present) the primary's ERRORLOG of
// the big bundle alone, AGTRIAGE_BENCH_MB megabytes (default 200): a failover
// seen only from the old primary's side.
func singleBundle(b *testing.B) (string, int64) {
	singleOnce.Do(func() {
		mb := int64(200)
		if s := os.Getenv("AGTRIAGE_BENCH_MB"); s != "" {
			if mb, singleErr = strconv.ParseInt(s, 10, 64); singleErr != nil {
				return
			}
		}
		singleDir = filepath.Join(os.TempDir(), fmt.Sprintf("agtriage-single-%dMB", mb))
		if fi, err := os.Stat(filepath.Join(singleDir, bigbundle.Replicas[0], "ERRORLOG")); err == nil {
			singleBytes = fi.Size()
			return
		}
		os.RemoveAll(singleDir)
		singleBytes, singleErr = bigbundle.WriteReplica(singleDir, 0, mb<<20)
	})
	if singleErr != nil {
		b.Fatal(singleErr)
	}
	return singleDir, singleBytes
}

// BenchmarkAnalyzeSingleReplica is the whole analysis of one replica's large
// ERRORLOG whose primary loses its role (the new primary's logs absent): it
// must find exactly one failover, with the target unknown, and one incident.
func BenchmarkAnalyzeSingleReplica(b *testing.B) {
	dir, size := singleBundle(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := AnalyzePaths([]string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Failovers) != 1 || rep.Failovers[0].To != "" || len(rep.Incidents) != 1 {
			b.Fatalf("%d failovers %+v, %d incidents", len(rep.Failovers), rep.Failovers, len(rep.Incidents))
		}
	}
}

// BenchmarkSingleReplicaReader is its baseline: the same file through
// errorlog.Reader alone, events discarded.
func BenchmarkSingleReplicaReader(b *testing.B) {
	dir, size := singleBundle(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(filepath.Join(dir, bigbundle.Replicas[0], "ERRORLOG"))
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
