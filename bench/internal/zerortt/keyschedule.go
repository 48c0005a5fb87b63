package zerortt

import (
	"crypto/hkdf"
	"crypto/hmac"

	"golang.org/x/crypto/cryptobyte"
)

// TLS 1.3 key schedule labels (RFC 8446, Section 7.1).
const (
	labelDerived          = "derived"
	labelResBinder        = "res binder"
	labelClientEarly      = "c e traffic"
	labelClientHandshake  = "c hs traffic"
	labelServerHandshake  = "s hs traffic"
	labelClientAppTraffic = "c ap traffic"
	labelServerAppTraffic = "s ap traffic"
	labelResMaster        = "res master"
	labelResumption       = "resumption"
	labelFinished         = "finished"
	labelKey              = "key"
	labelIV               = "iv"
	labelTrafficUpdate    = "traffic upd"
)

// expandLabel is HKDF-Expand-Label from RFC 8446, Section 7.1.
func (s *suite) expandLabel(secret []byte, label string, context []byte, length int) []byte {
	var b cryptobyte.Builder
	b.AddUint16(uint16(length))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddBytes([]byte("tls13 "))
		b.AddBytes([]byte(label))
	})
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddBytes(context)
	})
	info := b.BytesOrPanic() // labels and contexts are ours and short
	out, err := hkdf.Expand(s.hash, secret, string(info), length)
	if err != nil {
		// Only reachable with a length above 255*hash size, which no caller uses.
		panic("zerortt: internal error: " + err.Error())
	}
	return out
}

// deriveSecret is Derive-Secret from RFC 8446, Section 7.1, taking the
// transcript hash rather than the messages.
func (s *suite) deriveSecret(secret []byte, label string, transcriptHash []byte) []byte {
	return s.expandLabel(secret, label, transcriptHash, s.size)
}

// extract is HKDF-Extract with a nil salt or IKM replaced by zeros.
func (s *suite) extract(ikm, salt []byte) []byte {
	if ikm == nil {
		ikm = make([]byte, s.size)
	}
	if salt == nil {
		salt = make([]byte, s.size)
	}
	out, err := hkdf.Extract(s.hash, ikm, salt)
	if err != nil {
		panic("zerortt: internal error: " + err.Error())
	}
	return out
}

// earlySecret derives the early secret from a PSK (nil: no PSK).
func (s *suite) earlySecret(psk []byte) []byte { return s.extract(psk, nil) }

// binderKey derives the resumption binder key from the early secret.
func (s *suite) binderKey(early []byte) []byte {
	return s.deriveSecret(early, labelResBinder, s.transcriptHash())
}

// handshakeSecret mixes the (EC)DHE/KEM shared secret into the schedule.
func (s *suite) handshakeSecret(early, shared []byte) []byte {
	return s.extract(shared, s.deriveSecret(early, labelDerived, s.transcriptHash()))
}

// masterSecret derives the master secret from the handshake secret.
func (s *suite) masterSecret(handshake []byte) []byte {
	return s.extract(nil, s.deriveSecret(handshake, labelDerived, s.transcriptHash()))
}

// pskFromResumption derives a ticket's PSK (RFC 8446, Section 4.6.1).
func (s *suite) pskFromResumption(resumptionMaster, nonce []byte) []byte {
	return s.expandLabel(resumptionMaster, labelResumption, nonce, s.size)
}

// finishedMAC computes verify_data (or a PSK binder) from a base key and
// a transcript hash (RFC 8446, Section 4.4.4).
func (s *suite) finishedMAC(baseKey, transcriptHash []byte) []byte {
	key := s.expandLabel(baseKey, labelFinished, nil, s.size)
	mac := hmac.New(s.hash, key)
	mac.Write(transcriptHash)
	return mac.Sum(nil)
}

// trafficKeys derives the AEAD key and IV of a traffic secret.
func (s *suite) trafficKeys(secret []byte) (key, iv []byte) {
	return s.expandLabel(secret, labelKey, nil, s.keyLen), s.expandLabel(secret, labelIV, nil, 12)
}

// nextTrafficSecret is the KeyUpdate ratchet (RFC 8446, Section 7.2).
func (s *suite) nextTrafficSecret(secret []byte) []byte {
	return s.expandLabel(secret, labelTrafficUpdate, nil, s.size)
}
