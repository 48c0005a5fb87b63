package tls12

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

const explicitNonceLen = 8 // AES-GCM (RFC 5288, Section 3)

// halfConn is one direction of TLS 1.2 AEAD record protection.
type halfConn struct {
	suite *suite
	aead  cipher.AEAD
	iv    []byte // fixed IV: 4-byte salt (GCM) or 12-byte IV (ChaCha20)
	seq   uint64
}

func newHalfConn(s *suite, key, iv []byte) (*halfConn, error) {
	aead, err := s.aead(key)
	if err != nil {
		return nil, fmt.Errorf("tls12: aead: %w", err)
	}
	return &halfConn{suite: s, aead: aead, iv: iv}, nil
}

// nonce returns the per-record nonce and, for GCM, the explicit part sent
// in the record (the sequence number, as OpenSSL, GnuTLS and Go do).
func (hc *halfConn) nonce(explicit []byte) []byte {
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], hc.seq)
	if hc.suite.gcm {
		if explicit == nil {
			explicit = seq[:]
		}
		return append(append(make([]byte, 0, 12), hc.iv...), explicit...)
	}
	n := append(make([]byte, 0, 12), hc.iv...)
	for i := range 8 {
		n[len(n)-8+i] ^= seq[i]
	}
	return n
}

// additionalData is seq_num + type + version + length (RFC 5246, Section
// 6.2.3.3) for a plaintext of n bytes.
func (hc *halfConn) additionalData(typ uint8, n int) []byte {
	ad := make([]byte, 13)
	binary.BigEndian.PutUint64(ad, hc.seq)
	ad[8], ad[9], ad[10] = typ, 3, 3
	binary.BigEndian.PutUint16(ad[11:], uint16(n))
	return ad
}

// seal appends one protected record of type typ carrying payload (at most
// MaxPlaintext bytes) to out.
func (hc *halfConn) seal(out []byte, typ uint8, payload []byte) []byte {
	nonce := hc.nonce(nil)
	var explicit []byte
	if hc.suite.gcm {
		explicit = nonce[len(nonce)-explicitNonceLen:]
	}
	n := len(explicit) + len(payload) + hc.aead.Overhead()
	out = append(out, typ, 3, 3, byte(n>>8), byte(n))
	out = append(out, explicit...)
	out = hc.aead.Seal(out, nonce, payload, hc.additionalData(typ, len(payload)))
	hc.seq++
	return out
}

// open authenticates and decrypts one record body.
func (hc *halfConn) open(hdr, body []byte) ([]byte, error) {
	var explicit []byte
	if hc.suite.gcm {
		if len(body) < explicitNonceLen {
			return nil, recordErr("protected record too short")
		}
		explicit, body = body[:explicitNonceLen], body[explicitNonceLen:]
	}
	if len(body) < hc.aead.Overhead() {
		return nil, recordErr("protected record too short")
	}
	n := len(body) - hc.aead.Overhead()
	if n > tlswire.MaxPlaintext {
		return nil, recordErr("record_overflow: plaintext too long")
	}
	pt, err := hc.aead.Open(nil, hc.nonce(explicit), body, hc.additionalData(hdr[0], n))
	if err != nil {
		return nil, recordErr("bad_record_mac: record does not authenticate")
	}
	hc.seq++
	return pt, nil
}

func recordErr(reason string) error {
	return &tlswire.RecordError{Engine: "tls12", Reason: reason}
}
