package zerortt

import (
	"errors"
	"fmt"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// ErrEarlyDataAborted is returned (wrapped, with the alert) when a server
// answers a ClientHello that offers early data with a fatal alert instead
// of a ServerHello. A Go crypto/tls TCP server does this (unsupported_extension):
// the caller should report "target does not accept 0-RTT over TCP".
var ErrEarlyDataAborted = errors.New("zerortt: server aborted the handshake on the early_data offer")

// ErrHandshakeFailed marks handshake errors detected locally (bad
// Finished, certificate that does not verify, protocol violation).
var ErrHandshakeFailed = errors.New("zerortt: handshake failed")

// The server chose what the client did not offer. Each is wrapped with
// ErrHandshakeFailed and a detail; callers classify them like crypto/tls's
// equivalents.
var (
	ErrVersion = errors.New("server did not select TLS 1.3")
	ErrSuite   = errors.New("server selected a cipher suite that was not offered")
	ErrGroup   = errors.New("server selected a group that was not offered")
	// ErrBadFinished: the server's Finished does not verify.
	ErrBadFinished = errors.New("server Finished does not verify")
)

// ErrUnsupportedGroup is returned for a Config.Group the engine cannot
// generate a key share for.
var ErrUnsupportedGroup = errors.New("zerortt: unsupported key exchange group")

// ErrTicketExpired is returned when the ticket's lifetime has passed.
var ErrTicketExpired = errors.New("zerortt: ticket expired")

// Alert codes (RFC 8446, Section 6).
const (
	alertCloseNotify           uint8 = 0
	alertUnexpectedMessage     uint8 = 10
	alertBadRecordMAC          uint8 = 20
	alertRecordOverflow        uint8 = 22
	alertHandshakeFailure      uint8 = 40
	alertBadCertificate        uint8 = 42
	alertIllegalParameter      uint8 = 47
	alertDecodeError           uint8 = 50
	alertDecryptError          uint8 = 51
	alertProtocolVersion       uint8 = 70
	alertInternalError         uint8 = 80
	alertMissingExtension      uint8 = 109
	alertUnsupportedExtension  uint8 = 110
	alertUnrecognizedName      uint8 = 112
	alertUnknownPSKIdentity    uint8 = 115
	alertNoApplicationProtocol uint8 = 120
)

var alertNames = map[uint8]string{
	0:   "close_notify",
	10:  "unexpected_message",
	20:  "bad_record_mac",
	22:  "record_overflow",
	40:  "handshake_failure",
	42:  "bad_certificate",
	43:  "unsupported_certificate",
	44:  "certificate_revoked",
	45:  "certificate_expired",
	46:  "certificate_unknown",
	47:  "illegal_parameter",
	48:  "unknown_ca",
	49:  "access_denied",
	50:  "decode_error",
	51:  "decrypt_error",
	70:  "protocol_version",
	71:  "insufficient_security",
	80:  "internal_error",
	86:  "inappropriate_fallback",
	90:  "user_canceled",
	109: "missing_extension",
	110: "unsupported_extension",
	112: "unrecognized_name",
	113: "bad_certificate_status_response",
	115: "unknown_psk_identity",
	116: "certificate_required",
	120: "no_application_protocol",
}

// AlertName returns the RFC 8446 name of an alert code.
func AlertName(code uint8) string {
	if n, ok := alertNames[code]; ok {
		return n
	}
	return fmt.Sprintf("alert_%d", code)
}

// AlertError is an alert received from the server. A close_notify is
// reported as AlertError too when it arrives before the handshake ends.
type AlertError struct {
	Level uint8 // 1 warning, 2 fatal
	Code  uint8
}

func (e *AlertError) Error() string {
	return "zerortt: remote error: " + AlertName(e.Code)
}

// Name returns the alert's RFC 8446 name, e.g. "unsupported_extension".
func (e *AlertError) Name() string { return AlertName(e.Code) }

// RecordError is a record-layer failure: a malformed record header, an
// oversized record, or a record that does not authenticate.
type RecordError = tlswire.RecordError

func handshakeErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrHandshakeFailed}, args...)...)
}

// negotiationErr is a handshake failure of kind ErrVersion, ErrSuite,
// ErrGroup or ErrBadFinished.
func negotiationErr(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrHandshakeFailed, kind}, args...)...)
}
