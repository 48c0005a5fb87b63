//go:build !linux

package bench

import "net"

// rawIO returns c unchanged: raw-syscall I/O is Linux only (rawio_linux.go).
func rawIO(c net.Conn) net.Conn { return c }
