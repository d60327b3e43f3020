package errorlog

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, and every
// line must be accounted for as a record, a continuation, unrecognized or
// skipped (checkInvariants).
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.log"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("2024-01-01 00:00:00.00 Server      Error: 1, Severity: 2, State: 3.\n2024-01-01 00:00:00.00 Server      x\n"))
	f.Add([]byte("\xff\xfe2\x000\x00"))
	f.Add([]byte("\xfe\xff\x00\n\xd8\x00"))
	f.Add([]byte("2024-01-01 00:00:00.00 Server      UTC adjustment: 1:00\r\n\tx\r\n\r\n2024-01-01 00:00:00.00 Server      UTC adjustment: -2:30\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(t, data, "fuzz", 0)
		readAll(t, data, "fuzz", 64)
	})
}
