package tls12

import (
	"crypto/hmac"
	"hash"
)

// Labels of the TLS 1.2 PRF (RFC 5246, Sections 6.3 and 7.4.9).
const (
	labelKeyExpansion   = "key expansion"
	labelClientFinished = "client finished"
	labelServerFinished = "server finished"
)

// finishedLen is the length of verify_data for every TLS 1.2 suite here.
const finishedLen = 12

// prf12 is the TLS 1.2 PRF: P_hash(secret, label + seed) truncated to n
// bytes (RFC 5246, Section 5).
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	labelSeed := make([]byte, 0, len(label)+len(seed))
	labelSeed = append(labelSeed, label...)
	labelSeed = append(labelSeed, seed...)
	mac := hmac.New(h, secret)
	out := make([]byte, 0, n+mac.Size())
	mac.Write(labelSeed)
	a := mac.Sum(nil) // A(1)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(labelSeed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out[:n]
}

// keyBlock holds the traffic keys of an AEAD suite (no MAC keys).
type keyBlock struct {
	clientKey, serverKey []byte
	clientIV, serverIV   []byte
}

// deriveKeys expands the master secret into the key block; the seed is
// server_random + client_random (RFC 5246, Section 6.3).
func (s *suite) deriveKeys(master, clientRandom, serverRandom []byte) keyBlock {
	seed := append(append([]byte{}, serverRandom...), clientRandom...)
	kb := prf12(s.hash, master, labelKeyExpansion, seed, 2*s.keyLen+2*s.ivLen)
	return keyBlock{
		clientKey: kb[:s.keyLen],
		serverKey: kb[s.keyLen : 2*s.keyLen],
		clientIV:  kb[2*s.keyLen : 2*s.keyLen+s.ivLen],
		serverIV:  kb[2*s.keyLen+s.ivLen:],
	}
}

// finished computes verify_data over the transcript hash.
func (s *suite) finished(master []byte, label string, transcriptHash []byte) []byte {
	return prf12(s.hash, master, label, transcriptHash, finishedLen)
}
