package testservers

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/internal/pki"
)

func TestHAProxy(t *testing.T) {
	for _, v := range testVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			s := StartHAProxy(t, Options{MinVersion: v.name, MaxVersion: v.name})
			if s.Name != "haproxy" || !strings.HasPrefix(s.Version, "HAProxy version ") {
				t.Errorf("name %q version %q", s.Name, s.Version)
			}
			checkFullThenResumed(t, s, v.v)
		})
	}
}

func TestHAProxyEarlyDataOn(t *testing.T) {
	s := StartHAProxy(t, Options{EarlyData: true, MinVersion: "1.3"})
	checkFullThenResumed(t, s, tls.VersionTLS13)
}

func TestHAProxyRSAKeyExchange(t *testing.T) {
	s := StartHAProxy(t, Options{KeyType: pki.RSA2048, Ciphers12: "AES128-GCM-SHA256"})
	checkRSAKeyExchange(t, s)
}
