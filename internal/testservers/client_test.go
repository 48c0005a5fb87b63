package testservers

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// result is what one client connection saw.
type result struct {
	state tls.ConnectionState
	resp  *http.Response
	body  string
}

// dial performs one handshake with cfg against s, sends Request and, when
// the server responds, reads the whole response. When it does not, it reads
// until a short timeout so TLS 1.3 tickets are processed.
func dial(t *testing.T, s *Server, cfg *tls.Config) result {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.Addr, cfg)
	if err != nil {
		t.Fatalf("%s: handshake: %v\nserver log:\n%s", s.Name, err, s.Log())
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(s.Request); err != nil {
		t.Fatalf("%s: writing request: %v", s.Name, err)
	}
	r := result{}
	if !s.Responds {
		// Nothing comes back; reading still processes NewSessionTicket.
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(make([]byte, 1))
		var ne net.Error
		if n > 0 || !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("%s: expected no response, read %d bytes, err %v", s.Name, n, err)
		}
		r.state = c.ConnectionState()
		return r
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s: reading response: %v\nserver log:\n%s", s.Name, err, s.Log())
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s: reading body: %v", s.Name, err)
	}
	r.state, r.resp, r.body = c.ConnectionState(), resp, string(body)
	return r
}

// versions are the TLS versions every server is tested with.
var testVersions = []struct {
	name string
	v    uint16
}{{"1.2", tls.VersionTLS12}, {"1.3", tls.VersionTLS13}}

// checkFullThenResumed runs a full handshake and a resumed one against a
// server limited to version v, and checks the responses.
func checkFullThenResumed(t *testing.T, s *Server, v uint16) {
	t.Helper()
	cfg := s.ClientConfig()
	cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	first := dial(t, s, cfg)
	if first.state.Version != v {
		t.Errorf("%s: negotiated %s, want %s", s.Name, tls.VersionName(first.state.Version), tls.VersionName(v))
	}
	if first.state.DidResume {
		t.Errorf("%s: first connection resumed", s.Name)
	}
	checkResponse(t, s, first, false)
	second := dial(t, s, cfg)
	if !second.state.DidResume {
		t.Errorf("%s %s: second connection did not resume\nserver log:\n%s", s.Name, tls.VersionName(v), s.Log())
	}
	if second.state.Version != v {
		t.Errorf("%s: resumed with %s, want %s", s.Name, tls.VersionName(second.state.Version), tls.VersionName(v))
	}
	checkResponse(t, s, second, false)
}

// checkResponse checks a response's status and early-data markers.
func checkResponse(t *testing.T, s *Server, r result, early bool) {
	t.Helper()
	if !s.Responds {
		return
	}
	if r.resp.StatusCode != http.StatusOK {
		t.Errorf("%s: status %d, want 200", s.Name, r.resp.StatusCode)
	}
	if s.EarlyDataMarker == "" { // openssl -www: a status page without markers
		if !strings.Contains(r.body, "s_server") {
			t.Errorf("%s: body %.200q lacks s_server's status page", s.Name, r.body)
		}
		return
	}
	want, header := EarlyDataNotUsedMarker, "0"
	if early {
		want, header = EarlyDataAcceptedMarker, "1"
	}
	if !strings.Contains(r.body, want) {
		t.Errorf("%s: body %.200q lacks %q", s.Name, r.body, want)
	}
	if strings.Contains(r.body, s.EarlyDataMarker) != early {
		t.Errorf("%s: body %.200q: marker %q present = %v, want %v", s.Name, r.body, s.EarlyDataMarker, !early, early)
	}
	if got := r.resp.Header.Get("X-Early-Data"); got != header {
		t.Errorf("%s: X-Early-Data %q, want %q", s.Name, got, header)
	}
}

// checkRSAKeyExchange forces TLS_RSA_WITH_AES_128_GCM_SHA256 on a server
// started with Ciphers12 "AES128-GCM-SHA256" and an RSA certificate.
func checkRSAKeyExchange(t *testing.T, s *Server) {
	t.Helper()
	cfg := s.ClientConfig()
	cfg.MaxVersion = tls.VersionTLS12
	cfg.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	r := dial(t, s, cfg)
	if r.state.CipherSuite != tls.TLS_RSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("%s: negotiated %s, want TLS_RSA_WITH_AES_128_GCM_SHA256", s.Name, tls.CipherSuiteName(r.state.CipherSuite))
	}
	if r.state.Version != tls.VersionTLS12 {
		t.Errorf("%s: negotiated %s, want TLS 1.2", s.Name, tls.VersionName(r.state.Version))
	}
}

// checkStopped asserts that s's process has exited, as Cleanup guarantees.
func checkStopped(t *testing.T, s *Server) {
	t.Helper()
	s.proc.stop()
	select {
	case <-s.proc.done:
	default:
		t.Fatalf("%s: still running after stop", s.Name)
	}
	if err := exec.Command("kill", "-0", strconv.Itoa(s.proc.cmd.Process.Pid)).Run(); err == nil {
		t.Errorf("%s: pid %d still alive after stop", s.Name, s.proc.cmd.Process.Pid)
	}
}
