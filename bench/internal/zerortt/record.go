package zerortt

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// Record content types (RFC 8446, Section 5.1).
const (
	recordChangeCipherSpec = tlswire.RecordChangeCipherSpec
	recordAlert            = tlswire.RecordAlert
	recordHandshake        = tlswire.RecordHandshake
	recordApplicationData  = tlswire.RecordApplicationData
)

const maxPlaintext = tlswire.MaxPlaintext

// newRecordReader splits the server's byte stream into records.
func newRecordReader(r io.Reader) *tlswire.RecordReader { return tlswire.NewRecordReader(r, "zerortt") }

// halfConn is one direction of record protection: an AEAD, its static IV
// and the record sequence number.
type halfConn struct {
	suite  *suite
	secret []byte
	aead   cipher.AEAD
	iv     []byte
	seq    uint64
}

func newHalfConn(s *suite, secret []byte) (*halfConn, error) {
	key, iv := s.trafficKeys(secret)
	aead, err := s.aead(key)
	if err != nil {
		return nil, fmt.Errorf("zerortt: aead: %w", err)
	}
	return &halfConn{suite: s, secret: secret, aead: aead, iv: iv}, nil
}

// nonce is the per-record nonce: the IV XOR the 64-bit sequence number,
// left-padded (RFC 8446, Section 5.3).
func (hc *halfConn) nonce() []byte {
	n := make([]byte, len(hc.iv))
	copy(n, hc.iv)
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], hc.seq)
	for i := range 8 {
		n[len(n)-8+i] ^= seq[i]
	}
	return n
}

// seal appends one protected record carrying payload of inner type typ
// (at most maxPlaintext bytes) to out.
func (hc *halfConn) seal(out []byte, typ uint8, payload []byte) []byte {
	inner := make([]byte, 0, len(payload)+1)
	inner = append(inner, payload...)
	inner = append(inner, typ)
	n := len(inner) + hc.aead.Overhead()
	hdr := []byte{recordApplicationData, 3, 3, byte(n >> 8), byte(n)}
	out = append(out, hdr...)
	out = hc.aead.Seal(out, hc.nonce(), inner, hdr)
	hc.seq++
	return out
}

// open authenticates and decrypts one record, strips the padding and
// returns the inner content type and plaintext.
func (hc *halfConn) open(hdr, body []byte) (uint8, []byte, error) {
	if hdr[0] != recordApplicationData {
		return 0, nil, &RecordError{Engine: "zerortt", Reason: fmt.Sprintf("unprotected record of type %d after keys were set", hdr[0])}
	}
	if len(body) < hc.aead.Overhead()+1 {
		return 0, nil, &RecordError{Engine: "zerortt", Reason: "protected record too short"}
	}
	pt, err := hc.aead.Open(nil, hc.nonce(), body, hdr)
	if err != nil {
		return 0, nil, &RecordError{Engine: "zerortt", Reason: "bad_record_mac: record does not authenticate"}
	}
	hc.seq++
	i := len(pt) - 1
	for i >= 0 && pt[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, &RecordError{Engine: "zerortt", Reason: "protected record has no content type"}
	}
	if i > maxPlaintext {
		return 0, nil, &RecordError{Engine: "zerortt", Reason: "record_overflow: inner plaintext too long"}
	}
	return pt[i], pt[:i], nil
}
