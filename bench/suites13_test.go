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
