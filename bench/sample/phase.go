package sample

// Phase names one measured interval of a handshake. The contiguous split
// phases present in a sample (DNS, TCPConnect, the TLS phases, TTFB) add up
// to Total, except for 0-RTT where TTFB overlaps the handshake; the
// README defines each one precisely, per TLS version.
type Phase int

// The phases, in the order a report stacks them.
const (
	// DNS: resolving the target name (absent when the target is an IP literal).
	DNS Phase = iota
	// TCPConnect: connect() issued → connection established (SYN → SYN-ACK seen).
	TCPConnect
	// TLSClientHello: TCP connection established (QUIC: dial started) →
	// ClientHello handed to the kernel (preparing the TLS client, building
	// the ClientHello, including key-share generation).
	TLSClientHello
	// TLSServerWait: ClientHello handed to the kernel → first byte of the
	// server's reply read (one round trip plus the server's work before its
	// first flight).
	TLSServerWait
	// TLSHRR: only after a HelloRetryRequest: its first byte read → the
	// first byte of the server's answer to the second ClientHello (the
	// client's new key share, the second ClientHello, one more round trip).
	TLSHRR
	// TLSKeyExchange: key agreement finished on the client.
	// TLS 1.3: first server byte (after an HRR: of the answer to the second
	// ClientHello) → handshake traffic keys derived (ServerHello processed).
	// TLS 1.2 full: certificate verified → master secret derived
	// (ServerKeyExchange checked, ClientKeyExchange computed). Absent on a
	// resumed TLS 1.2 handshake.
	TLSKeyExchange
	// TLSCertVerify: the server certificate chain received and verified.
	// TLS 1.3: handshake keys → certificate verified. TLS 1.2: first server
	// byte → certificate verified. Absent on resumption (no certificate).
	TLSCertVerify
	// TLSFinished: the rest of the handshake until Handshake() returns.
	// TLS 1.3: certificate verified (resumed: handshake keys) →
	// CertificateVerify and server Finished checked, client Finished
	// written. TLS 1.2 full: master secret → client Finished written, second
	// round trip, server Finished verified. TLS 1.2 resumed: first server
	// byte → ServerHello, ChangeCipherSpec and server Finished processed,
	// client Finished written.
	TLSFinished
	// TLSHandshake: TCP connection established → Handshake() returned; the
	// sum of the split TLS phases present.
	TLSHandshake
	// QUICConfirm: QUIC only, handshake complete → the server's
	// HANDSHAKE_DONE frame received. It overlaps TTFB and is not part of
	// Total; absent when HANDSHAKE_DONE arrived after the first response
	// byte (nothing after it is measured).
	QUICConfirm
	// TTFB: request write started → first response byte read. For 0-RTT the
	// request leaves in the first flight, so TTFB overlaps the handshake.
	TTFB
	// Total: start of the attempt → first response byte (service time; in an
	// open-loop run the corrected latency is Latency).
	Total
	// Latency: open loop only, intended start (from the global schedule) →
	// first response byte. Coordinated-omission safe.
	Latency
	// Lateness: open loop only, intended start → actual start.
	Lateness

	NumPhases
)

var phaseNames = [NumPhases]string{
	DNS:            "dns",
	TCPConnect:     "tcp_connect",
	TLSClientHello: "tls_client_hello",
	TLSServerWait:  "tls_server_wait",
	TLSHRR:         "tls_hrr",
	TLSKeyExchange: "tls_key_exchange",
	TLSCertVerify:  "tls_cert_verify",
	TLSFinished:    "tls_finished",
	TLSHandshake:   "tls_handshake",
	QUICConfirm:    "quic_confirm",
	TTFB:           "ttfb",
	Total:          "total",
	Latency:        "latency",
	Lateness:       "lateness",
}

// String returns the phase name used in flags, files and tables.
func (p Phase) String() string {
	if p < 0 || p >= NumPhases {
		return "invalid"
	}
	return phaseNames[p]
}

// ParsePhase returns the phase with the given name.
func ParsePhase(name string) (Phase, bool) {
	for i, n := range phaseNames {
		if n == name {
			return Phase(i), true
		}
	}
	return 0, false
}

// SplitPhases are the contiguous phases that add up to Total, in order;
// a sample sets those that exist in its handshake. (QUICConfirm overlaps
// TTFB and is not one of them.)
var SplitPhases = []Phase{DNS, TCPConnect, TLSClientHello, TLSServerWait, TLSHRR, TLSKeyExchange, TLSCertVerify, TLSFinished, TTFB}

// PhaseSet is a set of phases.
type PhaseSet uint32

// Has reports whether p is in the set.
func (s PhaseSet) Has(p Phase) bool { return s&(1<<uint(p)) != 0 }

// Add returns the set with p added.
func (s PhaseSet) Add(p Phase) PhaseSet { return s | 1<<uint(p) }
