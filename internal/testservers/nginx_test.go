package testservers

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/internal/pki"
)

func TestNginx(t *testing.T) {
	for _, v := range testVersions {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			s := StartNginx(t, Options{MinVersion: v.name, MaxVersion: v.name})
			if s.Name != "nginx" || !strings.HasPrefix(s.Version, "nginx version: nginx/") {
				t.Errorf("name %q version %q", s.Name, s.Version)
			}
			checkFullThenResumed(t, s, v.v)
		})
	}
}

func TestNginxEarlyDataOn(t *testing.T) {
	s := StartNginx(t, Options{EarlyData: true, MinVersion: "1.3"})
	checkFullThenResumed(t, s, tls.VersionTLS13)
}

func TestNginxRSAKeyExchange(t *testing.T) {
	s := StartNginx(t, Options{KeyType: pki.RSA2048, Ciphers12: "AES128-GCM-SHA256"})
	checkRSAKeyExchange(t, s)
}

func TestNginxStops(t *testing.T) {
	s := StartNginx(t, Options{})
	checkStopped(t, s)
}
