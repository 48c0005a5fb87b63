package target

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/quic-go/quic-go"
)

// QUICALPN is the ALPN protocol of the embedded QUIC target. QUIC requires
// ALPN; "hsbench" names the target's own protocol: the client opens one
// bidirectional stream, writes an HTTP/1.1 request head (hsbench's default request) and
// closes its side; the target answers the same bytes as the TCP target
// ("HTTP/1.1 200 OK" with a three-byte body) and closes the stream. It is
// not HTTP/3.
const QUICALPN = "hsbench"

// quicTargetTimeout bounds how long the target waits for a connection's
// request stream and request.
const quicTargetTimeout = 30 * time.Second

// QUICOptions configure the embedded QUIC target.
type QUICOptions struct {
	// Addr is the UDP address to listen on; default 127.0.0.1:0.
	Addr string
	// Listener, when set, is the UDP socket to serve on instead of Addr (for
	// example one created inside an emulated network). The target owns it
	// and closes it in Close.
	Listener net.PacketConn
	// Certificate is the server certificate; Start's can be shared
	// through Target.Certificate. Required.
	Certificate tls.Certificate
	// ClientCAs, when set, makes the target require a client certificate
	// signed by one of them.
	ClientCAs *x509.CertPool
	// Groups restricts the server's key-exchange groups; empty means Go's defaults.
	Groups []tls.CurveID
	// NoTickets turns session tickets off (no resumption, no 0-RTT).
	NoTickets bool
	// No0RTT refuses early data: tickets are issued without early data
	// permission and early data is rejected.
	No0RTT bool
	// ALPN lists the protocols the target accepts; default QUICALPN.
	ALPN []string
	// TicketKeys, when set, are the session ticket keys (the first one
	// encrypts), so that two targets can resume each other's sessions.
	TicketKeys [][32]byte
}

// QUICTarget is the embedded QUIC target: quic-go with 0-RTT allowed and
// session tickets on, serving the QUICALPN protocol. Early data (a request
// sent in 0-RTT packets) is read and answered at once, before the handshake
// completes (the answer is 0.5-RTT data).
type QUICTarget struct {
	Addr string

	pc     net.PacketConn
	tr     *quic.Transport
	ln     *quic.EarlyListener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	mu     sync.Mutex
	conns  map[*quic.Conn]struct{}
	closed bool
}

// StartQUIC starts serving.
func StartQUIC(o QUICOptions) (*QUICTarget, error) {
	if len(o.Certificate.Certificate) == 0 {
		return nil, errors.New("target: QUIC: no certificate")
	}
	if len(o.ALPN) == 0 {
		o.ALPN = []string{QUICALPN}
	}
	cfg := &tls.Config{
		Certificates:           []tls.Certificate{o.Certificate},
		MinVersion:             tls.VersionTLS13,
		NextProtos:             o.ALPN,
		CurvePreferences:       o.Groups,
		SessionTicketsDisabled: o.NoTickets,
	}
	if o.ClientCAs != nil {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = o.ClientCAs
	}
	if len(o.TicketKeys) > 0 {
		cfg.SetSessionTicketKeys(o.TicketKeys)
	}
	pc := o.Listener
	if pc == nil {
		addr := o.Addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		var err error
		if pc, err = net.ListenPacket("udp", addr); err != nil {
			return nil, fmt.Errorf("target: QUIC: listening: %w", err)
		}
	}
	tr := &quic.Transport{Conn: pc}
	ln, err := tr.ListenEarly(cfg, &quic.Config{Allow0RTT: !o.No0RTT})
	if err != nil {
		tr.Close()
		pc.Close()
		return nil, fmt.Errorf("target: QUIC: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &QUICTarget{Addr: pc.LocalAddr().String(), pc: pc, tr: tr, ln: ln, ctx: ctx, cancel: cancel, conns: map[*quic.Conn]struct{}{}}
	t.wg.Add(1)
	go t.serve()
	return t, nil
}

// Close stops accepting, closes every connection (CONNECTION_CLOSE sent) and
// the socket, and waits for the handlers.
func (t *QUICTarget) Close() error {
	var err error
	t.once.Do(func() {
		t.cancel()
		_ = t.ln.Close()
		t.mu.Lock()
		t.closed = true
		for c := range t.conns {
			_ = c.CloseWithError(0, "target closed")
		}
		t.mu.Unlock()
		_ = t.tr.Close()
		t.wg.Wait()
		err = t.pc.Close()
	})
	return err
}

func (t *QUICTarget) serve() {
	defer t.wg.Done()
	for {
		conn, err := t.ln.Accept(t.ctx)
		if err != nil {
			return
		}
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			_ = conn.CloseWithError(0, "target closed")
			return
		}
		t.conns[conn] = struct{}{}
		t.wg.Add(1)
		t.mu.Unlock()
		context.AfterFunc(conn.Context(), func() {
			t.mu.Lock()
			delete(t.conns, conn)
			t.mu.Unlock()
		})
		go t.handle(conn)
	}
}

// handle answers the first request stream of a connection. The connection
// is left open: the client closes it once it has the response (and, when it
// wants one, the session ticket, which the server sends only when the
// handshake completes). Connections whose client vanished end by idle timeout.
func (t *QUICTarget) handle(conn *quic.Conn) {
	defer t.wg.Done()
	ctx, cancel := context.WithTimeout(t.ctx, quicTargetTimeout)
	defer cancel()
	str, err := conn.AcceptStream(ctx)
	if err != nil {
		return
	}
	_ = str.SetDeadline(time.Now().Add(quicTargetTimeout))
	if err := readRequest(bufio.NewReaderSize(str, 1024), 8192); err != nil {
		str.CancelRead(0)
		str.CancelWrite(0)
		return
	}
	_, _ = str.Write([]byte(targetResponse))
	_ = str.Close()
}
