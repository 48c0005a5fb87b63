package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/quic-go/quic-go"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/target"
)

// startQUICTestTarget starts a TCP target (for its certificate and CA) and a
// QUIC target beside it serving the same certificate.
func startQUICTestTarget(t *testing.T, o target.QUICOptions) (*target.QUICTarget, *target.Target) {
	t.Helper()
	tg := startTestTarget(t, target.Options{})
	if len(o.Certificate.Certificate) == 0 {
		o.Certificate = tg.Certificate()
	}
	qt, err := target.StartQUIC(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qt.Close() })
	return qt, tg
}

func quicClientConfig(tg *target.Target, g Group) *tls.Config {
	return &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), CurvePreferences: []tls.CurveID{g.ID}}
}

func newQUICHandshaker(t *testing.T, cfg QUICConfig) *quicHandshaker {
	t.Helper()
	if cfg.Request == nil {
		cfg.Request = []byte(DefaultRequest)
	}
	f, err := NewQUICFactory(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h.(*quicHandshaker)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Every mode × group against the embedded QUIC target reports what was
// negotiated, and the phases are consistent.
func TestQUICLabelsAndPhases(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{})
	for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed, sample.Mode0RTT} {
		for _, gname := range []string{"x25519", "p256", "x25519mlkem768"} {
			g, _ := ParseGroup(gname)
			t.Run(fmt.Sprintf("%s/%s", mode, g.Name), func(t *testing.T) {
				stats := &ZeroRTTStats{}
				h := newQUICHandshaker(t, QUICConfig{Address: qt.Addr, TLS: quicClientConfig(tg, g), Mode: mode, WantGroup: g.Name, Stats: stats})
				ctx := testCtx(t)
				if err := h.Prime(ctx); err != nil {
					t.Fatalf("prime: %v", err)
				}
				earlyBytes := 0
				for i := 0; i < 4; i++ {
					s := h.Handshake(ctx)
					if s.Err != nil {
						t.Fatalf("attempt %d: %v (%s, in %s)", i, s.Err, s.Class, s.FailedIn)
					}
					if s.Mismatch != "" {
						t.Fatalf("attempt %d: mismatch %q (labels %+v)", i, s.Mismatch, s.Labels)
					}
					l := s.Labels
					if l.Transport != "quic" || l.Version != "1.3" || l.Group != g.Name || l.ALPN != QUICALPN || l.Suite == "" || l.HRR {
						t.Fatalf("labels %+v", l)
					}
					if l.Resumed != (mode != sample.ModeFull) {
						t.Fatalf("resumed %v in mode %s", l.Resumed, mode)
					}
					if mode == sample.Mode0RTT {
						// On loopback the handshake can end before the
						// request write reaches quic-go: it then leaves in
						// 1-RTT packets (EarlyBytes 0), rarely.
						if !l.EarlyData || !l.EarlyAccepted || (l.EarlyBytes != len(DefaultRequest) && l.EarlyBytes != 0) {
							t.Fatalf("0-RTT labels %+v", l)
						}
						earlyBytes += l.EarlyBytes
					} else if l.EarlyData || l.EarlyAccepted || l.EarlyBytes != 0 {
						t.Fatalf("early data labels in mode %s: %+v", mode, l)
					}
					if s.BytesSent < 1200 || s.BytesRecv == 0 {
						t.Fatalf("bytes sent %d received %d", s.BytesSent, s.BytesRecv)
					}
					checkQUICPhases(t, s, mode)
				}
				if mode == sample.Mode0RTT && earlyBytes == 0 {
					t.Fatal("no request was sent as early data")
				}
				// Fresh tickets: one priming handshake, every attempt got a
				// new ticket for the next.
				if mode != sample.ModeFull {
					if p, n := stats.Primes.Load(), stats.NoFreshTicket.Load(); p != 1 || n != 0 {
						t.Fatalf("primes %d, attempts without a fresh ticket %d", p, n)
					}
					if g := h.cache.generation(); g != 5 {
						t.Fatalf("%d tickets stored, want 5 (prime + 4 attempts)", g)
					}
				}
			})
		}
	}
}

func checkQUICPhases(t *testing.T, s sample.Sample, mode sample.Mode) {
	t.Helper()
	if s.Set.Has(sample.TCPConnect) || s.Set.Has(sample.DNS) {
		t.Fatal("tcp_connect or dns set for QUIC to an IP literal")
	}
	checkSplit(t, s)
	if s.Phases[sample.TLSClientHello] <= 0 || s.Phases[sample.TLSKeyExchange] <= 0 {
		t.Fatalf("zero client hello or key exchange: %v", s.Phases)
	}
	if s.Phases[sample.TLSHandshake] > s.Phases[sample.Total] || s.Phases[sample.TTFB] > s.Phases[sample.Total] || s.Phases[sample.TTFB] <= 0 {
		t.Fatalf("tls_handshake %v, ttfb %v, total %v", s.Phases[sample.TLSHandshake], s.Phases[sample.TTFB], s.Phases[sample.Total])
	}
	if mode == sample.Mode0RTT {
		// A request sent as early data was written before the handshake
		// keys: ttfb overlaps the rest of the handshake.
		if rest := s.Phases[sample.TLSFinished]; s.Labels.EarlyBytes > 0 && s.Phases[sample.TTFB] < rest {
			t.Fatalf("0-RTT ttfb %v shorter than the handshake after its keys %v", s.Phases[sample.TTFB], rest)
		}
	}
	if confirmed := s.Phases[sample.DNS] + s.Phases[sample.TLSHandshake] + s.Phases[sample.QUICConfirm]; s.Set.Has(sample.QUICConfirm) && confirmed > s.Phases[sample.Total] {
		t.Fatalf("quic_confirm ends %v after the start, after the first response byte (total %v)", confirmed, s.Phases[sample.Total])
	}
}

// Without a request the attempt ends at handshake complete.
func TestQUICNoRequest(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{})
	g, _ := ParseGroup("x25519")
	for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed, sample.Mode0RTT} {
		h := newQUICHandshaker(t, QUICConfig{Address: qt.Addr, TLS: quicClientConfig(tg, g), Mode: mode, Request: []byte{}})
		ctx := testCtx(t)
		if err := h.Prime(ctx); err != nil {
			t.Fatal(err)
		}
		s := h.Handshake(ctx)
		if !s.OK() {
			t.Fatalf("%s: %v %q", mode, s.Err, s.Mismatch)
		}
		if s.Set.Has(sample.TTFB) || s.Phases[sample.Total] != s.Phases[sample.TLSHandshake] {
			t.Fatalf("%s: ttfb set or total %v != tls_handshake %v", mode, s.Phases[sample.Total], s.Phases[sample.TLSHandshake])
		}
		// HANDSHAKE_DONE follows handshake complete, where this attempt
		// ends: nothing after the end is measured.
		if s.Set.Has(sample.QUICConfirm) {
			t.Fatalf("%s: quic_confirm %v after the end of the attempt", mode, s.Phases[sample.QUICConfirm])
		}
		if mode == sample.Mode0RTT && (!s.Labels.EarlyAccepted || s.Labels.EarlyBytes != 0) {
			t.Fatalf("labels %+v", s.Labels)
		}
	}
}

// A 0-RTT attempt whose early data the server rejects is a mismatch, never
// a 0-RTT latency sample; the request is sent again and answered.
func TestQUIC0RTTRejected(t *testing.T) {
	var key [32]byte
	key[0] = 7
	keys := [][32]byte{key}
	accepting, tg := startQUICTestTarget(t, target.QUICOptions{TicketKeys: keys})
	rejecting, err := target.StartQUIC(target.QUICOptions{Certificate: tg.Certificate(), TicketKeys: keys, No0RTT: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rejecting.Close()
	g, _ := ParseGroup("x25519")
	h := newQUICHandshaker(t, QUICConfig{Address: accepting.Addr, TLS: quicClientConfig(tg, g), Mode: sample.Mode0RTT})
	ctx := testCtx(t)
	if err := h.Prime(ctx); err != nil {
		t.Fatal(err)
	}
	// The ticket allows early data; the server it is sent to resumes the
	// session but refuses the early data.
	h.cfg.Address = rejecting.Addr
	s := h.Handshake(ctx)
	if s.Err != nil {
		t.Fatalf("%v (%s)", s.Err, s.Class)
	}
	if s.Mismatch != MismatchEarlyRejected || s.OK() {
		t.Fatalf("mismatch %q", s.Mismatch)
	}
	if l := s.Labels; !l.EarlyData || l.EarlyAccepted || !l.Resumed {
		t.Fatalf("labels %+v", l)
	}
	if s.Phases[sample.Total] <= 0 {
		t.Fatal("no total for the mismatch histogram")
	}
	// The rejecting server's tickets allow no early data: the next attempt
	// does not offer any.
	s = h.Handshake(ctx)
	if s.Err != nil || s.Mismatch != Mismatch0RTTNotOffered || s.Labels.EarlyData || !s.Labels.Resumed {
		t.Fatalf("err %v mismatch %q labels %+v", s.Err, s.Mismatch, s.Labels)
	}
}

// A target with 0-RTT off from the start: no 0-RTT sample either.
func TestQUIC0RTTOffTarget(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{No0RTT: true})
	g, _ := ParseGroup("p256")
	h := newQUICHandshaker(t, QUICConfig{Address: qt.Addr, TLS: quicClientConfig(tg, g), Mode: sample.Mode0RTT})
	ctx := testCtx(t)
	if err := h.Prime(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s := h.Handshake(ctx)
		if s.Err != nil || s.OK() || s.Mismatch != Mismatch0RTTNotOffered {
			t.Fatalf("err %v mismatch %q", s.Err, s.Mismatch)
		}
	}
}

// Ticket reuse: the primed ticket on every attempt (quic-go has no
// anti-replay, so it is accepted every time).
func TestQUICTicketReuse(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{})
	g, _ := ParseGroup("x25519")
	stats := &ZeroRTTStats{}
	h := newQUICHandshaker(t, QUICConfig{Address: qt.Addr, TLS: quicClientConfig(tg, g), Mode: sample.Mode0RTT, Tickets: TicketsReuse, Stats: stats})
	ctx := testCtx(t)
	if err := h.Prime(ctx); err != nil {
		t.Fatal(err)
	}
	first := h.cache.state
	for i := 0; i < 3; i++ {
		if s := h.Handshake(ctx); !s.OK() || !s.Labels.EarlyAccepted {
			t.Fatalf("attempt %d: %v %q %+v", i, s.Err, s.Mismatch, s.Labels)
		}
	}
	if h.cache.state != first || h.cache.generation() != 1 || stats.Primes.Load() != 1 {
		t.Fatalf("the primed ticket was replaced (generation %d, primes %d)", h.cache.generation(), stats.Primes.Load())
	}
}

// A target without tickets: priming says so, attempts come out as
// mismatches (full handshakes), not errors, and do not prime each time.
func TestQUICNoTickets(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{NoTickets: true})
	g, _ := ParseGroup("x25519")
	for _, mode := range []sample.Mode{sample.ModeResumed, sample.Mode0RTT} {
		stats := &ZeroRTTStats{}
		h := newQUICHandshaker(t, QUICConfig{Address: qt.Addr, TLS: quicClientConfig(tg, g), Mode: mode, Stats: stats})
		ctx := testCtx(t)
		if err := h.Prime(ctx); !errors.Is(err, errNoTicket) {
			t.Fatalf("prime: %v", err)
		}
		want := map[sample.Mode]string{sample.ModeResumed: MismatchResumedFull, sample.Mode0RTT: Mismatch0RTTFull}[mode]
		for i := 0; i < 2; i++ {
			s := h.Handshake(ctx)
			if s.Err != nil || s.Mismatch != want {
				t.Fatalf("%s: err %v mismatch %q", mode, s.Err, s.Mismatch)
			}
		}
		if stats.Primes.Load() != 1 {
			t.Fatalf("%s: %d priming handshakes", mode, stats.Primes.Load())
		}
	}
}

// A group the target does not support first gets a HelloRetryRequest,
// labelled; a group other than the asked one is a mismatch.
func TestQUICHelloRetryAndGroupMismatch(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{Groups: []tls.CurveID{tls.CurveP256}})
	cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}}
	h := newQUICHandshaker(t, QUICConfig{Address: qt.Addr, TLS: cfg, Mode: sample.ModeFull, WantGroup: "x25519"})
	s := h.Handshake(testCtx(t))
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if !s.Labels.HRR || s.Labels.Group != "p256" || s.Mismatch != "asked group x25519, got p256" {
		t.Fatalf("labels %+v mismatch %q", s.Labels, s.Mismatch)
	}
	checkQUICPhases(t, s, sample.ModeFull) // tls_hrr is its own phase
}

func TestQUICFailureClasses(t *testing.T) {
	qt, tg := startQUICTestTarget(t, target.QUICOptions{})
	otherCA, err := pki.NewCA(pki.ECDSAP256, "unknown CA")
	if err != nil {
		t.Fatal(err)
	}
	g, _ := ParseGroup("x25519")
	// Nothing listening: UDP has no refusal, the handshake times out.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	silent := pc.LocalAddr().String()
	defer pc.Close()

	rows := []struct {
		name, addr string
		cfg        *tls.Config
		want       string
	}{
		{"unknown CA", qt.Addr, &tls.Config{ServerName: "localhost", RootCAs: otherCA.Pool()}, sample.ClassCertAuthority},
		{"wrong name", qt.Addr, &tls.Config{ServerName: "other.example", RootCAs: tg.CA.Pool()}, sample.ClassCertName},
		{"ALPN", qt.Addr, &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), NextProtos: []string{"h3"}}, "alert:no_application_protocol"},
		{"silent", silent, quicClientConfig(tg, g), sample.ClassTimeout},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			h := newQUICHandshaker(t, QUICConfig{Address: r.addr, TLS: r.cfg, Mode: sample.ModeFull})
			ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
			defer cancel()
			s := h.Handshake(ctx)
			if s.Err == nil || s.Class != r.want || s.FailedIn != sample.TLSHandshake {
				t.Fatalf("err %v class %q in %s, want %q", s.Err, s.Class, s.FailedIn, r.want)
			}
		})
	}
}

func TestQUICClassify(t *testing.T) {
	rows := []struct {
		err  error
		want string
	}{
		{&quic.TransportError{Remote: true, ErrorCode: 0x100 + 40}, "alert:handshake_failure"},
		{&quic.TransportError{Remote: true, ErrorCode: 0x100 + 70}, sample.ClassVersion},
		{&quic.TransportError{Remote: true, ErrorCode: quic.ConnectionRefused}, sample.ClassRefused},
		{&quic.TransportError{Remote: true, ErrorCode: quic.ProtocolViolation}, "quic:protocol_violation"},
		{&quic.ApplicationError{Remote: true, ErrorCode: 3}, "quic:application_error"},
		{&quic.IdleTimeoutError{}, sample.ClassTimeout},
		{&quic.HandshakeTimeoutError{}, sample.ClassTimeout},
		{&quic.StatelessResetError{}, sample.ClassReset},
		{&quic.VersionNegotiationError{}, sample.ClassVersion},
		{fmt.Errorf("writing: %w", quic.Err0RTTRejected), sample.ClassNo0RTT},
		{fmt.Errorf("%w (%v)", context.Canceled, &quic.ApplicationError{}), sample.ClassCanceled},
	}
	for _, r := range rows {
		if got := Classify(r.err); got != r.want {
			t.Errorf("Classify(%v) = %q, want %q", r.err, got, r.want)
		}
	}
}

// The embedded target answers early data at once and a cancelled attempt
// comes back promptly.
func TestQUICCancel(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	tg := startTestTarget(t, target.Options{})
	h := newQUICHandshaker(t, QUICConfig{Address: pc.LocalAddr().String(), TLS: quicClientConfig(tg, Groups[0]), Mode: sample.ModeFull})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	s := h.Handshake(ctx)
	if s.Class != sample.ClassCanceled || time.Since(start) > 2*time.Second {
		t.Fatalf("class %q after %v", s.Class, time.Since(start))
	}
}

// The HTTP/3 request: a control stream with SETTINGS, a request stream with
// one HEADERS frame, answered by a minimal HTTP/3 server.
func TestQUICHTTP3Request(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	ln, err := quic.ListenAddrEarly("127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{tg.Certificate()}, NextProtos: []string{"h3"}}, &quic.Config{Allow0RTT: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 8)
	go func() {
		for {
			conn, err := ln.Accept(context.Background())
			if err != nil {
				return
			}
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				uni, err := conn.AcceptUniStream(ctx)
				if err != nil {
					return
				}
				ctrl := make([]byte, 3)
				if _, err := io.ReadFull(uni, ctrl); err != nil || !bytes.Equal(ctrl, []byte{0, 4, 0}) {
					conn.CloseWithError(0x104, "bad control stream")
					return
				}
				str, err := conn.AcceptStream(ctx)
				if err != nil {
					return
				}
				req, err := io.ReadAll(str)
				if err != nil {
					return
				}
				got <- req
				// HEADERS: :status 200 (static index 25).
				str.Write([]byte{0x01, 0x03, 0x00, 0x00, 0xc0 | 25})
				str.Close()
			}()
		}
	}()
	for _, mode := range []sample.Mode{sample.ModeFull, sample.Mode0RTT} {
		h := newQUICHandshaker(t, QUICConfig{Address: ln.Addr().String(), TLS: &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), NextProtos: []string{"h3"}}, Mode: mode, HTTP3: true})
		ctx := testCtx(t)
		if err := h.Prime(ctx); err != nil {
			t.Fatal(err)
		}
		if mode == sample.Mode0RTT {
			<-got
		}
		s := h.Handshake(ctx)
		if !s.OK() || s.Labels.ALPN != "h3" || (mode == sample.Mode0RTT && !s.Labels.EarlyAccepted) {
			t.Fatalf("%s: %v %q %+v", mode, s.Err, s.Mismatch, s.Labels)
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		authority := "localhost:" + port
		want := append([]byte{0x01, byte(7 + len(authority)), 0, 0, 0xd1, 0xd7, 0xc1, 0x50, byte(len(authority))}, authority...)
		if req := <-got; !bytes.Equal(req, want) {
			t.Fatalf("request %x, want %x", req, want)
		}
	}
}
