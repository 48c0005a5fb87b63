package tls12

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The widely published TLS 1.2 PRF test vectors (posted to the IETF TLS
// list, used by many implementations' test suites); OpenSSL 3.0 gives the
// same bytes: openssl kdf -keylen N -kdfopt digest:SHA256 -kdfopt
// hexsecret:... -kdfopt seed:"test label" -kdfopt hexseed:... TLS1-PRF
func TestPRF12Vectors(t *testing.T) {
	for _, v := range []struct {
		name         string
		h            func() hash.Hash
		secret, seed string
		want         string
	}{
		{"sha256", sha256.New, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c", `
e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa0
22f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66`},
		{"sha384", sha512.New384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465", `
7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534
cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd
4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f`},
	} {
		want := unhex(t, v.want)
		got := prf12(v.h, unhex(t, v.secret), "test label", unhex(t, v.seed), len(want))
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", v.name, got, want)
		}
	}
}

// The key block splits as RFC 5246 Section 6.3 says (client key, server
// key, client IV, server IV; no MAC keys for AEAD suites), from the PRF
// over server_random + client_random.
func TestKeyBlockLayout(t *testing.T) {
	master := bytes.Repeat([]byte{1}, 48)
	cr, sr := bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	for _, s := range suites {
		kb := s.deriveKeys(master, cr, sr)
		all := prf12(s.hash, master, "key expansion", append(append([]byte{}, sr...), cr...), 2*s.keyLen+2*s.ivLen)
		joined := bytes.Join([][]byte{kb.clientKey, kb.serverKey, kb.clientIV, kb.serverIV}, nil)
		if !bytes.Equal(joined, all) || len(kb.clientIV) != s.ivLen || len(kb.serverKey) != s.keyLen {
			t.Errorf("suite %#04x: key block split wrong", s.id)
		}
	}
}
