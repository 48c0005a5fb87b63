package tls12

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"time"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// verifyChain checks the chain against roots (nil: the system roots) for
// serverName, unless skip, and returns the leaf.
func verifyChain(roots *x509.CertPool, serverName string, skip bool, ders [][]byte, now time.Time) (*x509.Certificate, error) {
	leaf, err := tlswire.VerifyChain(ders, roots, serverName, skip, now)
	var perr *tlswire.ChainParseError
	switch {
	case errors.As(err, &perr):
		return nil, handshakeErr("server certificate %d: %v", perr.Index, perr.Err)
	case err != nil:
		return nil, &tlsCertError{err}
	}
	return leaf, nil
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
