package testservers

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
)

func TestOpenSSL(t *testing.T) {
	for _, v := range testVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			s := StartOpenSSL(t, Options{MinVersion: v.name, MaxVersion: v.name})
			if s.Name != "openssl" || !strings.HasPrefix(s.Version, "OpenSSL ") {
				t.Errorf("name %q version %q", s.Name, s.Version)
			}
			checkFullThenResumed(t, s, v.v)
		})
	}
}

func TestOpenSSLEarlyDataOn(t *testing.T) {
	s := StartOpenSSL(t, Options{EarlyData: true, MinVersion: "1.3"})
	if s.Responds || s.EarlyDataMarker != "" {
		t.Errorf("Responds %v, EarlyDataMarker %q: want false, empty", s.Responds, s.EarlyDataMarker)
	}
	checkFullThenResumed(t, s, tls.VersionTLS13)
	// crypto/tls sends no early data: both connections report "none".
	c, err := s.EarlyData(2, 5*time.Second)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, s.Log())
	}
	if c.Accepted != 0 || c.Rejected != 0 {
		t.Errorf("counts %+v: want no accepted or rejected early data", c)
	}
	t.Logf("counts %+v", c)
}

func TestOpenSSLRSAKeyExchange(t *testing.T) {
	s := StartOpenSSL(t, Options{KeyType: pki.RSA2048, Ciphers12: "AES128-GCM-SHA256"})
	checkRSAKeyExchange(t, s)
}
