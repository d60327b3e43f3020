//go:build unix

package inputs

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without ever blocking in open(2): a
// named pipe without a writer would otherwise wait for one for ever. With
// noFollow a symbolic link put in place of a file after the walk is refused.
// The file is left in non-blocking mode; Go's poller makes reads of a pipe
// wait (with deadlines) and regular files read as usual.
func openNoBlock(path string, noFollow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if noFollow {
		flags |= syscall.O_NOFOLLOW
	}
	return os.OpenFile(path, flags, 0)
}
