package bench

import (
	"sync"
	"time"

	"github.com/quic-go/quic-go/qlog"
	"github.com/quic-go/quic-go/qlogwriter"

	"github.com/hsbench/hsbench/bench/sample"
)

// quicTrace receives the qlog events of one QUIC connection in-process
// (quic.Config.Tracer) and stamps the instants that delimit the QUIC phases.
// quic-go records each event synchronously, on the goroutine that does the
// work (mostly the connection's run loop), so time.Now() in RecordEvent is
// the instant of the event; nothing is encoded or written anywhere.
//
// The instants, in the order they happen in a handshake:
//
//   - helloSent: the first Initial packet (the ClientHello) is packed and
//     handed to quic-go's send queue, just before the sendmsg syscall (the
//     PacketSent event is recorded before the send, like traceConn's stamp
//     before write()).
//   - firstRecv: the first packet from the server has been read from the
//     socket, handed to the connection and opened with the Initial keys.
//     quic-go records no event on arrival, so this is the earliest event a
//     received packet causes: VersionInformation (recorded before the
//     packet's frames are processed), or PacketReceived, PacketBuffered,
//     PacketDropped, VersionNegotiationReceived for packets that take
//     another path. The socket-to-run-loop hand-off (a few µs) is included.
//   - keys: the first handshake traffic key is installed (KeyUpdated with a
//     handshake key type): the ServerHello is processed and the key
//     exchange (ECDHE / ML-KEM) is done.
//   - certVerified: VerifyConnection is called (certificate chain verified),
//     stamped by the handshaker's tls.Config, not by an event.
//   - complete: the TLS handshake is complete (ConnectionStateUpdated
//     handshake_complete): CertificateVerify and the server Finished are
//     checked and the client Finished is queued.
//   - confirmed: the handshake is confirmed (handshake_confirmed, i.e.
//     HANDSHAKE_DONE received).
type quicTrace struct {
	mu           sync.Mutex
	helloSent    time.Time
	firstRecv    time.Time
	keys         time.Time
	certVerified time.Time
	complete     time.Time
	confirmed    time.Time
	// earlyKeys says 0-RTT keys were installed: the ClientHello offered
	// early data. earlyBytes counts STREAM bytes sent in 0-RTT packets.
	earlyKeys  bool
	earlyBytes int
	// confirmedCh is closed when the handshake is confirmed.
	confirmedCh chan struct{}

	// gate orders opening streams on an early connection before the
	// handshake against quic-go's handling of the server's transport
	// parameters (see openEarly). keysPassed is set under gate when the
	// first handshake key is installed.
	gate       sync.Mutex
	keysPassed bool
}

func newQUICTrace() *quicTrace { return &quicTrace{confirmedCh: make(chan struct{})} }

// AddProducer makes quicTrace a qlogwriter.Trace: every producer of the
// connection (quic-go's, http3's) records into the same trace.
func (t *quicTrace) AddProducer() qlogwriter.Recorder { return t }

// Close ends a producer; the trace keeps its instants.
func (t *quicTrace) Close() error { return nil }

// RecordEvent stamps the events that delimit phases and ignores the others.
func (t *quicTrace) RecordEvent(ev qlogwriter.Event) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	switch e := ev.(type) {
	case qlog.PacketSent:
		switch e.Header.PacketType {
		case qlog.PacketTypeInitial:
			setOnce(&t.helloSent, now)
		case qlog.PacketType0RTT:
			for _, f := range e.Frames {
				if sf, ok := f.Frame.(*qlog.StreamFrame); ok {
					t.earlyBytes += int(sf.Length)
				}
			}
		}
	case qlog.VersionInformation, qlog.PacketReceived, qlog.PacketBuffered, qlog.PacketDropped, qlog.VersionNegotiationReceived:
		setOnce(&t.firstRecv, now)
	case qlog.KeyUpdated:
		switch e.KeyType {
		case qlog.KeyTypeServerHandshake, qlog.KeyTypeClientHandshake:
			setOnce(&t.keys, now)
			t.passGate()
		case qlog.KeyTypeClient0RTT:
			t.earlyKeys = true
		}
	case qlog.ConnectionStateUpdated:
		switch e.State {
		case qlog.ConnectionStateHandshakeComplete:
			setOnce(&t.complete, now)
		case qlog.ConnectionStateHandshakeConfirmed:
			if t.confirmed.IsZero() {
				t.confirmed = now
				close(t.confirmedCh)
			}
		}
	}
}

// passGate marks the handshake keys as installed, waiting for an openEarly
// under way. It runs on the connection's run loop, before the server's
// transport parameters (EncryptedExtensions) are processed.
func (t *quicTrace) passGate() {
	t.gate.Lock()
	t.keysPassed = true
	t.gate.Unlock()
}

// openEarly runs open (which opens streams) on an early connection if the
// handshake keys are not installed yet, and reports whether it did. quic-go
// reads the peer's transport parameters without synchronisation when a
// stream is opened, and replaces them from the run loop when the server's
// EncryptedExtensions and handshake completion are processed
// (quic-go/quic-go#4303). Opening under the gate makes the run loop wait
// at the handshake key event, so the open happens before the replacement;
// when the keys are already installed the caller must open after
// Conn.HandshakeComplete (which orders it after the replacement). Keep open
// short: it must not wait for the connection.
func (t *quicTrace) openEarly(open func() error) (bool, error) {
	t.gate.Lock()
	defer t.gate.Unlock()
	if t.keysPassed {
		return false, nil
	}
	return true, open()
}

// stampCertVerified is called from VerifyConnection.
func (t *quicTrace) stampCertVerified() {
	now := time.Now()
	t.mu.Lock()
	setOnce(&t.certVerified, now)
	t.mu.Unlock()
}

func setOnce(dst *time.Time, now time.Time) {
	if dst.IsZero() {
		*dst = now
	}
}

// quicInstants is a consistent copy of a trace's instants.
type quicInstants struct {
	helloSent, firstRecv, keys, certVerified, complete, confirmed time.Time
	earlyKeys                                                     bool
	earlyBytes                                                    int
}

func (t *quicTrace) snapshot() quicInstants {
	t.mu.Lock()
	defer t.mu.Unlock()
	return quicInstants{helloSent: t.helloSent, firstRecv: t.firstRecv, keys: t.keys, certVerified: t.certVerified,
		complete: t.complete, confirmed: t.confirmed, earlyKeys: t.earlyKeys, earlyBytes: t.earlyBytes}
}

// tlsPhases sets the five split TLS phases and tls_handshake of a QUIC
// handshake that started at hsStart (see QUICConfig for the definitions),
// and returns the end of the handshake. Missing or out-of-order instants
// give zero-length phases (chain).
func (q quicInstants) tlsPhases(s *sample.Sample, hsStart time.Time) time.Time {
	c := chain(hsStart, q.helloSent, q.firstRecv, q.keys, q.certVerified, q.complete)
	s.SetPhase(sample.TLSClientHello, c[1].Sub(c[0]))
	s.SetPhase(sample.TLSServerWait, c[2].Sub(c[1]))
	s.SetPhase(sample.TLSKeyExchange, c[3].Sub(c[2]))
	s.SetPhase(sample.TLSCertVerify, c[4].Sub(c[3]))
	s.SetPhase(sample.TLSFinished, c[5].Sub(c[4]))
	s.SetPhase(sample.TLSHandshake, c[5].Sub(c[0]))
	return c[5]
}
