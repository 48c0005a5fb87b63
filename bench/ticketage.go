package bench

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// sessionCreatedAt is the offset and end of created_at (Unix seconds,
// uint64) in crypto/tls's SessionState encoding (Go 1.26, ticket.go:
// version uint16, type uint8, cipher suite uint16, created_at uint64).
const sessionCreatedAtOff, sessionCreatedAtEnd = 5, 13

// Why tickets are re-stamped and sent with a shifted clock.
//
// crypto/tls keeps a client session's creation time in whole seconds,
// truncated, and computes the obfuscated ticket age it sends from it
// (Config.Time() − created_at): the age it claims is up to a second older
// than the ticket really is. GnuTLS (ngtcp2's gtlsserver) refuses early
// data whose claimed age exceeds its own view of the ticket's age
// (lib/tls13/anti_replay.c), so nearly every 0-RTT attempt was rejected.
// Rounding created_at up instead makes the age negative right after
// receipt (crypto/tls does not clamp it; GnuTLS then drops the PSK).
//
// So the worker's ticket cache re-stamps every stored session with the
// real-clock second it arrived in (stampedSession) and remembers the
// fraction of a second past it; the connection that sends the ticket runs
// with Config.Time shifted back by that fraction (ticketClock). The claimed
// age is then the real time since the ticket was stored, in whole
// milliseconds: never older than the server's view, never negative. The
// shift (under a second) also applies to that connection's certificate
// checks and to the creation time of tickets it receives, which are
// re-stamped in turn.

// stampedSession returns cs with its creation time set to the second of
// now (real clock), and the fraction of a second now is past it.
func stampedSession(cs *tls.ClientSessionState, now time.Time) (*tls.ClientSessionState, time.Duration, error) {
	ticket, state, err := cs.ResumptionState()
	if err != nil {
		return nil, 0, fmt.Errorf("bench: session state: %w", err)
	}
	if state == nil {
		return nil, 0, errors.New("bench: session holds no state")
	}
	enc, err := state.Bytes()
	if err != nil {
		return nil, 0, fmt.Errorf("bench: encoding session: %w", err)
	}
	if len(enc) < sessionCreatedAtEnd || enc[2] != 2 { // 2: a client session
		return nil, 0, errors.New("bench: unrecognised crypto/tls session encoding")
	}
	sec := now.Unix()
	binary.BigEndian.PutUint64(enc[sessionCreatedAtOff:sessionCreatedAtEnd], uint64(sec))
	moved, err := tls.ParseSessionState(enc)
	if err != nil {
		return nil, 0, fmt.Errorf("bench: re-parsing session: %w", err)
	}
	out, err := tls.NewResumptionState(ticket, moved)
	if err != nil {
		return nil, 0, fmt.Errorf("bench: rebuilding session: %w", err)
	}
	return out, now.Sub(time.Unix(sec, 0)), nil
}

// ticketClock is the Config.Time of a connection that sends a ticket
// stamped with fraction frac: the real clock, frac earlier.
func ticketClock(frac time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(-frac) }
}
