package tls12

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// Session is what a resumption by session ID needs: the ID the server
// assigned and the master secret, with the parameters the abbreviated
// handshake must repeat.
type Session struct {
	ID           []byte
	MasterSecret []byte // 48 bytes
	CipherSuite  uint16
	EMS          bool // the session used the extended master secret
	ServerName   string
	ALPN         string
	// Group is the key-exchange group of the full handshake that made the
	// session (the abbreviated handshake has none; crypto/tls reports the
	// same for a resumption).
	Group tls.CurveID
}

func (s *Session) validate() (*suite, error) {
	if s == nil || len(s.ID) == 0 || len(s.ID) > 32 {
		return nil, fmt.Errorf("tls12: session has no valid session ID")
	}
	if len(s.MasterSecret) != 48 {
		return nil, fmt.Errorf("tls12: master secret has %d bytes, want 48", len(s.MasterSecret))
	}
	return suiteByID(s.CipherSuite)
}

// Prime runs a full handshake with crypto/tls over conn, as cfg asks
// (cfg is cloned; its KeyLogWriter still receives every line), and
// returns the connection and the session it established. The session ID
// is read off the ServerHello, the master secret off the key log. The
// connection is returned whenever the handshake completed, also with an
// error (not TLS 1.2, ErrNoSessionID, a suite Resume cannot do), so the
// caller can still use and close it; it is nil when the handshake failed.
func Prime(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, *Session, error) {
	scan := &helloScanner{Conn: conn}
	tap := &masterTap{next: cfg.KeyLogWriter}
	c := cfg.Clone()
	c.KeyLogWriter = tap
	tc := tls.Client(scan, c)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, nil, err
	}
	cs := tc.ConnectionState()
	switch {
	case cs.Version != tls.VersionTLS12:
		return tc, nil, fmt.Errorf("tls12: priming handshake negotiated %s, session IDs need TLS 1.2", tls.VersionName(cs.Version))
	case cs.DidResume:
		return tc, nil, fmt.Errorf("tls12: priming handshake resumed a session instead of making one")
	case scan.err != nil:
		return tc, nil, scan.err
	case scan.sh == nil:
		return tc, nil, fmt.Errorf("tls12: ServerHello not seen")
	case len(scan.sh.sessionID) == 0:
		return tc, nil, ErrNoSessionID
	case tap.master == nil:
		return tc, nil, fmt.Errorf("tls12: no CLIENT_RANDOM key log line")
	}
	sess := &Session{
		ID:           bytes.Clone(scan.sh.sessionID),
		MasterSecret: tap.master,
		CipherSuite:  cs.CipherSuite,
		EMS:          scan.sh.ems,
		ServerName:   c.ServerName,
		ALPN:         cs.NegotiatedProtocol,
		Group:        cs.CurveID,
	}
	if _, err := suiteByID(cs.CipherSuite); err != nil {
		return tc, sess, err
	}
	return tc, sess, nil
}

// masterTap takes the master secret from the key log's CLIENT_RANDOM line
// and forwards every line.
type masterTap struct {
	next   io.Writer
	master []byte
}

func (m *masterTap) Write(p []byte) (int, error) {
	if f := bytes.Fields(p); len(f) == 3 && string(f[0]) == "CLIENT_RANDOM" {
		if ms, err := hex.DecodeString(string(f[2])); err == nil {
			m.master = ms
		}
	}
	if m.next != nil {
		return m.next.Write(p)
	}
	return len(p), nil
}

// maxHelloScan bounds the bytes helloScanner buffers before giving up.
const maxHelloScan = 1 << 16

// helloScanner passes reads through and parses the server's first
// handshake message (the ServerHello) from the plaintext records at the
// start of the stream. Reads need not align with records.
type helloScanner struct {
	net.Conn
	buf  []byte
	done bool
	sh   *serverHello
	err  error
}

func (h *helloScanner) Read(p []byte) (int, error) {
	n, err := h.Conn.Read(p)
	if n > 0 && !h.done {
		h.buf = append(h.buf, p[:n]...)
		h.scan()
	}
	return n, err
}

// scan tries to parse the ServerHello from the buffered bytes.
func (h *helloScanner) scan() {
	var hs []byte
	for rest := h.buf; len(rest) >= tlswire.RecordHeaderLen; {
		n := int(rest[3])<<8 | int(rest[4])
		if rest[0] != tlswire.RecordHandshake {
			h.fail(fmt.Errorf("tls12: record of type %d before the ServerHello", rest[0]))
			return
		}
		if len(rest) < tlswire.RecordHeaderLen+n {
			break
		}
		hs = append(hs, rest[tlswire.RecordHeaderLen:tlswire.RecordHeaderLen+n]...)
		rest = rest[tlswire.RecordHeaderLen+n:]
	}
	if len(hs) >= 4 {
		n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
		if len(hs) >= 4+n {
			sh, err := parseServerHello(hs[:4+n])
			h.sh, h.err, h.done, h.buf = sh, err, true, nil
			return
		}
	}
	if len(h.buf) > maxHelloScan {
		h.fail(fmt.Errorf("tls12: no ServerHello in the first %d bytes", maxHelloScan))
	}
}

func (h *helloScanner) fail(err error) { h.err, h.done, h.buf = err, true, nil }
