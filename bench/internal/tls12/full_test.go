package tls12

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/testservers"
)

func full(t *testing.T, s *testservers.Server, cfg *FullConfig) (*Result, string) {
	t.Helper()
	cfg.ServerName, cfg.RootCAs = s.ServerName, s.Pool
	rc := &recordingConn{Conn: dial(t, s.Addr)}
	c, res, err := Full(testCtx(t), rc, cfg, nil)
	if err != nil {
		t.Fatalf("full: %v (result %+v)\nserver log:\n%s", err, res, s.Log())
	}
	body := request(t, c, s)
	saveFlight(t, fullSeedName(s, res), rc)
	return res, body
}

func fullSeedName(s *testservers.Server, res *Result) string {
	return s.Name + "-full-" + strings.ToLower(res.Group.String())
}

// nginx with an ECDSA P-256 certificate negotiates the group listed first
// even when it is not P-256 (P-256 must be listed too: OpenSSL requires
// the certificate's curve among the client's groups); nginx's $ssl_curve
// is the server's view. The session then resumes by ID.
func TestFullGroupOrderNginx(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	want := []struct {
		groups []tls.CurveID
		curve  string
	}{
		{[]tls.CurveID{tls.CurveP384, tls.CurveP256, tls.CurveP521}, "secp384r1"},
		{[]tls.CurveID{tls.CurveP521, tls.CurveP256, tls.CurveP384}, "secp521r1"},
		{[]tls.CurveID{tls.CurveP256, tls.CurveP384, tls.CurveP521}, "prime256v1"},
		{[]tls.CurveID{tls.X25519, tls.CurveP256}, "X25519"},
	}
	var sess *Session
	for i, w := range want {
		res, body := full(t, s, &FullConfig{Groups: w.groups})
		if res.Group != w.groups[0] || !strings.HasPrefix(body, "HTTP/1.1 200") || res.Session == nil {
			t.Fatalf("groups %v: got %+v\n%s", w.groups, res, body)
		}
		if i == 0 {
			sess = res.Session
		}
	}
	r, body := resume(t, s, sess, nil)
	if !r.Resumed || !strings.HasPrefix(body, "HTTP/1.1 200") {
		t.Fatalf("resume of a Full session: %+v", r)
	}
	log, err := s.AccessLog(len(want)+1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if log[i].Curve != w.curve || log[i].Reused {
			t.Errorf("handshake %d: nginx logged %+v, want curve %s", i, log[i], w.curve)
		}
	}
	if !log[len(want)].Reused {
		t.Errorf("resumption: nginx logged %+v", log[len(want)])
	}
}

// openssl s_server with ECDSA and RSA certificates, every group and suite.
func TestFullOpenSSL(t *testing.T) {
	for _, key := range []pki.KeyType{pki.ECDSAP256, pki.RSA2048} {
		s := testservers.StartOpenSSL(t, testservers.Options{KeyType: key, MaxVersion: "1.2"})
		for _, g := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521} {
			for _, cs := range ecdheSuites {
				if (key == pki.RSA2048) != strings.Contains(tls.CipherSuiteName(cs), "_RSA_") {
					continue
				}
				res, body := full(t, s, &FullConfig{Groups: []tls.CurveID{g, tls.CurveP256}, CipherSuites: []uint16{cs}})
				if res.Group != g || res.CipherSuite != cs || !strings.Contains(body, "New, TLSv1.2") {
					t.Fatalf("%s %v %s: %+v\n%s", key, g, tls.CipherSuiteName(cs), res, body)
				}
			}
		}
	}
}

// gnutls-serv asks for an optional client certificate: the own client
// answers with an empty Certificate, and P-384 is negotiated.
func TestFullGnuTLSCertificateRequest(t *testing.T) {
	s := testservers.StartGnuTLS(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	res, body := full(t, s, &FullConfig{Groups: []tls.CurveID{tls.CurveP384, tls.CurveP256}})
	if res.Group != tls.CurveP384 || !strings.Contains(body, "Session ID") || res.Session == nil {
		t.Fatalf("%+v\n%s", res, body)
	}
	if r, _ := resume(t, s, res.Session, nil); !r.Resumed {
		t.Fatalf("resume: %+v", r)
	}
	if full, resumed, err := s.Handshakes(2, 5*time.Second); err != nil || full != 1 || resumed != 1 {
		t.Fatalf("gnutls-serv logged %d full, %d resumed (%v)", full, resumed, err)
	}
}
