// Package testservers starts real TLS servers (nginx, openssl s_server,
// haproxy) on loopback as targets for hsbench's interop tests: full,
// resumed and 0-RTT handshakes against implementations other than Go's.
//
// Each Start function writes a fresh CA and server certificate into a
// temporary directory, starts the server in the foreground on a free
// 127.0.0.1 port, waits until the port accepts TCP connections and
// registers a t.Cleanup that kills the server (and anything it started).
// A missing binary skips the test, or fails it when
// HSBENCH_REQUIRE_INTEROP=1 (see package testenv).
//
// The Start functions call t.Fatalf, so call them from the test's own
// goroutine.
package testservers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
)

// Request is hsbench's standard request, sent after the handshake (or as
// early data). Every server started here answers it unless
// Server.Responds is false.
const Request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

// ServerName is the name the server certificates are issued for.
const ServerName = "localhost"

// Markers in the response body that tell whether the request arrived as
// accepted early data (nginx and haproxy). The response also carries the
// header X-Early-Data with "1" or "0".
const (
	EarlyDataAcceptedMarker = "early-data=1"
	EarlyDataNotUsedMarker  = "early-data=0"
)

// Options configure a server. The zero value gives an ECDSA P-256
// certificate, TLS 1.2 and 1.3, session tickets on and no early data.
type Options struct {
	// KeyType of the server certificate; default pki.ECDSAP256.
	KeyType pki.KeyType
	// MinVersion and MaxVersion are "1.2" or "1.3"; defaults 1.2 and 1.3.
	MinVersion, MaxVersion string
	// EarlyData enables TLS 1.3 0-RTT. openssl s_server then cannot
	// answer requests (see StartOpenSSL).
	EarlyData bool
	// NoTickets turns stateless session tickets off (they are on by
	// default). TLS 1.2 then falls back to full handshakes with Go clients,
	// which do not resume by session ID; TLS 1.3 still resumes, with
	// stateful tickets from the server's session cache.
	NoTickets bool
	// NoAntiReplay makes openssl s_server's tickets reusable when
	// EarlyData is on (-no_anti_replay). Ignored by the other servers,
	// which never enforce single-use tickets.
	NoAntiReplay bool
	// Ciphers12 is an optional OpenSSL cipher string for TLS 1.2, e.g.
	// "AES128-GCM-SHA256" to force RSA key exchange (needs an RSA key).
	Ciphers12 string
	// Groups is an optional OpenSSL groups list, e.g. "X25519:P-256".
	Groups string
	// LogHandshakes makes openssl s_server print every handshake message
	// (-msg), so that Handshakes can count its full and resumed handshakes.
	LogHandshakes bool
	// Host is the address the server listens on; default 127.0.0.1. A
	// server inside an emulated network listens on emulate.ServerAddr.
	Host string
	// Command, when set, builds the server's command instead of
	// exec.Command, e.g. (*emulate.Link).Command to start the server
	// inside the link's server namespace.
	Command func(name string, args ...string) *exec.Cmd
	// Dial, when set, opens the readiness probe's connections instead of a
	// net.Dialer (a server in a namespace is not reachable from here), e.g.
	// (*emulate.Link).DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Server is a running TLS server.
type Server struct {
	Name       string // "nginx", "openssl", "haproxy"
	Addr       string // "127.0.0.1:PORT"
	ServerName string // SNI the certificate is valid for: "localhost"
	CAFile     string // PEM of the CA that issued the server certificate
	Pool       *x509.CertPool
	Version    string // the server binary's version line
	// Request is the bytes a client sends after the handshake (or as early
	// data) to get a response; always the package constant Request.
	Request []byte
	// Responds reports whether the server answers Request. It is false
	// only for openssl s_server with EarlyData, which prints what it
	// receives and sends nothing back.
	Responds bool
	// EarlyDataMarker, when not empty, appears in the response body exactly
	// when the server accepted the request as early data
	// (EarlyDataAcceptedMarker); the body carries EarlyDataNotUsedMarker
	// otherwise. Empty when the response cannot tell (openssl).
	EarlyDataMarker string
	// Options are the options the server runs with, defaults filled in.
	Options Options
	// Dir is the server's private temporary directory (config, certs, logs).
	Dir string

	proc      *process
	earlyBase EarlyDataCounts // openssl: reports before the server was handed out
	hsBase    [2]int          // full and resumed handshakes before it was handed out (the probe)
	view      func(total int, timeout time.Duration) (full, resumed int, err error)
}

// ClientConfig returns a client configuration that trusts the server's CA
// and sends its ServerName, limited to the server's TLS versions.
func (s *Server) ClientConfig() *tls.Config {
	lo, hi := versionRange(s.Options)
	return &tls.Config{RootCAs: s.Pool, ServerName: s.ServerName, MinVersion: lo, MaxVersion: hi}
}

// Log returns the tail of what the server wrote to stdout and stderr (and,
// for nginx, its error log).
func (s *Server) Log() string {
	return s.proc.log()
}

// withDefaults fills in defaults and validates o.
func withDefaults(o Options) (Options, error) {
	if o.KeyType == "" {
		o.KeyType = pki.ECDSAP256
	}
	if o.MinVersion == "" {
		o.MinVersion = "1.2"
	}
	if o.MaxVersion == "" {
		o.MaxVersion = "1.3"
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	for _, v := range []string{o.MinVersion, o.MaxVersion} {
		if v != "1.2" && v != "1.3" {
			return o, fmt.Errorf("testservers: unsupported TLS version %q (want 1.2 or 1.3)", v)
		}
	}
	if o.MinVersion > o.MaxVersion {
		return o, fmt.Errorf("testservers: MinVersion %s above MaxVersion %s", o.MinVersion, o.MaxVersion)
	}
	return o, nil
}

// hostPort is the address the server listens on for port.
func (o Options) hostPort(port int) string {
	return net.JoinHostPort(o.Host, strconv.Itoa(port))
}

// versionRange returns the crypto/tls constants for o's versions.
func versionRange(o Options) (lo, hi uint16) {
	v := func(s string) uint16 {
		if s == "1.2" {
			return tls.VersionTLS12
		}
		return tls.VersionTLS13
	}
	return v(o.MinVersion), v(o.MaxVersion)
}

// protocols lists OpenSSL protocol names from o.MinVersion to o.MaxVersion.
func protocols(o Options) []string {
	var p []string
	if o.MinVersion == "1.2" {
		p = append(p, "TLSv1.2")
	}
	if o.MaxVersion == "1.3" {
		p = append(p, "TLSv1.3")
	}
	return p
}

// PID is the server's process ID (nginx runs with master_process off: one
// process does the work), e.g. to read its CPU time from /proc.
func (s *Server) PID() int { return s.proc.cmd.Process.Pid }
