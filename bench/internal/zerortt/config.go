package zerortt

import (
	"crypto/tls"
	"crypto/x509"
	"time"
)

// ReadMode says how much Resume reads after the handshake.
type ReadMode int

const (
	// ReadFirstResponse reads until the first non-empty application data
	// record (the first bytes of the response).
	ReadFirstResponse ReadMode = iota
	// ReadNone returns right after the client Finished (and the resent
	// early data). No fresh tickets are collected.
	ReadNone
	// ReadUntilTicket reads until a NewSessionTicket or application data
	// arrives: for servers that do not answer (openssl s_server).
	ReadUntilTicket
	// ReadToEOF reads until close_notify or end of stream, keeping up to
	// Config.MaxResponse bytes of the response.
	ReadToEOF
	// ReadFirstResponseThenTicket reads until the first response byte
	// (FirstResponseByte fires), then on until a NewSessionTicket arrives
	// (servers such as nginx send it only after reading the client
	// Finished, which can be after the early-data response), the stream
	// ends or Config.TicketWait passes. Ending that wait without a ticket
	// is not an error: Result.Tickets is then empty.
	ReadFirstResponseThenTicket
)

// Config configures Resume. The PSK key exchange mode is always
// psk_dhe_ke (PSK with a fresh key share), the only one browsers and
// common servers use.
type Config struct {
	// ServerName is sent as SNI and used to verify certificates when the
	// server falls back to a full handshake. Empty: the ticket's.
	ServerName string
	// Group is the key share group; zero means X25519. Supported:
	// X25519, P-256, P-384, P-521, X25519MLKEM768, SecP256r1MLKEM768,
	// SecP384r1MLKEM1024.
	Group tls.CurveID
	// SupportedGroups lists further groups advertised in supported_groups
	// (without key shares): a server preferring one of them answers with
	// a HelloRetryRequest, which Resume handles.
	SupportedGroups []tls.CurveID
	// ALPN protocols offered, in preference order. Nil: the ticket's.
	ALPN []string
	// RootCAs verifies the certificate chain when the server declines the
	// PSK and authenticates with a certificate; nil means system roots.
	RootCAs *x509.CertPool
	// InsecureSkipVerify skips that chain verification (the signature in
	// CertificateVerify is still checked).
	InsecureSkipVerify bool
	// Read selects how much is read after the handshake.
	Read ReadMode
	// TicketWait bounds the wait for a ticket once the measured part is
	// over: after the first response byte (ReadFirstResponseThenTicket)
	// or from the client Finished (ReadUntilTicket). It receives the
	// handshake's round trip (ClientHello written → first server byte).
	// Nil: only ctx bounds it; ReadFirstResponseThenTicket then returns at
	// the first response byte.
	TicketWait func(rtt time.Duration) time.Duration
	// MaxResponse caps the response bytes kept in Result.Response with
	// ReadToEOF; 0 means 1 MiB.
	MaxResponse int
	// SkipCloseNotify leaves out the close_notify alert Resume sends at the
	// end (after the read phase). openssl drops the session of a connection
	// that ends without close_notify, voiding its stateful tickets.
	SkipCloseNotify bool
}

func (c *Config) group() tls.CurveID {
	if c.Group == 0 {
		return tls.X25519
	}
	return c.Group
}
