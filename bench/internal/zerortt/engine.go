package zerortt

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"slices"
	"time"
)

// Result describes one resumed handshake.
type Result struct {
	Resumed           bool // the server accepted the PSK (false: full handshake fallback)
	EarlyDataOffered  bool
	EarlyDataAccepted bool // EncryptedExtensions carried early_data
	EarlyDataSent     int  // bytes sent as 0-RTT data in the first flight
	EarlyDataResent   bool // rejected early data was written again as 1-RTT data
	CipherSuite       uint16
	Group             tls.CurveID
	HelloRetryRequest bool
	ALPN              string
	Tickets           []*Ticket // fresh tickets received after the handshake
	Response          []byte    // application data received (see Config.Read)
	CloseNotify       bool      // the server sent close_notify while reading
}

// Resume performs a TLS 1.3 handshake over conn that resumes t, sending
// early (if non-nil) as 0-RTT data in the first flight. conn must be a
// fresh connection; it is not closed. ctx's deadline and cancellation
// apply to all reads and writes. On success the returned Result says
// whether the PSK and the early data were accepted; rejected early data
// has already been resent as ordinary application data. On a handshake
// error the partial Result (what was sent, whether HRR happened) is
// returned along with the error; it is nil for invalid arguments.
//
// An empty cfg.ServerName defaults to t.ServerName, and a nil cfg.ALPN to
// t.ALPN (OpenSSL-based servers accept early data only with the ALPN of
// the ticket's session).
func Resume(ctx context.Context, conn net.Conn, cfg *Config, t *Ticket, early []byte, hooks *Hooks) (*Result, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if hooks == nil {
		hooks = &Hooks{}
	}
	s, err := t.validate()
	if err != nil {
		return nil, err
	}
	if (cfg.ServerName == "" && t.ServerName != "") || (cfg.ALPN == nil && t.ALPN != "") {
		c := *cfg
		if c.ServerName == "" {
			c.ServerName = t.ServerName
		}
		if c.ALPN == nil && t.ALPN != "" {
			c.ALPN = []string{t.ALPN}
		}
		cfg = &c
	}
	if _, ok := t.age(time.Now()); !ok {
		return nil, ErrTicketExpired
	}
	if early != nil && t.MaxEarlyData > 0 && len(early) > int(t.MaxEarlyData) {
		return nil, fmt.Errorf("zerortt: %d bytes of early data exceed the ticket's max_early_data_size %d", len(early), t.MaxEarlyData)
	}
	if !supportedGroup(cfg.group()) {
		return nil, fmt.Errorf("%w: %v (%d)", ErrUnsupportedGroup, cfg.group(), uint16(cfg.group()))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(d); err != nil {
			return nil, fmt.Errorf("zerortt: set deadline: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	hs := &clientHandshake{
		ctx:   ctx,
		conn:  conn,
		cfg:   cfg,
		t:     t,
		early: early,
		hooks: hooks,
		suite: s,
		res:   &Result{CipherSuite: s.id, EarlyDataOffered: early != nil},
	}
	hs.rc = newRecordConn(&firstByteReader{r: conn, fn: func() {
		hs.firstByteAt = time.Now()
		call(hooks.FirstServerByte)
	}})
	err = hs.run()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		if _, ok := ctx.Deadline(); ok {
			// The conn deadline equals ctx's: let ctx catch up.
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("zerortt: %w (%w)", ctx.Err(), err)
	}
	if err != nil {
		return hs.res, err
	}
	return hs.res, nil
}

// firstByteReader calls fn once, after the first read that returns data.
type firstByteReader struct {
	r  io.Reader
	fn func()
}

func (f *firstByteReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.fn != nil {
		fn := f.fn
		f.fn = nil
		fn()
	}
	return n, err
}

// clientHandshake is the state of one Resume call.
type clientHandshake struct {
	ctx   context.Context
	conn  net.Conn
	cfg   *Config
	t     *Ticket
	early []byte
	hooks *Hooks
	suite *suite
	rc    *recordConn
	res   *Result

	random     []byte
	transcript hash.Hash
	earlyOut   *halfConn // client_early_traffic_secret protection
	out        *halfConn // current outbound protection (nil: plaintext)
	// helloAt and firstByteAt are when the first flight was written and
	// the first server byte read: the round trip TicketWait is given.
	helloAt, firstByteAt time.Time
	// waitingTicket is set once the measured part is over and only a
	// ticket is awaited: the end of that bounded wait is not an error.
	waitingTicket bool
}

func (hs *clientHandshake) write(b []byte) error {
	if _, err := hs.conn.Write(b); err != nil {
		return fmt.Errorf("zerortt: write: %w", err)
	}
	return nil
}

// appendPlaintextHandshake frames msg as plaintext handshake records.
// legacy_record_version is 0x0301 for the first ClientHello and 0x0303
// afterwards (RFC 8446, Section 5.1).
func appendPlaintextHandshake(out, msg []byte, first bool) []byte {
	minor := byte(3)
	if first {
		minor = 1
	}
	for len(msg) > 0 {
		n := min(len(msg), maxPlaintext)
		out = append(out, recordHandshake, 3, minor, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

// appendProtected seals data as records of type typ under hc.
func appendProtected(out []byte, hc *halfConn, typ uint8, data []byte) []byte {
	for len(data) > 0 {
		n := min(len(data), maxPlaintext)
		out = hc.seal(out, typ, data[:n])
		data = data[n:]
	}
	return out
}

func (hs *clientHandshake) run() error {
	s, cfg := hs.suite, hs.cfg
	ks, err := newKeyShare(cfg.group())
	if err != nil {
		return err
	}
	hs.random = make([]byte, 32)
	sessionID := make([]byte, 32)
	_, _ = rand.Read(hs.random)
	_, _ = rand.Read(sessionID)
	groups := []tls.CurveID{ks.group}
	for _, g := range cfg.SupportedGroups {
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	ch := &clientHello{
		random:      hs.random,
		sessionID:   sessionID,
		cipherSuite: s.id,
		serverName:  cfg.ServerName,
		groups:      groups,
		keyShare:    ks,
		alpn:        cfg.ALPN,
		earlyData:   hs.early != nil,
		identity:    hs.t.Identity,
		obfAge:      hs.t.obfuscatedAge(time.Now()),
		binderLen:   s.size,
	}
	chBytes, err := ch.marshal()
	if err != nil {
		return fmt.Errorf("zerortt: marshal ClientHello: %w", err)
	}
	pskEarly := s.earlySecret(hs.t.PSK)
	binderKey := s.binderKey(pskEarly)
	setBinder(s, binderKey, nil, chBytes)
	hs.transcript = s.hash()
	hs.transcript.Write(chBytes)

	out := appendPlaintextHandshake(nil, chBytes, true)
	if hs.early != nil {
		cets := s.deriveSecret(pskEarly, labelClientEarly, hs.transcript.Sum(nil))
		hs.hooks.keyLog("CLIENT_EARLY_TRAFFIC_SECRET", hs.random, cets)
		if hs.earlyOut, err = newHalfConn(s, cets); err != nil {
			return err
		}
		out = appendProtected(out, hs.earlyOut, recordApplicationData, hs.early)
		hs.res.EarlyDataSent = len(hs.early)
	}
	hs.helloAt = time.Now()
	if err := hs.write(out); err != nil {
		return err
	}
	call(hs.hooks.ClientHelloWritten)

	msg, err := hs.rc.readHandshake()
	if err != nil {
		var ae *AlertError
		if hs.early != nil && errors.As(err, &ae) && ae.Code == alertUnsupportedExtension {
			return fmt.Errorf("%w: %w", ErrEarlyDataAborted, err)
		}
		return fmt.Errorf("zerortt: reading ServerHello: %w", err)
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		return err
	}
	if sh.isHRR {
		if sh, msg, ks, err = hs.helloRetry(ch, chBytes, sh, msg, binderKey); err != nil {
			return err
		}
	}
	if sh.isHRR {
		return handshakeErr("second HelloRetryRequest")
	}
	if sh.supportedVersion != versionTLS13 {
		return negotiationErr(ErrVersion, "supported_versions %#04x", sh.supportedVersion)
	}
	if sh.cipherSuite != s.id {
		return negotiationErr(ErrSuite, "server selected suite %#04x, offered only %#04x", sh.cipherSuite, s.id)
	}
	if !hmac.Equal(sh.sessionID, ch.sessionID) {
		return handshakeErr("legacy_session_id_echo mismatch")
	}
	if sh.group != uint16(ks.group) || sh.keyShare == nil {
		return negotiationErr(ErrGroup, "server key share for group %d, sent %d", sh.group, uint16(ks.group))
	}
	earlySecret := s.earlySecret(nil)
	if sh.hasPSK {
		if sh.selectedIdentity != 0 {
			return handshakeErr("server selected PSK identity %d of 1", sh.selectedIdentity)
		}
		hs.res.Resumed = true
		earlySecret = pskEarly
	}
	hs.res.Group = ks.group
	hs.transcript.Write(msg)

	shared, err := ks.sharedSecret(sh.keyShare)
	if err != nil {
		return err
	}
	hsSecret := s.handshakeSecret(earlySecret, shared)
	th := hs.transcript.Sum(nil)
	chts := s.deriveSecret(hsSecret, labelClientHandshake, th)
	shts := s.deriveSecret(hsSecret, labelServerHandshake, th)
	hs.hooks.keyLog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs.random, chts)
	hs.hooks.keyLog("SERVER_HANDSHAKE_TRAFFIC_SECRET", hs.random, shts)
	in, err := newHalfConn(s, shts)
	if err != nil {
		return err
	}
	if err := hs.rc.setReadKey(in); err != nil {
		return err
	}
	call(hs.hooks.HandshakeKeys)

	if err := hs.readServerFlight(shts); err != nil {
		return err
	}
	call(hs.hooks.ServerFinished)

	master := s.masterSecret(hsSecret)
	th = hs.transcript.Sum(nil)
	cats := s.deriveSecret(master, labelClientAppTraffic, th)
	sats := s.deriveSecret(master, labelServerAppTraffic, th)
	hs.hooks.keyLog("CLIENT_TRAFFIC_SECRET_0", hs.random, cats)
	hs.hooks.keyLog("SERVER_TRAFFIC_SECRET_0", hs.random, sats)

	out = nil
	if hs.res.EarlyDataAccepted {
		eoed := []byte{typeEndOfEarlyData, 0, 0, 0}
		out = hs.earlyOut.seal(out, recordHandshake, eoed)
		hs.transcript.Write(eoed)
	}
	chsOut, err := newHalfConn(s, chts)
	if err != nil {
		return err
	}
	verify := s.finishedMAC(chts, hs.transcript.Sum(nil))
	fin := append([]byte{typeFinished, 0, 0, byte(len(verify))}, verify...)
	out = chsOut.seal(out, recordHandshake, fin)
	hs.transcript.Write(fin)
	if err := hs.write(out); err != nil {
		return err
	}
	call(hs.hooks.ClientFinishedWritten)
	resMaster := s.deriveSecret(master, labelResMaster, hs.transcript.Sum(nil))

	if hs.out, err = newHalfConn(s, cats); err != nil {
		return err
	}
	appIn, err := newHalfConn(s, sats)
	if err != nil {
		return err
	}
	if err := hs.rc.setReadKey(appIn); err != nil {
		return err
	}
	if len(hs.early) > 0 && !hs.res.EarlyDataAccepted {
		if err := hs.write(appendProtected(nil, hs.out, recordApplicationData, hs.early)); err != nil {
			return err
		}
		hs.res.EarlyDataResent = true
	}
	if err := hs.readResponse(resMaster); err != nil {
		return err
	}
	if !cfg.SkipCloseNotify {
		// Best effort: the server may already have closed the connection.
		_ = hs.write(hs.out.seal(nil, recordAlert, []byte{1, alertCloseNotify}))
	}
	return nil
}

// helloRetry answers a HelloRetryRequest with a second ClientHello (no
// early data, new key share if asked, cookie echoed, binder recomputed
// over the new transcript) and returns the next ServerHello.
func (hs *clientHandshake) helloRetry(ch *clientHello, ch1 []byte, hrr *serverHello, hrrMsg, binderKey []byte) (*serverHello, []byte, *keyShare, error) {
	s := hs.suite
	hs.res.HelloRetryRequest = true
	if hrr.supportedVersion != versionTLS13 {
		return nil, nil, nil, negotiationErr(ErrVersion, "HelloRetryRequest selects version %#04x", hrr.supportedVersion)
	}
	if hrr.cipherSuite != s.id {
		return nil, nil, nil, negotiationErr(ErrSuite, "HelloRetryRequest selects suite %#04x", hrr.cipherSuite)
	}
	ks := ch.keyShare
	if hrr.group != 0 {
		g := tls.CurveID(hrr.group)
		if g == ks.group || !slices.Contains(ch.groups, g) {
			return nil, nil, nil, negotiationErr(ErrGroup, "HelloRetryRequest selects group %d", hrr.group)
		}
		var err error
		if ks, err = newKeyShare(g); err != nil {
			return nil, nil, nil, err
		}
	} else if hrr.cookie == nil {
		return nil, nil, nil, handshakeErr("HelloRetryRequest changes nothing")
	}
	ch.keyShare = ks
	ch.cookie = hrr.cookie
	ch.earlyData = false // RFC 8446, Section 4.1.2
	ch.obfAge = hs.t.obfuscatedAge(time.Now())
	ch2, err := ch.marshal()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("zerortt: marshal ClientHello: %w", err)
	}
	prefix := append(messageHash(s, ch1), hrrMsg...)
	setBinder(s, binderKey, prefix, ch2)
	hs.transcript = s.hash()
	hs.transcript.Write(prefix)
	hs.transcript.Write(ch2)
	if err := hs.write(appendPlaintextHandshake(nil, ch2, false)); err != nil {
		return nil, nil, nil, err
	}
	call(hs.hooks.ClientHelloWritten)
	msg, err := hs.rc.readHandshake()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("zerortt: reading ServerHello after HelloRetryRequest: %w", err)
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		return nil, nil, nil, err
	}
	return sh, msg, ks, nil
}

// readServerFlight processes EncryptedExtensions, the certificate
// messages of a full-handshake fallback, and the server Finished.
func (hs *clientHandshake) readServerFlight(shts []byte) error {
	s := hs.suite
	msg, err := hs.rc.readHandshake()
	if err != nil {
		return fmt.Errorf("zerortt: reading EncryptedExtensions: %w", err)
	}
	ee, err := parseEncryptedExtensions(msg)
	if err != nil {
		return err
	}
	if ee.earlyData && (hs.early == nil || !hs.res.Resumed || hs.res.HelloRetryRequest) {
		return handshakeErr("server accepted early data that was not offered")
	}
	hs.res.EarlyDataAccepted = ee.earlyData
	if ee.alpn != "" && !slices.Contains(hs.cfg.ALPN, ee.alpn) {
		return handshakeErr("server selected ALPN %q, not offered", ee.alpn)
	}
	hs.res.ALPN = ee.alpn
	hs.transcript.Write(msg)

	if !hs.res.Resumed {
		if msg, err = hs.rc.readHandshake(); err != nil {
			return fmt.Errorf("zerortt: reading Certificate: %w", err)
		}
		if len(msg) > 0 && msg[0] == typeCertificateRequest {
			return handshakeErr("server requests a client certificate (unsupported)")
		}
		cm, err := parseCertificate(msg)
		if err != nil {
			return err
		}
		leaf, err := verifyServerCertificate(hs.cfg, cm.certs, time.Now())
		if err != nil {
			return err
		}
		hs.transcript.Write(msg)
		if msg, err = hs.rc.readHandshake(); err != nil {
			return fmt.Errorf("zerortt: reading CertificateVerify: %w", err)
		}
		cv, err := parseCertificateVerify(msg)
		if err != nil {
			return err
		}
		if err := verifyCertificateVerify(leaf, cv, hs.transcript.Sum(nil)); err != nil {
			return err
		}
		hs.transcript.Write(msg)
	}

	if msg, err = hs.rc.readHandshake(); err != nil {
		return fmt.Errorf("zerortt: reading Finished: %w", err)
	}
	got, err := parseFinished(msg, s.size)
	if err != nil {
		return err
	}
	if !hmac.Equal(got, s.finishedMAC(shts, hs.transcript.Sum(nil))) {
		return negotiationErr(ErrBadFinished, "verify_data mismatch")
	}
	hs.transcript.Write(msg)
	return nil
}

// readResponse reads post-handshake records according to Config.Read,
// collecting NewSessionTickets and honouring KeyUpdate.
func (hs *clientHandshake) readResponse(resMaster []byte) error {
	mode := hs.cfg.Read
	if mode == ReadNone {
		return nil
	}
	if mode == ReadUntilTicket {
		hs.startTicketWait()
	}
	limit := hs.cfg.MaxResponse
	if limit <= 0 {
		limit = 1 << 20
	}
	for range 1 << 16 {
		typ, data, err := hs.rc.readRecord()
		if err != nil {
			if errors.Is(err, errCloseNotify) {
				hs.res.CloseNotify = true
			}
			if mode == ReadToEOF && (errors.Is(err, errCloseNotify) || errors.Is(err, io.EOF)) {
				return nil
			}
			if hs.waitingTicket && hs.ctx.Err() == nil {
				return nil // the bounded wait for a ticket is over
			}
			return fmt.Errorf("zerortt: reading response: %w", err)
		}
		switch typ {
		case recordHandshake:
			hs.rc.hsBuf = append(hs.rc.hsBuf, data...)
			if err := hs.handlePostHandshake(resMaster); err != nil {
				return err
			}
			if (mode == ReadUntilTicket || hs.waitingTicket) && len(hs.res.Tickets) > 0 {
				return nil
			}
		case recordApplicationData:
			if len(data) == 0 {
				continue
			}
			first := len(hs.res.Response) == 0
			if first {
				call(hs.hooks.FirstResponseByte)
			}
			if room := limit - len(hs.res.Response); room > 0 {
				hs.res.Response = append(hs.res.Response, data[:min(room, len(data))]...)
			}
			switch {
			case mode == ReadToEOF:
			case mode == ReadFirstResponseThenTicket && len(hs.res.Tickets) == 0 && hs.cfg.TicketWait != nil:
				if first {
					hs.startTicketWait()
				}
			default:
				return nil
			}
		}
	}
	return errors.New("zerortt: reading response: too many records")
}

// startTicketWait bounds the remaining reads by Config.TicketWait (and
// ctx): the measured part is over, only a ticket is awaited.
func (hs *clientHandshake) startTicketWait() {
	if hs.cfg.TicketWait == nil {
		return
	}
	rtt := hs.firstByteAt.Sub(hs.helloAt)
	end := time.Now().Add(hs.cfg.TicketWait(max(rtt, 0)))
	if d, ok := hs.ctx.Deadline(); ok && d.Before(end) {
		end = d
	}
	if hs.ctx.Err() == nil {
		_ = hs.conn.SetReadDeadline(end)
	}
	hs.waitingTicket = true
}

// handlePostHandshake consumes complete buffered post-handshake messages.
func (hs *clientHandshake) handlePostHandshake(resMaster []byte) error {
	s := hs.suite
	for range maxHandshakeMsg {
		msg, ok, err := hs.rc.nextBufferedMessage()
		if err != nil || !ok {
			return err
		}
		switch msg[0] {
		case typeNewSessionTicket:
			m, err := parseNewSessionTicket(msg)
			if err != nil {
				return err
			}
			if m.lifetime == 0 {
				continue // RFC 8446, Section 4.6.1: do not use
			}
			t, err := ticketFromNST(s, resMaster, m, time.Now(), hs.cfg.ServerName, hs.res.ALPN)
			if err != nil {
				return err
			}
			hs.res.Tickets = append(hs.res.Tickets, t)
		case typeKeyUpdate:
			requested, err := parseKeyUpdate(msg)
			if err != nil {
				return err
			}
			next, err := newHalfConn(s, s.nextTrafficSecret(hs.rc.in.secret))
			if err != nil {
				return err
			}
			if err := hs.rc.setReadKey(next); err != nil {
				return err
			}
			if requested {
				ku := []byte{typeKeyUpdate, 0, 0, 1, 0}
				if err := hs.write(hs.out.seal(nil, recordHandshake, ku)); err != nil {
					return err
				}
				if hs.out, err = newHalfConn(s, s.nextTrafficSecret(hs.out.secret)); err != nil {
					return err
				}
			}
		default:
			return handshakeErr("unexpected post-handshake message %d", msg[0])
		}
	}
	return nil
}
