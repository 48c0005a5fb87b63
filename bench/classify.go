package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"syscall"

	"github.com/hsbench/hsbench/bench/internal/zerortt"
)

// Error classes. A failed attempt is counted under exactly one class; TLS
// alerts received from the server are "alert:<name>" (e.g. alert:handshake_failure).
const (
	ClassDNS            = "dns"
	ClassRefused        = "refused"
	ClassTimeout        = "timeout"
	ClassReset          = "reset"
	ClassEOF            = "closed"      // the server closed the connection mid-handshake
	ClassUnreachable    = "unreachable" // no route, network down
	ClassCertExpired    = "cert_expired"
	ClassCertName       = "cert_name_mismatch"
	ClassCertAuthority  = "cert_unknown_authority"
	ClassCertInvalid    = "cert_invalid"
	ClassVersion        = "version_mismatch"
	ClassSuite          = "suite_mismatch"
	ClassEphemeralPorts = "ephemeral_ports" // EADDRNOTAVAIL: no free local port (TIME_WAIT)
	ClassFDLimit        = "fd_limit"        // EMFILE/ENFILE: RLIMIT_NOFILE reached
	ClassNo0RTT         = "no_0rtt"         // the target does not accept 0-RTT over this transport
	ClassCanceled       = "canceled"        // the run stopped while the attempt was under way
	ClassProtocol       = "protocol"        // the peer spoke something that is not TLS/HTTP
	ClassOther          = "other"
)

// ErrNo0RTT marks a target that aborts or refuses handshakes carrying early data.
var ErrNo0RTT = errors.New("target does not accept 0-RTT")

// Classify maps an attempt's error to its class. It understands errors from
// net, crypto/tls, crypto/x509, context and the 0-RTT engine.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, ErrNo0RTT) {
		return ClassNo0RTT
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		err = certErr.Err
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		if inv.Reason == x509.Expired {
			return ClassCertExpired
		}
		return ClassCertInvalid
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return ClassCertName
	}
	var authErr x509.UnknownAuthorityError
	if errors.As(err, &authErr) {
		return ClassCertAuthority
	}
	if code, ok := alertCode(err); ok {
		switch name := alertName(tls.AlertError(code)); name {
		case "protocol_version":
			return ClassVersion
		default:
			return "alert:" + name
		}
	}
	var engineAlert *zerortt.AlertError // alerts received by the 0-RTT engine
	if errors.As(err, &engineAlert) {
		if engineAlert.Code == 70 { // protocol_version
			return ClassVersion
		}
		return "alert:" + engineAlert.Name()
	}
	if class, ok := quicClass(err); ok { // quic-go's errors (quic.go)
		return class
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout {
			return ClassTimeout
		}
		return ClassDNS
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ClassReset
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return ClassEphemeralPorts
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return ClassFDLimit
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETDOWN):
		return ClassUnreachable
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassEOF
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ClassTimeout
	}
	// crypto/tls reports local negotiation failures as plain errors.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unsupported protocol version"), strings.Contains(msg, "protocol version not supported"):
		return ClassVersion
	case strings.Contains(msg, "no cipher suite supported"), strings.Contains(msg, "server chose an unconfigured cipher suite"):
		return ClassSuite
	case strings.Contains(msg, "first record does not look like a TLS handshake"), strings.Contains(msg, "malformed HTTP"):
		return ClassProtocol
	}
	return ClassOther
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

// ClassAdvice explains a failure class for the summary, with remedies where
// the generator itself is the bottleneck.
func ClassAdvice(class string) string {
	switch class {
	case ClassEphemeralPorts:
		return "no free local port: closed connections wait in TIME_WAIT (60 s on Linux) before their port is reused. " +
			"Lower the rate, widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse, or spread load over several source addresses (127.0.0.2, …) or shards"
	case ClassFDLimit:
		return "the process ran out of file descriptors: raise the limit (ulimit -n) or lower --concurrency"
	case ClassNo0RTT:
		return "the target does not accept 0-RTT over TCP (it aborted or ignored the early data)"
	case ClassCertAuthority:
		return "the certificate is not signed by a trusted CA: pass --ca FILE, or --insecure"
	case ClassCertName:
		return "the certificate does not cover the server name: pass --sni NAME"
	case ClassVersion:
		return "the server does not speak the TLS version asked for"
	}
	return ""
}
