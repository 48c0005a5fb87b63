package tls12

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"time"
)

// verifyChain checks the chain against roots (nil: the system roots) for
// serverName, unless skip, and returns the leaf.
func verifyChain(roots *x509.CertPool, serverName string, skip bool, ders [][]byte, now time.Time) (*x509.Certificate, error) {
	certs := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, handshakeErr("server certificate %d: %v", i, err)
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
		return nil, &tlsCertError{err}
	}
	return certs[0], nil
}

// tlsCertError wraps a chain verification failure so that errors.As finds
// the x509 error (cert_unknown_authority, cert_name_mismatch, …).
type tlsCertError struct{ err error }

func (e *tlsCertError) Error() string { return "tls12: certificate: " + e.err.Error() }
func (e *tlsCertError) Unwrap() error { return e.err }

// verifySignature checks a ServerKeyExchange signature with the leaf's key
// under a TLS 1.2 SignatureAndHashAlgorithm / SignatureScheme.
func verifySignature(pub crypto.PublicKey, alg uint16, signed, sig []byte) error {
	var h crypto.Hash
	switch alg {
	case 0x0401, 0x0403, 0x0804:
		h = crypto.SHA256
	case 0x0501, 0x0503, 0x0805:
		h = crypto.SHA384
	case 0x0601, 0x0603, 0x0806:
		h = crypto.SHA512
	case 0x0807:
	default:
		return handshakeErr("unsupported signature algorithm %#04x", alg)
	}
	var digest []byte
	if h != 0 {
		d := h.New()
		d.Write(signed)
		digest = d.Sum(nil)
	}
	ok := false
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		ok = alg&0xff == 0x03 && ecdsa.VerifyASN1(k, digest, sig)
	case *rsa.PublicKey:
		switch {
		case alg&0xff == 0x01:
			ok = rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
		case alg>>8 == 0x08 && alg != 0x0807:
			ok = rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
	case ed25519.PublicKey:
		ok = alg == 0x0807 && ed25519.Verify(k, signed, sig)
	}
	if !ok {
		return handshakeErr("ServerKeyExchange signature (%#04x) does not verify", alg)
	}
	return nil
}
