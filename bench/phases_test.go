package bench

import (
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// tlsSplit are the split phases of the TLS handshake.
var tlsSplit = []sample.Phase{sample.TLSClientHello, sample.TLSServerWait, sample.TLSHRR, sample.TLSKeyExchange, sample.TLSCertVerify, sample.TLSFinished}

// wantTLSPhases is the README's phase table: the split TLS phases a
// handshake of this kind has.
func wantTLSPhases(l sample.Labels) []sample.Phase {
	p := []sample.Phase{sample.TLSClientHello, sample.TLSServerWait}
	if l.HRR {
		p = append(p, sample.TLSHRR)
	}
	switch {
	case l.Version == "1.2" && l.Resumed:
	case l.Version == "1.2", !l.Resumed:
		p = append(p, sample.TLSKeyExchange, sample.TLSCertVerify)
	default:
		p = append(p, sample.TLSKeyExchange)
	}
	return append(p, sample.TLSFinished)
}

// checkSplit asserts that a completed sample has exactly the split TLS
// phases its labels call for, that they add up to tls_handshake, and that
// (except for 0-RTT, whose ttfb overlaps the handshake) every split phase
// present adds up to total.
func checkSplit(t *testing.T, s sample.Sample) {
	t.Helper()
	want := wantTLSPhases(s.Labels)
	var split time.Duration
	for _, p := range tlsSplit {
		has, wanted := s.Set.Has(p), contains(want, p)
		if has != wanted {
			t.Fatalf("%+v: phase %s present %v, want %v", s.Labels, p, has, wanted)
		}
		split += s.Phases[p]
	}
	if !s.Set.Has(sample.TLSHandshake) || split != s.Phases[sample.TLSHandshake] {
		t.Fatalf("TLS split phases sum to %v, tls_handshake is %v", split, s.Phases[sample.TLSHandshake])
	}
	if !s.Set.Has(sample.Total) || s.Start.IsZero() {
		t.Fatalf("no total or no start: %v %v", s.Set, s.Start)
	}
	var sum time.Duration
	for _, p := range sample.SplitPhases {
		sum += s.Phases[p]
	}
	if !s.Labels.EarlyAccepted && sum != s.Phases[sample.Total] {
		t.Fatalf("split phases add up to %v, total %v", sum, s.Phases[sample.Total])
	}
	if s.Phases[sample.TLSServerWait] <= 0 {
		t.Fatalf("server wait %v: the server's reply cannot arrive instantly", s.Phases[sample.TLSServerWait])
	}
	if s.Labels.HRR && s.Phases[sample.TLSHRR] <= 0 {
		t.Fatalf("the HelloRetryRequest's round trip took no time")
	}
	// quic-go records no event for the answer to a second ClientHello
	// before the ServerHello is processed (see quicTrace).
	quicHRR := s.Labels.Transport == "quic" && s.Labels.HRR
	if s.Set.Has(sample.TLSKeyExchange) && !s.Labels.Resumed && !quicHRR && s.Phases[sample.TLSKeyExchange] <= 0 {
		t.Fatalf("a full handshake agreed on keys in zero time")
	}
	if s.Set.Has(sample.TLSCertVerify) && s.Phases[sample.TLSCertVerify] <= 0 {
		t.Fatalf("a full handshake verified the certificate in zero time")
	}
}

func contains(ps []sample.Phase, p sample.Phase) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}
