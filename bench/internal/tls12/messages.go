package tls12

import (
	"crypto/tls"
	"fmt"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
	"golang.org/x/crypto/cryptobyte"
)

// Handshake message types (RFC 5246, Section 7.4).
const (
	typeClientHello       uint8 = 1
	typeServerHello       uint8 = 2
	typeNewSessionTicket  uint8 = 4
	typeCertificate       uint8 = 11
	typeServerKeyExchange uint8 = 12
	typeCertRequest       uint8 = 13
	typeServerHelloDone   uint8 = 14
	typeClientKeyExchange uint8 = 16
	typeFinished          uint8 = 20
)

// Extension code points.
const (
	extServerName          uint16 = 0
	extSupportedGroups     uint16 = 10
	extECPointFormats      uint16 = 11
	extSignatureAlgorithms uint16 = 13
	extALPN                uint16 = 16
	extExtendedMaster      uint16 = 23
	extSessionTicket       uint16 = 35
	extRenegotiationInfo   uint16 = 0xff01
)

const versionTLS12 uint16 = 0x0303

// signatureSchemes are the signature_algorithms offered, the ones
// verifySignature checks (ECDSA, RSA-PSS, Ed25519, RSA PKCS#1 v1.5).
var signatureSchemes = []uint16{0x0403, 0x0804, 0x0807, 0x0503, 0x0805, 0x0603, 0x0806, 0x0401, 0x0501, 0x0601}

// defaultGroups are advertised when the caller names none (a resumption:
// they matter only to a server that declines the session); every NIST
// curve is listed since OpenSSL servers with an ECDSA certificate need its
// curve there.
var defaultGroups = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}

// clientHello is everything in the engine's ClientHello.
type clientHello struct {
	random       []byte // 32 bytes
	sessionID    []byte
	cipherSuites []uint16
	groups       []tls.CurveID // supported_groups in order; nil: defaultGroups
	serverName   string
	alpn         []string
	ems          bool
}

// marshal encodes the ClientHello, header included.
func (m *clientHello) marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(typeClientHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(versionTLS12)
		b.AddBytes(m.random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.sessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, cs := range m.cipherSuites {
				b.AddUint16(cs)
			}
		})
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
					groups := m.groups
					if groups == nil {
						groups = defaultGroups
					}
					for _, g := range groups {
						b.AddUint16(uint16(g))
					}
				})
			})
			ext(extECPointFormats, func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) }) // uncompressed
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
			if m.ems {
				ext(extExtendedMaster, func(*cryptobyte.Builder) {})
			}
			ext(extRenegotiationInfo, func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(*cryptobyte.Builder) {}) // initial handshake
			})
		})
	})
	return b.Bytes()
}

// serverHello is a parsed TLS 1.2 ServerHello.
type serverHello struct {
	version     uint16
	random      []byte
	sessionID   []byte
	cipherSuite uint16
	ems         bool
	alpn        string
	ticket      bool // session_ticket extension: a NewSessionTicket follows
	renegInfo   bool
}

// splitMessage checks the 4-byte handshake header and returns the body.
func splitMessage(msg []byte, want uint8) (cryptobyte.String, error) {
	if len(msg) < 4 || msg[0] != want {
		return nil, handshakeErr("expected handshake message %d", want)
	}
	if n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]); n != len(msg)-4 {
		return nil, handshakeErr("handshake message %d: length mismatch", want)
	}
	return cryptobyte.String(msg[4:]), nil
}

// parseServerHello parses a ServerHello, header included.
func parseServerHello(msg []byte) (*serverHello, error) {
	s, err := splitMessage(msg, typeServerHello)
	if err != nil {
		return nil, err
	}
	m := &serverHello{}
	var compression uint8
	var random, sessionID []byte
	if !s.ReadUint16(&m.version) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sessionID)) ||
		!s.ReadUint16(&m.cipherSuite) || !s.ReadUint8(&compression) || len(sessionID) > 32 {
		return nil, handshakeErr("malformed ServerHello")
	}
	if compression != 0 {
		return nil, handshakeErr("server selected compression method %d", compression)
	}
	m.random, m.sessionID = random, sessionID
	if s.Empty() {
		return m, nil
	}
	ok := tlswire.ReadExtensions(&s, func(typ uint16, d cryptobyte.String) bool {
		switch typ {
		case extExtendedMaster:
			m.ems = true
			return d.Empty()
		case extSessionTicket:
			m.ticket = true
			return d.Empty()
		case extRenegotiationInfo:
			var ri cryptobyte.String
			m.renegInfo = true
			return d.ReadUint8LengthPrefixed(&ri) && ri.Empty() && d.Empty()
		case extALPN:
			var list, proto cryptobyte.String
			if !d.ReadUint16LengthPrefixed(&list) || !list.ReadUint8LengthPrefixed(&proto) ||
				!list.Empty() || !d.Empty() || proto.Empty() {
				return false
			}
			m.alpn = string(proto)
		}
		return true
	})
	if !ok || !s.Empty() {
		return nil, handshakeErr("malformed ServerHello extensions")
	}
	return m, nil
}

// parseFinished returns verify_data from a Finished message.
func parseFinished(msg []byte) ([]byte, error) {
	s, err := splitMessage(msg, typeFinished)
	if err != nil {
		return nil, err
	}
	if len(s) != finishedLen {
		return nil, handshakeErr("Finished has %d bytes of verify_data, want %d", len(s), finishedLen)
	}
	return s, nil
}

// handshakeHeader prefixes a handshake body with its type and length.
func handshakeHeader(typ uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// String describes the ServerHello for error messages and tests.
func (m *serverHello) String() string {
	return fmt.Sprintf("ServerHello{version %#04x, session_id %x, suite %s, ems %v, alpn %q}",
		m.version, m.sessionID, tls.CipherSuiteName(m.cipherSuite), m.ems, m.alpn)
}
