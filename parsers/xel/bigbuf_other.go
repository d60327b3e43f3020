//go:build !unix

package xel

// allocBig allocates n bytes on the heap.
func allocBig(n int) ([]byte, func()) { return make([]byte, n), func() {} }
