package target

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
)

// exchange dials the QUIC target, sends testRequest and returns the
// whole response.
func exchange(t *testing.T, addr string, cfg *tls.Config) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := quic.DialAddr(ctx, addr, cfg, nil)
	if err != nil {
		return nil, err
	}
	defer conn.CloseWithError(0, "")
	str, err := conn.OpenStream()
	if err != nil {
		return nil, err
	}
	if _, err := str.Write([]byte(testRequest)); err != nil {
		return nil, err
	}
	str.Close()
	return io.ReadAll(str)
}

func TestQUICTargetAnswers(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	qt, tg := startQUICTestTarget(t, QUICOptions{Listener: pc})
	if qt.Addr != pc.LocalAddr().String() {
		t.Fatalf("address %s, listener %s", qt.Addr, pc.LocalAddr())
	}
	cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), NextProtos: []string{QUICALPN}}
	got, err := exchange(t, qt.Addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != targetResponse {
		t.Fatalf("response %q", got)
	}
}

func TestQUICTargetClientAuth(t *testing.T) {
	tg := startTestTarget(t, Options{})
	qt, err := StartQUIC(QUICOptions{Certificate: tg.Certificate(), ClientCAs: tg.CA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	defer qt.Close()
	cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), NextProtos: []string{QUICALPN}}
	if _, err := exchange(t, qt.Addr, cfg); err == nil {
		t.Fatal("no client certificate, yet answered")
	}
	cfg.Certificates = []tls.Certificate{tg.ClientCert}
	if _, err := exchange(t, qt.Addr, cfg); err != nil {
		t.Fatal(err)
	}
}

// Close ends connections that never sent a request, and returns promptly.
func TestQUICTargetClose(t *testing.T) {
	tg := startTestTarget(t, Options{})
	qt, err := StartQUIC(QUICOptions{Certificate: tg.Certificate()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := quic.DialAddr(ctx, qt.Addr, &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), NextProtos: []string{QUICALPN}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseWithError(0, "")
	start := time.Now()
	if err := qt.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
	select {
	case <-conn.Context().Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the client's connection survived the target")
	}
	if _, err := StartQUIC(QUICOptions{}); err == nil {
		t.Fatal("a target without a certificate started")
	}
}

// testRequest is the request hsbench sends by default (bench.DefaultRequest).
const testRequest = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

func startTestTarget(t *testing.T, o Options) *Target {
	t.Helper()
	tg, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func startQUICTestTarget(t *testing.T, o QUICOptions) (*QUICTarget, *Target) {
	t.Helper()
	tg := startTestTarget(t, Options{})
	if len(o.Certificate.Certificate) == 0 {
		o.Certificate = tg.Certificate()
	}
	qt, err := StartQUIC(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qt.Close() })
	return qt, tg
}
