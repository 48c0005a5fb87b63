package zerortt

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

// serverSignatureContext is the CertificateVerify context string
// (RFC 8446, Section 4.4.3).
const serverSignatureContext = "TLS 1.3, server CertificateVerify\x00"

// verifyServerCertificate checks the chain against cfg.RootCAs (nil: the
// system roots) for cfg.ServerName, unless cfg.InsecureSkipVerify. It is
// only used when the server declines the PSK and falls back to a full
// handshake.
func verifyServerCertificate(cfg *Config, certs [][]byte, now time.Time) (*x509.Certificate, error) {
	leaf, err := tlswire.VerifyChain(certs, cfg.RootCAs, cfg.ServerName, cfg.InsecureSkipVerify, now)
	var perr *tlswire.ChainParseError
	switch {
	case errors.As(err, &perr):
		return nil, handshakeErr("server certificate %d: %w", perr.Index, perr.Err)
	case err != nil:
		return nil, handshakeErr("server certificate: %w", err)
	}
	return leaf, nil
}

// verifyCertificateVerify checks the server's signature over the
// transcript hash.
func verifyCertificateVerify(cert *x509.Certificate, cv *certificateVerify, transcriptHash []byte) error {
	var h crypto.Hash
	switch cv.scheme {
	case 0x0403, 0x0804, 0x0809:
		h = crypto.SHA256
	case 0x0503, 0x0805, 0x080a:
		h = crypto.SHA384
	case 0x0603, 0x0806, 0x080b:
		h = crypto.SHA512
	case 0x0807:
	default:
		return handshakeErr("unsupported CertificateVerify scheme %#04x", cv.scheme)
	}
	signed := make([]byte, 0, 64+len(serverSignatureContext)+len(transcriptHash))
	for range 64 {
		signed = append(signed, 0x20)
	}
	signed = append(signed, serverSignatureContext...)
	signed = append(signed, transcriptHash...)
	ok := false
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if cv.scheme>>8 == 0x04 || cv.scheme>>8 == 0x05 || cv.scheme>>8 == 0x06 {
			d := h.New()
			d.Write(signed)
			ok = ecdsa.VerifyASN1(pub, d.Sum(nil), cv.signature)
		}
	case *rsa.PublicKey:
		if cv.scheme>>8 == 0x08 && cv.scheme != 0x0807 {
			d := h.New()
			d.Write(signed)
			ok = rsa.VerifyPSS(pub, h, d.Sum(nil), cv.signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
	case ed25519.PublicKey:
		if cv.scheme == 0x0807 {
			ok = ed25519.Verify(pub, signed, cv.signature)
		}
	}
	if !ok {
		return handshakeErr("CertificateVerify signature (scheme %#04x) does not verify", cv.scheme)
	}
	return nil
}
