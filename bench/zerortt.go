package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/hsbench/hsbench/bench/internal/zerortt"
	"github.com/hsbench/hsbench/bench/sample"
)

// Ticket policies of 0-RTT handshakes (--tickets).
const (
	// TicketsFresh gives every attempt a ticket never used before: the one
	// the previous attempt received, as a browser does.
	TicketsFresh = "fresh"
	// TicketsReuse replays the primed ticket on every attempt. Servers with
	// anti-replay (openssl) reject the early data of every replay.
	TicketsReuse = "reuse"
)

// ZeroRTTConfig describes TLS 1.3 0-RTT handshakes over TCP. crypto/tls
// cannot send early data over TCP: the measured handshakes are run by the
// engine in bench/internal/zerortt; the unmeasured priming handshakes that
// obtain a first ticket use crypto/tls.
type ZeroRTTConfig struct {
	// Address is host:port; a host name is resolved on every attempt.
	Address string
	// TLS gives ServerName, RootCAs, InsecureSkipVerify, NextProtos (ALPN:
	// OpenSSL-based servers accept early data only with the ALPN of the
	// ticket's session, so the measured handshakes offer the ticket's) and
	// CurvePreferences, whose first entry is the key-share group (none:
	// X25519). The priming handshakes use it as is, limited to TLS 1.3.
	TLS *tls.Config
	// Request is sent as early data in the first flight; the first response
	// byte ends the attempt. Required.
	Request []byte
	// NoResponse says the target never answers (openssl s_server
	// -early_data): the request is still sent as early data, and the attempt
	// ends when the client Finished is written (no ttfb).
	NoResponse bool
	// Tickets is TicketsFresh (default) or TicketsReuse.
	Tickets string
	// KeyLog, when set, receives SSLKEYLOGFILE lines, early secrets included.
	KeyLog *SyncWriter
	// Dial opens the TCP connection; nil uses a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Expect, when not empty, is the set of HTTP statuses the response may
	// have (its status line, read from the first response record).
	Expect StatusSet
	// Stats, when set, counts priming handshakes across all workers.
	Stats *ZeroRTTStats
	// WantGroup and WantSuite, when set, are the group and cipher suite the
	// cell asked for: a handshake that negotiates another is a mismatch.
	WantGroup, WantSuite string
}

// ZeroRTTStats counts what the measured samples do not show: the
// unmeasured priming handshakes. Safe for concurrent use.
type ZeroRTTStats struct {
	// Primes counts priming handshakes (crypto/tls full handshakes that
	// fetch a ticket, and for TCP 0-RTT the resumption that learns its
	// early-data allowance), the first of each worker included; Initial
	// those a worker ran before its first measured attempt.
	Primes, Initial atomic.Int64
	// Attempts counts 0-RTT attempts that completed.
	Attempts atomic.Int64
	// NoFreshTicket counts completed attempts whose connection brought no
	// new ticket (by the end of the bounded wait after the response), so
	// that (with fresh tickets) the next attempt's ticket came from an
	// extra priming handshake.
	NoFreshTicket atomic.Int64
}

// Warning describes the extra priming handshakes, or returns "".
func (s *ZeroRTTStats) Warning() string {
	n := s.NoFreshTicket.Load()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d 0-RTT handshakes brought no fresh ticket (none by the end of the bounded wait after the response): "+
		"the next one used a ticket from an extra, unmeasured priming handshake (%d priming handshakes in all)",
		n, s.Attempts.Load(), s.Primes.Load())
}

// NewZeroRTTFactory checks the configuration and returns a Factory of TCP
// TLS 1.3 0-RTT handshakes.
func NewZeroRTTFactory(cfg ZeroRTTConfig) (sample.Factory, error) {
	if _, _, err := net.SplitHostPort(cfg.Address); err != nil {
		return nil, fmt.Errorf("bench: target %q: %w", cfg.Address, err)
	}
	if len(cfg.Request) == 0 {
		return nil, errors.New("bench: 0-RTT needs a request to send as early data")
	}
	var err error
	if cfg.Tickets, err = ticketPolicy(cfg.Tickets); err != nil {
		return nil, err
	}
	if cfg.TLS, err = tls13Config(cfg.TLS, "0-RTT"); err != nil {
		return nil, err
	}
	if cfg.Dial == nil {
		d := &net.Dialer{KeepAlive: -1} // no keep-alive probes: 4 setsockopt calls per connection saved
		cfg.Dial = d.DialContext
	}
	if cfg.Stats == nil {
		cfg.Stats = &ZeroRTTStats{}
	}
	prime := cfg.TLS.Clone()
	prime.MinVersion, prime.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	prime.SessionTicketsDisabled = false
	if cfg.KeyLog != nil {
		prime.KeyLogWriter = cfg.KeyLog
	}
	engine := zerortt.Config{
		ServerName:         cfg.TLS.ServerName,
		RootCAs:            cfg.TLS.RootCAs,
		InsecureSkipVerify: cfg.TLS.InsecureSkipVerify,
		Read:               readMode(cfg),
		TicketWait:         ticketWait,
		MaxResponse:        4 << 10,
	}
	if len(cfg.TLS.CurvePreferences) > 0 {
		engine.Group = cfg.TLS.CurvePreferences[0]
	}
	return func() (sample.Handshaker, error) {
		asked := Asked{Mode: sample.Mode0RTT, Suite: cfg.WantSuite, Group: cfg.WantGroup, Tickets: cfg.Tickets}
		return &zeroRTTHandshaker{cfg: cfg, prime: prime, engine: engine, asked: asked}, nil
	}, nil
}

// readMode says how much of the server's answer Resume reads: up to the
// first response byte; with no response, up to the fresh ticket (fresh
// policy) or nothing.
func readMode(cfg ZeroRTTConfig) zerortt.ReadMode {
	switch {
	case !cfg.NoResponse && cfg.Tickets == TicketsFresh:
		return zerortt.ReadFirstResponseThenTicket
	case !cfg.NoResponse:
		return zerortt.ReadFirstResponse
	case cfg.Tickets == TicketsFresh:
		return zerortt.ReadUntilTicket
	}
	return zerortt.ReadNone
}

// zeroRTTHandshaker belongs to one worker and holds its next ticket.
type zeroRTTHandshaker struct {
	cfg    ZeroRTTConfig
	prime  *tls.Config
	engine zerortt.Config
	ticket *zerortt.Ticket // next ticket; nil: prime first
	asked  Asked
	// attempted is set once the worker ran a measured attempt.
	attempted bool
}

func (h *zeroRTTHandshaker) Close() error { return nil }

// Prime fetches a first ticket with an unmeasured crypto/tls full handshake,
// unless the worker holds a usable one.
func (h *zeroRTTHandshaker) Prime(ctx context.Context) error {
	if usable(h.ticket, time.Now()) {
		return nil
	}
	h.ticket = nil
	conn, err := h.cfg.Dial(ctx, "tcp", h.cfg.Address)
	if err != nil {
		return classified(fmt.Errorf("bench: priming 0-RTT: %w", err))
	}
	defer conn.Close()
	var req []byte
	if !h.cfg.NoResponse {
		req = h.cfg.Request
	}
	h.cfg.Stats.primed(h.attempted)
	t, _, err := zerortt.FirstTicket(ctx, conn, h.prime, req)
	if err != nil {
		return classified(fmt.Errorf("bench: priming 0-RTT: %w", err))
	}
	// The session's creation time has one-second resolution, so the age
	// the engine computes from it can be up to a second too old, and
	// OpenSSL refuses early data whose ticket age runs ahead of its own
	// clock (nginx rejected replays right after each wall-clock second).
	// The ticket arrived just before FirstTicket returned: a few
	// milliseconds too young is within every server's allowance.
	t.ReceivedAt = time.Now()
	if t, err = h.learnEarlyData(ctx, t); err != nil {
		return err
	}
	h.ticket = t
	return nil
}

// usable reports whether t can still be sent at now.
func usable(t *zerortt.Ticket, now time.Time) bool {
	return t != nil && now.Sub(t.ReceivedAt) < t.Lifetime
}

// Handshake runs one measured 0-RTT attempt. A worker without a usable
// ticket primes first, outside the measured time.
func (h *zeroRTTHandshaker) Handshake(ctx context.Context) sample.Sample {
	defer func() { h.attempted = true }()
	if err := h.Prime(ctx); err != nil {
		return primeFailure(sample.Labels{Transport: "tcp", EarlyData: true}, err)
	}
	t := h.ticket
	if h.cfg.Tickets == TicketsFresh {
		h.ticket = nil // used once, whatever happens
	}
	s, res := h.attempt(ctx, t)
	h.afterAttempt(s.Err == nil, res)
	return s
}

// afterAttempt applies the ticket policy once an attempt is over: with
// fresh tickets the worker keeps the first new ticket the server sent (none:
// the next attempt primes again, and Stats says so); with reuse it keeps the
// primed ticket.
func (h *zeroRTTHandshaker) afterAttempt(completed bool, res *zerortt.Result) {
	if completed {
		h.cfg.Stats.Attempts.Add(1)
	}
	if h.cfg.Tickets != TicketsFresh {
		return
	}
	h.ticket = nil
	if res != nil && len(res.Tickets) > 0 {
		h.ticket = res.Tickets[0]
	} else if completed {
		h.cfg.Stats.NoFreshTicket.Add(1)
	}
}

// zeroRTTLabels are the labels of a completed 0-RTT attempt.
func zeroRTTLabels(res *zerortt.Result) sample.Labels {
	return sample.Labels{
		Transport:     "tcp",
		Version:       VersionName(tls.VersionTLS13),
		Suite:         tls.CipherSuiteName(res.CipherSuite),
		Group:         GroupName(res.Group),
		Resumed:       res.Resumed,
		HRR:           res.HelloRetryRequest,
		ALPN:          res.ALPN,
		EarlyData:     res.EarlyDataOffered,
		EarlyAccepted: res.EarlyDataAccepted,
		EarlyBytes:    res.EarlyDataSent,
	}
}

// attempt dials and runs Resume with the request as early data, stamping
// a trace (see the README's 0-RTT section).
func (h *zeroRTTHandshaker) attempt(ctx context.Context, t *zerortt.Ticket) (sample.Sample, *zerortt.Result) {
	tr := newTrace()
	tr.NoResponse = h.cfg.NoResponse
	tr.Labels = sample.Labels{Transport: "tcp", EarlyData: true}
	var sent, recv int64
	res, err := h.run(ctx, tr, t, &sent, &recv)
	if errors.Is(err, zerortt.ErrEarlyDataAborted) {
		err = fmt.Errorf("bench: %w over TCP: %w", ErrNo0RTT, err)
	}
	s := tr.Sample(h.asked, err)
	h.asked.sawSample(&s)
	s.BytesSent, s.BytesRecv = sent, recv
	return s, res
}

// run dials and resumes, stamping tr; sent and recv receive the bytes
// exchanged until the attempt's end.
func (h *zeroRTTHandshaker) run(ctx context.Context, tr *Trace, t *zerortt.Ticket, sent, recv *int64) (*zerortt.Result, error) {
	tc, err := dialTraced(ctx, h.cfg.Dial, h.cfg.Address, tr)
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	hooks := &zerortt.Hooks{
		ClientHelloWritten: func() { tr.StampAt(EvRequestWritten, tr.At(EvHelloWritten)) },
		HandshakeKeys:      func() { tr.Stamp(EvKeys) },
		ClientFinishedWritten: func() {
			tr.Stamp(EvHandshakeDone)
			*sent, *recv = tc.sent, tc.recv
		},
		FirstResponseByte: func() {
			tr.Stamp(EvFirstResponse)
			*sent, *recv = tc.sent, tc.recv
		},
	}
	if kl := h.cfg.KeyLog; kl != nil {
		hooks.KeyLog = func(label string, random, secret []byte) {
			fmt.Fprintf(kl, "%s %x %x\n", label, random, secret)
		}
	}
	eng, early := h.engineFor(t)
	if early == nil {
		tr.NoResponse = true // a resumption that only collects the next ticket
	}
	res, err := zerortt.Resume(ctx, tc, eng, t, early, hooks)
	if err != nil {
		if tr.Seen(EvHandshakeDone) && !tr.Seen(EvFirstResponse) {
			err = noResponse(err) // e.g. gnutls-serv: early data accepted, never answered
		}
		return res, err
	}
	tr.Labels = zeroRTTLabels(res)
	tr.EarlyRejected = !res.EarlyDataAccepted
	if !tr.NoResponse && !tr.Seen(EvFirstResponse) {
		return res, noResponse(fmt.Errorf("bench: reading response: %w", io.ErrUnexpectedEOF))
	}
	if !tr.NoResponse && !tr.Priming && len(res.Response) > 0 {
		// The status line, off the clock (the engine keeps the first record).
		if err := checkStatus(h.cfg.Expect, res.Response[0], bytes.NewReader(res.Response[1:])); err != nil {
			return res, err
		}
	}
	return res, nil
}

// ticketPolicy checks a ticket policy; empty means fresh.
func ticketPolicy(p string) (string, error) {
	switch p {
	case "":
		return TicketsFresh, nil
	case TicketsFresh, TicketsReuse:
		return p, nil
	}
	return "", fmt.Errorf("bench: ticket policy %q: want %s or %s", p, TicketsFresh, TicketsReuse)
}

// tls13Config returns c (or an empty configuration), refusing one capped
// below TLS 1.3: what (QUIC, 0-RTT) needs TLS 1.3.
func tls13Config(c *tls.Config, what string) (*tls.Config, error) {
	if c == nil {
		return &tls.Config{}, nil
	}
	if c.MaxVersion != 0 && c.MaxVersion < tls.VersionTLS13 {
		return nil, fmt.Errorf("bench: %s needs TLS 1.3", what)
	}
	return c, nil
}

// engineFor returns the engine configuration and early data of an attempt
// with t: the request as early data when the ticket allows it; otherwise
// (RFC 8446 4.2.10) a resumption without early data that only collects the
// next ticket, a Mismatch0RTTNotOffered sample.
func (h *zeroRTTHandshaker) engineFor(t *zerortt.Ticket) (*zerortt.Config, []byte) {
	if t.MaxEarlyData > 0 {
		return &h.engine, h.cfg.Request
	}
	eng := h.engine
	eng.Read = zerortt.ReadUntilTicket
	return &eng, nil
}
