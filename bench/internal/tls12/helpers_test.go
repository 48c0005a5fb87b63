package tls12

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testservers"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// prime makes a session against s with crypto/tls (TLS 1.2, suite when
// not zero), reads the response and closes with close_notify.
func prime(t *testing.T, s *testservers.Server, suite uint16, keyLog io.Writer) *Session {
	t.Helper()
	cfg := s.ClientConfig()
	cfg.MaxVersion = tls.VersionTLS12
	cfg.SessionTicketsDisabled = true
	cfg.KeyLogWriter = keyLog
	if suite != 0 {
		cfg.CipherSuites = []uint16{suite}
	}
	tc, sess, err := Prime(testCtx(t), dial(t, s.Addr), cfg)
	if err != nil {
		t.Fatalf("prime: %v\nserver log:\n%s", err, s.Log())
	}
	body := request(t, tc, s)
	if strings.Contains(body, "Reused, ") {
		t.Fatalf("priming handshake reported as reused by the server:\n%s", body)
	}
	return sess
}

// request writes the test request, reads the response to the end and
// closes the connection (close_notify first).
func request(t *testing.T, c io.ReadWriteCloser, s *testservers.Server) string {
	t.Helper()
	if _, err := c.Write(s.Request); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		t.Fatalf("reading response: %v\nserver log:\n%s", err, s.Log())
	}
	if err := c.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	return string(b)
}

// resume resumes sess against s and returns the response.
func resume(t *testing.T, s *testservers.Server, sess *Session, hooks *Hooks) (*Result, string) {
	t.Helper()
	rc := &recordingConn{Conn: dial(t, s.Addr)}
	c, res, err := Resume(testCtx(t), rc, &Config{}, sess, hooks)
	if err != nil {
		t.Fatalf("resume: %v (result %+v)\nserver log:\n%s", err, res, s.Log())
	}
	body := request(t, c, s)
	saveFlight(t, fmt.Sprintf("%s-%04x", s.Name, sess.CipherSuite), rc)
	return res, body
}
