package bench

import (
	"io"
	"net"
	"sync"
	"time"
)

// traceConn wraps the TCP connection under crypto/tls and the 0-RTT engine.
// It stamps the first write (EvHelloWritten), the first read (EvFirstByte),
// the first write after that read (EvRetryWritten) and the first read after
// that write (EvRetryFirstByte); it counts bytes, and feeds a stateful TLS record scanner per
// direction so record boundaries are known even though reads do not align
// with them.
type traceConn struct {
	net.Conn
	tr         *Trace
	in, out    recordScanner
	sent, recv int64
	// wrote, read: a write / a read happened; wroteAfterRead: a write
	// happened after the first read. Only the attempt's goroutine uses them.
	wrote, read, wroteAfterRead bool
}

// Write stamps the ClientHello when it is handed to the kernel, before the
// syscall: on loopback the write itself delivers the bytes and wakes the
// server, and the writing thread may be descheduled until the server has
// answered, so a stamp taken after write() returns can land after the
// server's reply.
func (c *traceConn) Write(p []byte) (int, error) {
	switch {
	case !c.wrote:
		c.tr.Stamp(EvHelloWritten)
		c.wrote = true
	case c.read && !c.wroteAfterRead:
		c.tr.Stamp(EvRetryWritten)
		c.wroteAfterRead = true
	}
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.sent += int64(n)
		c.out.scan(p[:n])
	}
	return n, err
}

func (c *traceConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		now := time.Now()
		if !c.read {
			c.tr.StampAt(EvFirstByte, now)
			c.read = true
		} else if c.wroteAfterRead {
			c.tr.StampAt(EvRetryFirstByte, now)
		}
		c.recv += int64(n)
		c.in.scan(p[:n])
	}
	return n, err
}

// keyLogTap is the tls.Config.KeyLogWriter of one attempt. crypto/tls writes
// one line per secret, synchronously, at known points of the handshake:
// CLIENT_HANDSHAKE_TRAFFIC_SECRET (TLS 1.3) once the ServerHello is processed
// and the key exchange is done; CLIENT_RANDOM (TLS 1.2) once the master secret
// is derived. Lines are forwarded to the user's --keylog file when set.
type keyLogTap struct {
	tr  *Trace
	out *SyncWriter
}

func (k *keyLogTap) Write(p []byte) (int, error) {
	if hasPrefix(p, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ") || hasPrefix(p, "CLIENT_RANDOM ") {
		k.tr.Stamp(EvKeys)
	}
	if k.out != nil {
		return k.out.Write(p)
	}
	return len(p), nil
}

func hasPrefix(p []byte, s string) bool { return len(p) >= len(s) && string(p[:len(s)]) == s }

// SyncWriter serialises writes from concurrent handshakes (the --keylog file).
type SyncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewSyncWriter wraps w for use from many goroutines.
func NewSyncWriter(w io.Writer) *SyncWriter { return &SyncWriter{w: w} }

func (s *SyncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.w.Write(p)
	if err != nil {
		// The handshake fails with it (crypto/tls aborts when its key log
		// cannot be written): a fault of the client, not of the target.
		err = &ClientFault{What: "writing the key log", Err: err}
	}
	return n, err
}
