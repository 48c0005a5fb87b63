package pki

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIssueVerifiesAgainstCA(t *testing.T) {
	for _, kt := range KeyTypes {
		if kt == RSA4096 && testing.Short() {
			continue
		}
		t.Run(string(kt), func(t *testing.T) {
			ca, err := NewCA(kt, "test CA")
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := ca.Issue(LeafOptions{KeyType: kt, DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: ca.Pool()}); err != nil {
				t.Fatalf("leaf does not verify: %v", err)
			}
			if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "example.net", Roots: ca.Pool()}); err == nil {
				t.Fatal("leaf verified for a name it does not carry")
			}
		})
	}
}

func TestExpiredLeafIsRejected(t *testing.T) {
	ca, err := NewCA(ECDSAP256, "test CA")
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-48 * time.Hour)
	leaf, err := ca.Issue(LeafOptions{KeyType: ECDSAP256, DNSNames: []string{"localhost"}, NotBefore: past, NotAfter: past.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: ca.Pool()})
	var inv x509.CertificateInvalidError
	if err == nil || !asInvalid(err, &inv) || inv.Reason != x509.Expired {
		t.Fatalf("want an Expired error, got %v", err)
	}
}

func asInvalid(err error, target *x509.CertificateInvalidError) bool {
	e, ok := err.(x509.CertificateInvalidError)
	if ok {
		*target = e
	}
	return ok
}

func TestWriteKeyPairRoundTrips(t *testing.T) {
	ca, err := NewCA(Ed25519, "test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(LeafOptions{KeyType: RSA2048, DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := WriteKeyPair(leaf, cp, kp); err != nil {
		t.Fatal(err)
	}
	got, err := tls.LoadX509KeyPair(cp, kp)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Certificate) != 2 {
		t.Fatalf("chain has %d certificates, want leaf+CA", len(got.Certificate))
	}
	if err := ca.WriteCertPEM(filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if p := x509.NewCertPool(); !p.AppendCertsFromPEM(b) {
		t.Fatal("CA PEM does not parse")
	}
}

func TestParseKeyType(t *testing.T) {
	if k, err := ParseKeyType("ECDSA-P384"); err != nil || k != ECDSAP384 {
		t.Fatalf("got %q, %v", k, err)
	}
	if _, err := ParseKeyType("dsa"); err == nil {
		t.Fatal("dsa accepted")
	}
}
