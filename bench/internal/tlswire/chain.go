package tlswire

import (
	"crypto/x509"
	"fmt"
	"time"
)

// A ChainParseError says which certificate of a server's chain could not
// be parsed.
type ChainParseError struct {
	Index int
	Err   error
}

func (e *ChainParseError) Error() string {
	return fmt.Sprintf("server certificate %d: %v", e.Index, e.Err)
}
func (e *ChainParseError) Unwrap() error { return e.Err }

// VerifyChain parses a server's certificate chain (leaf first) and, unless
// skip, verifies it against roots (nil: the system roots) for serverName at
// now, the rest of the chain as intermediates. It returns the leaf. A
// parse failure is a *ChainParseError; a verification failure is
// x509's own error, unwrapped, so each engine can wrap it for its failure
// classes.
func VerifyChain(ders [][]byte, roots *x509.CertPool, serverName string, skip bool, now time.Time) (*x509.Certificate, error) {
	certs := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, &ChainParseError{Index: i, Err: err}
		}
		certs[i] = c
	}
	if skip {
		return certs[0], nil
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: serverName, CurrentTime: now}); err != nil {
		return nil, err
	}
	return certs[0], nil
}
