package testservers

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Lines gnutls-serv -d 4 logs per handshake (after a per-session pointer,
// so they are matched as substrings): every handshake queues a
// ServerHello, only a full one a Certificate.
const (
	gnutlsServerHello = "SERVER HELLO was queued"
	gnutlsCertificate = "CERTIFICATE was queued"
)

// StartGnuTLS starts gnutls-serv (GnuTLS's test server, Debian package
// gnutls-bin) in HTTP mode on a free port: it answers a GET with an HTML
// page that shows the session ID. o.NoTickets passes --noticket (TLS 1.2
// then resumes by session ID only), o.EarlyData --earlydata (TLS 1.3
// 0-RTT; with an HTTP request sent as early data gnutls-serv completes the
// handshake and never answers). o.Groups, when set, is a GnuTLS priority
// group list such as "GROUP-SECP384R1:GROUP-SECP256R1"; o.Ciphers12 is
// ignored.
//
// gnutls-serv has no option to choose its listening address: it binds
// the port on every local address (0.0.0.0 and ::). The tests connect to
// 127.0.0.1 only.
//
// It logs with -d 4, which Handshakes reads.
func StartGnuTLS(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "gnutls", "gnutls-serv", o)
	s.Version = versionLine(bin, "--version")
	s.EarlyDataMarker = ""
	if s.Options.EarlyData {
		s.Responds = false
	}
	out := newLogBuffer(gnutlsServerHello, gnutlsCertificate)
	start := func(port int) ([]string, []string, error) {
		args := []string{"--http", "--port", fmt.Sprint(port), "-d", "4",
			"--x509certfile", certs.Chain, "--x509keyfile", certs.Key,
			"--priority", gnutlsPriority(s.Options)}
		if s.Options.NoTickets {
			args = append(args, "--noticket")
		}
		if s.Options.EarlyData {
			args = append(args, "--earlydata")
		}
		return args, nil, nil
	}
	s.view = s.helloCertHandshakes(gnutlsServerHello, gnutlsCertificate)
	var handshook bool
	s.proc, s.Addr, handshook = run(t, s.Name, bin, s.Dir, certs.Leaf.Certificate[0], out, start, s.Options)
	s.skipProbe(t, handshook)
	return s
}

// helloCertHandshakes counts handshakes from a server's log: every
// handshake logs a ServerHello line, a full one a Certificate line too.
func (s *Server) helloCertHandshakes(hello, cert string) func(int, time.Duration) (int, int, error) {
	return s.logHandshakes(func(c map[string]int) (int, int) {
		return c[cert] - s.hsBase[0], c[hello] - c[cert] - s.hsBase[1]
	})
}

// logHandshakes waits until the full and resumed handshakes that count
// reads from the server's log line counts add up to total, or timeout.
func (s *Server) logHandshakes(count func(map[string]int) (full, resumed int)) func(int, time.Duration) (int, int, error) {
	return func(total int, timeout time.Duration) (int, int, error) {
		deadline := time.After(timeout)
		for {
			c, changed := s.proc.out.Counts()
			full, resumed := count(c)
			if full+resumed >= total {
				return full, resumed, nil
			}
			select {
			case <-changed:
			case <-deadline:
				return full, resumed, fmt.Errorf("testservers: %s logged %d handshakes in %v, want %d", s.Name, full+resumed, timeout, total)
			}
		}
	}
}

// gnutlsPriority is the priority string for o's versions and groups.
func gnutlsPriority(o Options) string {
	p := []string{"NORMAL", "-VERS-ALL"}
	for _, v := range protocols(o) {
		p = append(p, "+VERS-TLS"+strings.TrimPrefix(v, "TLSv")) // TLSv1.2 → +VERS-TLS1.2
	}
	if o.Groups != "" {
		p = append(p, "-GROUP-ALL")
		for _, g := range strings.Split(o.Groups, ":") {
			p = append(p, "+"+g)
		}
	}
	return strings.Join(p, ":")
}
