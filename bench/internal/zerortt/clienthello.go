package zerortt

import (
	"crypto/tls"

	"golang.org/x/crypto/cryptobyte"
)

// signatureSchemes is the signature_algorithms list offered. It matters
// only when the server falls back to a full handshake (PSK rejected).
var signatureSchemes = []uint16{
	0x0403, 0x0804, 0x0807, 0x0503, 0x0805, 0x0603, 0x0806, // ecdsa, rsa_pss_rsae, ed25519
	0x0809, 0x080a, 0x080b, // rsa_pss_pss
	0x0401, 0x0501, 0x0601, // rsa_pkcs1 (certificate signatures only)
}

// clientHello holds everything that goes into the engine's ClientHello.
type clientHello struct {
	random      []byte // 32 bytes
	sessionID   []byte // 32 bytes: middlebox compatibility mode
	cipherSuite uint16
	serverName  string
	groups      []tls.CurveID // supported_groups, key share group first
	keyShare    *keyShare
	alpn        []string
	earlyData   bool
	cookie      []byte
	identity    []byte
	obfAge      uint32
	binderLen   int // hash size of the ticket's suite
}

// marshal encodes the ClientHello with an all-zero binder, which
// setBinder later overwrites. pre_shared_key is the last extension.
func (m *clientHello) marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(typeClientHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(0x0303)
		b.AddBytes(m.random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.sessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(m.cipherSuite) })
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			ext := func(typ uint16, body func(*cryptobyte.Builder)) {
				b.AddUint16(typ)
				b.AddUint16LengthPrefixed(body)
			}
			if m.serverName != "" {
				ext(extServerName, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						b.AddUint8(0) // host_name
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.serverName)) })
					})
				})
			}
			ext(extSupportedGroups, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, g := range m.groups {
						b.AddUint16(uint16(g))
					}
				})
			})
			ext(extSignatureAlgorithms, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, s := range signatureSchemes {
						b.AddUint16(s)
					}
				})
			})
			if len(m.alpn) > 0 {
				ext(extALPN, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, p := range m.alpn {
							b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
						}
					})
				})
			}
			ext(extSupportedVersions, func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(versionTLS13) })
			})
			ext(extKeyShare, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint16(uint16(m.keyShare.group))
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.keyShare.pub) })
				})
			})
			if len(m.cookie) > 0 {
				ext(extCookie, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.cookie) })
				})
			}
			ext(extPSKModes, func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) }) // psk_dhe_ke
			})
			if m.earlyData {
				ext(extEarlyData, func(*cryptobyte.Builder) {})
			}
			ext(extPreSharedKey, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.identity) })
					b.AddUint32(m.obfAge)
				})
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, m.binderLen)) })
				})
			})
		})
	})
	return b.Bytes()
}

// bindersLen is the size of the binders list at the end of a ClientHello
// carrying one binder of binderLen bytes.
func bindersLen(binderLen int) int { return 2 + 1 + binderLen }

// setBinder computes the PSK binder over the transcript prefix (empty,
// or the message_hash and HelloRetryRequest after an HRR) and the
// ClientHello truncated before its binders (RFC 8446, Section 4.2.11.2),
// and writes it into the last binderLen bytes of ch.
func setBinder(s *suite, binderKey, prefix, ch []byte) {
	truncated := ch[:len(ch)-bindersLen(s.size)]
	binder := s.finishedMAC(binderKey, s.transcriptHash(prefix, truncated))
	copy(ch[len(ch)-s.size:], binder)
}

// messageHash replaces ClientHello1 in the transcript after an HRR
// (RFC 8446, Section 4.4.1).
func messageHash(s *suite, ch1 []byte) []byte {
	h := s.transcriptHash(ch1)
	return append([]byte{typeMessageHash, 0, 0, byte(len(h))}, h...)
}
