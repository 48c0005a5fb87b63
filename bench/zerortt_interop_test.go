package bench

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

// zeroRTTRun primes a handshaker against s and runs n measured attempts.
func zeroRTTRun(t *testing.T, s *testservers.Server, policy string, n int) ([]sample.Sample, *ZeroRTTStats) {
	t.Helper()
	stats := &ZeroRTTStats{}
	h := newZeroRTT(t, ZeroRTTConfig{
		Address: s.Addr, Request: []byte(KeepAliveRequest), NoResponse: !s.Responds, Tickets: policy, Stats: stats,
		TLS: &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool, CurvePreferences: []tls.CurveID{tls.X25519}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Prime(ctx); err != nil {
		t.Fatalf("prime: %v\nserver log:\n%s", err, s.Log())
	}
	out := make([]sample.Sample, n)
	for i := range out {
		actx, acancel := context.WithTimeout(ctx, 10*time.Second)
		out[i] = h.Handshake(actx)
		acancel()
		if out[i].Err != nil {
			t.Fatalf("%s attempt %d: %v (%s)\nserver log:\n%s", s.Name, i, out[i].Err, out[i].Class, s.Log())
		}
	}
	return out, stats
}

// checkAccepted asserts that every sample is a 0-RTT handshake whose early
// data the server accepted, with contiguous phases.
func checkAccepted(t *testing.T, s *testservers.Server, samples []sample.Sample) {
	t.Helper()
	for i, smp := range samples {
		l := smp.Labels
		if !smp.OK() || !l.Resumed || !l.EarlyData || !l.EarlyAccepted || l.EarlyBytes != len(KeepAliveRequest) || l.Version != "1.3" || l.Group != "x25519" {
			t.Fatalf("%s attempt %d: mismatch %q labels %+v", s.Name, i, smp.Mismatch, l)
		}
		var split time.Duration
		for _, p := range []sample.Phase{sample.TLSClientHello, sample.TLSServerWait, sample.TLSKeyExchange, sample.TLSCertVerify, sample.TLSFinished} {
			split += smp.Phases[p]
		}
		if split != smp.Phases[sample.TLSHandshake] {
			t.Errorf("%s attempt %d: split phases sum to %v, tls_handshake %v", s.Name, i, split, smp.Phases[sample.TLSHandshake])
		}
		if s.Responds {
			// ttfb starts with the first flight, inside the handshake.
			if !smp.Set.Has(sample.TTFB) || smp.Phases[sample.TTFB] > smp.Phases[sample.Total] || smp.Phases[sample.TTFB] < smp.Phases[sample.TLSHandshake]-smp.Phases[sample.TLSClientHello] {
				t.Errorf("%s attempt %d: ttfb %v, handshake %v, total %v", s.Name, i, smp.Phases[sample.TTFB], smp.Phases[sample.TLSHandshake], smp.Phases[sample.Total])
			}
		} else if smp.Set.Has(sample.TTFB) {
			t.Errorf("%s attempt %d: ttfb without a response", s.Name, i)
		}
		if got := smp.Phases[sample.TCPConnect] + smp.Phases[sample.TLSHandshake]; got > smp.Phases[sample.Total] {
			t.Errorf("%s attempt %d: connect+handshake %v exceed total %v", s.Name, i, got, smp.Phases[sample.Total])
		}
	}
}

// nginx (ssl_early_data on) accepts every 0-RTT request with fresh tickets.
// Asked to keep the connection alive, it reads the client Finished after
// answering the early-data request and sends a fresh ticket, which the
// attempt collects after its first response byte: no attempt needs an
// extra priming handshake. Priming itself is two handshakes (crypto/tls
// full, then a resumption that learns the ticket's early-data allowance).
func TestZeroRTTNginx(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	for _, policy := range []string{TicketsFresh, TicketsReuse} {
		t.Run(policy, func(t *testing.T) {
			samples, st := zeroRTTRun(t, s, policy, 20)
			checkAccepted(t, s, samples)
			t.Logf("%s: %d priming handshakes, %d attempts without a fresh ticket", policy, st.Primes.Load(), st.NoFreshTicket.Load())
			if st.Primes.Load() != 2 || st.Initial.Load() != 2 {
				t.Errorf("%s: %d priming handshakes (%d initial), want 2 (2)", policy, st.Primes.Load(), st.Initial.Load())
			}
			if policy == TicketsFresh && st.NoFreshTicket.Load() != 0 {
				t.Errorf("fresh: %d attempts without a fresh ticket", st.NoFreshTicket.Load())
			}
		})
	}
}

// Without early data (ssl_early_data off) nginx's tickets carry no early_data
// extension: no early data is sent on them (RFC 8446 4.2.10); the attempts
// resume and are labelled with the shared mismatch reason.
func TestZeroRTTNginxTicketForbidsEarlyData(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{MinVersion: "1.3"})
	samples, st := zeroRTTRun(t, s, TicketsFresh, 5)
	for i, smp := range samples {
		if smp.Mismatch != MismatchTicketNoEarly || smp.Labels.EarlyData || smp.Labels.EarlyBytes != 0 || !smp.Labels.Resumed {
			t.Errorf("attempt %d: mismatch %q labels %+v", i, smp.Mismatch, smp.Labels)
		}
	}
	if st.Primes.Load() != 2 || st.NoFreshTicket.Load() != 0 {
		t.Errorf("%d primes, %d attempts without a fresh ticket; want 2 and 0", st.Primes.Load(), st.NoFreshTicket.Load())
	}
}

// haproxy (allow-0rtt) accepts 0-RTT with fresh tickets.
func TestZeroRTTHAProxy(t *testing.T) {
	s := testservers.StartHAProxy(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	samples, st := zeroRTTRun(t, s, TicketsFresh, 10)
	checkAccepted(t, s, samples)
	t.Logf("%d priming handshakes, %d attempts without a fresh ticket", st.Primes.Load(), st.NoFreshTicket.Load())
}

// openssl s_server -early_data (anti-replay on) accepts each ticket's
// early data once: with fresh tickets every attempt is accepted, and the
// server's own report agrees.
func TestZeroRTTOpenSSLFresh(t *testing.T) {
	s := testservers.StartOpenSSL(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	const n = 5
	samples, st := zeroRTTRun(t, s, TicketsFresh, n)
	checkAccepted(t, s, samples)
	if st.Primes.Load() != 2 || st.NoFreshTicket.Load() != 0 {
		t.Errorf("%d primes, %d attempts without a fresh ticket; want 2 and 0", st.Primes.Load(), st.NoFreshTicket.Load())
	}
	c, err := s.EarlyData(n+2, 5*time.Second)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, s.Log())
	}
	if c.Accepted != n || c.Rejected != 0 || c.NotSent != 2 {
		t.Errorf("server reports %+v, want %d accepted and the two priming handshakes without early data", c, n)
	}
}

// With --tickets reuse, openssl accepts the primed ticket's first use and
// rejects every replay: those samples are mismatches labelled as ticket
// reuse, and the server's report agrees.
func TestZeroRTTOpenSSLReuse(t *testing.T) {
	s := testservers.StartOpenSSL(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	const n = 4
	samples, _ := zeroRTTRun(t, s, TicketsReuse, n)
	checkAccepted(t, s, samples[:1])
	for i, smp := range samples[1:] {
		if smp.Mismatch != MismatchEarlyRejectedReuse || smp.Labels.EarlyAccepted || !smp.Labels.EarlyData {
			t.Errorf("replay %d: mismatch %q labels %+v", i+1, smp.Mismatch, smp.Labels)
		}
	}
	c, err := s.EarlyData(n+2, 5*time.Second)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, s.Log())
	}
	if c.Accepted != 1 || c.Rejected != n-1 || c.NotSent != 2 {
		t.Errorf("server reports %+v, want 1 accepted, %d rejected, 2 not sent (priming)", c, n-1)
	}
}

// With --tickets reuse against a server that never accepts early data, no
// rejection is blamed on the reuse. (openssl without -early_data issues
// tickets that allow none, so the engine sends none: the samples say so.
// The rejection wording itself is tested in TestZeroRTTLabelsAndMismatch.)
func TestZeroRTTOpenSSLReuseNeverAccepted(t *testing.T) {
	s := testservers.StartOpenSSL(t, testservers.Options{EarlyData: false, MinVersion: "1.3"})
	const n = 3
	samples, _ := zeroRTTRun(t, s, TicketsReuse, n)
	for i, smp := range samples {
		if smp.Mismatch == MismatchEarlyRejectedReuse || smp.Mismatch == "" || smp.Labels.EarlyAccepted {
			t.Errorf("attempt %d: mismatch %q labels %+v: want a mismatch not blamed on ticket reuse", i, smp.Mismatch, smp.Labels)
		}
	}
}
