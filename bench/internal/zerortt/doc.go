// Package zerortt is a minimal TLS 1.3 client that performs resumed
// handshakes with 0-RTT early data over TCP, for hsbench's
// "--mode 0rtt --tls 1.3". crypto/tls cannot send early data over TCP,
// and no maintained Go library can (see /work/shared/REFERENCE.md).
//
// # Design
//
// The full handshake that obtains the first ticket is left to crypto/tls
// (FirstTicket): it verifies certificates properly and is what the rest of
// hsbench measures anyway. The ticket and its PSK are then read from the
// crypto/tls session (TicketFromSession parses SessionState.Bytes(), an
// encoding documented as opaque but stable within a Go version; a test
// pins it by resuming with the parsed PSK). The engine itself only does
// resumption: Resume sends ClientHello with pre_shared_key (binder over
// the truncated ClientHello) and early_data, followed in the same write by
// the early data records under client_early_traffic_secret; it then runs
// the rest of the TLS 1.3 handshake, sends EndOfEarlyData when the server
// accepted, and resends the data as 1-RTT application data when it did
// not. NewSessionTickets on the engine's own connections give fresh
// tickets with the server's max_early_data_size, which crypto/tls drops.
//
// Doing only the resumed handshake keeps the engine small, but a server
// can still decline the PSK (openssl's single-use tickets under
// anti-replay, rotated ticket keys) and fall back to a full handshake. The
// engine completes that too, verifying the certificate chain
// (Config.RootCAs) and the CertificateVerify signature, and reports it as
// Result.Resumed == false, so a benchmark can label it rather than fail.
//
// A HelloRetryRequest is handled (new key share, cookie, binder over the
// new transcript, no early data in the second ClientHello). Client
// certificates, external PSKs, psk_ke mode, record_size_limit and
// certificate compression are not implemented.
//
// # Layout
//
//   - suite.go, keyschedule.go: cipher suites and the RFC 8446 key schedule.
//   - record.go, conn.go: record protection, record reading, handshake
//     message reassembly, alerts.
//   - messages.go, clienthello.go: parsers (cryptobyte, fuzzed) and the
//     ClientHello builder with PSK binder.
//   - keyshare.go: X25519, P-256/384/521 and the ML-KEM hybrids.
//   - certverify.go: certificate checks for the full-handshake fallback.
//   - ticket.go: Ticket, TicketFromSession, FirstTicket.
//   - engine.go, config.go, hooks.go, errors.go: Resume and its API.
//
// A Go crypto/tls TCP server aborts a ClientHello offering early data with
// an unsupported_extension alert: Resume returns an error wrapping
// ErrEarlyDataAborted (and the *AlertError), which callers report as
// "target does not accept 0-RTT over TCP".
//
// OpenSSL-based servers (nginx, haproxy, s_server) accept early data only
// when the ALPN and SNI match those of the session the ticket came from:
// use the same ALPN list for FirstTicket and Resume.
package zerortt
