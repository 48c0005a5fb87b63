package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/target"
)

// quicFactory builds QUIC handshakes (quic-go): full, resumed or 0-RTT, to
// the embedded QUIC target (ALPN hsbench) or to --target over UDP with the
// ALPN of --alpn (required there). With ALPN h3 the request is an HTTP/3 GET.
func (p *runPlan) quicFactory(c cell, addr string, cfg *tls.Config, keylog *bench.SyncWriter, stats *bench.ZeroRTTStats) (sample.Factory, error) {
	alpn := splitList(p.f.alpn)
	if len(alpn) == 0 {
		if p.f.target != "" {
			return nil, usagef("%s: QUIC to --target needs --alpn, the application protocol the server speaks (e.g. h3)", c.id)
		}
		alpn = []string{bench.QUICALPN}
	}
	cfg.NextProtos = alpn
	qc := bench.QUICConfig{
		Stats:   stats,
		Address: addr, TLS: cfg, Mode: c.mode, Request: p.request, KeyLog: keylog,
		Tickets: p.f.tickets,
		// The embedded target speaks hsbench; an h3 server gets HTTP/3.
		HTTP3: len(p.request) > 0 && (alpn[0] == "h3" || strings.HasPrefix(alpn[0], "h3-")),
	}
	if qc.HTTP3 {
		req := p.http
		req.Host = bench.Authority(cfg.ServerName, addr)
		qc.HTTP3Request, qc.Expect = req.HTTP3(), req.Expect
	}
	qc.WantGroup, qc.WantSuite = c.asked()
	if link := p.emulatedLink(); link != nil {
		qc.PacketConn = func() (net.PacketConn, error) { return link.ListenPacketClient() }
	}
	f, err := bench.NewQUICFactory(qc)
	if err != nil {
		return nil, usagef("%s: %v", c.id, err)
	}
	return f, nil
}

// quicAddr returns the address of the embedded QUIC target for a
// certificate type, starting it on first use beside the TCP target of that
// certificate (same certificate and CA, client authentication alike).
func (t *targets) quicAddr(k pki.KeyType) (string, error) {
	if a, ok := t.quic[k]; ok {
		return a, nil
	}
	tg, err := t.get(k)
	if err != nil {
		return "", err
	}
	o := target.QUICOptions{Certificate: tg.Certificate()}
	if t.clientAuth {
		o.ClientCAs = tg.CA.Pool()
	}
	if t.listenPacket != nil {
		pc, err := t.listenPacket()
		if err != nil {
			return "", fmt.Errorf("hsbench: embedded QUIC target socket: %w", err)
		}
		o.Listener = pc
	}
	qt, err := target.StartQUIC(o)
	if err != nil {
		if o.Listener != nil {
			o.Listener.Close()
		}
		return "", fmt.Errorf("hsbench: starting the embedded QUIC target: %w", err)
	}
	t.quic[k] = qt.Addr
	t.closers = append(t.closers, func() { qt.Close() })
	return qt.Addr, nil
}
