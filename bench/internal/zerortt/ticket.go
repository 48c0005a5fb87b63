package zerortt

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// maxTicketLifetime is the RFC 8446 upper bound (7 days).
const maxTicketLifetime = 7 * 24 * time.Hour

// Ticket is a TLS 1.3 resumption ticket with the PSK derived from it.
type Ticket struct {
	Identity    []byte        // the opaque ticket, sent as the PSK identity
	PSK         []byte        // HKDF-Expand-Label(resumption_master_secret, "resumption", nonce)
	CipherSuite uint16        // suite of the connection that issued the ticket
	AgeAdd      uint32        // ticket_age_add
	Lifetime    time.Duration // ticket_lifetime
	// ReceivedAt is when the ticket arrived, with a monotonic clock
	// reading: the obfuscated age is computed from time.Since(ReceivedAt).
	ReceivedAt time.Time
	// MaxEarlyData is the server's max_early_data_size; 0 means the
	// ticket did not carry the early_data extension or it is unknown (a
	// ticket obtained through crypto/tls, which drops it for TCP).
	MaxEarlyData uint32
	ServerName   string // SNI the ticket was issued for
	ALPN         string // protocol negotiated on the issuing connection
}

// age returns the ticket's age at now, and whether it is still valid.
func (t *Ticket) age(now time.Time) (time.Duration, bool) {
	a := now.Sub(t.ReceivedAt)
	if a < 0 {
		a = 0
	}
	return a, a < t.Lifetime
}

// obfuscatedAge is the ticket age in milliseconds plus ticket_age_add
// modulo 2^32 (RFC 8446, Section 4.2.11.1).
func (t *Ticket) obfuscatedAge(now time.Time) uint32 {
	a, _ := t.age(now)
	return uint32(a.Milliseconds()) + t.AgeAdd
}

func (t *Ticket) validate() (*suite, error) {
	if t == nil || len(t.Identity) == 0 {
		return nil, errors.New("zerortt: no ticket")
	}
	s, err := suiteByID(t.CipherSuite)
	if err != nil {
		return nil, err
	}
	if len(t.PSK) != s.size {
		return nil, fmt.Errorf("zerortt: ticket PSK has %d bytes, suite needs %d", len(t.PSK), s.size)
	}
	return s, nil
}

// ticketFromNST turns a NewSessionTicket received on one of the engine's
// connections into a Ticket.
func ticketFromNST(s *suite, resumptionMaster []byte, m *newSessionTicket, now time.Time, serverName, alpn string) (*Ticket, error) {
	lifetime := time.Duration(m.lifetime) * time.Second
	if lifetime > maxTicketLifetime {
		return nil, fmt.Errorf("zerortt: ticket lifetime %v exceeds 7 days", lifetime)
	}
	return &Ticket{
		Identity:     m.ticket,
		PSK:          s.pskFromResumption(resumptionMaster, m.nonce),
		CipherSuite:  s.id,
		AgeAdd:       m.ageAdd,
		Lifetime:     lifetime,
		ReceivedAt:   now,
		MaxEarlyData: m.maxEarlyData,
		ServerName:   serverName,
		ALPN:         alpn,
	}, nil
}

// TicketFromSession extracts a Ticket from a TLS 1.3 session stored by a
// crypto/tls client. It parses SessionState.Bytes(), whose encoding is
// documented as opaque: it is pinned for Go 1.26 by TestTicketFromSession*
// and the parse fails loudly on any mismatch. For a TLS 1.3 client the
// "secret" field holds the PSK already derived with the ticket nonce
// (handshake_client_tls13.go, handleNewSessionTicket).
//
// ServerName and ALPN are not in the session for TCP connections; the
// caller sets them (FirstTicket does). ReceivedAt has one-second
// resolution (created_at is stored in Unix seconds).
func TicketFromSession(cs *tls.ClientSessionState) (*Ticket, error) {
	identity, state, err := cs.ResumptionState()
	if err != nil {
		return nil, fmt.Errorf("zerortt: resumption state: %w", err)
	}
	if state == nil || len(identity) == 0 {
		return nil, errors.New("zerortt: session holds no ticket")
	}
	enc, err := state.Bytes()
	if err != nil {
		return nil, fmt.Errorf("zerortt: encode session: %w", err)
	}
	return parseSessionState(enc, identity, time.Now())
}

// parseSessionState decodes crypto/tls's SessionState encoding (Go 1.26,
// crypto/tls/ticket.go) for a TLS 1.3 client session.
func parseSessionState(enc, identity []byte, now time.Time) (*Ticket, error) {
	s := cryptobyte.String(enc)
	var version, suiteID uint16
	var typ, ems, earlyData uint8
	var createdAt, useBy uint64
	var ageAdd uint32
	var secret, extra, certs, chains, alpn cryptobyte.String
	if !s.ReadUint16(&version) || !s.ReadUint8(&typ) || !s.ReadUint16(&suiteID) ||
		!s.ReadUint64(&createdAt) || !s.ReadUint8LengthPrefixed(&secret) ||
		!s.ReadUint24LengthPrefixed(&extra) || !s.ReadUint8(&ems) || !s.ReadUint8(&earlyData) ||
		!s.ReadUint24LengthPrefixed(&certs) || !s.ReadUint24LengthPrefixed(&chains) {
		return nil, errors.New("zerortt: unrecognised crypto/tls session encoding (Go version change?)")
	}
	if earlyData == 1 && !s.ReadUint8LengthPrefixed(&alpn) {
		return nil, errors.New("zerortt: unrecognised crypto/tls session encoding (alpn)")
	}
	if version != versionTLS13 {
		return nil, fmt.Errorf("zerortt: session is not TLS 1.3 (version %#04x)", version)
	}
	if typ != 2 {
		return nil, fmt.Errorf("zerortt: session type %d is not a client session", typ)
	}
	if !s.ReadUint64(&useBy) || !s.ReadUint32(&ageAdd) || !s.Empty() || ems > 1 || earlyData > 1 {
		return nil, errors.New("zerortt: unrecognised crypto/tls session encoding (trailer)")
	}
	st, err := suiteByID(suiteID)
	if err != nil {
		return nil, err
	}
	if len(secret) != st.size {
		return nil, fmt.Errorf("zerortt: session secret has %d bytes, suite needs %d", len(secret), st.size)
	}
	if useBy < createdAt || useBy-createdAt > uint64(maxTicketLifetime/time.Second) {
		return nil, errors.New("zerortt: session has an implausible lifetime")
	}
	// Rebase the wall-clock creation time onto now's monotonic reading.
	received := now.Add(-now.Sub(time.Unix(int64(createdAt), 0)))
	return &Ticket{
		Identity:    bytes.Clone(identity),
		PSK:         bytes.Clone(secret),
		CipherSuite: suiteID,
		AgeAdd:      ageAdd,
		Lifetime:    time.Duration(useBy-createdAt) * time.Second,
		ReceivedAt:  received,
		ALPN:        string(alpn),
	}, nil
}

// captureCache is a ClientSessionCache that remembers the last session
// put into it and signals its arrival.
type captureCache struct {
	mu   sync.Mutex
	cs   *tls.ClientSessionState
	got  chan struct{}
	once sync.Once
}

func (c *captureCache) Get(string) (*tls.ClientSessionState, bool) { return nil, false }

func (c *captureCache) Put(_ string, cs *tls.ClientSessionState) {
	if cs == nil {
		return
	}
	c.mu.Lock()
	c.cs = cs
	c.mu.Unlock()
	c.once.Do(func() { close(c.got) })
}

// FirstTicket performs a full TLS 1.3 handshake with crypto/tls over conn
// (certificates verified per cfg), writes request (may be nil) and reads
// until the server's first NewSessionTicket has been processed, then
// returns it as a Ticket along with the connection state. It then sends
// close_notify. cfg is cloned; its ClientSessionCache is replaced. conn
// is not closed.
func FirstTicket(ctx context.Context, conn net.Conn, cfg *tls.Config, request []byte) (*Ticket, tls.ConnectionState, error) {
	cache := &captureCache{got: make(chan struct{})}
	c := cfg.Clone()
	c.ClientSessionCache = cache
	c.MinVersion = tls.VersionTLS13
	tc := tls.Client(conn, c)
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, tls.ConnectionState{}, fmt.Errorf("zerortt: full handshake: %w", err)
	}
	state := tc.ConnectionState()
	if len(request) > 0 {
		if _, err := tc.Write(request); err != nil {
			return nil, state, fmt.Errorf("zerortt: write request: %w", err)
		}
	}
	// The ticket is processed inside Read, which then blocks for
	// application data: interrupt it once the ticket is stored.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-cache.got:
			_ = conn.SetReadDeadline(time.Unix(1, 0))
		case <-done:
		}
	}()
	buf := make([]byte, 16<<10)
	var rerr error
	for range 1 << 12 {
		if _, rerr = tc.Read(buf); rerr != nil {
			break
		}
		select {
		case <-cache.got:
		default:
			continue
		}
		break
	}
	cache.mu.Lock()
	cs := cache.cs
	cache.mu.Unlock()
	if cs == nil {
		if rerr == nil || errors.Is(rerr, io.EOF) {
			rerr = errors.New("connection ended")
		}
		return nil, state, fmt.Errorf("zerortt: no session ticket received: %w", rerr)
	}
	_ = conn.SetDeadline(time.Time{})
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	// A clean close_notify: openssl drops the session of a connection
	// that ends without one, which would void the ticket under anti-replay.
	_ = tc.CloseWrite()
	t, err := TicketFromSession(cs)
	if err != nil {
		return nil, state, err
	}
	t.ServerName = cfg.ServerName
	t.ALPN = state.NegotiatedProtocol
	return t, state, nil
}
