package bench

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

// --tls 1.2 --group p384|p521 against nginx with an ECDSA P-256
// certificate negotiates the asked group (nginx's $ssl_curve agrees), in
// full handshakes and in the priming of session-ID resumption.
func TestTLS12GroupPinningNginx(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	want := map[string]string{"p256": "prime256v1", "p384": "secp384r1", "p521": "secp521r1", "x25519": "X25519"}
	var order []string
	for _, name := range []string{"x25519", "p256", "p384", "p521"} {
		for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed} {
			g, _ := ParseGroup(name)
			cfg := s.ClientConfig()
			cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
			cfg.CurvePreferences = ClientGroups(g, tls.VersionTLS12)
			h := newHandshaker(t, TCPConfig{Address: s.Addr, TLS: cfg, Mode: mode, Request: []byte(testservers.Request),
				WantGroup: name, Resume: ResumeID})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := h.Prime(ctx); err != nil {
				t.Fatalf("%s %s prime: %v", name, mode, err)
			}
			if mode == sample.ModeResumed {
				order = append(order, name) // the priming handshake
			}
			sm := h.Handshake(ctx)
			cancel()
			if !sm.OK() || sm.Labels.Group != name || sm.Labels.Resumed != (mode == sample.ModeResumed) {
				t.Fatalf("%s %s: %+v %q %v", name, mode, sm.Labels, sm.Mismatch, sm.Err)
			}
			order = append(order, name)
		}
	}
	log, err := s.AccessLog(len(order), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range order {
		if !log[i].Reused && log[i].Curve != want[name] {
			t.Errorf("request %d (%s): nginx logged %+v", i, name, log[i])
		}
	}
}
