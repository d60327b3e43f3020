package clusterlog

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, and every
// line must be accounted for as a record, a continuation, a section header,
// unrecognized or skipped (checkInvariants).
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.log"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("   12 [System] 0.0::2024/01/01-00:00:00.000 ERR   x\n   13 y\n  14\n"))
	f.Add([]byte("0.0::2024/01/01-00:00:00.000 ERR   [RES] [hadrag] Lease timeout detected\n0.0::2024/01/01-00:00:00.000 ERR   [RES] [hadrag] 1/1/2024 0:0:0.0, 1, 2, 3, 4\n"))
	f.Add([]byte("\xff\xfe0\x00.\x000\x00:\x00:\x00"))
	f.Add([]byte("UTC = localtime + time zone offset; the time zone offset of this machine is -90 minutes\nThe logs were generated using local time\n[=== x ===]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(t, data, "fuzz", 0)
		readAll(t, data, "fuzz", 64)
	})
}
