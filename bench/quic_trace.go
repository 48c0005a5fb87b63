package bench

import (
	"sync"

	"github.com/quic-go/quic-go/qlog"
	"github.com/quic-go/quic-go/qlogwriter"
)

// quicTrace receives the qlog events of one QUIC connection in-process
// (quic.Config.Tracer) and stamps the attempt's Trace. quic-go records each
// event synchronously, on the goroutine that does the work (mostly the
// connection's run loop), so the stamp is the instant of the event; nothing
// is encoded or written anywhere.
//
// The events stamped:
//
//   - EvHelloWritten: the first Initial packet (the ClientHello) is packed
//     and handed to quic-go's send queue, just before the sendmsg syscall.
//   - EvFirstByte: the first packet from the server has been read and
//     opened with the Initial keys. quic-go records no event on arrival, so
//     this is the earliest event a received packet causes: VersionInformation
//     (recorded before the packet's frames are processed), or
//     PacketReceived, PacketBuffered, PacketDropped,
//     VersionNegotiationReceived for packets that take another path.
//   - EvRetryWritten, EvRetryFirstByte: after the first server packet, the
//     next Initial carrying CRYPTO data (the second ClientHello after a
//     HelloRetryRequest) and the first event a server packet causes after
//     it. quic-go records PacketReceived after a packet's frames are
//     processed, so for the answer to a second ClientHello the first event
//     is the handshake key (KeyUpdated): the ServerHello's processing falls
//     in tls_hrr and tls_key_exchange is close to zero.
//   - EvKeys: the first handshake traffic key is installed (KeyUpdated).
//   - EvHandshakeDone: handshake complete (ConnectionStateUpdated).
//   - EvConfirmed: a packet carrying a HANDSHAKE_DONE frame received. (quic-go's
//     own handshake_confirmed state can come earlier: at the first
//     acknowledgement of a 1-RTT packet.)
//
// EvCertVerified is stamped by the handshaker's VerifyConnection.
type quicTrace struct {
	tr *Trace

	mu sync.Mutex
	// earlyKeys says 0-RTT keys were installed: the ClientHello offered
	// early data. earlyBytes counts STREAM bytes sent in 0-RTT packets.
	earlyKeys  bool
	earlyBytes int

	// gate orders opening streams on an early connection before the
	// handshake against quic-go's handling of the server's transport
	// parameters (see openEarly). keysPassed is set under gate when the
	// first handshake key is installed.
	gate       sync.Mutex
	keysPassed bool
}

func newQUICTrace(tr *Trace) *quicTrace { return &quicTrace{tr: tr} }

// AddProducer makes quicTrace a qlogwriter.Trace: every producer of the
// connection (quic-go's, http3's) records into the same trace.
func (t *quicTrace) AddProducer() qlogwriter.Recorder { return t }

// Close ends a producer; the trace keeps its instants.
func (t *quicTrace) Close() error { return nil }

// RecordEvent stamps the events that delimit phases and ignores the others.
func (t *quicTrace) RecordEvent(ev qlogwriter.Event) {
	switch e := ev.(type) {
	case qlog.PacketSent:
		t.packetSent(e)
	case qlog.PacketReceived:
		t.received()
		if hasFrame[*qlog.HandshakeDoneFrame](e.Frames) {
			t.tr.Stamp(EvConfirmed)
		}
	case qlog.VersionInformation, qlog.PacketBuffered, qlog.PacketDropped, qlog.VersionNegotiationReceived:
		t.received()
	case qlog.KeyUpdated:
		switch e.KeyType {
		case qlog.KeyTypeServerHandshake, qlog.KeyTypeClientHandshake:
			t.received()
			t.tr.Stamp(EvKeys)
			t.passGate()
		case qlog.KeyTypeClient0RTT:
			t.mu.Lock()
			t.earlyKeys = true
			t.mu.Unlock()
		}
	case qlog.ConnectionStateUpdated:
		if e.State == qlog.ConnectionStateHandshakeComplete {
			t.tr.Stamp(EvHandshakeDone)
		}
	}
}

func (t *quicTrace) packetSent(e qlog.PacketSent) {
	switch e.Header.PacketType {
	case qlog.PacketTypeInitial:
		if !t.tr.Seen(EvHelloWritten) {
			t.tr.Stamp(EvHelloWritten)
		} else if t.tr.Seen(EvFirstByte) && hasFrame[*qlog.CryptoFrame](e.Frames) {
			t.tr.Stamp(EvRetryWritten)
		}
	case qlog.PacketType0RTT:
		t.mu.Lock()
		for _, f := range e.Frames {
			if sf, ok := f.Frame.(*qlog.StreamFrame); ok {
				t.earlyBytes += int(sf.Length)
			}
		}
		t.mu.Unlock()
	}
}

// received stamps the first server packet, and the first after a retry.
func (t *quicTrace) received() {
	if !t.tr.Seen(EvFirstByte) {
		t.tr.Stamp(EvFirstByte)
	} else if t.tr.Seen(EvRetryWritten) {
		t.tr.Stamp(EvRetryFirstByte)
	}
}

func hasFrame[F any](frames []qlog.Frame) bool {
	for _, f := range frames {
		if _, ok := f.Frame.(F); ok {
			return true
		}
	}
	return false
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

// early returns whether 0-RTT keys were installed and the bytes sent early.
func (t *quicTrace) early() (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.earlyKeys, t.earlyBytes
}
