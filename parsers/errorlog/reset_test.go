package errorlog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agtriage/agtriage/parsers"
)

// TestResetMatchesNew reads a sequence of logs of every encoding with one
// reader, Reset between them, and checks that each file reads exactly as
// with a new reader: events, warnings, statistics. The sequence includes
// a read stopped early, a huge line that grows the line buffer and a
// reader that was first a parallel one, and runs with and without Reuse.
func TestResetMatchesNew(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.log"))
	var logs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, b)
	}
	for _, enc := range []parsers.Encoding{parsers.UTF16LE, parsers.UTF16BE, parsers.UTF8} {
		data, _, _ := awkwardLog(enc, true)
		logs = append(logs, data)
		data, _, _ = awkwardLog(enc, false)
		logs = append(logs, data)
	}
	long := "2024-03-12 02:14:00.00 spid9s      " + strings.Repeat("x", 300) + "\r\n2024-03-12 02:14:01.00 Server      Server name is 'SQL2'.\r\n"
	logs = append(logs, []byte(long), nil, []byte("not a log\n"))
	if len(logs) < 10 {
		t.Fatalf("only %d logs", len(logs))
	}
	for _, reuse := range []bool{false, true} {
		for _, maxLine := range []int{0, 120} {
			r := NewReaderAt(bytes.NewReader(logs[0]), int64(len(logs[0])), "first")
			r.Reuse, r.MaxLineBytes = reuse, maxLine
			readTrace(r)
			for round := 0; round < 2; round++ {
				for i, data := range logs {
					name := filepath.Join("dir", strings.Repeat("n", i))
					fresh := NewReader(bytes.NewReader(data), name)
					fresh.Reuse, fresh.MaxLineBytes = reuse, maxLine
					want := readTrace(fresh)
					r.Reset(bytes.NewReader(data), name)
					if d := diffTrace(want, readTrace(r)); d != "" {
						t.Fatalf("reuse %v, max %d, log %d after Reset: %s", reuse, maxLine, i, d)
					}
					if i%3 == 1 {
						// Stop after the first event: the next Reset must
						// not carry anything over.
						r.Reset(bytes.NewReader(data), name)
						for range r.Events() {
							break
						}
					}
				}
			}
		}
	}
}

// FuzzReset reads one input, then another after Reset, and checks that the
// second reads exactly as with a new reader.
func FuzzReset(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.log"))
	for i, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			next, _ := os.ReadFile(files[(i+1)%len(files)])
			f.Add(b, next, i%2 == 0)
		}
	}
	f.Add([]byte("2024-03-12 02:14:00.00 spid9s      x\r\n"), []byte{0xFF, 0xFE, '2', 0}, true)
	f.Fuzz(func(t *testing.T, a, b []byte, reuse bool) {
		r := NewReader(bytes.NewReader(a), "a")
		r.Reuse, r.MaxLineBytes = reuse, 200
		readTrace(r)
		r.Reset(bytes.NewReader(b), "b")
		fresh := NewReader(bytes.NewReader(b), "b")
		fresh.Reuse, fresh.MaxLineBytes = reuse, 200
		if d := diffTrace(readTrace(fresh), readTrace(r)); d != "" {
			t.Fatalf("after Reset: %s", d)
		}
	})
}
