package zerortt

import (
	"bytes"
	"fmt"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
	"golang.org/x/crypto/cryptobyte"
)

// Extension code points used by this engine.
const (
	extServerName          uint16 = 0
	extSupportedGroups     uint16 = 10
	extSignatureAlgorithms uint16 = 13
	extALPN                uint16 = 16
	extPreSharedKey        uint16 = 41
	extEarlyData           uint16 = 42
	extSupportedVersions   uint16 = 43
	extCookie              uint16 = 44
	extPSKModes            uint16 = 45
	extKeyShare            uint16 = 51
)

const versionTLS13 uint16 = 0x0304

// helloRetryRequestRandom is the special ServerHello.random of an HRR
// (RFC 8446, Section 4.1.3).
var helloRetryRequestRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
	0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
	0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// serverHello is a parsed ServerHello or HelloRetryRequest.
type serverHello struct {
	random           []byte
	sessionID        []byte
	cipherSuite      uint16
	isHRR            bool
	supportedVersion uint16
	group            uint16 // key_share group (ServerHello) or selected_group (HRR)
	keyShare         []byte // ServerHello only
	hasPSK           bool
	selectedIdentity uint16
	cookie           []byte
}

// splitMessage checks the 4-byte handshake header and returns the body.
func splitMessage(msg []byte, want uint8) (cryptobyte.String, error) {
	if len(msg) < 4 || msg[0] != want {
		return nil, fmt.Errorf("zerortt: expected handshake message %d", want)
	}
	if n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]); n != len(msg)-4 {
		return nil, fmt.Errorf("zerortt: handshake message %d: length mismatch", want)
	}
	return cryptobyte.String(msg[4:]), nil
}

// readExtensions walks an extension block, rejecting duplicates.
func readExtensions(s *cryptobyte.String, fn func(typ uint16, data cryptobyte.String) bool) bool {
	return tlswire.ReadExtensions(s, fn)
}

// parseServerHello parses a ServerHello or HelloRetryRequest message,
// header included.
func parseServerHello(msg []byte) (*serverHello, error) {
	s, err := splitMessage(msg, typeServerHello)
	if err != nil {
		return nil, err
	}
	m := &serverHello{}
	var legacyVersion uint16
	var compression uint8
	var random, sessionID []byte
	if !s.ReadUint16(&legacyVersion) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sessionID)) ||
		!s.ReadUint16(&m.cipherSuite) || !s.ReadUint8(&compression) {
		return nil, fmt.Errorf("zerortt: malformed ServerHello")
	}
	m.random, m.sessionID = random, sessionID
	m.isHRR = bytes.Equal(random, helloRetryRequestRandom)
	if s.Empty() {
		return nil, fmt.Errorf("zerortt: ServerHello without extensions: %w", ErrVersion)
	}
	ok := readExtensions(&s, func(typ uint16, d cryptobyte.String) bool {
		switch typ {
		case extSupportedVersions:
			return d.ReadUint16(&m.supportedVersion) && d.Empty()
		case extKeyShare:
			if m.isHRR {
				return d.ReadUint16(&m.group) && d.Empty()
			}
			var ks cryptobyte.String
			if !d.ReadUint16(&m.group) || !d.ReadUint16LengthPrefixed(&ks) || !d.Empty() || ks.Empty() {
				return false
			}
			m.keyShare = ks
		case extPreSharedKey:
			m.hasPSK = true
			return d.ReadUint16(&m.selectedIdentity) && d.Empty()
		case extCookie:
			var c cryptobyte.String
			if !d.ReadUint16LengthPrefixed(&c) || !d.Empty() || c.Empty() {
				return false
			}
			m.cookie = c
		}
		return true
	})
	if !ok || !s.Empty() {
		return nil, fmt.Errorf("zerortt: malformed ServerHello extensions")
	}
	if legacyVersion != 0x0303 || compression != 0 {
		return nil, fmt.Errorf("zerortt: ServerHello has legacy version %#04x / compression %d: %w", legacyVersion, compression, ErrVersion)
	}
	return m, nil
}

// encryptedExtensions is the part of EncryptedExtensions the engine uses.
type encryptedExtensions struct {
	earlyData bool
	alpn      string
}

func parseEncryptedExtensions(msg []byte) (*encryptedExtensions, error) {
	s, err := splitMessage(msg, typeEncryptedExtensions)
	if err != nil {
		return nil, err
	}
	m := &encryptedExtensions{}
	ok := readExtensions(&s, func(typ uint16, d cryptobyte.String) bool {
		switch typ {
		case extEarlyData:
			m.earlyData = true
			return d.Empty()
		case extALPN:
			var list, proto cryptobyte.String
			if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() ||
				!list.ReadUint8LengthPrefixed(&proto) || !list.Empty() || proto.Empty() {
				return false
			}
			m.alpn = string(proto)
		}
		return true
	})
	if !ok || !s.Empty() {
		return nil, fmt.Errorf("zerortt: malformed EncryptedExtensions")
	}
	return m, nil
}

// newSessionTicket is a parsed NewSessionTicket (RFC 8446, Section 4.6.1).
type newSessionTicket struct {
	lifetime     uint32 // seconds
	ageAdd       uint32
	nonce        []byte
	ticket       []byte
	maxEarlyData uint32
	hasEarlyData bool
}

func parseNewSessionTicket(msg []byte) (*newSessionTicket, error) {
	s, err := splitMessage(msg, typeNewSessionTicket)
	if err != nil {
		return nil, err
	}
	m := &newSessionTicket{}
	var nonce, ticket cryptobyte.String
	if !s.ReadUint32(&m.lifetime) || !s.ReadUint32(&m.ageAdd) ||
		!s.ReadUint8LengthPrefixed(&nonce) || !s.ReadUint16LengthPrefixed(&ticket) || ticket.Empty() {
		return nil, fmt.Errorf("zerortt: malformed NewSessionTicket")
	}
	ok := readExtensions(&s, func(typ uint16, d cryptobyte.String) bool {
		if typ == extEarlyData {
			m.hasEarlyData = true
			return d.ReadUint32(&m.maxEarlyData) && d.Empty()
		}
		return true
	})
	if !ok || !s.Empty() {
		return nil, fmt.Errorf("zerortt: malformed NewSessionTicket extensions")
	}
	m.nonce = bytes.Clone(nonce)
	m.ticket = bytes.Clone(ticket)
	return m, nil
}

// certificateMsg holds the DER certificates of a TLS 1.3 Certificate.
type certificateMsg struct {
	certs [][]byte
}

func parseCertificate(msg []byte) (*certificateMsg, error) {
	s, err := splitMessage(msg, typeCertificate)
	if err != nil {
		return nil, err
	}
	var ctx, list cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&ctx) || !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		return nil, fmt.Errorf("zerortt: malformed Certificate")
	}
	m := &certificateMsg{}
	for !list.Empty() {
		var cert, exts cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&cert) || cert.Empty() || !list.ReadUint16LengthPrefixed(&exts) {
			return nil, fmt.Errorf("zerortt: malformed Certificate entry")
		}
		m.certs = append(m.certs, cert)
	}
	if len(m.certs) == 0 {
		return nil, fmt.Errorf("zerortt: empty server Certificate")
	}
	return m, nil
}

// certificateVerify is a parsed CertificateVerify.
type certificateVerify struct {
	scheme    uint16
	signature []byte
}

func parseCertificateVerify(msg []byte) (*certificateVerify, error) {
	s, err := splitMessage(msg, typeCertificateVerify)
	if err != nil {
		return nil, err
	}
	m := &certificateVerify{}
	var sig cryptobyte.String
	if !s.ReadUint16(&m.scheme) || !s.ReadUint16LengthPrefixed(&sig) || !s.Empty() || sig.Empty() {
		return nil, fmt.Errorf("zerortt: malformed CertificateVerify")
	}
	m.signature = sig
	return m, nil
}

// parseFinished returns verify_data.
func parseFinished(msg []byte, size int) ([]byte, error) {
	s, err := splitMessage(msg, typeFinished)
	if err != nil {
		return nil, err
	}
	if len(s) != size {
		return nil, fmt.Errorf("zerortt: Finished has %d bytes, want %d", len(s), size)
	}
	return s, nil
}

// parseKeyUpdate returns whether the peer requested an update in return.
func parseKeyUpdate(msg []byte) (bool, error) {
	s, err := splitMessage(msg, typeKeyUpdate)
	if err != nil {
		return false, err
	}
	var req uint8
	if !s.ReadUint8(&req) || !s.Empty() || req > 1 {
		return false, fmt.Errorf("zerortt: malformed KeyUpdate")
	}
	return req == 1, nil
}
