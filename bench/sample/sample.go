// Package sample holds what one handshake attempt produced and what the rest
// of hsbench reads from it: the Sample, its phases, labels and failure
// classes, and the Handshaker interface the load generator drives. It is a
// leaf: it imports neither crypto/tls nor quic-go, so packages that only read
// results (results, report) do not link a TLS or QUIC stack.
package sample

import (
	"context"
	"fmt"
	"strings"
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

// ParseMode accepts full, resumed or 0rtt.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModeFull, ModeResumed, Mode0RTT:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q (want full, resumed or 0rtt)", s)
}

// Labels say what a handshake really negotiated. Every sample carries them,
// so a run can prove it measured what it was asked to measure.
type Labels struct {
	Transport string // "tcp" or "quic"
	Version   string // "1.2", "1.3"
	Suite     string // IANA name, e.g. TLS_AES_128_GCM_SHA256
	Group     string // key-exchange group, e.g. X25519MLKEM768; "" for RSA key exchange
	Resumed   bool   // the server accepted the session (ticket or PSK)
	ResumedBy string // TLS 1.2 over TCP: "ticket" or "id" (session ID); "" otherwise (TLS 1.3 resumes by ticket only)
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
	// Start is when the attempt started (monotonic clock): Total, and in an
	// open loop Lateness, are measured from it. Work a Handshaker does
	// before Start (priming) or after the first response byte (waiting for
	// a ticket or confirmation, closing) is in no phase.
	Start time.Time
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
	// Err is the failure, Class its classification, FailedIn the phase
	// that was running when it failed.
	Err      error
	Class    string
	FailedIn Phase
}

// SetPhase records the duration of a phase; a negative duration (instants
// out of order) is recorded as zero.
func (s *Sample) SetPhase(p Phase, d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.Phases[p] = d
	s.Set = s.Set.Add(p)
}

// OK reports whether the attempt succeeded and matched what was asked.
func (s *Sample) OK() bool { return s.Err == nil && s.Mismatch == "" }

// Handshaker performs handshakes of one kind against one target. The load
// generator gives each worker goroutine its own Handshaker, so an
// implementation needs no locking; its session cache belongs to that worker.
type Handshaker interface {
	// Prime prepares what the measured handshakes need and is not measured:
	// for resumed and 0-RTT modes it runs a full handshake and keeps the
	// session ticket. The load generator calls it once per worker, before
	// the first measured attempt. A failure is a *Failure (its Class is
	// counted).
	Prime(ctx context.Context) error
	// Handshake runs one measured attempt. Failures are reported in the
	// Sample (Err, Class), never as a panic. The call may do unmeasured
	// work before Sample.Start and after the first response byte; the load
	// generator counts that time apart.
	Handshake(ctx context.Context) Sample
	// Close releases what the Handshaker holds.
	Close() error
}

// Factory creates one Handshaker per worker.
type Factory func() (Handshaker, error)

// Failure is an error with its class, as Handshaker.Prime returns it.
type Failure struct {
	Class string
	Err   error
}

func (f *Failure) Error() string { return f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// ClassOf returns the class of a *Failure in err's chain, or ClassOther.
func ClassOf(err error) string {
	for e := err; e != nil; {
		if f, ok := e.(*Failure); ok {
			return f.Class
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return ClassOther
}
