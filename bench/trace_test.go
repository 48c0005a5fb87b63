package bench

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// traceAt builds a trace whose events happened at the given milliseconds
// after its start.
func traceAt(l sample.Labels, ms map[Event]int) *Trace {
	tr := newTrace()
	t0 := tr.At(EvStart)
	for e, m := range ms {
		tr.StampAt(e, t0.Add(time.Duration(m)*time.Millisecond))
	}
	tr.Labels, tr.TCP = l, l.Transport == "tcp"
	return tr
}

func phasesMS(s sample.Sample) map[sample.Phase]int {
	out := map[sample.Phase]int{}
	for p := sample.Phase(0); p < sample.NumPhases; p++ {
		if s.Set.Has(p) {
			out[p] = int(s.Phases[p] / time.Millisecond)
		}
	}
	return out
}

func samePhases(t *testing.T, name string, got, want map[sample.Phase]int) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: phases %v, want %v", name, got, want)
		return
	}
	for p, w := range want {
		if g, ok := got[p]; !ok || g != w {
			t.Errorf("%s: %s = %d ms (present %v), want %d ms; all %v", name, p, g, ok, w, got)
		}
	}
}

// Trace.Sample puts each instant where the README's table says, per kind
// of handshake.
func TestTraceSamplePhases(t *testing.T) {
	tcp13 := sample.Labels{Transport: "tcp", Version: "1.3"}
	hrr := tcp13
	hrr.HRR = true
	res12 := sample.Labels{Transport: "tcp", Version: "1.2", Resumed: true}
	full12 := sample.Labels{Transport: "tcp", Version: "1.2"}
	quic := sample.Labels{Transport: "quic", Version: "1.3"}
	P := func(kv ...int) map[sample.Phase]int {
		m := map[sample.Phase]int{}
		for i := 0; i < len(kv); i += 2 {
			m[sample.Phase(kv[i])] = kv[i+1]
		}
		return m
	}
	rows := []struct {
		name string
		l    sample.Labels
		at   map[Event]int
		want map[sample.Phase]int
	}{
		{"TLS 1.3 full", tcp13,
			map[Event]int{EvResolved: 0, EvConnected: 10, EvHelloWritten: 11, EvFirstByte: 21, EvKeys: 22, EvCertVerified: 24, EvHandshakeDone: 25, EvRequestWritten: 25, EvFirstResponse: 35},
			P(int(sample.TCPConnect), 10, int(sample.TLSClientHello), 1, int(sample.TLSServerWait), 10, int(sample.TLSKeyExchange), 1,
				int(sample.TLSCertVerify), 2, int(sample.TLSFinished), 1, int(sample.TLSHandshake), 15, int(sample.TTFB), 10, int(sample.Total), 35)},
		{"TLS 1.3 HelloRetryRequest", hrr,
			map[Event]int{EvResolved: 0, EvConnected: 10, EvHelloWritten: 11, EvFirstByte: 21, EvRetryWritten: 22, EvRetryFirstByte: 32, EvKeys: 33, EvCertVerified: 35, EvHandshakeDone: 36, EvFirstResponse: 46},
			P(int(sample.TCPConnect), 10, int(sample.TLSClientHello), 1, int(sample.TLSServerWait), 10, int(sample.TLSHRR), 11, int(sample.TLSKeyExchange), 1,
				int(sample.TLSCertVerify), 2, int(sample.TLSFinished), 1, int(sample.TLSHandshake), 26, int(sample.TTFB), 10, int(sample.Total), 46)},
		{"TLS 1.2 full", full12,
			map[Event]int{EvResolved: 0, EvConnected: 10, EvHelloWritten: 11, EvFirstByte: 21, EvCertVerified: 23, EvKeys: 24, EvHandshakeDone: 35, EvFirstResponse: 45},
			P(int(sample.TCPConnect), 10, int(sample.TLSClientHello), 1, int(sample.TLSServerWait), 10, int(sample.TLSCertVerify), 2,
				int(sample.TLSKeyExchange), 1, int(sample.TLSFinished), 11, int(sample.TLSHandshake), 25, int(sample.TTFB), 10, int(sample.Total), 45)},
		// crypto/tls calls VerifyConnection and logs the master secret at
		// the end of a TLS 1.2 resumption: those instants are not phases.
		{"TLS 1.2 resumed", res12,
			map[Event]int{EvResolved: 0, EvConnected: 10, EvHelloWritten: 11, EvFirstByte: 21, EvKeys: 22, EvCertVerified: 22, EvHandshakeDone: 23, EvFirstResponse: 33},
			P(int(sample.TCPConnect), 10, int(sample.TLSClientHello), 1, int(sample.TLSServerWait), 10, int(sample.TLSFinished), 2,
				int(sample.TLSHandshake), 13, int(sample.TTFB), 10, int(sample.Total), 33)},
		// HANDSHAKE_DONE after the first response byte is not measured.
		{"QUIC confirmed late", quic,
			map[Event]int{EvResolved: 0, EvHelloWritten: 1, EvFirstByte: 11, EvKeys: 12, EvCertVerified: 13, EvHandshakeDone: 14, EvFirstResponse: 24, EvConfirmed: 30},
			P(int(sample.TLSClientHello), 1, int(sample.TLSServerWait), 10, int(sample.TLSKeyExchange), 1, int(sample.TLSCertVerify), 1,
				int(sample.TLSFinished), 1, int(sample.TLSHandshake), 14, int(sample.TTFB), 10, int(sample.Total), 24)},
		{"QUIC confirmed before the response", quic,
			map[Event]int{EvResolved: 0, EvHelloWritten: 1, EvFirstByte: 11, EvKeys: 12, EvCertVerified: 13, EvHandshakeDone: 14, EvConfirmed: 20, EvFirstResponse: 24},
			P(int(sample.TLSClientHello), 1, int(sample.TLSServerWait), 10, int(sample.TLSKeyExchange), 1, int(sample.TLSCertVerify), 1,
				int(sample.TLSFinished), 1, int(sample.TLSHandshake), 14, int(sample.QUICConfirm), 6, int(sample.TTFB), 10, int(sample.Total), 24)},
	}
	for _, r := range rows {
		s := traceAt(r.l, r.at).Sample(Asked{Mode: sample.ModeFull}, nil)
		samePhases(t, r.name, phasesMS(s), r.want)
	}
}

// A failure is placed in the phase that was running, whatever the stack.
func TestTraceSampleFailedIn(t *testing.T) {
	err := io.ErrUnexpectedEOF
	rows := []struct {
		l    sample.Labels
		at   map[Event]int
		want sample.Phase
	}{
		{sample.Labels{Transport: "tcp"}, map[Event]int{}, sample.DNS},
		{sample.Labels{Transport: "tcp"}, map[Event]int{EvResolved: 1}, sample.TCPConnect},
		{sample.Labels{Transport: "tcp"}, map[Event]int{EvResolved: 1, EvConnected: 2, EvFirstByte: 3}, sample.TLSHandshake},
		{sample.Labels{Transport: "quic"}, map[Event]int{EvResolved: 1}, sample.TLSHandshake},
		{sample.Labels{Transport: "tcp"}, map[Event]int{EvResolved: 1, EvConnected: 2, EvHandshakeDone: 3}, sample.TTFB},
	}
	for _, r := range rows {
		s := traceAt(r.l, r.at).Sample(Asked{}, err)
		if s.FailedIn != r.want || s.Class != sample.ClassEOF || !errors.Is(s.Err, err) || s.Set.Has(sample.Total) {
			t.Errorf("%v: failed in %s class %q, want %s", r.at, s.FailedIn, s.Class, r.want)
		}
	}
}
