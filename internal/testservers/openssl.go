package testservers

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// Lines openssl s_server -msg prints for the ServerHello and the server's
// Certificate of each handshake (a resumed one sends none).
const (
	sslServerHello = "], ServerHello$"
	sslCertificate = "], Certificate$"
)

// Lines openssl s_server prints per connection in -early_data mode.
const (
	sslEarlyAccepted = "Early data received:"
	sslEarlyRejected = "Early data was rejected"
	sslEarlyNotSent  = "No early data received"
)

// StartOpenSSL starts openssl s_server on a free loopback port.
//
// Normally it runs with -www: it answers a GET with "HTTP/1.0 200 ok" and
// an HTML status page, then closes; its body carries "early-data=0" never,
// so EarlyDataMarker is empty. Session tickets are on and reusable.
//
// With o.EarlyData it runs with -early_data, which openssl refuses to
// combine with -www, -WWW, -HTTP and -rev: the server then only prints
// what it receives and sends no application data back (Responds is false),
// and it serves one connection at a time until the client closes it.
// A client must close its connection, and judge 0-RTT acceptance from the
// handshake itself or from EarlyData. Its stdin is held open until cleanup,
// since s_server exits at end of stdin. Under anti-replay (the default) each
// ticket is single-use: a second 0-RTT attempt with the same ticket falls
// back to a full handshake; o.NoAntiReplay passes -no_anti_replay.
//
// openssl s_server handles connections strictly one after another.
func StartOpenSSL(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "openssl", "openssl", o)
	s.Version = versionLine(bin, "version")
	s.EarlyDataMarker = ""
	var out *logBuffer
	if s.Options.EarlyData {
		s.Responds = false
		out = newLogBuffer(sslEarlyAccepted, sslEarlyRejected, sslEarlyNotSent)
	} else {
		out = newLogBuffer()
	}
	if s.Options.LogHandshakes {
		out = newLogBuffer(sslEarlyAccepted, sslEarlyRejected, sslEarlyNotSent, sslServerHello, sslCertificate)
		s.view = s.helloCertHandshakes(sslServerHello, sslCertificate)
	}
	start := func(port int) ([]string, []string, error) {
		args := []string{"s_server",
			"-accept", s.Options.hostPort(port),
			"-cert", certs.Chain, "-key", certs.Key, "-CAfile", certs.CAPEM,
			"-min_protocol", protocols(s.Options)[0],
			"-max_protocol", protocols(s.Options)[len(protocols(s.Options))-1],
		}
		if s.Options.EarlyData {
			args = append(args, "-early_data")
			if s.Options.NoAntiReplay {
				args = append(args, "-no_anti_replay")
			}
		} else {
			args = append(args, "-www")
		}
		if s.Options.NoTickets {
			args = append(args, "-no_ticket")
		}
		if s.Options.LogHandshakes {
			args = append(args, "-msg")
		}
		if s.Options.Ciphers12 != "" {
			args = append(args, "-cipher", s.Options.Ciphers12)
		}
		if s.Options.Groups != "" {
			args = append(args, "-groups", s.Options.Groups)
		}
		return args, nil, nil
	}
	var handshook bool
	s.proc, s.Addr, handshook = run(t, s.Name, bin, s.Dir, certs.Leaf.Certificate[0], out, start, s.Options)
	s.skipProbe(t, handshook)
	if s.Options.EarlyData && handshook {
		// The readiness probe is reported too: count from after it.
		c, err := s.EarlyData(1, readyTimeout)
		if err != nil {
			t.Fatalf("testservers: openssl did not report the readiness probe: %v\nlog:\n%s", err, s.Log())
		}
		s.earlyBase = c
	}
	return s
}

// EarlyDataCounts is what openssl s_server in -early_data mode reported
// per TLS connection.
type EarlyDataCounts struct {
	Accepted int // "Early data received:"
	Rejected int // "Early data was rejected"
	NotSent  int // "No early data received"
}

// Total is the number of connections reported.
func (c EarlyDataCounts) Total() int { return c.Accepted + c.Rejected + c.NotSent }

// ErrNoEarlyDataLog reports a server that does not log early data per
// connection (all but openssl s_server started with EarlyData).
var ErrNoEarlyDataLog = errors.New("testservers: server does not report early data per connection")

// EarlyData waits until the server has reported at least total connections
// (not counting the harness's own readiness probe) or timeout passes, and returns the counts. The
// report lags the client: s_server prints it after it has read the client's
// Finished. Only openssl s_server with EarlyData reports; other servers
// return ErrNoEarlyDataLog (read the response's EarlyDataMarker instead).
func (s *Server) EarlyData(total int, timeout time.Duration) (EarlyDataCounts, error) {
	if s.Name != "openssl" || !s.Options.EarlyData {
		return EarlyDataCounts{}, ErrNoEarlyDataLog
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		m, changed := s.proc.out.Counts()
		c := EarlyDataCounts{
			Accepted: m[sslEarlyAccepted] - s.earlyBase.Accepted,
			Rejected: m[sslEarlyRejected] - s.earlyBase.Rejected,
			NotSent:  m[sslEarlyNotSent] - s.earlyBase.NotSent,
		}
		if c.Total() >= total {
			return c, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return c, fmt.Errorf("testservers: %d of %d connections reported after %v", c.Total(), total, timeout)
		}
	}
}
