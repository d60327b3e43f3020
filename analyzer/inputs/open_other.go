//go:build !unix

package inputs

import "os"

// openNoBlock opens path for reading (systems without named pipes in the
// file system need no care).
func openNoBlock(path string, noFollow bool) (*os.File, error) { return os.Open(path) }
