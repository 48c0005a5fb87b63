package tls12

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"hash"
	"net"
	"slices"
	"time"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
	"golang.org/x/crypto/cryptobyte"
)

// Labels of the master secret (RFC 5246 Section 8.1, RFC 7627 Section 4).
const (
	labelMaster         = "master secret"
	labelExtendedMaster = "extended master secret"
	masterSecretLen     = 48
)

// FullConfig configures Full.
type FullConfig struct {
	// ServerName is sent as SNI and verified against the certificate.
	ServerName string
	// RootCAs verifies the chain; nil means the system roots.
	RootCAs            *x509.CertPool
	InsecureSkipVerify bool
	// Groups is supported_groups, in this order (the first is the
	// preferred one). OpenSSL servers pick the first group they support
	// unless configured to prefer their own order, and with an ECDSA
	// certificate need its curve listed. Empty: X25519, P-256, P-384, P-521.
	Groups []tls.CurveID
	// CipherSuites offered, in order; empty: every suite Supported
	// reports with ECDHE key exchange.
	CipherSuites []uint16
	ALPN         []string
}

// Full performs a full TLS 1.2 ECDHE handshake over conn and returns the
// connection, what was negotiated and the session (for Resume when the
// server assigned a session ID). RSA key exchange, client certificates and
// renegotiation are not implemented (a CertificateRequest is answered with
// no certificate). ctx's deadline applies as in Resume.
func Full(ctx context.Context, conn net.Conn, cfg *FullConfig, hooks *Hooks) (*Conn, *Result, error) {
	if hooks == nil {
		hooks = &Hooks{}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if d, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(d); err != nil {
			return nil, nil, fmt.Errorf("tls12: set deadline: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fh := &fullHandshake{cfg: cfg, hooks: hooks, c: newConn(conn, conn), res: &Result{}}
	err := fh.run()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("tls12: %w (%w)", ctx.Err(), err)
	}
	if err != nil {
		return nil, fh.res, err
	}
	return fh.c, fh.res, nil
}

// ecdheSuites are the suites Full offers by default.
var ecdheSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// fullHandshake is the state of one Full.
type fullHandshake struct {
	cfg        *FullConfig
	hooks      *Hooks
	c          *Conn
	res        *Result
	ch         *clientHello
	suite      *suite
	transcript []byte // handshake messages so far (the hash is chosen by the suite)
	// certRequested: the server sent CertificateRequest; the client
	// answers with an empty Certificate.
	certRequested bool
}

func (fh *fullHandshake) read(want uint8, name string) ([]byte, error) {
	msg, err := fh.c.readHandshake()
	if err != nil {
		return nil, fmt.Errorf("tls12: reading %s: %w", name, err)
	}
	if msg[0] != want {
		return nil, handshakeErr("expected %s, got handshake message %d", name, msg[0])
	}
	fh.transcript = append(fh.transcript, msg...)
	return msg, nil
}

func (fh *fullHandshake) run() error {
	cfg := fh.cfg
	fh.ch = &clientHello{
		random:       make([]byte, 32),
		cipherSuites: cfg.CipherSuites,
		groups:       cfg.Groups,
		serverName:   cfg.ServerName,
		alpn:         cfg.ALPN,
		ems:          true,
	}
	if len(fh.ch.cipherSuites) == 0 {
		fh.ch.cipherSuites = ecdheSuites
	}
	_, _ = rand.Read(fh.ch.random)
	chBytes, err := fh.ch.marshal()
	if err != nil {
		return fmt.Errorf("tls12: marshal ClientHello: %w", err)
	}
	fh.transcript = append(fh.transcript, chBytes...)
	rec := append([]byte{tlswire.RecordHandshake, 3, 1, byte(len(chBytes) >> 8), byte(len(chBytes))}, chBytes...)
	if _, err := fh.c.raw.Write(rec); err != nil {
		return fmt.Errorf("tls12: write: %w", err)
	}
	shMsg, err := fh.read(typeServerHello, "ServerHello")
	if err != nil {
		return err
	}
	sh, err := parseServerHello(shMsg)
	if err != nil {
		return err
	}
	if err := fh.checkServerHello(sh); err != nil {
		return err
	}
	leaf, err := fh.readCertificate()
	if err != nil {
		return err
	}
	call(fh.hooks.CertVerified)
	ske, err := fh.readKeyExchange(leaf, sh)
	if err != nil {
		return err
	}
	return fh.finish(sh, ske)
}

func (fh *fullHandshake) checkServerHello(sh *serverHello) error {
	if sh.version != versionTLS12 {
		return failed(ErrVersion, "server selected version %#04x, offered only TLS 1.2", sh.version)
	}
	if !slices.Contains(fh.ch.cipherSuites, sh.cipherSuite) {
		return failed(ErrSuite, "%#04x", sh.cipherSuite)
	}
	s, err := suiteByID(sh.cipherSuite)
	if err != nil {
		return err
	}
	if sh.alpn != "" && !slices.Contains(fh.ch.alpn, sh.alpn) {
		return handshakeErr("server selected ALPN %q, not offered", sh.alpn)
	}
	fh.suite = s
	fh.res.CipherSuite, fh.res.ALPN, fh.res.EMS = sh.cipherSuite, sh.alpn, sh.ems
	fh.res.ServerSessionID = sh.sessionID
	return nil
}

// readCertificate reads and verifies the server's chain.
func (fh *fullHandshake) readCertificate() (*x509.Certificate, error) {
	msg, err := fh.read(typeCertificate, "Certificate")
	if err != nil {
		return nil, err
	}
	ders, err := parseCertificate(msg)
	if err != nil {
		return nil, err
	}
	return verifyChain(fh.cfg.RootCAs, fh.cfg.ServerName, fh.cfg.InsecureSkipVerify, ders, time.Now())
}

// readKeyExchange reads ServerKeyExchange, checks its signature and
// group, and reads ServerHelloDone.
func (fh *fullHandshake) readKeyExchange(leaf *x509.Certificate, sh *serverHello) (*serverKeyExchange, error) {
	msg, err := fh.read(typeServerKeyExchange, "ServerKeyExchange")
	if err != nil {
		return nil, err
	}
	ske, err := parseServerKeyExchange(msg)
	if err != nil {
		return nil, err
	}
	groups := fh.ch.groups
	if groups == nil {
		groups = defaultGroups
	}
	if !slices.Contains(groups, tls.CurveID(ske.group)) {
		return nil, failed(ErrGroup, "%d", ske.group)
	}
	if !slices.Contains(signatureSchemes, ske.sigAlg) {
		return nil, handshakeErr("server signed with %#04x, not offered", ske.sigAlg)
	}
	signed := slices.Concat(fh.ch.random, sh.random, ske.params)
	if err := verifySignature(leaf.PublicKey, ske.sigAlg, signed, ske.sig); err != nil {
		return nil, err
	}
	fh.res.Group = tls.CurveID(ske.group)
	next, err := fh.c.readHandshake()
	if err != nil {
		return nil, fmt.Errorf("tls12: reading ServerHelloDone: %w", err)
	}
	if next[0] == typeCertRequest {
		// An optional client certificate (gnutls-serv asks by default): the
		// answer is an empty Certificate; a server that requires one
		// aborts with an alert.
		fh.certRequested = true
		fh.transcript = append(fh.transcript, next...)
		if next, err = fh.c.readHandshake(); err != nil {
			return nil, fmt.Errorf("tls12: reading ServerHelloDone: %w", err)
		}
	}
	if next[0] != typeServerHelloDone {
		return nil, handshakeErr("expected ServerHelloDone, got handshake message %d", next[0])
	}
	fh.transcript = append(fh.transcript, next...)
	return ske, nil
}

// finish does the key exchange, sends ClientKeyExchange, ChangeCipherSpec
// and Finished in one write, and checks the server's Finished.
func (fh *fullHandshake) finish(sh *serverHello, ske *serverKeyExchange) error {
	s := fh.suite
	curve := ecdhCurve(tls.CurveID(ske.group))
	if curve == nil {
		return handshakeErr("group %d is not supported", ske.group)
	}
	peer, err := curve.NewPublicKey(ske.pub)
	if err != nil {
		return handshakeErr("invalid server key share: %v", err)
	}
	priv, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("tls12: key share: %w", err)
	}
	pms, err := priv.ECDH(peer)
	if err != nil {
		return handshakeErr("key exchange: %v", err)
	}
	pub := priv.PublicKey().Bytes()
	var flight []byte // plaintext handshake messages of the client's flight
	if fh.certRequested {
		flight = handshakeHeader(typeCertificate, []byte{0, 0, 0})
	}
	flight = append(flight, handshakeHeader(typeClientKeyExchange, append([]byte{byte(len(pub))}, pub...))...)
	fh.transcript = append(fh.transcript, flight...)
	var master []byte
	if sh.ems {
		master = prf12(s.hash, pms, labelExtendedMaster, fh.hash(), masterSecretLen)
	} else {
		master = prf12(s.hash, pms, labelMaster, slices.Concat(fh.ch.random, sh.random), masterSecretLen)
	}
	if fh.hooks.KeyLog != nil {
		fh.hooks.KeyLog("CLIENT_RANDOM", fh.ch.random, master)
	}
	call(fh.hooks.KeysDerived)
	kb := s.deriveKeys(master, fh.ch.random, sh.random)
	in, err := newHalfConn(s, kb.serverKey, kb.serverIV)
	if err != nil {
		return err
	}
	out, err := newHalfConn(s, kb.clientKey, kb.clientIV)
	if err != nil {
		return err
	}
	fin := handshakeHeader(typeFinished, s.finished(master, labelClientFinished, fh.hash()))
	fh.transcript = append(fh.transcript, fin...)
	wire := append([]byte{tlswire.RecordHandshake, 3, 3, byte(len(flight) >> 8), byte(len(flight))}, flight...)
	wire = append(wire, tlswire.RecordChangeCipherSpec, 3, 3, 0, 1, 1)
	wire = out.seal(wire, tlswire.RecordHandshake, fin)
	if _, err := fh.c.raw.Write(wire); err != nil {
		return fmt.Errorf("tls12: write: %w", err)
	}
	th := s.hash()
	th.Write(fh.transcript)
	if err := readServerFinished(fh.c, th, s, master, sh, in); err != nil {
		return err
	}
	call(fh.hooks.ServerFinished)
	fh.c.out = out
	if len(sh.sessionID) > 0 {
		fh.res.Session = &Session{ID: bytes.Clone(sh.sessionID), MasterSecret: master, CipherSuite: sh.cipherSuite,
			EMS: sh.ems, ServerName: fh.cfg.ServerName, ALPN: sh.alpn, Group: fh.res.Group}
	}
	return nil
}

// hash is the transcript hash so far under the negotiated suite's hash.
func (fh *fullHandshake) hash() []byte {
	var h hash.Hash = fh.suite.hash()
	h.Write(fh.transcript)
	return h.Sum(nil)
}

func ecdhCurve(g tls.CurveID) ecdh.Curve {
	switch g {
	case tls.X25519:
		return ecdh.X25519()
	case tls.CurveP256:
		return ecdh.P256()
	case tls.CurveP384:
		return ecdh.P384()
	case tls.CurveP521:
		return ecdh.P521()
	}
	return nil
}

// serverKeyExchange is a parsed ECDHE ServerKeyExchange.
type serverKeyExchange struct {
	group  uint16
	pub    []byte
	params []byte // the signed ServerECDHParams as sent
	sigAlg uint16
	sig    []byte
}

// parseServerKeyExchange parses ECDHE params with a named curve and the
// signature over them (RFC 8422 Section 5.4).
func parseServerKeyExchange(msg []byte) (*serverKeyExchange, error) {
	s, err := splitMessage(msg, typeServerKeyExchange)
	if err != nil {
		return nil, err
	}
	whole := []byte(s)
	m := &serverKeyExchange{}
	var curveType uint8
	var pub, sig cryptobyte.String
	if !s.ReadUint8(&curveType) || curveType != 3 || !s.ReadUint16(&m.group) ||
		!s.ReadUint8LengthPrefixed(&pub) || pub.Empty() {
		return nil, handshakeErr("malformed ServerKeyExchange (named-curve ECDHE expected)")
	}
	m.params = whole[:len(whole)-len(s)]
	if !s.ReadUint16(&m.sigAlg) || !s.ReadUint16LengthPrefixed(&sig) || !s.Empty() || sig.Empty() {
		return nil, handshakeErr("malformed ServerKeyExchange signature")
	}
	m.pub, m.sig = pub, sig
	return m, nil
}

// parseCertificate returns the DER certificates of a TLS 1.2 Certificate.
func parseCertificate(msg []byte) ([][]byte, error) {
	s, err := splitMessage(msg, typeCertificate)
	if err != nil {
		return nil, err
	}
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		return nil, handshakeErr("malformed Certificate")
	}
	var certs [][]byte
	for !list.Empty() {
		var c cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&c) || c.Empty() {
			return nil, handshakeErr("malformed Certificate entry")
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, handshakeErr("server sent no certificate")
	}
	return certs, nil
}
