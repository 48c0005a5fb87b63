package bench

import (
	"crypto/tls"
	"time"
)

// Mode is the kind of handshake asked for.
type Mode string

// Modes.
const (
	ModeFull    Mode = "full"
	ModeResumed Mode = "resumed"
	Mode0RTT    Mode = "0rtt"
)

// Labels say what a handshake really negotiated. Every sample carries them,
// so a run can prove it measured what it was asked to measure.
type Labels struct {
	Transport string // "tcp" or "quic"
	Version   string // "1.2", "1.3"
	Suite     string // IANA name, e.g. TLS_AES_128_GCM_SHA256
	Group     string // key-exchange group, e.g. X25519MLKEM768; "" for RSA key exchange
	Resumed   bool   // the server accepted the session (ticket or PSK)
	HRR       bool   // the server sent a HelloRetryRequest
	ALPN      string
	// EarlyData is true when early data was sent, EarlyAccepted when the
	// server accepted it; EarlyBytes counts application bytes sent early.
	EarlyData     bool
	EarlyAccepted bool
	EarlyBytes    int
}

// Sample is the outcome of one handshake attempt.
type Sample struct {
	// Phases holds the duration of each phase in Set.
	Phases [NumPhases]time.Duration
	Set    PhaseSet
	Labels Labels
	// BytesSent and BytesRecv count TCP payload bytes until the first
	// response byte (handshake plus request), as a record of handshake size.
	BytesSent, BytesRecv int64
	// Mismatch is non-empty when the handshake differs from what was asked
	// (asked resumed, got full): such samples are counted apart, never mixed in.
	Mismatch string
	// Err is the failure, Class its classification (see Classify), FailedIn
	// the phase that was running when it failed.
	Err      error
	Class    string
	FailedIn Phase
}

// Set records the duration of a phase.
func (s *Sample) SetPhase(p Phase, d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.Phases[p] = d
	s.Set = s.Set.Add(p)
}

// OK reports whether the attempt succeeded and matched what was asked.
func (s *Sample) OK() bool { return s.Err == nil && s.Mismatch == "" }

// VersionName returns "1.0" … "1.3" for a TLS version number.
func VersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return tls.VersionName(v)
}
