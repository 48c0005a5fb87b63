package sessionid

import (
	"crypto/tls"
	"strings"
	"testing"

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
