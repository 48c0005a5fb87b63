package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

// Full and resumed handshakes, TLS 1.2 and 1.3, against real servers: the
// labels must say what happened and resumed samples must really resume.
func TestInteropRealServers(t *testing.T) {
	servers := []struct {
		name  string
		start func(testing.TB, testservers.Options) *testservers.Server
	}{
		{"nginx", testservers.StartNginx},
		{"openssl", testservers.StartOpenSSL},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			s := srv.start(t, testservers.Options{})
			for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed} {
					t.Run(fmt.Sprintf("%s/%s", VersionName(version), mode), func(t *testing.T) {
						x25519, _ := ParseGroup("x25519")
						cfg := &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool, MinVersion: version, MaxVersion: version,
							CurvePreferences: ClientGroups(x25519, version)}
						h := newHandshaker(t, TCPConfig{Address: s.Addr, TLS: cfg, Mode: mode, Request: []byte(testservers.Request), WantGroup: "x25519"})
						ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
						defer cancel()
						if err := h.Prime(ctx); err != nil {
							t.Fatalf("prime: %v", err)
						}
						for i := 0; i < 5; i++ {
							smp := h.Handshake(ctx)
							if smp.Err != nil {
								t.Fatalf("attempt %d: %v (%s)", i, smp.Err, smp.Class)
							}
							if smp.Mismatch != "" {
								t.Fatalf("attempt %d: %s", i, smp.Mismatch)
							}
							l := smp.Labels
							if l.Version != VersionName(version) || l.Resumed != (mode == sample.ModeResumed) || l.Group != "x25519" {
								t.Fatalf("attempt %d: labels %+v", i, l)
							}
							checkPhases(t, smp)
						}
					})
				}
			}
		})
	}
}
