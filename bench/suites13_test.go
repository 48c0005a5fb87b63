package bench

import (
	"context"
	"crypto/tls"
	"slices"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

// A pinned TLS 1.3 suite is the one negotiated against the embedded target
// (which runs in this process and shares the pin), for full and resumed
// handshakes, and restoring brings the defaults back.
func TestPinTLS13Suite(t *testing.T) {
	before := TLS13Suites()
	if len(before) < 3 {
		t.Fatalf("crypto/tls offers %d TLS 1.3 suites, want 3: the linkname does not reach crypto/tls", len(before))
	}
	g, _ := ParseGroup("x25519")
	for _, id := range []uint16{tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_AES_256_GCM_SHA384} {
		for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed} {
			name := tls.CipherSuiteName(id) + "/" + string(mode)
			t.Run(name, func(t *testing.T) {
				restore, err := PinTLS13Suite(id)
				if err != nil {
					t.Fatal(err)
				}
				defer restore()
				// Started after the pin and closed (its handlers waited
				// for) before the restore: no handshake sees the change.
				tg, err := target.Start(target.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer tg.Close()
				h := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: clientConfig(tg, tls.VersionTLS13, g), Mode: mode})
				defer h.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := h.Prime(ctx); err != nil {
					t.Fatalf("prime: %v", err)
				}
				for i := 0; i < 2; i++ {
					s := h.Handshake(ctx)
					if s.Err != nil || s.Mismatch != "" {
						t.Fatalf("attempt %d: %v %q", i, s.Err, s.Mismatch)
					}
					if s.Labels.Suite != tls.CipherSuiteName(id) {
						t.Fatalf("attempt %d negotiated %s, pinned %s", i, s.Labels.Suite, tls.CipherSuiteName(id))
					}
					if s.Labels.Resumed != (mode == sample.ModeResumed) {
						t.Fatalf("attempt %d: resumed %v", i, s.Labels.Resumed)
					}
				}
				if got := TLS13Suites(); !slices.Equal(got, []uint16{id}) {
					t.Fatalf("offered %v while pinned", got)
				}
			})
		}
	}
	if got := TLS13Suites(); !slices.Equal(got, before) {
		t.Fatalf("after restore crypto/tls offers %v, want %v", got, before)
	}
}

func TestPinTLS13SuiteRefusesOthers(t *testing.T) {
	for _, id := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0x1234} {
		if _, err := PinTLS13Suite(id); err == nil {
			t.Errorf("pinned %#04x, which is not a TLS 1.3 suite", id)
		}
	}
}

// A pin while another is held is refused, whatever the suite, and leaves
// the held pin in place; unpinning twice restores once; after the unpin a
// new pin is possible and the defaults come back.
func TestPinTLS13SuiteOneAtATime(t *testing.T) {
	before := TLS13Suites()
	unpin, err := PinTLS13Suite(tls.TLS_AES_256_GCM_SHA384)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint16{tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256} {
		if inner, err := PinTLS13Suite(id); err == nil {
			inner()
			t.Fatalf("a second pin (%s) was accepted while one is held", tls.CipherSuiteName(id))
		}
	}
	if got := TLS13Suites(); !slices.Equal(got, []uint16{tls.TLS_AES_256_GCM_SHA384}) {
		t.Fatalf("a refused pin changed the lists: %v", got)
	}
	unpin()
	unpin()
	if got := TLS13Suites(); !slices.Equal(got, before) {
		t.Fatalf("after unpin crypto/tls offers %v, want %v", got, before)
	}
	again, err := PinTLS13Suite(tls.TLS_CHACHA20_POLY1305_SHA256)
	if err != nil {
		t.Fatalf("pin after unpin: %v", err)
	}
	again()
}

// A sample that negotiated another suite than the one asked is a mismatch,
// never an OK sample: the server here cannot honour the asked suite.
func TestSuiteMismatch(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	g, _ := ParseGroup("x25519")
	h := newHandshaker(t, TCPConfig{Address: tg.Addr, TLS: clientConfig(tg, tls.VersionTLS13, g), Mode: sample.ModeFull,
		WantSuite: "TLS_CHACHA20_POLY1305_SHA256"})
	s := h.Handshake(context.Background())
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if s.Labels.Suite == "TLS_CHACHA20_POLY1305_SHA256" {
		t.Skip("the target chose ChaCha20 by itself on this machine")
	}
	if s.OK() || s.Mismatch != "asked suite TLS_CHACHA20_POLY1305_SHA256, got "+s.Labels.Suite {
		t.Fatalf("mismatch %q for suite %s", s.Mismatch, s.Labels.Suite)
	}
}
