package testservers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Lines stunnel logs per handshake at debug = info.
const (
	stunnelFull    = "TLS accepted: new session negotiated"
	stunnelResumed = "TLS accepted: previous session reused"
)

// stunnelRespond answers one HTTP request (the service stunnel runs per
// connection).
const stunnelRespond = `#!/bin/sh
while IFS= read -r l; do
  case "$l" in ""|"$(printf '\r')") break;; esac
done
printf 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n'
`

// StartStunnel starts stunnel4 (OpenSSL) as a TLS server in the
// foreground; each connection runs a shell script that answers the
// request with 200. It logs every handshake as new or reused (Handshakes)
// and complains about connections closed without close_notify.
// o.NoTickets sets NO_TICKET (TLS 1.2 resumes by session ID), o.Groups
// its curves, o.Ciphers12 its ciphers; o.EarlyData is not supported.
func StartStunnel(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "stunnel", "stunnel4", o)
	s.Version = versionLine(bin, "-version")
	s.EarlyDataMarker = ""
	if s.Options.EarlyData {
		t.Fatalf("testservers: stunnel does not accept early data")
	}
	script := filepath.Join(s.Dir, "respond.sh")
	if err := os.WriteFile(script, []byte(stunnelRespond), 0o755); err != nil {
		t.Fatal(err)
	}
	out := newLogBuffer(stunnelFull, stunnelResumed)
	s.view = s.markHandshakes(stunnelFull, stunnelResumed)
	conf := filepath.Join(s.Dir, "stunnel.conf")
	start := func(port int) ([]string, []string, error) {
		p := protocols(s.Options)
		lines := []string{"foreground = yes", "pid =", "debug = info", "[hsbench]",
			"accept = " + s.Options.hostPort(port), "cert = " + certs.Chain, "key = " + certs.Key,
			"sslVersionMin = " + p[0], "sslVersionMax = " + p[len(p)-1],
			"exec = /bin/sh", "execArgs = sh " + script}
		if s.Options.NoTickets {
			lines = append(lines, "options = NO_TICKET")
		}
		if s.Options.Groups != "" {
			lines = append(lines, "curves = "+s.Options.Groups)
		}
		if s.Options.Ciphers12 != "" {
			lines = append(lines, "ciphers = "+s.Options.Ciphers12)
		}
		if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return nil, nil, fmt.Errorf("testservers: writing stunnel config: %w", err)
		}
		return []string{conf}, nil, nil
	}
	var handshook bool
	s.proc, s.Addr, handshook = run(t, s.Name, bin, s.Dir, certs.Leaf.Certificate[0], out, start, s.Options)
	s.skipProbe(t, handshook)
	return s
}

// markHandshakes counts handshakes from log lines that mark a full and a
// resumed one.
func (s *Server) markHandshakes(fullMark, resumedMark string) func(int, time.Duration) (int, int, error) {
	return s.logHandshakes(func(c map[string]int) (int, int) {
		return c[fullMark] - s.hsBase[0], c[resumedMark] - s.hsBase[1]
	})
}
