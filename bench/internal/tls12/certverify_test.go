package tls12

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
)

// The own client verifies the server's chain: an unknown CA and a wrong
// name fail with x509's errors (which the failure classes read), and
// skipping verification returns the leaf anyway.
func TestVerifyChain(t *testing.T) {
	ca, err := pki.NewCA(pki.ECDSAP256, "tls12 test CA")
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.NewCA(pki.ECDSAP256, "another CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(pki.LeafOptions{KeyType: pki.ECDSAP256, DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := verifyChain(ca.Pool(), "localhost", false, leaf.Certificate, now); err != nil {
		t.Fatalf("a good chain: %v", err)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := verifyChain(other.Pool(), "localhost", false, leaf.Certificate, now); !errors.As(err, &unknown) {
		t.Fatalf("an unknown CA: %v, want x509.UnknownAuthorityError", err)
	}
	var host x509.HostnameError
	if _, err := verifyChain(ca.Pool(), "example.invalid", false, leaf.Certificate, now); !errors.As(err, &host) {
		t.Fatalf("a wrong name: %v, want x509.HostnameError", err)
	}
	if c, err := verifyChain(other.Pool(), "example.invalid", true, leaf.Certificate, now); err != nil || c == nil {
		t.Fatalf("skipped verification: %v, %v", c, err)
	}
	if _, err := verifyChain(ca.Pool(), "localhost", false, [][]byte{[]byte("junk")}, now); err == nil {
		t.Fatal("an unparsable certificate was accepted")
	}
}
