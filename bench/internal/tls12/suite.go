package tls12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"fmt"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// suite is one TLS 1.2 AEAD cipher suite as the record layer sees it.
type suite struct {
	id     uint16
	hash   func() hash.Hash // PRF and transcript hash
	keyLen int
	ivLen  int  // fixed (implicit) IV from the key block
	gcm    bool // RFC 5288: 8-byte explicit nonce per record; else RFC 7905 (XOR)
	aead   func(key []byte) (cipher.AEAD, error)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

var suites = []*suite{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, sha256.New, 16, 4, true, newGCM},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, sha256.New, 16, 4, true, newGCM},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, sha512.New384, 32, 4, true, newGCM},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, sha512.New384, 32, 4, true, newGCM},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, sha256.New, 32, 12, false, chacha20poly1305.New},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, sha256.New, 32, 12, false, chacha20poly1305.New},
	{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, sha256.New, 16, 4, true, newGCM},
	{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, sha512.New384, 32, 4, true, newGCM},
}

// suiteByID returns the suite with the given id, or ErrUnsupportedSuite.
func suiteByID(id uint16) (*suite, error) {
	for _, s := range suites {
		if s.id == id {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupportedSuite, tls.CipherSuiteName(id))
}

// Supported reports whether Resume can resume a session of suite id.
func Supported(id uint16) bool {
	_, err := suiteByID(id)
	return err == nil
}
