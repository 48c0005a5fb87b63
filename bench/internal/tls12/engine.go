package tls12

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"hash"
	"net"
	"slices"
	"time"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// Config configures Resume.
type Config struct {
	// ServerName is sent as SNI; empty: the session's.
	ServerName string
	// ALPN protocols offered; nil: the session's protocol, if any.
	ALPN []string
}

// Hooks are optional callbacks that Resume calls synchronously, on its
// own goroutine, at fixed points of the handshake. Nil fields are skipped.
type Hooks struct {
	// CertVerified (Full only): the server's chain has been verified.
	CertVerified func()
	// KeysDerived: the master secret is known (Full: derived after the
	// key exchange; Resume: the ServerHello echoed the session ID).
	KeysDerived func()
	// ServerFinished: the server's Finished has been verified.
	ServerFinished func()
	// KeyLog receives the session's master secret under the new client
	// random, as the NSS key log line "CLIENT_RANDOM <random> <secret>"
	// (label CLIENT_RANDOM), so a capture of the resumed connection can be
	// decrypted.
	KeyLog func(label string, clientRandom, secret []byte)
}

func call(f func()) {
	if f != nil {
		f()
	}
}

// Result describes one Resume.
type Result struct {
	// Resumed is true when the server echoed the session ID. When false,
	// ServerSessionID is what it sent instead (empty: no caching).
	Resumed         bool
	ServerSessionID []byte
	CipherSuite     uint16
	ALPN            string
	EMS             bool // extended master secret in use
	// Group (Full) is the ECDHE group the server chose; Session (Full) is
	// the session made, nil when the server assigned no session ID.
	Group   tls.CurveID
	Session *Session
}

// Resume performs an abbreviated TLS 1.2 handshake over conn that resumes
// sess by its session ID. conn must be fresh; on error it is not closed.
// ctx's deadline and cancellation apply to the handshake's reads and
// writes. On success the returned Conn carries application data (its
// deadline stays ctx's). A server that declines the session yields
// ErrNotResumed with a Result saying what it sent.
func Resume(ctx context.Context, conn net.Conn, cfg *Config, sess *Session, hooks *Hooks) (*Conn, *Result, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if hooks == nil {
		hooks = &Hooks{}
	}
	s, err := sess.validate()
	if err != nil {
		return nil, nil, err
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

	hs := &clientHandshake{cfg: cfg, sess: sess, hooks: hooks, suite: s, c: newConn(conn, conn)}
	res, err := hs.run()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("tls12: %w (%w)", ctx.Err(), err)
	}
	if err != nil {
		return nil, res, err
	}
	return hs.c, res, nil
}

// clientHandshake is the state of one Resume.
type clientHandshake struct {
	cfg        *Config
	sess       *Session
	hooks      *Hooks
	suite      *suite
	c          *Conn
	transcript hash.Hash
}

func (hs *clientHandshake) run() (*Result, error) {
	s, sess := hs.suite, hs.sess
	ch := &clientHello{
		random:       make([]byte, 32),
		sessionID:    sess.ID,
		cipherSuites: []uint16{sess.CipherSuite},
		serverName:   cmp(hs.cfg.ServerName, sess.ServerName),
		alpn:         hs.cfg.ALPN,
		ems:          sess.EMS,
	}
	if ch.alpn == nil && sess.ALPN != "" {
		ch.alpn = []string{sess.ALPN}
	}
	_, _ = rand.Read(ch.random)
	chBytes, err := ch.marshal()
	if err != nil {
		return nil, fmt.Errorf("tls12: marshal ClientHello: %w", err)
	}
	hs.transcript = s.hash()
	hs.transcript.Write(chBytes)
	rec := append([]byte{tlswire.RecordHandshake, 3, 1, byte(len(chBytes) >> 8), byte(len(chBytes))}, chBytes...)
	if _, err := hs.c.raw.Write(rec); err != nil {
		return nil, fmt.Errorf("tls12: write: %w", err)
	}

	msg, err := hs.c.readHandshake()
	if err != nil {
		return nil, fmt.Errorf("tls12: reading ServerHello: %w", err)
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		return nil, err
	}
	res := &Result{ServerSessionID: sh.sessionID, CipherSuite: sh.cipherSuite, ALPN: sh.alpn, EMS: sh.ems}
	if err := hs.checkServerHello(ch, sh); err != nil {
		return res, err
	}
	res.Resumed = true
	hs.transcript.Write(msg)

	kb := s.deriveKeys(sess.MasterSecret, ch.random, sh.random)
	if hs.hooks.KeyLog != nil {
		hs.hooks.KeyLog("CLIENT_RANDOM", ch.random, sess.MasterSecret)
	}
	in, err := newHalfConn(s, kb.serverKey, kb.serverIV)
	if err != nil {
		return res, err
	}
	out, err := newHalfConn(s, kb.clientKey, kb.clientIV)
	if err != nil {
		return res, err
	}
	call(hs.hooks.KeysDerived)

	if err := readServerFinished(hs.c, hs.transcript, s, sess.MasterSecret, sh, in); err != nil {
		return res, err
	}
	call(hs.hooks.ServerFinished)

	verify := s.finished(sess.MasterSecret, labelClientFinished, hs.transcript.Sum(nil))
	wire := []byte{tlswire.RecordChangeCipherSpec, 3, 3, 0, 1, 1}
	wire = out.seal(wire, tlswire.RecordHandshake, handshakeHeader(typeFinished, verify))
	if _, err := hs.c.raw.Write(wire); err != nil {
		return res, fmt.Errorf("tls12: write: %w", err)
	}
	hs.c.out = out
	return res, nil
}

// checkServerHello decides whether the server resumed and whether what it
// resumed is the session offered.
func (hs *clientHandshake) checkServerHello(ch *clientHello, sh *serverHello) error {
	if sh.version != versionTLS12 {
		return failed(ErrVersion, "server selected version %#04x, offered only TLS 1.2", sh.version)
	}
	if !bytes.Equal(sh.sessionID, ch.sessionID) {
		return ErrNotResumed
	}
	if sh.cipherSuite != ch.cipherSuites[0] {
		return failed(ErrSuite, "server resumed with suite %#04x, session has %#04x", sh.cipherSuite, ch.cipherSuites[0])
	}
	if sh.ems != ch.ems {
		return handshakeErr("extended_master_secret: session %v, server %v", ch.ems, sh.ems)
	}
	if sh.alpn != "" && !slices.Contains(ch.alpn, sh.alpn) {
		return handshakeErr("server selected ALPN %q, not offered", sh.alpn)
	}
	return nil
}

// readServerFinished reads an optional NewSessionTicket (plaintext), the
// server's ChangeCipherSpec and its Finished under the new keys, and
// checks the Finished against the transcript.
func readServerFinished(c *Conn, transcript hash.Hash, s *suite, master []byte, sh *serverHello, in *halfConn) error {
	if sh.ticket {
		msg, err := c.readHandshake()
		if err != nil {
			return fmt.Errorf("tls12: reading NewSessionTicket: %w", err)
		}
		if msg[0] != typeNewSessionTicket {
			return handshakeErr("expected NewSessionTicket, got message %d", msg[0])
		}
		transcript.Write(msg)
	}
	if err := c.readChangeCipherSpec(); err != nil {
		return err
	}
	c.in = in
	msg, err := c.readHandshake()
	if err != nil {
		return fmt.Errorf("tls12: reading Finished: %w", err)
	}
	got, err := parseFinished(msg)
	if err != nil {
		return err
	}
	want := s.finished(master, labelServerFinished, transcript.Sum(nil))
	if !hmac.Equal(got, want) {
		return failed(ErrBadFinished, "verify_data mismatch")
	}
	transcript.Write(msg)
	return nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
