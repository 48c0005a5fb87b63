package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"syscall"

	"github.com/hsbench/hsbench/bench/internal/tls12"
	"github.com/hsbench/hsbench/bench/internal/zerortt"
	"github.com/hsbench/hsbench/bench/sample"
)

// ErrNo0RTT marks a target that aborts or refuses handshakes carrying early data.
var ErrNo0RTT = errors.New("target does not accept 0-RTT")

// Classify maps an attempt's error to its class. It understands errors from
// net, crypto/tls, crypto/x509, context and the 0-RTT engine.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var se *StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s:%d", sample.ClassHTTPStatus, se.Code)
	}
	if errors.Is(err, ErrNoResponse) && !errors.Is(err, context.Canceled) {
		return sample.ClassNoResponse
	}
	if errors.Is(err, ErrNo0RTT) {
		return sample.ClassNo0RTT
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		err = certErr.Err
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		if inv.Reason == x509.Expired {
			return sample.ClassCertExpired
		}
		return sample.ClassCertInvalid
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return sample.ClassCertName
	}
	var authErr x509.UnknownAuthorityError
	if errors.As(err, &authErr) {
		return sample.ClassCertAuthority
	}
	if code, ok := alertCode(err); ok {
		switch name := alertName(tls.AlertError(code)); name {
		case "protocol_version":
			return sample.ClassVersion
		default:
			return "alert:" + name
		}
	}
	if class, ok := engineClass(err); ok {
		return class
	}
	if class, ok := quicClass(err); ok { // quic-go's errors (quic.go)
		return class
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout {
			return sample.ClassTimeout
		}
		return sample.ClassDNS
	}
	switch {
	case errors.Is(err, context.Canceled):
		return sample.ClassCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return sample.ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return sample.ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return sample.ClassReset
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return sample.ClassEphemeralPorts
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return sample.ClassFDLimit
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETDOWN):
		return sample.ClassUnreachable
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return sample.ClassEOF
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return sample.ClassTimeout
	}
	// crypto/tls reports local negotiation failures as plain errors.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unsupported protocol version"), strings.Contains(msg, "protocol version not supported"):
		return sample.ClassVersion
	case strings.Contains(msg, "no cipher suite supported"), strings.Contains(msg, "server chose an unconfigured cipher suite"):
		return sample.ClassSuite
	case strings.Contains(msg, "server selected unsupported group"):
		return sample.ClassGroup
	case strings.Contains(msg, "invalid server finished hash"), strings.Contains(msg, "server's Finished message was incorrect"):
		return sample.ClassBadFinished
	case strings.Contains(msg, "first record does not look like a TLS handshake"), strings.Contains(msg, "malformed HTTP"):
		return sample.ClassProtocol
	}
	return sample.ClassOther
}

// engineClass classifies the own engines' errors (0-RTT, TLS 1.2) with the classes
// crypto/tls's equivalents get: an alert by the same name, a version,
// suite or group the client did not offer, a bad Finished.
func engineClass(err error) (string, bool) {
	var alert *zerortt.AlertError
	switch {
	case errors.As(err, &alert):
		if name := alertName(tls.AlertError(alert.Code)); name != "protocol_version" {
			return "alert:" + name, true
		}
		return sample.ClassVersion, true
	case errors.Is(err, zerortt.ErrVersion), errors.Is(err, tls12.ErrVersion):
		return sample.ClassVersion, true
	case errors.Is(err, zerortt.ErrSuite), errors.Is(err, tls12.ErrSuite):
		return sample.ClassSuite, true
	case errors.Is(err, zerortt.ErrGroup), errors.Is(err, tls12.ErrGroup):
		return sample.ClassGroup, true
	case errors.Is(err, zerortt.ErrBadFinished), errors.Is(err, tls12.ErrBadFinished):
		return sample.ClassBadFinished, true
	}
	return "", false
}

// alertCode finds the alert in an error. Over TCP, crypto/tls reports an
// alert received from the server as a *net.OpError with Op "remote error"
// wrapping its unexported alert type (a uint8); QUIC and the 0-RTT engine
// use tls.AlertError.
func alertCode(err error) (uint8, bool) {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return uint8(ae), true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		if v := reflect.ValueOf(op.Err); v.Kind() == reflect.Uint8 {
			return uint8(v.Uint()), true
		}
	}
	return 0, false
}

// alertName returns the RFC 8446 name of an alert, e.g. handshake_failure.
// crypto/tls's own String method gives a prose description instead.
func alertName(a tls.AlertError) string {
	if n, ok := alertNames[uint8(a)]; ok {
		return n
	}
	return "alert_" + itoa(int(a))
}

var alertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
	40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
	44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
	47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
	51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
	80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
	109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
	113: "bad_certificate_status_response", 115: "unknown_psk_identity",
	116: "certificate_required", 120: "no_application_protocol",
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [8]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// classified wraps a priming error with its class for the load generator.
func classified(err error) error {
	if err == nil {
		return nil
	}
	return &sample.Failure{Class: Classify(err), Err: err}
}
