package testservers

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
)

// StartGtlsserver starts ngtcp2's gtlsserver (Debian ngtcp2-server: QUIC
// and HTTP/3 on GnuTLS) on a free 127.0.0.1 UDP port. It serves Dir/www
// (an index.html) over h3, sends session tickets that allow 0-RTT and
// accepts early data unless GnuTLS's anti-replay check refuses it (a
// ClientHello whose ticket age is older than the server's own view of it,
// or out of its 10 s window). Only the key type of o is used.
func StartGtlsserver(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "gtlsserver", "gtlsserver", o)
	// gtlsserver has no version flag: ask the package manager.
	s.Version = "ngtcp2 gtlsserver " + versionLine("dpkg-query", "-W", "-f=${Version}", "ngtcp2-server")
	s.EarlyDataMarker = ""
	www := filepath.Join(s.Dir, "www")
	if err := os.MkdirAll(www, 0o755); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	if err := os.WriteFile(filepath.Join(www, "index.html"), []byte("hsbench\n"), 0o644); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	var lastErr error
	for attempt := 0; attempt < startAttempts; attempt++ {
		port, err := freeUDPPort()
		if err != nil {
			t.Fatalf("%v", err)
		}
		out := newLogBuffer()
		args := []string{"-q", "-d", www, "127.0.0.1", strconv.Itoa(port), certs.Key, certs.Chain}
		p, err := launch(bin, args, s.Dir, out, s.Options)
		if err != nil {
			t.Fatalf("%v", err)
		}
		t.Cleanup(p.stop)
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = waitQUICReady(p, s.Addr, s.ClientConfig()); lastErr == nil {
			s.proc = p
			return s
		}
		lastErr = fmt.Errorf("%w\nlog:\n%s", lastErr, p.log())
		p.kill()
	}
	t.Fatalf("testservers: gtlsserver did not start: %v", lastErr)
	return nil
}

// waitQUICReady waits until a QUIC handshake with ALPN h3 to addr
// completes against our certificate, the process exits or readyTimeout
// passes.
func waitQUICReady(p *process, addr string, cfg *tls.Config) error {
	cfg.NextProtos = []string{"h3"}
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("testservers: server exited before accepting connections: %v", p.waitErr)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		conn, err := quic.DialAddr(ctx, addr, cfg, nil)
		cancel()
		if err == nil {
			_ = conn.CloseWithError(0x100, "")
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testservers: %s not ready after %v: %w", addr, readyTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testservers: finding a free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
