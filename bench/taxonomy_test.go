package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/quic-go/quic-go"

	"github.com/hsbench/hsbench/bench/internal/tls12"
	"github.com/hsbench/hsbench/bench/internal/zerortt"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

// remoteAlert mimics crypto/tls's unexported alert type (a uint8) inside the
// *net.OpError "remote error" it returns over TCP.
type remoteAlert uint8

func (a remoteAlert) Error() string { return fmt.Sprintf("tls: alert %d", uint8(a)) }

// One failure has one class whichever stack saw it: crypto/tls over TCP
// (its own error texts), the 0-RTT engine (its sentinels) and quic-go.
func TestOneTaxonomy(t *testing.T) {
	engine := func(kind error) error { return fmt.Errorf("%w: %w: detail", zerortt.ErrHandshakeFailed, kind) }
	engine12 := func(kind error) error { return fmt.Errorf("%w: %w: detail", tls12.ErrHandshakeFailed, kind) }
	rows := []struct {
		class string
		errs  []error
	}{
		{sample.ClassVersion, []error{
			errors.New("tls: server selected unsupported protocol version 303"),
			fmt.Errorf("zerortt: ServerHello without extensions: %w", zerortt.ErrVersion),
			&zerortt.AlertError{Level: 2, Code: 70},
			engine12(tls12.ErrVersion),
		}},
		{sample.ClassSuite, []error{errors.New("tls: server chose an unconfigured cipher suite"), engine(zerortt.ErrSuite), engine12(tls12.ErrSuite)}},
		{sample.ClassGroup, []error{errors.New("tls: server selected unsupported group"), engine(zerortt.ErrGroup), engine12(tls12.ErrGroup)}},
		{sample.ClassBadFinished, []error{
			errors.New("tls: invalid server finished hash"),
			errors.New("tls: server's Finished message was incorrect"),
			engine(zerortt.ErrBadFinished),
			engine12(tls12.ErrBadFinished),
		}},
		{"http_status:404", []error{&StatusError{Code: 404}, fmt.Errorf("bench: %w", &StatusError{Code: 404})}},
		{sample.ClassNoResponse, []error{noResponse(os.ErrDeadlineExceeded), noResponse(io.ErrUnexpectedEOF),
			noResponse(fmt.Errorf("zerortt: reading response: %w", context.DeadlineExceeded))}},
		{sample.ClassEOF, []error{
			fmt.Errorf("bench: reading response: %w", io.ErrUnexpectedEOF),
			fmt.Errorf("zerortt: reading response: %w", fmt.Errorf("zerortt: peer sent close_notify: %w", io.EOF)),
			fmt.Errorf("%w: server sent close_notify during the handshake: %w", zerortt.ErrHandshakeFailed, io.ErrUnexpectedEOF),
		}},
		{"alert:alert_222", []error{
			&net.OpError{Op: "remote error", Err: remoteAlert(222)},
			tls.AlertError(222),
			fmt.Errorf("tls12: remote error: %w", tls.AlertError(222)),
			&zerortt.AlertError{Level: 2, Code: 222},
			&quic.TransportError{ErrorCode: quic.TransportErrorCode(0x100 + 222), Remote: true},
		}},
		{"alert:handshake_failure", []error{
			&net.OpError{Op: "remote error", Err: remoteAlert(40)},
			&zerortt.AlertError{Level: 2, Code: 40},
			&quic.TransportError{ErrorCode: quic.TransportErrorCode(0x100 + 40), Remote: true},
		}},
	}
	for _, r := range rows {
		for _, err := range r.errs {
			if got := Classify(err); got != r.class {
				t.Errorf("%T %q: class %q, want %q", err, err, got, r.class)
			}
		}
	}
}

// The 0-RTT engine resuming against a server that answers with TLS 1.2
// fails as version_mismatch, as crypto/tls does against it.
func TestZeroRTTVersionSwap(t *testing.T) {
	good := startTestTarget(t, target.Options{})
	tls12 := startTestTarget(t, target.Options{CA: good.CA, MaxVersion: tls.VersionTLS12})
	g, _ := ParseGroup("x25519")
	h := newZeroRTT(t, ZeroRTTConfig{Address: good.Addr, TLS: clientConfig(good, tls.VersionTLS13, g)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Prime(ctx); err != nil {
		t.Fatal(err)
	}
	h.cfg.Address = tls12.Addr
	s := h.Handshake(ctx)
	if s.Class != sample.ClassVersion || s.FailedIn != sample.TLSHandshake {
		t.Fatalf("class %q in %v (err %v), want %q in tls_handshake", s.Class, s.FailedIn, s.Err, sample.ClassVersion)
	}
	tcp := newHandshaker(t, TCPConfig{Address: tls12.Addr, TLS: clientConfig(good, tls.VersionTLS13, g), Mode: sample.ModeFull})
	if s := tcp.Handshake(ctx); s.Class != sample.ClassVersion {
		t.Fatalf("crypto/tls: class %q (err %v)", s.Class, s.Err)
	}
}

// QUIC to a UDP port nobody listens on is refused at once (ICMP port
// unreachable), not a timeout after the whole timeout, and the worker's
// socket survives for its next attempt.
func TestQUICClosedPortRefused(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	tg := startTestTarget(t, target.Options{})
	h := newQUICHandshaker(t, QUICConfig{Address: addr, TLS: quicClientConfig(tg, Groups[0]), Mode: sample.ModeFull})
	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		s := h.Handshake(ctx)
		cancel()
		if s.Class != sample.ClassRefused || time.Since(start) > 2*time.Second {
			t.Fatalf("attempt %d: class %q after %v (err %v), want refused at once", i, s.Class, time.Since(start), s.Err)
		}
	}
}
