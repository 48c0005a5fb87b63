package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/qlogwriter"
	"github.com/quic-go/quic-go/quicvarint"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

// Bounds of the unmeasured waits after a measured QUIC attempt.
const (
	// quicAfterMin and quicAfterRTTs bound the wait, after the first
	// response byte, for the handshake confirmation and the session ticket:
	// quicAfterMin plus quicAfterRTTs smoothed RTTs, at most quicAfterMax.
	quicAfterMin  = 50 * time.Millisecond
	quicAfterRTTs = 4
	quicAfterMax  = 2 * time.Second
	// A priming handshake waits longer for its ticket: quicPrimeMin plus
	// quicPrimeRTTs smoothed RTTs, at most quicPrimeMax.
	quicPrimeMin  = 250 * time.Millisecond
	quicPrimeRTTs = 8
	quicPrimeMax  = 3 * time.Second
)

// QUICConfig describes handshakes over QUIC (RFC 9000/9001) with quic-go.
//
// Each attempt is a new QUIC connection (new connection IDs, its own Initial)
// on the worker's UDP socket (one quic.Transport per worker). The phases of
// a QUIC attempt, all from Go's monotonic clock (instants from quic-go's
// in-process qlog events, see quicTrace):
//
//   - dns: as over TCP (absent for an IP literal). There is no tcp_connect.
//   - tls_client_hello: Dial called → the first Initial packet (ClientHello)
//     handed to quic-go's send queue: connection set-up, ClientHello with key
//     shares, Initial packet protection.
//   - tls_server_wait: first Initial sent → first packet from the server
//     received and opened (one round trip plus the server's work before its
//     first flight).
//   - tls_key_exchange: first server packet → handshake keys installed
//     (ServerHello processed, shared secret computed).
//   - tls_hrr: after a HelloRetryRequest only, its first packet → the first
//     event the answer to the second ClientHello causes (see quicTrace).
//   - tls_cert_verify: handshake keys → certificate chain verified
//     (VerifyConnection). Absent on resumption.
//   - tls_finished: certificate verified → handshake complete
//     (CertificateVerify and server Finished checked, client Finished queued).
//   - tls_handshake: Dial called → handshake complete; the sum of the five
//     tls_* phases.
//   - quic_confirm: handshake complete → a packet carrying HANDSHAKE_DONE
//     received. It overlaps ttfb and is not part of the sum making total;
//     it is absent when HANDSHAKE_DONE arrived after the first response
//     byte (nothing after the end of the attempt is measured).
//   - ttfb: full and resumed: handshake complete → first response byte (the
//     request is written as soon as Dial returns). 0-RTT: request write
//     started (right after DialEarly returns, before the handshake ends) →
//     first response byte, so it overlaps tls_handshake.
//   - total: start of the attempt → first response byte (handshake complete
//     with no request). Full and resumed: dns + tls_handshake + ttfb = total.
//
// With HTTP3 the first response byte is the first byte of the response's
// HEADERS frame on the request stream.
//
// Labels: Transport "quic", Version "1.3", Suite, Group, Resumed, HRR and
// ALPN from the connection state. In 0-RTT mode EarlyData says 0-RTT keys
// were installed (the ClientHello offered early data), EarlyAccepted that
// the server accepted it (ConnectionState.Used0RTT) and EarlyBytes counts
// the request bytes sent in 0-RTT packets. quic-go sends the Initial as soon
// as DialEarly returns and the request shortly after, in its own 0-RTT
// packet; on loopback the server can occasionally finish the handshake
// before that write reaches quic-go, and the request then leaves in 1-RTT
// packets (EarlyBytes 0). Such samples are kept: dropping them would select
// the attempts where the client happened to be fast.
//
// Mismatches (counted apart, never in latencies): resumed but not resumed
// (MismatchResumedFull); 0-RTT with no resumption (Mismatch0RTTFull), with a
// ticket that allows no early data (Mismatch0RTTNotOffered), or with early
// data the server rejected (MismatchEarlyRejected, …Reuse, …HRR: the
// request is then sent again after the handshake and the mismatch's total
// includes it); a negotiated group other than WantGroup.
type QUICConfig struct {
	// Address is host:port (UDP). A host name is resolved on every attempt.
	Address string
	// TLS is the base client configuration: ServerName, RootCAs,
	// Certificates, CurvePreferences, NextProtos (ALPN, which QUIC requires;
	// default QUICALPN). It is cloned per attempt; its ClientSessionCache is
	// replaced per worker.
	TLS *tls.Config
	// Mode is full, resumed or 0rtt.
	Mode sample.Mode
	// Request is written on a new bidirectional stream (closed after it);
	// the first response byte ends the attempt. In 0-RTT mode it is written
	// as early data. Empty: no request, total ends at handshake complete.
	Request []byte
	// HTTP3 sends an HTTP/3 GET for / instead of Request's bytes (for
	// ALPN h3): the client's control stream with an empty SETTINGS frame,
	// then a request stream with one HEADERS frame (QPACK static table and
	// literals only, no dynamic table) and FIN. It needs a non-empty
	// Request (which only says "send a request").
	HTTP3 bool
	// HTTP3Request, when set, is the HEADERS frame sent with HTTP3
	// (HTTPRequest.HTTP3); nil: GET / for the server name.
	HTTP3Request []byte
	// Expect, when not empty, is the set of HTTP/3 :status values a
	// response may have, read off the clock after the first byte; another
	// is an error of class http_status:<code>.
	Expect StatusSet
	// Tickets is the ticket policy of 0-RTT mode: TicketsFresh (default:
	// every attempt sends the ticket the previous one received, each ticket
	// once) or TicketsReuse (the primed ticket on every attempt). Resumed
	// mode always uses fresh tickets.
	Tickets string
	// WantGroup and WantSuite, when set, are the group and cipher suite
	// the cell asked for: a handshake that negotiated another is a mismatch.
	WantGroup, WantSuite string
	// KeyLog, when set, receives SSLKEYLOGFILE lines of every attempt.
	KeyLog *SyncWriter
	// PacketConn, when set, creates each worker's UDP socket (network
	// emulation plugs in here); nil binds an unspecified address.
	PacketConn func() (net.PacketConn, error)
	// Stats, when set, counts priming handshakes (resumed and 0-RTT) and
	// 0-RTT attempts, with those after which no fresh ticket arrived,
	// across all workers.
	Stats *ZeroRTTStats
}

// NewQUICFactory checks the configuration and returns a Factory.
func NewQUICFactory(cfg QUICConfig) (sample.Factory, error) {
	if _, _, err := net.SplitHostPort(cfg.Address); err != nil {
		return nil, fmt.Errorf("bench: target %q: %w", cfg.Address, err)
	}
	switch cfg.Mode {
	case sample.ModeFull, sample.ModeResumed, sample.Mode0RTT:
	default:
		return nil, fmt.Errorf("bench: mode %q is not a QUIC mode", cfg.Mode)
	}
	var err error
	if cfg.Tickets, err = ticketPolicy(cfg.Tickets); err != nil {
		return nil, err
	}
	if cfg.TLS, err = tls13Config(cfg.TLS, "QUIC"); err != nil {
		return nil, err
	}
	if cfg.Stats == nil {
		cfg.Stats = &ZeroRTTStats{}
	}
	if len(cfg.Request) == 0 {
		cfg.HTTP3 = false
	}
	return func() (sample.Handshaker, error) {
		base := cfg.TLS.Clone()
		base.MinVersion, base.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
		if len(base.NextProtos) == 0 {
			base.NextProtos = []string{QUICALPN}
		}
		if cfg.KeyLog != nil {
			base.KeyLogWriter = cfg.KeyLog
		}
		asked := Asked{Mode: cfg.Mode, Suite: cfg.WantSuite, Group: cfg.WantGroup, Tickets: cfg.Tickets}
		h := &quicHandshaker{cfg: cfg, base: base, asked: asked}
		if cfg.Mode == sample.ModeFull {
			base.ClientSessionCache = nil
			base.SessionTicketsDisabled = true
		} else {
			reuse := cfg.Mode == sample.Mode0RTT && cfg.Tickets == TicketsReuse
			h.cache = newTicketCache(!reuse, reuse)
			base.ClientSessionCache = h.cache
			base.SessionTicketsDisabled = false
		}
		h.payload = cfg.Request
		if cfg.HTTP3 {
			h.payload = cfg.HTTP3Request
			if h.payload == nil {
				h.payload = http3Request(base.ServerName, cfg.Address)
			}
		}
		return h, nil
	}, nil
}

// quicHandshaker belongs to one worker: its UDP socket, its session cache.
type quicHandshaker struct {
	cfg   QUICConfig
	asked Asked
	base  *tls.Config
	cache *ticketCache // nil in full mode
	// payload is what a request stream carries: Request, or an HTTP/3
	// HEADERS frame.
	payload []byte
	pc      net.PacketConn
	sock    *connectedUDP // pc, when connected to an IP literal target
	tr      *quic.Transport
	// noTicket is set when a priming handshake completed without a ticket:
	// the target sends none, so attempts stop priming (and come out as
	// mismatches).
	noTicket bool
	// attempted is set once the worker ran a measured attempt.
	attempted bool
}

// transport returns the worker's quic.Transport for the target raddr,
// creating its socket on first use: a UDP socket connected to raddr, so that
// ICMP port unreachable fails an attempt as refused at once (connectedUDP),
// or the one PacketConn creates. A target that resolves to another address
// gets a new socket.
func (h *quicHandshaker) transport(raddr *net.UDPAddr) (*quic.Transport, error) {
	if h.tr != nil && (h.sock == nil || h.sock.c.RemoteAddr().String() == raddr.String()) {
		return h.tr, nil
	}
	if h.tr != nil {
		_ = h.Close()
		h.tr, h.pc, h.sock = nil, nil, nil
	}
	var pc net.PacketConn
	var err error
	if h.cfg.PacketConn != nil {
		pc, err = h.cfg.PacketConn()
	} else {
		network := "udp6"
		if raddr.IP.To4() != nil {
			network = "udp4"
		}
		if h.sock, err = dialConnectedUDP(network, raddr); err == nil {
			pc = h.sock
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bench: QUIC socket: %w", err)
	}
	h.pc, h.tr = pc, &quic.Transport{Conn: pc}
	return h.tr, nil
}

// Close closes the worker's connections and socket.
func (h *quicHandshaker) Close() error {
	if h.tr == nil {
		return nil
	}
	err := h.tr.Close()
	if cerr := h.pc.Close(); err == nil {
		err = cerr
	}
	return err
}

// errNoTicket says a priming handshake completed but no ticket arrived.
var errNoTicket = errors.New("bench: priming QUIC: the server sent no session ticket")

// Prime runs an unmeasured full handshake (with the request) in resumed and
// 0-RTT modes and keeps the connection open until its session ticket
// arrives (quic-go stores a ticket only while the connection lives), for a
// bounded time (quicPrimeMin + quicPrimeRTTs smoothed RTTs, at most quicPrimeMax).
func (h *quicHandshaker) Prime(ctx context.Context) error {
	if h.cache == nil || h.cache.has() {
		return nil
	}
	h.cfg.Stats.primed(h.attempted)
	s := h.attempt(ctx, true)
	if s.Err != nil {
		return classified(fmt.Errorf("bench: priming QUIC: %w", s.Err))
	}
	if !h.cache.has() {
		h.noTicket = true
		return classified(errNoTicket)
	}
	h.noTicket = false
	return nil
}

// Handshake runs one measured attempt. In resumed and 0-RTT modes a worker
// without a ticket (the previous attempt got no fresh one) primes first,
// outside the measured time.
func (h *quicHandshaker) Handshake(ctx context.Context) sample.Sample {
	defer func() { h.attempted = true }()
	if h.cache != nil && !h.cache.has() && !h.noTicket {
		if err := h.Prime(ctx); err != nil && !errors.Is(err, errNoTicket) {
			return primeFailure(sample.Labels{Transport: "quic", Version: "1.3"}, err)
		}
	}
	return h.attempt(ctx, false)
}

// attempt runs one handshake (measured, or priming: unmeasured, full, no
// mismatch) with its request and builds the sample (see QUICConfig). The
// sample ends at the first response byte; what follows (the bounded wait
// for a session ticket, closing) is outside every phase.
func (h *quicHandshaker) attempt(ctx context.Context, priming bool) sample.Sample {
	tr := newTrace()
	tr.Priming = priming
	tr.NoResponse = len(h.cfg.Request) == 0
	tr.Labels = sample.Labels{Transport: "quic", Version: "1.3"}
	var gen uint64
	if h.cache != nil {
		gen = h.cache.generation()
	}
	conn, stats, err := h.run(ctx, tr, h.cfg.Mode == sample.Mode0RTT && !priming)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%v)", cerr, err)
		}
	}
	s := tr.Sample(h.asked, err)
	s.BytesSent, s.BytesRecv = int64(stats.BytesSent), int64(stats.BytesReceived)
	if conn != nil {
		h.afterResponse(ctx, conn, err == nil, gen, priming)
		_ = conn.CloseWithError(h.closeCode(), "")
	}
	return s
}

// afterResponse does the unmeasured work after a completed attempt: wait
// (bounded) for the session ticket when the worker needs one, and count
// 0-RTT attempts that got no fresh ticket.
func (h *quicHandshaker) afterResponse(ctx context.Context, conn *quic.Conn, completed bool, gen uint64, priming bool) {
	if !completed || h.cache == nil {
		return
	}
	if priming || (h.cache.fresh && !h.noTicket) {
		h.waitTicket(ctx, conn, gen, priming)
	}
	if h.cache.generation() > gen {
		h.noTicket = false
	}
	if !priming && h.cfg.Mode == sample.Mode0RTT {
		h.cfg.Stats.Attempts.Add(1)
		if h.cache.fresh && h.cache.generation() == gen {
			h.cfg.Stats.NoFreshTicket.Add(1)
		}
	}
}

func (h *quicHandshaker) closeCode() quic.ApplicationErrorCode {
	if h.cfg.HTTP3 {
		return h3NoError
	}
	return 0
}

// run dials, sends the request and reads the first response byte, stamping
// tr and its labels. It returns the connection (still open, nil when the
// dial failed) and its statistics at the first response byte.
func (h *quicHandshaker) run(ctx context.Context, tr *Trace, early bool) (_ *quic.Conn, _ quic.ConnectionStats, err error) {
	var stats quic.ConnectionStats
	ip, port, err := resolve(ctx, h.cfg.Address, tr)
	if err != nil {
		return nil, stats, err
	}
	portNum, err := net.LookupPort("udp", port)
	if err != nil {
		return nil, stats, err
	}
	raddr := &net.UDPAddr{IP: ip, Port: portNum}
	qtr, err := h.transport(raddr)
	if err != nil {
		return nil, stats, err
	}
	trace := newQUICTrace(tr)
	cfg := h.base.Clone()
	if h.cache != nil {
		cfg.Time = h.cache.clock()
	}
	userVerify := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		tr.Stamp(EvCertVerified)
		if userVerify != nil {
			return userVerify(cs)
		}
		return nil
	}
	qc := &quic.Config{Tracer: func(context.Context, bool, quic.ConnectionID) qlogwriter.Trace { return trace }}
	if h.sock != nil {
		// ICMP port unreachable ends the attempt as refused.
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		h.sock.onRefused(func() { cancel(errQUICRefused) })
		defer h.sock.onRefused(nil)
		defer func() {
			if err != nil && context.Cause(ctx) == errQUICRefused {
				err = errQUICRefused
			}
		}()
	}
	// The handshake starts once the address is known: configuration
	// cloning and connection set-up fall in tls_client_hello.
	var conn *quic.Conn
	if early {
		conn, err = qtr.DialEarly(ctx, raddr, cfg, qc)
	} else {
		conn, err = qtr.Dial(ctx, raddr, cfg, qc)
	}
	if err != nil {
		return nil, stats, err
	}
	// A cancelled run must not wait for timeouts: closing the connection
	// unblocks every call on it.
	stop := context.AfterFunc(ctx, func() { _ = conn.CloseWithError(h.closeCode(), "cancelled") })
	defer stop()
	conn, err = h.exchange(ctx, conn, trace, early)
	stats = conn.ConnectionStats()
	if err != nil {
		return conn, stats, err
	}
	cs := conn.ConnectionState()
	tr.Labels = tlsLabels("quic", cs.TLS)
	if early {
		tr.Labels.EarlyData, tr.Labels.EarlyBytes = trace.early()
		tr.Labels.EarlyAccepted = cs.Used0RTT && !tr.EarlyRejected
	}
	return conn, stats, nil
}

// exchange sends the request and waits for the first response byte (or,
// with no request, for the handshake to complete). Early data the server
// rejected is sent again once the handshake is complete, as a real client
// does (tr.EarlyRejected); it returns the connection that carried it.
func (h *quicHandshaker) exchange(ctx context.Context, conn *quic.Conn, trace *quicTrace, early bool) (*quic.Conn, error) {
	tr := trace.tr
	if len(h.cfg.Request) > 0 {
		tr.Stamp(EvRequestWritten)
		str, first, err := h.request(ctx, conn, trace, early)
		if early && errors.Is(err, quic.Err0RTTRejected) {
			tr.EarlyRejected = true
			next, nerr := conn.NextConnection(ctx)
			if nerr != nil {
				return conn, nerr
			}
			conn = next
			tr.Restamp(EvRequestWritten)
			str, first, err = h.request(ctx, conn, trace, false)
		}
		if err != nil {
			if handshakeComplete(conn) {
				err = noResponse(err)
			}
			return conn, err
		}
		tr.Stamp(EvFirstResponse)
		if err := h.checkHTTP3Status(tr, first, str); err != nil {
			return conn, err
		}
	}
	// The handshake is complete once 1-RTT data could be read; without a
	// request (and with 0-RTT) wait for it.
	select {
	case <-conn.HandshakeComplete():
		return conn, nil
	case <-ctx.Done():
		return conn, ctx.Err()
	}
}

// waitTicket waits, after the measured part, until a ticket newer than
// generation gen is stored, at most quicAfterMin + quicAfterRTTs smoothed
// RTTs (longer when priming).
func (h *quicHandshaker) waitTicket(ctx context.Context, conn *quic.Conn, gen uint64, priming bool) {
	rtt := conn.ConnectionStats().SmoothedRTT
	wait := min(quicAfterMin+quicAfterRTTs*rtt, quicAfterMax)
	if priming {
		wait = min(quicPrimeMin+quicPrimeRTTs*rtt, quicPrimeMax)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	h.cache.waitNewer(ctx, gen, timer.C)
}

// request sends the request on a new stream of conn and waits for the
// first response byte. With HTTP3 the client's control stream is opened
// first. On an early connection (0-RTT) the streams are opened before the
// handshake keys are installed, or else after the handshake completes
// (quicTrace.openEarly, quic-go/quic-go#4303); the latter only happens when
// the server's whole first flight was processed before the request write
// (loopback), and the request then leaves in 1-RTT packets.
func (h *quicHandshaker) request(ctx context.Context, conn *quic.Conn, trace *quicTrace, early bool) (*quic.Stream, byte, error) {
	var ctrl *quic.SendStream
	var str *quic.Stream
	open := func() (err error) {
		if h.cfg.HTTP3 {
			if ctrl, err = conn.OpenUniStream(); err != nil {
				return err
			}
		}
		str, err = conn.OpenStream()
		return err
	}
	opened := false
	var err error
	if early {
		opened, err = trace.openEarly(open)
	}
	if !opened {
		select {
		case <-conn.HandshakeComplete():
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
		err = open()
	}
	if err != nil {
		return nil, 0, err
	}
	if ctrl != nil {
		// Stream type 0x00 (control), SETTINGS (0x04) with no settings. The
		// control stream must stay open.
		if _, err := ctrl.Write([]byte{0x00, 0x04, 0x00}); err != nil {
			return nil, 0, err
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = str.SetDeadline(dl)
	}
	if _, err := str.Write(h.payload); err != nil {
		return nil, 0, err
	}
	if err := str.Close(); err != nil {
		return nil, 0, err
	}
	var b [1]byte
	for {
		n, err := str.Read(b[:])
		if n == 1 {
			return str, b[0], nil
		}
		if errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("bench: reading response: %w", io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, 0, err
		}
	}
}

// handshakeComplete reports whether conn's handshake has completed.
func handshakeComplete(conn *quic.Conn) bool {
	select {
	case <-conn.HandshakeComplete():
		return true
	default:
		return false
	}
}

// checkHTTP3Status reads, off the clock, the response's :status when the
// request was HTTP/3 and statuses are checked (not while priming).
func (h *quicHandshaker) checkHTTP3Status(tr *Trace, first byte, str *quic.Stream) error {
	if !h.cfg.HTTP3 || h.cfg.Expect.IsZero() || tr.Priming {
		return nil
	}
	code, err := http3Status(io.MultiReader(bytes.NewReader([]byte{first}), str))
	if err != nil {
		return err
	}
	if !h.cfg.Expect.Has(code) {
		return &StatusError{Code: code}
	}
	return nil
}

// h3NoError is HTTP/3's H3_NO_ERROR, the code a client closes with.
const h3NoError = quic.ApplicationErrorCode(0x100)

// http3Request encodes an HTTP/3 HEADERS frame (RFC 9114, QPACK RFC 9204)
// for GET https://authority/: the method, scheme and path from QPACK's
// static table, the authority as a literal with a static name reference.
// The authority is serverName (or the address's host) with the port unless
// it is 443.
func http3Request(serverName, address string) []byte {
	host, port, _ := net.SplitHostPort(address)
	if serverName != "" {
		host = serverName
	}
	authority := host
	if port != "443" {
		authority = net.JoinHostPort(host, port)
	}
	fields := []byte{
		0x00, 0x00, // Required Insert Count 0, Delta Base 0
		0xc0 | 17, // indexed, static: :method GET
		0xc0 | 23, // indexed, static: :scheme https
		0xc0 | 1,  // indexed, static: :path /
	}
	fields = append(fields, 0x50|0) // literal with static name reference: :authority
	fields = qpackInt(fields, 0x00, 7, uint64(len(authority)))
	fields = append(fields, authority...)
	frame := quicvarint.Append(nil, 0x01) // HEADERS
	frame = quicvarint.Append(frame, uint64(len(fields)))
	return append(frame, fields...)
}

// qpackInt appends an integer with an n-bit prefix (RFC 7541 §5.1) to b,
// the prefix byte's high bits taken from first.
func qpackInt(b []byte, first byte, n uint, v uint64) []byte {
	max := uint64(1)<<n - 1
	if v < max {
		return append(b, first|byte(v))
	}
	b = append(b, first|byte(max))
	v -= max
	for v >= 128 {
		b = append(b, byte(v%128)|0x80)
		v /= 128
	}
	return append(b, byte(v))
}

// ticketCache is a worker's tls.ClientSessionCache: one session.
//
// fresh: Get hands the stored session out once (each ticket is sent once;
// the next attempt uses the ticket the previous one received, or primes).
// keep (ticket reuse): the first stored session stays and is handed out on
// every attempt; later tickets are ignored.
type ticketCache struct {
	mu      sync.Mutex
	fresh   bool
	keep    bool
	key     string
	state   *tls.ClientSessionState
	gen     uint64 // sessions stored so far
	changed chan struct{}
	// frac is how far past its stamped second the stored session arrived
	// (see stampedSession).
	frac time.Duration
}

// clock returns the Config.Time of the connection that will send the
// stored session (see ticketClock).
func (c *ticketCache) clock() func() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ticketClock(c.frac)
}

func newTicketCache(fresh, keep bool) *ticketCache {
	return &ticketCache{fresh: fresh, keep: keep, changed: make(chan struct{})}
}

func (c *ticketCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil || key != c.key {
		return nil, false
	}
	s := c.state
	if c.fresh {
		c.state = nil
	}
	return s, true
}

func (c *ticketCache) Put(key string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs == nil { // crypto/tls deletes an unusable session
		if key == c.key {
			c.state = nil
		}
		return
	}
	if c.keep && c.state != nil {
		return
	}
	if st, frac, err := stampedSession(cs, time.Now()); err == nil {
		cs, c.frac = st, frac
	}
	c.key, c.state = key, cs
	c.gen++
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *ticketCache) has() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state != nil
}

func (c *ticketCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// waitNewer waits until a session newer than generation gen is stored, ctx
// ends or timeout fires.
func (c *ticketCache) waitNewer(ctx context.Context, gen uint64, timeout <-chan time.Time) bool {
	for {
		c.mu.Lock()
		if c.gen > gen {
			c.mu.Unlock()
			return true
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-timeout:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// quicClass classifies quic-go's errors for Classify.
func quicClass(err error) (string, bool) {
	var te *quic.TransportError
	var ae *quic.ApplicationError
	var ve *quic.VersionNegotiationError
	var re *quic.StatelessResetError
	var it *quic.IdleTimeoutError
	var ht *quic.HandshakeTimeoutError
	switch {
	case errors.Is(err, quic.Err0RTTRejected):
		return sample.ClassNo0RTT, true
	case errors.As(err, &it), errors.As(err, &ht):
		return sample.ClassTimeout, true
	case errors.As(err, &re):
		return sample.ClassReset, true
	case errors.As(err, &ve):
		return sample.ClassVersion, true
	case errors.As(err, &te):
		switch code := te.ErrorCode; {
		case code.IsCryptoError():
			name := alertName(tls.AlertError(code - 0x100))
			if name == "protocol_version" {
				return sample.ClassVersion, true
			}
			return "alert:" + name, true
		case code == quic.ConnectionRefused:
			return sample.ClassRefused, true
		default:
			return "quic:" + strings.ToLower(code.String()), true
		}
	case errors.As(err, &ae):
		return "quic:application_error", true
	}
	return "", false
}

// QUICALPN is the ALPN protocol offered when none is configured: the
// embedded target's.
const QUICALPN = target.QUICALPN
