package testservers

import (
	"fmt"
	"testing"
	"time"
)

// Handshakes returns the server's own view of the handshakes made since
// it was handed out (the readiness probe excluded), full and resumed,
// waiting up to timeout until there are at least total of them. It reads
// the server's log: gnutls-serv's debug log, stunnel's, nginx's and
// caddy's access logs (those count requests, so only handshakes followed
// by a request). Servers without such a log (openssl s_server, haproxy,
// gtlsserver) return an error.
func (s *Server) Handshakes(total int, timeout time.Duration) (full, resumed int, err error) {
	if s.view == nil {
		return 0, 0, fmt.Errorf("testservers: %s has no log of its handshakes", s.Name)
	}
	return s.view(total, timeout)
}

// skipProbe records the readiness probe's handshake (a full one) so
// Handshakes counts from after it.
func (s *Server) skipProbe(t testing.TB, handshook bool) {
	t.Helper()
	if !handshook || s.view == nil {
		return
	}
	// The probe's handshake is a full one; its log lines may still be
	// arriving (gnutls-serv logs the ServerHello before the Certificate).
	deadline := time.Now().Add(readyTimeout)
	for {
		full, resumed, err := s.view(1, readyTimeout)
		if err != nil {
			t.Fatalf("%v\nlog:\n%s", err, s.Log())
		}
		if full >= 1 || time.Now().After(deadline) {
			s.hsBase = [2]int{full, resumed}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
