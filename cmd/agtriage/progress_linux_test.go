package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

var reProgress = regexp.MustCompile(`agtriage: (\d+)/(\d+) files, [\d.]+ MB read, \d+ MB/s`)

// openPTY opens a pseudo-terminal pair: the master to read what the program
// writes, the slave to give it as its stderr.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminals:", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Skip("unlockpt:", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Skip("ptsname:", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skip("open pts:", err)
	}
	return m, s
}

// TestProgressOnTerminal: with stderr on a terminal, agtriage shows files
// done and MB read; --quiet turns it off.
func TestProgressOnTerminal(t *testing.T) {
	demo := filepath.Join(testdata, "demo")
	for _, tc := range []struct {
		name     string
		args     []string
		progress bool
	}{
		{"terminal", []string{demo}, true},
		{"quiet", []string{"-q", demo}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			master, slave := openPTY(t)
			defer master.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tc.args...)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			cmd.Stderr = slave
			cmd.Dir = t.TempDir()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			slave.Close()
			done := make(chan []byte)
			go func() {
				b, _ := io.ReadAll(master) // ends with EIO once the program has exited
				done <- b
			}()
			err := cmd.Wait()
			if err != nil {
				t.Fatalf("agtriage: %v", err)
			}
			var term string
			select {
			case b := <-done:
				term = string(b)
			case <-time.After(10 * time.Second):
				t.Fatal("the terminal did not close")
			}
			// The last progress line counts every file as done.
			m := reProgress.FindAllStringSubmatch(term, -1)
			if hasProgress := len(m) > 0; hasProgress != tc.progress {
				t.Errorf("progress shown %v, want %v; terminal:\n%q", hasProgress, tc.progress, term)
			}
			if last := len(m) - 1; last >= 0 && m[last][1] != m[last][2] {
				t.Errorf("the last progress line is %q: not all files done", m[last][0])
			}
			if !tc.progress && term != "" {
				t.Errorf("-q wrote on the terminal: %q", term)
			}
			if !strings.HasPrefix(stdout.String(), "# Always On incident report") {
				t.Error("no report on stdout")
			}
		})
	}
}
