package tls12

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/testservers"
)

// s_server -www writes "Reused, " or "New, " and the cipher on its status
// page: the server's own view of each connection.
func TestOpenSSLNoTicketResumesByID(t *testing.T) {
	for _, tc := range []struct {
		key   pki.KeyType
		suite uint16
	}{
		{pki.ECDSAP256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		{pki.ECDSAP256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
		{pki.ECDSAP256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		{pki.RSA2048, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
		{pki.RSA2048, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
	} {
		t.Run(tls.CipherSuiteName(tc.suite), func(t *testing.T) {
			s := testservers.StartOpenSSL(t, testservers.Options{KeyType: tc.key, MaxVersion: "1.2", NoTickets: true})
			sess := prime(t, s, tc.suite, nil)
			for i := range 3 {
				res, body := resume(t, s, sess, nil)
				if !res.Resumed || res.CipherSuite != tc.suite {
					t.Fatalf("resume %d: %+v", i, res)
				}
				if !strings.Contains(body, "Reused, ") {
					t.Fatalf("resume %d: server does not report a reused session:\n%s", i, body)
				}
			}
		})
	}
}

// nginx with ssl_session_tickets off resumes from its shared session
// cache; its access log's $ssl_session_reused is the server's view.
func TestNginxTicketsOffResumesByID(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	sess := prime(t, s, 0, nil)
	const n = 3
	for i := range n {
		res, body := resume(t, s, sess, nil)
		if !res.Resumed || !strings.HasPrefix(body, "HTTP/1.1 200") {
			t.Fatalf("resume %d: %+v\n%s", i, res, body)
		}
	}
	log, err := s.AccessLog(1+n, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range log {
		if e.Reused != (i > 0) || e.Protocol != "TLSv1.2" {
			t.Errorf("request %d: nginx logged %+v (reused should be %v)", i, e, i > 0)
		}
	}
}

// gnutls-serv --noticket: its debug log shows a resumed handshake as a
// ServerHello without a Certificate.
func TestGnuTLSNoTicketResumesByID(t *testing.T) {
	s := testservers.StartGnuTLS(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	sess := prime(t, s, 0, nil)
	const n = 3
	for i := range n {
		res, body := resume(t, s, sess, nil)
		if !res.Resumed || !strings.Contains(body, fmt.Sprintf("%X", sess.ID[:4])) {
			t.Fatalf("resume %d: %+v\n%s", i, res, body)
		}
	}
	full, resumed, err := s.Handshakes(1+n, 5*time.Second)
	if err != nil || full != 1 || resumed != n {
		t.Fatalf("gnutls-serv logged %d full, %d resumed (%v), want 1 and %d", full, resumed, err, n)
	}
}

// A server that declines the session (another server, same name) starts
// a full handshake: Resume says so with ErrNotResumed.
func TestDeclinedSession(t *testing.T) {
	a := testservers.StartOpenSSL(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	b := testservers.StartOpenSSL(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	sess := prime(t, a, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, nil)
	_, res, err := Resume(testCtx(t), dial(t, b.Addr), nil, sess, nil)
	if !errors.Is(err, ErrNotResumed) || res == nil || res.Resumed || len(res.ServerSessionID) == 0 {
		t.Fatalf("got %v, %+v; want ErrNotResumed with the server's new session ID", err, res)
	}
}
