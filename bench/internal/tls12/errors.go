package tls12

import (
	"errors"
	"fmt"
)

// ErrNotResumed is returned when the server answered the ClientHello with
// a session ID other than the one offered: it declined the session and
// started a full handshake, which Resume does not complete.
var ErrNotResumed = errors.New("tls12: server declined the session ID (full handshake)")

// ErrNoSessionID is returned by Prime when the server's ServerHello carried
// an empty session ID: the server keeps no session cache, so there is
// nothing to resume by ID.
var ErrNoSessionID = errors.New("tls12: server assigned no session ID (no session cache)")

// ErrHandshakeFailed marks handshake errors detected locally (a Finished
// that does not verify, a protocol violation).
var ErrHandshakeFailed = errors.New("tls12: handshake failed")

// ErrUnsupportedSuite is returned for a session whose cipher suite is not
// an AEAD suite this engine implements.
var ErrUnsupportedSuite = errors.New("tls12: cipher suite not supported for session-ID resumption")

// The server chose what the client did not offer, or its Finished does not
// verify. Each is wrapped with ErrHandshakeFailed and a detail; callers
// classify them like crypto/tls's equivalents.
var (
	ErrVersion     = errors.New("server did not select TLS 1.2")
	ErrSuite       = errors.New("server selected a cipher suite that was not offered")
	ErrGroup       = errors.New("server selected a group that was not offered")
	ErrBadFinished = errors.New("server Finished does not verify")
)

// failed wraps a sentinel with ErrHandshakeFailed and a detail.
func failed(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrHandshakeFailed, sentinel}, args...)...)
}

func handshakeErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrHandshakeFailed}, args...)...)
}
