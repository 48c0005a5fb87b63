package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

func startTestTarget(t *testing.T, o target.Options) *target.Target {
	t.Helper()
	tg, err := target.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func clientConfig(tg *target.Target, version uint16, g Group) *tls.Config {
	return &tls.Config{
		ServerName:       "localhost",
		RootCAs:          tg.CA.Pool(),
		MinVersion:       version,
		MaxVersion:       version,
		CurvePreferences: []tls.CurveID{g.ID},
	}
}

func newHandshaker(t *testing.T, cfg TCPConfig) sample.Handshaker {
	t.Helper()
	if cfg.Request == nil {
		cfg.Request = []byte(DefaultRequest)
	}
	f, err := NewTCPFactory(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Every mode × version × group combination against the embedded target must
// report what was negotiated, and the split phases must add up.
func TestTCPLabelsAndPhases(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	groups := []string{"x25519", "p256", "p384", "x25519mlkem768", "secp256r1mlkem768"}
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed} {
			for _, gname := range groups {
				g, _ := ParseGroup(gname)
				if g.TLS13 && version != tls.VersionTLS13 {
					continue
				}
				name := fmt.Sprintf("%s/%s/%s", VersionName(version), mode, g.Name)
				t.Run(name, func(t *testing.T) {
					h := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: clientConfig(tg, version, g), Mode: mode})
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					if err := h.Prime(ctx); err != nil {
						t.Fatalf("prime: %v", err)
					}
					for i := 0; i < 3; i++ {
						s := h.Handshake(ctx)
						if s.Err != nil {
							t.Fatalf("attempt %d: %v (%s)", i, s.Err, s.Class)
						}
						if s.Mismatch != "" {
							t.Fatalf("attempt %d: mismatch %q", i, s.Mismatch)
						}
						l := s.Labels
						if l.Version != VersionName(version) || l.Resumed != (mode == sample.ModeResumed) || l.Transport != "tcp" {
							t.Fatalf("labels %+v", l)
						}
						// TLS 1.2 resumption copies the group from the old session.
						if l.Group != g.Name {
							t.Fatalf("group %q, want %q", l.Group, g.Name)
						}
						if l.Suite == "" || l.HRR {
							t.Fatalf("labels %+v", l)
						}
						checkPhases(t, s)
					}
				})
			}
		}
	}
}

func checkPhases(t *testing.T, s sample.Sample) {
	t.Helper()
	for _, p := range []sample.Phase{sample.TCPConnect, sample.TTFB} {
		if !s.Set.Has(p) {
			t.Fatalf("phase %s missing", p)
		}
	}
	checkSplit(t, s)
}

func TestHelloRetryRequestIsLabelled(t *testing.T) {
	// The server accepts only P-256; a client offering X25519 first and P-256
	// as well gets a HelloRetryRequest.
	tg := startTestTarget(t, target.Options{Groups: []tls.CurveID{tls.CurveP256}})
	cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), MinVersion: tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}}
	h := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: cfg, Mode: sample.ModeFull})
	s := h.Handshake(context.Background())
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if !s.Labels.HRR || s.Labels.Group != "p256" {
		t.Fatalf("want HRR to p256, got %+v", s.Labels)
	}
	checkPhases(t, s) // tls_hrr is its own phase
}

func TestRSAKeyExchangeSuite(t *testing.T) {
	tg := startTestTarget(t, target.Options{Cert: "rsa-2048"})
	cs, err := ParseSuite("TLS_RSA_WITH_AES_128_GCM_SHA256")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cs.ID}}
	s := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: cfg, Mode: sample.ModeFull}).Handshake(context.Background())
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if s.Labels.Suite != cs.Name || s.Labels.Group != "" {
		t.Fatalf("labels %+v", s.Labels)
	}
}

func TestClientCertificate(t *testing.T) {
	tg := startTestTarget(t, target.Options{ClientAuth: true})
	cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool()}
	if s := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: cfg, Mode: sample.ModeFull}).Handshake(context.Background()); s.Err == nil {
		t.Fatal("handshake without a client certificate succeeded against a target that requires one")
	}
	cfg.Certificates = []tls.Certificate{tg.ClientCert}
	if s := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: cfg, Mode: sample.ModeFull}).Handshake(context.Background()); s.Err != nil {
		t.Fatalf("with a client certificate: %v", s.Err)
	}
}

// TLS 1.2 cells pinned to each classic group negotiate that group against
// the embedded target, although the client also lists later NIST curves.
func TestTLS12GroupPinning(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	for _, name := range []string{"x25519", "p256", "p384", "p521"} {
		g, _ := ParseGroup(name)
		cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
			CurvePreferences: ClientGroups(g, tls.VersionTLS12)}
		s := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: cfg, Mode: sample.ModeFull, WantGroup: name}).Handshake(context.Background())
		if s.Err != nil || s.Mismatch != "" || s.Labels.Group != name {
			t.Errorf("%s: err %v, mismatch %q, group %q", name, s.Err, s.Mismatch, s.Labels.Group)
		}
	}
}
