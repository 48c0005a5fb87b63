package zerortt

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/tls"
	"fmt"
)

// keyShare is the client's private half of one key exchange.
type keyShare struct {
	group tls.CurveID
	pub   []byte // key_exchange sent in the ClientHello

	ecdh    *ecdh.PrivateKey
	mlkem   interface{ Decapsulate([]byte) ([]byte, error) }
	mlkemCT int  // ML-KEM ciphertext size, 0 for plain ECDH
	kemLast bool // the ECDH share comes first (SecP*MLKEM*)
}

func ecdhCurve(g tls.CurveID) ecdh.Curve {
	switch g {
	case tls.X25519:
		return ecdh.X25519()
	case tls.CurveP256:
		return ecdh.P256()
	case tls.CurveP384:
		return ecdh.P384()
	case tls.CurveP521:
		return ecdh.P521()
	}
	return nil
}

// supportedGroup reports whether newKeyShare can handle g.
func supportedGroup(g tls.CurveID) bool {
	switch g {
	case tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024:
		return true
	}
	return ecdhCurve(g) != nil
}

// newKeyShare generates a fresh key share for g. The hybrid encodings
// follow draft-ietf-tls-ecdhe-mlkem: X25519MLKEM768 puts the ML-KEM part
// first, SecP256r1MLKEM768 and SecP384r1MLKEM1024 put the ECDH part first.
func newKeyShare(g tls.CurveID) (*keyShare, error) {
	ks := &keyShare{group: g}
	var ecdhGroup tls.CurveID
	switch g {
	case tls.X25519MLKEM768:
		ecdhGroup = tls.X25519
	case tls.SecP256r1MLKEM768:
		ecdhGroup, ks.kemLast = tls.CurveP256, true
	case tls.SecP384r1MLKEM1024:
		ecdhGroup, ks.kemLast = tls.CurveP384, true
	default:
		ecdhGroup = g
	}
	curve := ecdhCurve(ecdhGroup)
	if curve == nil {
		return nil, fmt.Errorf("%w: %v (%d)", ErrUnsupportedGroup, g, uint16(g))
	}
	priv, err := curve.GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("zerortt: key share: %w", err)
	}
	ks.ecdh = priv
	ecPub := priv.PublicKey().Bytes()
	if g == ecdhGroup {
		ks.pub = ecPub
		return ks, nil
	}
	var ek []byte
	if g == tls.SecP384r1MLKEM1024 {
		dk, err := mlkem.GenerateKey1024()
		if err != nil {
			return nil, fmt.Errorf("zerortt: key share: %w", err)
		}
		ks.mlkem, ek, ks.mlkemCT = dk, dk.EncapsulationKey().Bytes(), mlkem.CiphertextSize1024
	} else {
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			return nil, fmt.Errorf("zerortt: key share: %w", err)
		}
		ks.mlkem, ek, ks.mlkemCT = dk, dk.EncapsulationKey().Bytes(), mlkem.CiphertextSize768
	}
	if ks.kemLast {
		ks.pub = append(ecPub, ek...)
	} else {
		ks.pub = append(ek, ecPub...)
	}
	return ks, nil
}

// sharedSecret combines the server's key_exchange with the private key.
func (ks *keyShare) sharedSecret(server []byte) ([]byte, error) {
	ecLen := len(ks.ecdh.PublicKey().Bytes())
	if len(server) != ecLen+ks.mlkemCT {
		return nil, handshakeErr("server key share for %v has %d bytes, want %d", ks.group, len(server), ecLen+ks.mlkemCT)
	}
	ecPart, ct := server, []byte(nil)
	if ks.mlkemCT > 0 {
		if ks.kemLast {
			ecPart, ct = server[:ecLen], server[ecLen:]
		} else {
			ct, ecPart = server[:ks.mlkemCT], server[ks.mlkemCT:]
		}
	}
	peer, err := ks.ecdh.Curve().NewPublicKey(ecPart)
	if err != nil {
		return nil, handshakeErr("invalid server key share: %v", err)
	}
	ecSecret, err := ks.ecdh.ECDH(peer)
	if err != nil {
		return nil, handshakeErr("key exchange: %v", err)
	}
	if ks.mlkem == nil {
		return ecSecret, nil
	}
	kemSecret, err := ks.mlkem.Decapsulate(ct)
	if err != nil {
		return nil, handshakeErr("ML-KEM decapsulation: %v", err)
	}
	if ks.kemLast {
		return append(ecSecret, kemSecret...), nil
	}
	return append(kemSecret, ecSecret...), nil
}
