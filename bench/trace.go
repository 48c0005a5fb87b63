package bench

import (
	"sync"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// Event names one instant of a handshake attempt. Every transport (crypto/tls
// over TCP, the 0-RTT engine, quic-go) only stamps these instants and the
// attempt's labels into a Trace; Trace.Sample alone turns them into phases,
// the phase a failure happened in, and mismatches.
type Event int

// The events, in the order they happen in a handshake.
const (
	// EvStart: the attempt started (before DNS). Sample.Start.
	EvStart Event = iota
	// EvResolved: the target's address is known (DNS done, or an IP literal).
	EvResolved
	// EvConnected: TCP connection established (never over QUIC).
	EvConnected
	// EvHelloWritten: the first ClientHello handed to the kernel (TCP: just
	// before the write syscall; QUIC: the first Initial packet packed).
	EvHelloWritten
	// EvFirstByte: the first bytes of the server's reply read (QUIC: the
	// first server packet opened).
	EvFirstByte
	// EvRetryWritten: the client's next handshake flight after EvFirstByte
	// was handed to the kernel. After a HelloRetryRequest this is the second
	// ClientHello (QUIC: the next Initial carrying CRYPTO data).
	EvRetryWritten
	// EvRetryFirstByte: the first server bytes read after EvRetryWritten
	// (after a HelloRetryRequest: the start of the real ServerHello).
	EvRetryFirstByte
	// EvKeys: TLS 1.3: handshake traffic keys derived (ServerHello processed,
	// key exchange done). TLS 1.2: master secret derived.
	EvKeys
	// EvCertVerified: the server's certificate chain verified.
	EvCertVerified
	// EvHandshakeDone: the client's side of the handshake is over (TCP:
	// Handshake() returned / the engine wrote the client Finished; QUIC:
	// handshake complete).
	EvHandshakeDone
	// EvRequestWritten: the request write started (0-RTT: in the first flight).
	EvRequestWritten
	// EvFirstResponse: the first response byte read. The attempt ends here.
	EvFirstResponse
	// EvConfirmed: QUIC only, a HANDSHAKE_DONE frame received.
	EvConfirmed

	numEvents
)

// Trace records the instants and labels of one attempt. It plays the part
// net/http/httptrace's ClientTrace plays for net/http: the transport calls
// it at fixed points and knows nothing of phases; Trace.Sample alone turns
// it into a sample.
//
// Who stamps what, from which goroutine:
//
//   - All transports: EvStart (newTrace), EvResolved (resolve) and, over
//     TCP, EvConnected (dialTraced), on the attempt's goroutine before the
//     handshake.
//   - crypto/tls over TCP: EvHelloWritten, EvFirstByte, EvRetryWritten,
//     EvRetryFirstByte by traceConn, EvKeys by keyLogTap, EvCertVerified by
//     VerifyConnection: all called synchronously by crypto/tls inside
//     Handshake, on the attempt's goroutine. EvHandshakeDone,
//     EvRequestWritten, EvFirstResponse by the attempt after Handshake.
//   - The 0-RTT engine: the same traceConn stamps; EvKeys, EvHandshakeDone,
//     EvRequestWritten and EvFirstResponse from zerortt.Hooks, which Resume
//     calls synchronously on the attempt's goroutine.
//   - quic-go: EvHelloWritten, EvFirstByte, EvRetryWritten,
//     EvRetryFirstByte, EvKeys, EvHandshakeDone, EvConfirmed by quicTrace
//     from qlog events, on the connection's run-loop goroutine while the
//     attempt's goroutine waits in Dial or on a stream; EvCertVerified by
//     VerifyConnection on quic-go's handshake path; EvRequestWritten and
//     EvFirstResponse by the attempt's goroutine.
//
// Concurrency contract: Stamp, StampAt, Restamp, At and Seen may be called
// from any goroutine and are serialised by a mutex; an event keeps its
// first stamp (Restamp excepted). Labels, the flags and Sample belong to
// the attempt's goroutine and are used only once the transport has
// returned control to it; stamps that quic-go's goroutines make after that
// (a late HANDSHAKE_DONE) are ignored by Sample when they fall after the
// attempt's end.
type Trace struct {
	mu sync.Mutex
	at [numEvents]time.Time

	// Labels are what the handshake negotiated (set by the transport).
	Labels sample.Labels
	// Resolved says the target was a name looked up by this attempt (a
	// dns phase exists).
	Resolved bool
	// TCP says the transport has a TCP connect (a tcp_connect phase).
	TCP bool
	// NoResponse says no response is awaited: the attempt ends at
	// EvHandshakeDone.
	NoResponse bool
	// EarlyRejected says the early data was rejected and the request sent
	// again after the handshake.
	EarlyRejected bool
	// Priming marks an unmeasured handshake: no mismatch is computed.
	Priming bool
}

// newTrace starts a trace at now.
func newTrace() *Trace {
	t := &Trace{}
	t.at[EvStart] = time.Now()
	return t
}

// Stamp records e at the current time, unless it was already recorded.
func (t *Trace) Stamp(e Event) { t.StampAt(e, time.Now()) }

// StampAt records e at now, unless it was already recorded.
func (t *Trace) StampAt(e Event, now time.Time) {
	t.mu.Lock()
	if t.at[e].IsZero() {
		t.at[e] = now
	}
	t.mu.Unlock()
}

// Restamp records e at the current time, replacing an earlier stamp (a
// request sent again after rejected early data).
func (t *Trace) Restamp(e Event) {
	now := time.Now()
	t.mu.Lock()
	t.at[e] = now
	t.mu.Unlock()
}

// At returns the instant of e, zero when it did not happen.
func (t *Trace) At(e Event) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.at[e]
}

// Seen reports whether e happened.
func (t *Trace) Seen(e Event) bool { return !t.At(e).IsZero() }

// instants returns a consistent copy of the stamps.
func (t *Trace) instants() [numEvents]time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.at
}

// Asked is what a cell asked for; Trace.Sample checks the labels against it.
type Asked struct {
	Mode sample.Mode
	// Suite and Group, when set, are the IANA suite name and hsbench group
	// name asked for: a handshake that negotiated another is a mismatch.
	Suite, Group string
	// Tickets is the 0-RTT ticket policy (for the rejection's wording).
	Tickets string
	// EarlyAcceptedBefore is set once the server accepted this worker's
	// early data: only then is a rejection of a reused ticket blamed on the
	// reuse (a server that never accepts early data is plainly "rejected").
	EarlyAcceptedBefore bool
}

// sawSample notes, after each sample, whether the server accepted its
// early data.
func (a *Asked) sawSample(s *sample.Sample) {
	a.EarlyAcceptedBefore = a.EarlyAcceptedBefore || (s.Err == nil && s.Labels.EarlyAccepted)
}

// Sample turns the trace of a finished attempt into its sample: phases
// (when err is nil), the phase err happened in, labels and mismatch.
func (t *Trace) Sample(asked Asked, err error) sample.Sample {
	at := t.instants()
	s := sample.Sample{Start: at[EvStart], Labels: t.Labels}
	hsStart := at[EvResolved]
	if t.Resolved && !at[EvResolved].IsZero() {
		s.SetPhase(sample.DNS, at[EvResolved].Sub(at[EvStart]))
	}
	if t.TCP && !at[EvConnected].IsZero() {
		s.SetPhase(sample.TCPConnect, at[EvConnected].Sub(at[EvResolved]))
		hsStart = at[EvConnected]
	}
	if err != nil {
		s.Err, s.Class, s.FailedIn = err, Classify(err), failedIn(t, at)
		return s
	}
	hsEnd := t.tlsPhases(&s, hsStart, at)
	end := hsEnd
	if !t.NoResponse && !at[EvFirstResponse].IsZero() {
		end = at[EvFirstResponse]
		from := hsEnd // the request follows the handshake
		if t.Labels.EarlyAccepted && !at[EvRequestWritten].IsZero() {
			from = at[EvRequestWritten] // it left in the first flight
		}
		s.SetPhase(sample.TTFB, end.Sub(from))
	}
	if c := at[EvConfirmed]; !c.IsZero() && !c.After(end) && !c.Before(hsEnd) {
		s.SetPhase(sample.QUICConfirm, c.Sub(hsEnd))
	}
	s.SetPhase(sample.Total, end.Sub(at[EvStart]))
	if !t.Priming {
		s.Mismatch = mismatch(asked, t.Labels, t.EarlyRejected)
	}
	return s
}

// primeFailure is the sample of a measured attempt that never started
// because the priming handshake before it failed: no Start, failed in
// tls_handshake (a ticket is part of the handshake asked for).
func primeFailure(l sample.Labels, err error) sample.Sample {
	return sample.Sample{Labels: l, Err: err, Class: Classify(err), FailedIn: sample.TLSHandshake}
}

// failedIn says which phase was running when an attempt failed.
func failedIn(t *Trace, at [numEvents]time.Time) sample.Phase {
	switch {
	case at[EvResolved].IsZero():
		return sample.DNS
	case t.TCP && at[EvConnected].IsZero():
		return sample.TCPConnect
	case at[EvHandshakeDone].IsZero():
		return sample.TLSHandshake
	}
	return sample.TTFB
}

// tlsPhases sets the split TLS phases and tls_handshake from hsStart (TCP
// established, or the address known over QUIC) to EvHandshakeDone, and
// returns the end of the handshake. Which instants delimit the phases
// depends on what the handshake was (see the README's phase definitions):
//
//   - a HelloRetryRequest's round trip is tls_hrr: its first byte → the
//     first byte of the answer to the second ClientHello;
//   - a resumed handshake verifies no certificate: no tls_cert_verify;
//   - TLS 1.2 verifies the certificate before the key exchange; a resumed
//     TLS 1.2 handshake has neither: tls_finished runs from the first
//     server byte.
//
// Missing or out-of-order instants give zero-length phases (chain).
func (t *Trace) tlsPhases(s *sample.Sample, hsStart time.Time, at [numEvents]time.Time) time.Time {
	l := t.Labels
	steps := []sample.Phase{sample.TLSClientHello, sample.TLSServerWait}
	ts := []time.Time{hsStart, at[EvHelloWritten], at[EvFirstByte]}
	if l.HRR {
		steps = append(steps, sample.TLSHRR)
		ts = append(ts, at[EvRetryFirstByte])
	}
	switch {
	case l.Version == "1.2" && l.Resumed:
	case l.Version == "1.2":
		steps = append(steps, sample.TLSCertVerify, sample.TLSKeyExchange)
		ts = append(ts, at[EvCertVerified], at[EvKeys])
	case l.Resumed:
		steps = append(steps, sample.TLSKeyExchange)
		ts = append(ts, at[EvKeys])
	default:
		steps = append(steps, sample.TLSKeyExchange, sample.TLSCertVerify)
		ts = append(ts, at[EvKeys], at[EvCertVerified])
	}
	steps = append(steps, sample.TLSFinished)
	ts = append(ts, at[EvHandshakeDone])
	c := chain(ts...)
	for i, p := range steps {
		s.SetPhase(p, c[i+1].Sub(c[i]))
	}
	end := c[len(c)-1]
	s.SetPhase(sample.TLSHandshake, end.Sub(c[0]))
	return end
}

// chain returns the instants in the order given, each moved forward to its
// predecessor when it is missing or earlier, so the phases between them are
// contiguous and never negative. A missing event yields a zero-length phase.
func chain(ts ...time.Time) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		if i > 0 && (t.IsZero() || t.Before(out[i-1])) {
			t = out[i-1]
		}
		out[i] = t
	}
	return out
}
