// Package tls12 is hsbench's own minimal TLS 1.2 client, for what
// crypto/tls cannot do:
//
//   - resume a session by its session ID (RFC 5246, Section 7.3), for
//     "--resume id": the Go client resumes TLS 1.2 only by session ticket,
//     while servers configured without tickets (nginx with
//     ssl_session_tickets off, openssl s_server -no_ticket, gnutls-serv
//     --noticket) resume only by session ID;
//   - a full ECDHE handshake whose supported_groups are in the caller's
//     order: crypto/tls sends its own fixed order (P-256 before P-384), and
//     OpenSSL servers pick the client's first group, so "--tls 1.2 --group
//     p384" against an ECDSA P-256 certificate (whose curve must be listed)
//     cannot get P-384 from crypto/tls.
//
// # Design
//
// As in bench/internal/zerortt, the session to resume can come from
// crypto/tls (Prime): it reads the session ID off the ServerHello through a
// net.Conn wrapper and the master secret off the key log's CLIENT_RANDOM
// line. Full makes one itself. Resume then runs only the abbreviated
// handshake:
//
//	ClientHello (session_id = the session's)  →
//	                                          ←  ServerHello (echoes it)
//	                                          ←  ChangeCipherSpec, Finished
//	ChangeCipherSpec, Finished                →
//
// and returns a Conn carrying application data. A server that answers with
// another session ID has started a full handshake: Resume stops there and
// returns ErrNotResumed, which a benchmark labels rather than counts as a
// resumption.
//
// Only AEAD cipher suites are implemented (AES-GCM and ChaCha20-Poly1305,
// RFC 5288 and RFC 7905; ECDHE key exchange for Full, any for Resume). The
// extended master secret (RFC 7627) is offered by Full and by Resume
// exactly when the session used it. Client certificates and renegotiation
// are not implemented.
//
// # Layout
//
//   - prf.go: the TLS 1.2 PRF, key block and Finished computation.
//   - suite.go, record.go: cipher suites and AEAD record protection.
//   - messages.go: the ClientHello builder and the ServerHello and Finished
//     parsers; full.go the Certificate and ServerKeyExchange parsers
//     (cryptobyte, fuzzed).
//   - certverify.go: chain and ServerKeyExchange signature checks.
//   - session.go: Session and Prime.
//   - engine.go, full.go, conn.go, errors.go: Resume, Full, Conn, errors.
package tls12
