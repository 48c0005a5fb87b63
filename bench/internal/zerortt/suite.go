package zerortt

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

// suite describes one TLS 1.3 cipher suite: its AEAD and its hash.
type suite struct {
	id     uint16
	hash   func() hash.Hash
	size   int // hash output size
	keyLen int
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
	{tls.TLS_AES_128_GCM_SHA256, sha256.New, sha256.Size, 16, newGCM},
	{tls.TLS_AES_256_GCM_SHA384, sha512.New384, sha512.Size384, 32, newGCM},
	{tls.TLS_CHACHA20_POLY1305_SHA256, sha256.New, sha256.Size, chacha20poly1305.KeySize, chacha20poly1305.New},
}

// suiteByID returns the TLS 1.3 cipher suite with the given id.
func suiteByID(id uint16) (*suite, error) {
	for _, s := range suites {
		if s.id == id {
			return s, nil
		}
	}
	return nil, fmt.Errorf("zerortt: cipher suite %#04x is not a TLS 1.3 suite this engine supports", id)
}

// transcriptHash returns the hash of the concatenated messages.
func (s *suite) transcriptHash(msgs ...[]byte) []byte {
	h := s.hash()
	for _, m := range msgs {
		h.Write(m)
	}
	return h.Sum(nil)
}
