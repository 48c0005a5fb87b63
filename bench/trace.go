package bench

import (
	"io"
	"net"
	"sync"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// timeline holds the instants of one handshake attempt. Every field is set
// by the goroutine running the attempt (crypto/tls calls the conn wrapper,
// the key-log writer and VerifyConnection synchronously from Handshake), so
// it needs no lock. Zero means "did not happen".
type timeline struct {
	start        time.Time // attempt started (before DNS)
	resolved     time.Time // DNS done
	connected    time.Time // TCP established
	hsStart      time.Time // TLS begins: the TCP connection is established
	helloWritten time.Time // first handshake write issued (ClientHello handed to the kernel)
	firstByte    time.Time // first server byte read
	keys         time.Time // TLS 1.3: handshake secret; TLS 1.2: master secret
	certVerified time.Time // VerifyConnection called
	hsEnd        time.Time // Handshake() returned
	firstResp    time.Time // first plaintext response byte
}

// traceConn wraps the TCP connection under crypto/tls. It timestamps the
// first write (the ClientHello) and the first read (the server's first
// bytes), counts bytes, and feeds a stateful TLS record scanner per
// direction so record boundaries are known even though reads do not align
// with them.
type traceConn struct {
	net.Conn
	tl         *timeline
	in, out    recordScanner
	sent, recv int64
}

// Write stamps the ClientHello when it is handed to the kernel, before the
// syscall: on loopback the write itself delivers the bytes and wakes the
// server, and the writing thread may be descheduled until the server has
// answered, so a stamp taken after write() returns can land after the
// server's reply.
func (c *traceConn) Write(p []byte) (int, error) {
	if c.tl.helloWritten.IsZero() {
		c.tl.helloWritten = time.Now()
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
		if c.tl.firstByte.IsZero() {
			c.tl.firstByte = time.Now()
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
	tl  *timeline
	out *SyncWriter
}

func (k *keyLogTap) Write(p []byte) (int, error) {
	if k.tl.keys.IsZero() && (hasPrefix(p, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ") || hasPrefix(p, "CLIENT_RANDOM ")) {
		k.tl.keys = time.Now()
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
	return s.w.Write(p)
}

// chain returns the instants in the order given, each moved forward to its
// predecessor when it is missing or earlier, so the phases between them are
// contiguous and never negative. A missing event yields a zero-length phase.
func chain(ts ...time.Time) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		if i > 0 && (t.IsZero() || t.Before(out[i-1])) {
			t = out[i-1]
		}
		out[i] = t
	}
	return out
}

// tlsPhases turns the handshake instants into the five split TLS phases and
// their sum, following each version's order of events (see Phase docs).
func (tl *timeline) tlsPhases(s *sample.Sample, tls13 bool) {
	var c []time.Time
	if tls13 {
		c = chain(tl.hsStart, tl.helloWritten, tl.firstByte, tl.keys, tl.certVerified, tl.hsEnd)
		s.SetPhase(sample.TLSKeyExchange, c[3].Sub(c[2]))
		s.SetPhase(sample.TLSCertVerify, c[4].Sub(c[3]))
	} else {
		c = chain(tl.hsStart, tl.helloWritten, tl.firstByte, tl.certVerified, tl.keys, tl.hsEnd)
		s.SetPhase(sample.TLSCertVerify, c[3].Sub(c[2]))
		s.SetPhase(sample.TLSKeyExchange, c[4].Sub(c[3]))
	}
	s.SetPhase(sample.TLSClientHello, c[1].Sub(c[0]))
	s.SetPhase(sample.TLSServerWait, c[2].Sub(c[1]))
	s.SetPhase(sample.TLSFinished, c[5].Sub(c[4]))
	s.SetPhase(sample.TLSHandshake, c[5].Sub(c[0]))
}
