package zerortt

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
)

// goServer is an in-process crypto/tls TCP server on 127.0.0.1 that
// answers every connection with "hello from go\n" after the handshake.
type goServer struct {
	addr string
	pool *x509.CertPool
	errs chan error
}

var (
	testPKIOnce sync.Once
	testCA      *pki.CA
	testLeaf    tls.Certificate
	testPKIErr  error
)

func testPKI(t testing.TB) (*pki.CA, tls.Certificate) {
	t.Helper()
	testPKIOnce.Do(func() {
		testCA, testPKIErr = pki.NewCA(pki.ECDSAP256, "zerortt test CA")
		if testPKIErr == nil {
			testLeaf, testPKIErr = testCA.Issue(pki.LeafOptions{KeyType: pki.ECDSAP256, DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
		}
	})
	if testPKIErr != nil {
		t.Fatal(testPKIErr)
	}
	return testCA, testLeaf
}

func startGoServer(t *testing.T, tweak func(*tls.Config)) *goServer {
	t.Helper()
	ca, leaf := testPKI(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS13}
	if tweak != nil {
		tweak(cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &goServer{addr: ln.Addr().String(), pool: ca.Pool(), errs: make(chan error, 64)}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 1000 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				tc := tls.Server(c, cfg)
				if err := tc.Handshake(); err != nil {
					select {
					case s.errs <- err:
					default:
					}
					return
				}
				_, _ = io.WriteString(tc, "hello from go\n")
				_ = tc.Close()
			}()
		}
	}()
	return s
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func goTicket(t *testing.T, s *goServer) *Ticket {
	t.Helper()
	tk, _, err := FirstTicket(testCtx(t), dial(t, s.addr), &tls.Config{ServerName: "localhost", RootCAs: s.pool}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestGoServerResumeWithoutEarlyData(t *testing.T) {
	s := startGoServer(t, nil)
	tk := goTicket(t, s)
	if tk.ServerName != "localhost" || tk.Lifetime <= 0 || tk.MaxEarlyData != 0 {
		t.Fatalf("ticket from crypto/tls: %+v", tk)
	}
	var order []string
	var lines []string
	hooks := &Hooks{
		ClientHelloWritten:    func() { order = append(order, "ch") },
		FirstServerByte:       func() { order = append(order, "byte") },
		HandshakeKeys:         func() { order = append(order, "keys") },
		ServerFinished:        func() { order = append(order, "sfin") },
		ClientFinishedWritten: func() { order = append(order, "cfin") },
		FirstResponseByte:     func() { order = append(order, "resp") },
		KeyLog: func(label string, random, secret []byte) {
			lines = append(lines, fmt.Sprintf("%s %x %x", label, random, secret))
		},
	}
	res, err := Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost"}, tk, nil, hooks)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || res.EarlyDataOffered || res.EarlyDataAccepted || res.HelloRetryRequest || res.Group != tls.X25519 {
		t.Fatalf("result %+v", res)
	}
	if string(res.Response) != "hello from go\n" {
		t.Fatalf("response %q", res.Response)
	}
	if got := strings.Join(order, ","); got != "ch,byte,keys,sfin,cfin,resp" {
		t.Fatalf("hook order %s", got)
	}
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "CLIENT_HANDSHAKE_TRAFFIC_SECRET ") {
		t.Fatalf("key log %q", lines)
	}
	if len(res.Tickets) == 0 {
		t.Fatal("no fresh ticket from the resumed connection")
	}
	// The engine's own ticket (PSK derived by this package) must resume too.
	res2, err := Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost"}, res.Tickets[0], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res2.Resumed {
		t.Fatal("engine-derived ticket did not resume")
	}
}

func TestGoServerGroupsAndSuites(t *testing.T) {
	s := startGoServer(t, nil)
	tk := goTicket(t, s)
	for _, g := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521, tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024} {
		for _, cs := range []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_CHACHA20_POLY1305_SHA256} {
			t.Run(fmt.Sprintf("%v/%s", g, tls.CipherSuiteName(cs)), func(t *testing.T) {
				if tk.CipherSuite != tls.TLS_AES_128_GCM_SHA256 {
					t.Skipf("ticket suite %#04x", tk.CipherSuite)
				}
				tk2 := *tk
				tk2.CipherSuite = cs // same hash: the PSK stays valid
				res, err := Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost", Group: g}, &tk2, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Resumed || res.Group != g || res.CipherSuite != cs || len(res.Response) == 0 {
					t.Fatalf("result %+v", res)
				}
			})
		}
	}
}

func TestGoServerAbortsEarlyData(t *testing.T) {
	s := startGoServer(t, nil)
	tk := goTicket(t, s)
	res, err := Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost"}, tk, []byte("GET / HTTP/1.1\r\n\r\n"), nil)
	if !errors.Is(err, ErrEarlyDataAborted) {
		t.Fatalf("want ErrEarlyDataAborted, got %v", err)
	}
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Name() != "unsupported_extension" {
		t.Fatalf("want the unsupported_extension alert in %v", err)
	}
	if res == nil || res.EarlyDataSent == 0 {
		t.Fatalf("result %+v", res)
	}
}

func TestGoServerHelloRetryRequest(t *testing.T) {
	s := startGoServer(t, func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} })
	tk := goTicket(t, s)
	cfg := &Config{ServerName: "localhost", Group: tls.X25519, SupportedGroups: []tls.CurveID{tls.CurveP256}}
	res, err := Resume(testCtx(t), dial(t, s.addr), cfg, tk, nil, nil)
	if err != nil {
		t.Fatalf("%v (server: %v)", err, s.lastErr())
	}
	if !res.HelloRetryRequest || !res.Resumed || res.Group != tls.CurveP256 {
		t.Fatalf("result %+v", res)
	}
	// Without P-256 advertised the server cannot agree on a group.
	_, err = Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost"}, tk, nil, nil)
	var ae *AlertError
	if !errors.As(err, &ae) {
		t.Fatalf("want an alert, got %v", err)
	}
}

func TestGoServerFullHandshakeFallback(t *testing.T) {
	s1 := startGoServer(t, nil)
	tk := goTicket(t, s1)
	// A second server has other ticket keys: it cannot decrypt the ticket
	// and falls back to a certificate-authenticated handshake.
	s2 := startGoServer(t, nil)
	res, err := Resume(testCtx(t), dial(t, s2.addr), &Config{ServerName: "localhost", RootCAs: s2.pool}, tk, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed || !bytes.Equal(res.Response, []byte("hello from go\n")) || len(res.Tickets) == 0 {
		t.Fatalf("result %+v", res)
	}
	other, err := pki.NewCA(pki.ECDSAP256, "other CA")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Resume(testCtx(t), dial(t, s2.addr), &Config{ServerName: "localhost", RootCAs: other.Pool()}, tk, nil, nil)
	if !errors.Is(err, ErrHandshakeFailed) {
		t.Fatalf("unknown CA: want ErrHandshakeFailed, got %v", err)
	}
	_, err = Resume(testCtx(t), dial(t, s2.addr), &Config{ServerName: "example.net", RootCAs: s2.pool}, tk, nil, nil)
	if !errors.Is(err, ErrHandshakeFailed) {
		t.Fatalf("wrong name: want ErrHandshakeFailed, got %v", err)
	}
}

func TestResumeHonoursContext(t *testing.T) {
	// A listener that accepts and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c)
		}
	}()
	s, _ := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	tk := &Ticket{Identity: []byte("x"), PSK: make([]byte, s.size), CipherSuite: s.id, Lifetime: time.Hour, ReceivedAt: time.Now()}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Resume(ctx, dial(t, ln.Addr().String()), nil, tk, []byte("x"), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("took %v", el)
	}
}

func (s *goServer) lastErr() error {
	select {
	case err := <-s.errs:
		return err
	default:
		return nil
	}
}
