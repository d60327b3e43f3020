//go:build unix

package xel

import "syscall"

// allocBig maps n bytes of anonymous memory, outside the Go heap; the
// returned function unmaps them. It falls back to the heap if the mapping
// fails.
func allocBig(n int) ([]byte, func()) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), func() {}
	}
	return b, func() { syscall.Munmap(b) }
}
