package tls12

import (
	"bytes"
	"crypto/tls"
	"errors"
	"testing"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// A record sealed by one halfConn opens in a peer halfConn with the same
// keys, in sequence; a replayed or tampered record does not.
func TestRecordRoundTrip(t *testing.T) {
	for _, s := range suites {
		key, iv := bytes.Repeat([]byte{7}, s.keyLen), bytes.Repeat([]byte{9}, s.ivLen)
		out, _ := newHalfConn(s, key, iv)
		in, _ := newHalfConn(s, key, iv)
		var recs [][]byte
		for _, p := range [][]byte{[]byte("hello"), bytes.Repeat([]byte{1}, tlswire.MaxPlaintext), {}} {
			recs = append(recs, out.seal(nil, tlswire.RecordApplicationData, p))
		}
		for i, r := range recs {
			pt, err := in.open(r[:5], r[5:])
			if err != nil {
				t.Fatalf("suite %#04x record %d: %v", s.id, i, err)
			}
			if i == 0 && string(pt) != "hello" {
				t.Fatalf("suite %#04x: got %q", s.id, pt)
			}
		}
		if s.gcm && !bytes.Equal(recs[1][5:13], []byte{0, 0, 0, 0, 0, 0, 0, 1}) {
			t.Errorf("suite %#04x: explicit nonce %x, want the sequence number", s.id, recs[1][5:13])
		}
		var re *tlswire.RecordError
		if _, err := in.open(recs[0][:5], recs[0][5:]); !errors.As(err, &re) {
			t.Errorf("suite %#04x: replayed record accepted (%v)", s.id, err)
		}
	}
}

// A ChaCha20 record's nonce is the IV XOR the sequence number (RFC 7905);
// a GCM record's is the 4-byte salt then the explicit part (RFC 5288).
func TestNonceConstruction(t *testing.T) {
	cc, _ := suiteByID(tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
	hc, _ := newHalfConn(cc, make([]byte, 32), bytes.Repeat([]byte{0xff}, 12))
	hc.seq = 0x0102
	if got, want := hc.nonce(nil), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfd}; !bytes.Equal(got, want) {
		t.Errorf("chacha nonce %x, want %x", got, want)
	}
	gcm, _ := suiteByID(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
	hg, _ := newHalfConn(gcm, make([]byte, 16), []byte{1, 2, 3, 4})
	hg.seq = 5
	if got, want := hg.nonce(nil), []byte{1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 5}; !bytes.Equal(got, want) {
		t.Errorf("gcm nonce %x, want %x", got, want)
	}
}
