package bench

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

// gnutls-serv --earlydata accepts an HTTP request sent as early data,
// completes the handshake and never answers: the class says so
// (no_response), not just timeout.
func TestGnuTLSEarlyDataNoResponse(t *testing.T) {
	s := testservers.StartGnuTLS(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	h := newZeroRTT(t, ZeroRTTConfig{
		Address: s.Addr, Request: []byte(testservers.Request),
		TLS: &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool, CurvePreferences: []tls.CurveID{tls.X25519}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Prime(ctx); err != nil {
		t.Fatalf("prime: %v\n%s", err, s.Log())
	}
	actx, acancel := context.WithTimeout(ctx, time.Second)
	defer acancel()
	sm := h.Handshake(actx)
	if sm.Class != sample.ClassNoResponse {
		t.Fatalf("class %q (%v), labels %+v; want %s", sm.Class, sm.Err, sm.Labels, sample.ClassNoResponse)
	}
}

// A status outside --expect-status is an error of its own class over TCP
// (crypto/tls and the own TLS 1.2 client) and 0-RTT.
func TestExpectStatusClasses(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{EarlyData: true})
	only404, _ := ParseStatusSet("404")
	req := (&HTTPRequest{Host: Authority(s.ServerName, s.Addr)}).HTTP1()
	p384, _ := ParseGroup("p384")
	tls12 := s.ClientConfig()
	tls12.MinVersion, tls12.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	tls12.CurvePreferences = ClientGroups(p384, tls.VersionTLS12)
	handshakers := map[string]sample.Handshaker{
		"tcp 1.3":          newHandshaker(t, TCPConfig{Address: s.Addr, TLS: s.ClientConfig(), Mode: sample.ModeFull, Request: req, Expect: only404}),
		"tcp 1.2 own p384": newHandshaker(t, TCPConfig{Address: s.Addr, TLS: tls12, Mode: sample.ModeFull, Request: req, Expect: only404}),
		"0rtt": newZeroRTT(t, ZeroRTTConfig{Address: s.Addr, Request: req, Expect: only404,
			TLS: &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool}}),
	}
	for name, h := range handshakers {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := h.Prime(ctx); err != nil {
			t.Fatalf("%s prime: %v", name, err)
		}
		if sm := h.Handshake(ctx); sm.Class != "http_status:200" {
			t.Errorf("%s: class %q (%v)", name, sm.Class, sm.Err)
		}
		cancel()
	}
}
