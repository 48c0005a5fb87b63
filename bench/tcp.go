package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/hsbench/hsbench/bench/internal/tls12"
	"github.com/hsbench/hsbench/bench/sample"
)

// DefaultRequest is the request written after the handshake to measure time
// to first byte. The embedded target, nginx, haproxy and openssl s_server
// -www all answer it.
const DefaultRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

// KeepAliveRequest is DefaultRequest without "Connection: close", sent as
// early data by TCP 0-RTT handshakes with fresh tickets: a server asked to
// close (nginx) answers early data and closes before it has read the
// client Finished, so it never sends the fresh ticket the next attempt
// needs. Kept alive, it reads the Finished and sends the ticket after the
// response; the client closes once the ticket is in (unmeasured, bounded).
const KeepAliveRequest = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

// TCPConfig describes handshakes over TCP with crypto/tls.
type TCPConfig struct {
	// Address is host:port. A host name is resolved on every attempt (the
	// dns phase); an IP literal skips resolution.
	Address string
	// TLS is the base client configuration: ServerName, RootCAs,
	// Certificates, Min/MaxVersion, CurvePreferences, CipherSuites. It is
	// cloned per attempt; its ClientSessionCache is replaced per worker.
	TLS *tls.Config
	// Mode is full or resumed (0-RTT over TCP has its own Handshaker).
	Mode sample.Mode
	// Request is written after the handshake; the first response byte ends
	// the attempt. Empty means no request: total ends at Handshake().
	Request []byte
	// KeyLog, when set, receives SSLKEYLOGFILE lines of every attempt.
	KeyLog *SyncWriter
	// WantGroup and WantSuite, when set, are the group (hsbench name) and
	// cipher suite (IANA name) the cell asked for: a handshake that
	// negotiates another one is a mismatch.
	WantGroup, WantSuite string
	// Dial opens the TCP connection; nil uses a net.Dialer. Network
	// emulation plugs in here.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Stats, when set, counts the priming handshakes of resumed mode.
	Stats *ZeroRTTStats
	// Expect, when not empty, is the set of HTTP statuses a response may
	// have: the status line is read off the clock after the first byte, and
	// another status is an error of class http_status:<code>.
	Expect StatusSet
	// Resume is how a resumed cell resumes: ResumeTicket (crypto/tls),
	// ResumeID (TLS 1.2 session ID, bench/internal/tls12) or
	// ResumeAuto (a ticket when the priming handshake got one, else the
	// session ID). Empty means ResumeTicket.
	Resume string
}

// Resumption methods (--resume), and the resumed_by label.
const (
	ResumeTicket = "ticket"
	ResumeID     = "id"
	ResumeAuto   = "auto"
)

// NewTCPFactory checks the configuration and returns a Factory.
func NewTCPFactory(cfg TCPConfig) (sample.Factory, error) {
	if _, _, err := net.SplitHostPort(cfg.Address); err != nil {
		return nil, fmt.Errorf("bench: target %q: %w", cfg.Address, err)
	}
	if cfg.Mode != sample.ModeFull && cfg.Mode != sample.ModeResumed {
		return nil, fmt.Errorf("bench: mode %q is not a crypto/tls TCP mode", cfg.Mode)
	}
	switch cfg.Resume {
	case "":
		cfg.Resume = ResumeTicket
	case ResumeTicket, ResumeID, ResumeAuto:
	default:
		return nil, fmt.Errorf("bench: resume %q: want %s, %s or %s", cfg.Resume, ResumeTicket, ResumeID, ResumeAuto)
	}
	if cfg.TLS == nil {
		cfg.TLS = &tls.Config{}
	}
	if cfg.Dial == nil {
		d := &net.Dialer{KeepAlive: -1} // no keep-alive probes: 4 setsockopt calls per connection saved
		cfg.Dial = d.DialContext
	}
	ordered := orderedGroups(cfg.TLS)
	return func() (sample.Handshaker, error) {
		base := cfg.TLS.Clone()
		if cfg.Mode == sample.ModeResumed {
			base.ClientSessionCache = &countingCache{ClientSessionCache: tls.NewLRUClientSessionCache(1)}
			if cfg.Resume == ResumeID {
				base.ClientSessionCache, base.SessionTicketsDisabled = nil, true
			}
		} else {
			base.ClientSessionCache = nil
			base.SessionTicketsDisabled = true
		}
		asked := Asked{Mode: cfg.Mode, Suite: cfg.WantSuite, Group: cfg.WantGroup}
		return &tcpHandshaker{cfg: cfg, base: base, asked: asked, ordered: ordered}, nil
	}, nil
}

type tcpHandshaker struct {
	cfg   TCPConfig
	base  *tls.Config
	asked Asked
	// ordered, when set, is the supported_groups order crypto/tls cannot
	// send: full handshakes (and session-ID priming) use the own TLS 1.2
	// client with it (see ClientGroups).
	ordered []tls.CurveID
	// resumeBy is how the measured attempts resume, decided by Prime:
	// ResumeTicket, or ResumeID with session the session to resume.
	resumeBy  string
	session   *tls12.Session
	noTicket  bool // the priming handshake got no ticket
	primeNote string
}

func (h *tcpHandshaker) Close() error { return nil }

// Prime runs an unmeasured full handshake (with a request, so a TLS 1.3
// ticket is read and stored) when the mode is resumed.
func (h *tcpHandshaker) Prime(ctx context.Context) error {
	if h.cfg.Mode != sample.ModeResumed {
		return nil
	}
	if h.cfg.Stats != nil {
		h.cfg.Stats.primed(false) // only ever before the first attempt
	}
	if h.cfg.Resume != ResumeTicket {
		return h.primeSession(ctx)
	}
	h.resumeBy = ResumeTicket
	s := h.attempt(ctx, true)
	cache, _ := h.base.ClientSessionCache.(*countingCache)
	h.noTicket = cache != nil && cache.puts.Load() == 0
	if s.Err != nil {
		return classified(s.Err)
	}
	return nil
}

func (h *tcpHandshaker) Handshake(ctx context.Context) sample.Sample { return h.attempt(ctx, false) }

func (h *tcpHandshaker) attempt(ctx context.Context, priming bool) sample.Sample {
	tr := newTrace()
	tr.Priming = priming
	tr.NoResponse = len(h.cfg.Request) == 0
	tr.Labels.Transport = "tcp"
	run := h.run
	switch {
	case h.resumeBy == ResumeID && !priming:
		run = h.runSessionID
	case h.ordered != nil && h.cfg.Mode == sample.ModeFull:
		run = h.runFull12
	}
	tc, err := run(ctx, tr)
	s := tr.Sample(h.asked, err)
	if h.cfg.Mode == sample.ModeResumed && !priming {
		h.labelResumption(&s)
	}
	if tc != nil {
		s.BytesSent, s.BytesRecv = tc.sent, tc.recv
	}
	return s
}

// run dials, handshakes and reads the first response byte, stamping tr. It
// returns the traced connection (closed) for its byte counts.
func (h *tcpHandshaker) run(ctx context.Context, tr *Trace) (*traceConn, error) {
	tc, done, err := h.dialAttempt(ctx, tr)
	if err != nil {
		return nil, err
	}
	defer done()

	cfg := h.base.Clone()
	cfg.KeyLogWriter = &keyLogTap{tr: tr, out: h.cfg.KeyLog}
	userVerify := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		tr.Stamp(EvCertVerified)
		if userVerify != nil {
			return userVerify(cs)
		}
		return nil
	}
	conn := tls.Client(tc, cfg)
	err = conn.HandshakeContext(ctx)
	tr.Labels = tlsLabels("tcp", conn.ConnectionState())
	if err != nil {
		return tc, err
	}
	tr.Stamp(EvHandshakeDone)
	// close_notify before the FIN, off the clock, as real clients do.
	defer conn.Close()
	return tc, h.exchange(tr, conn)
}

// exchange writes the request and reads the first response byte (the end
// of the attempt), then, off the clock, the status line.
func (h *tcpHandshaker) exchange(tr *Trace, conn io.ReadWriter) error {
	if len(h.cfg.Request) == 0 {
		return nil
	}
	tr.Stamp(EvRequestWritten)
	if _, err := conn.Write(h.cfg.Request); err != nil {
		return err
	}
	first, err := readFirstByte(conn)
	if err != nil {
		return noResponse(err)
	}
	tr.Stamp(EvFirstResponse)
	if tr.Priming {
		return nil
	}
	return checkStatus(h.cfg.Expect, first, conn)
}

// tlsLabels are the labels of a crypto/tls connection state.
func tlsLabels(transport string, cs tls.ConnectionState) sample.Labels {
	l := sample.Labels{Transport: transport, Version: VersionName(cs.Version)}
	if cs.HandshakeComplete {
		l.Suite = tls.CipherSuiteName(cs.CipherSuite)
		l.Group = GroupName(cs.CurveID)
		l.Resumed = cs.DidResume
		l.HRR = cs.HelloRetryRequest
		l.ALPN = cs.NegotiatedProtocol
	}
	return l
}

// readFirstByte waits for the first byte of the response. crypto/tls
// processes post-handshake messages (TLS 1.3 session tickets) on the way,
// which is what stores the ticket for the next resumed attempt.
func readFirstByte(r io.Reader) (byte, error) {
	var b [1]byte
	n, err := r.Read(b[:])
	if n == 1 {
		return b[0], nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("bench: reading response: %w", io.ErrUnexpectedEOF)
	}
	return 0, err
}
