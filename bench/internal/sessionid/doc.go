// Package sessionid is a minimal TLS 1.2 client for the abbreviated
// handshake that resumes a session by its session ID (RFC 5246, Section
// 7.3), for hsbench's "--resume id". The Go client resumes TLS 1.2 only by
// session ticket, while servers configured without tickets (nginx with
// ssl_session_tickets off, openssl s_server -no_ticket, gnutls-serv
// --noticket) resume only by session ID.
//
// # Design
//
// As in bench/internal/zerortt, the full handshake that establishes the
// session is left to crypto/tls (Prime): it verifies the certificate and is
// what the rest of hsbench measures. Prime reads the session ID off the
// ServerHello through a net.Conn wrapper and the master secret off the key
// log's CLIENT_RANDOM line. Resume then runs only the abbreviated
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
// resumption. There is no full-handshake fallback.
//
// Only AEAD cipher suites are implemented (AES-GCM and ChaCha20-Poly1305,
// RFC 5288 and RFC 7905, with ECDHE or RSA key exchange, which play no part
// in an abbreviated handshake). The extended master secret (RFC 7627) is
// offered exactly when the session used it, since a server must not resume
// a session across that change.
//
// # Layout
//
//   - prf.go: the TLS 1.2 PRF, key block and Finished computation.
//   - suite.go, record.go: cipher suites and AEAD record protection.
//   - messages.go: the ClientHello builder and the ServerHello and Finished
//     parsers (cryptobyte, fuzzed).
//   - session.go: Session and Prime.
//   - engine.go, conn.go, errors.go: Resume, Conn and their errors.
package sessionid
