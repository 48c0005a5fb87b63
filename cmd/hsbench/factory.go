package main

import (
	"crypto/tls"
	"net"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/bench/sample"
)

// factory builds the handshaker factory of a cell: the target's address and
// the client TLS configuration common to every transport, then the
// transport's own factory (tcp here, quic and 0-RTT in their files).
func (p *runPlan) factory(c cell, targets *targets) (cellFactory, error) {
	cfg := p.base.Clone()
	addr := p.f.target
	if addr == "" {
		tg, err := targets.get(c.cert)
		if err != nil {
			return cellFactory{}, err
		}
		addr = tg.Addr
		if c.transport == "quic" {
			if addr, err = targets.quicAddr(c.cert); err != nil {
				return cellFactory{}, err
			}
		}
		cfg.RootCAs = tg.CA.Pool()
		if p.f.clientAuth {
			cfg.Certificates = []tls.Certificate{tg.ClientCert}
		}
	}
	cfg.ServerName = p.f.sni
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
		if p.f.target == "" {
			cfg.ServerName = "localhost"
		}
	}
	if c.version != 0 {
		cfg.MinVersion, cfg.MaxVersion = c.version, c.version
	}
	if c.group != nil {
		cfg.CurvePreferences = bench.ClientGroups(*c.group, c.version)
	}
	wantGroup, wantSuite := c.asked()
	if c.suite != nil && !isTLS13Suite(c.suite) {
		cfg.CipherSuites = []uint16{c.suite.ID}
	}
	var keylog *bench.SyncWriter
	if p.keylog != nil {
		keylog = bench.NewSyncWriter(p.keylog)
	}
	stats := &bench.ZeroRTTStats{}
	switch {
	case c.transport == "quic":
		f, err := p.quicFactory(c, addr, cfg, keylog, stats)
		return cellFactory{Factory: f, stats: stats}, err
	case c.mode == sample.Mode0RTT:
		return p.zeroRTTFactory(c, addr, cfg, keylog)
	}
	tcp := bench.TCPConfig{Address: addr, TLS: cfg, Mode: c.mode, KeyLog: keylog, Dial: p.dial, WantGroup: wantGroup, WantSuite: wantSuite, Resume: p.f.resume, Stats: stats}
	if len(p.request) > 0 {
		req := p.http
		req.Host = bench.Authority(cfg.ServerName, addr)
		tcp.Request, tcp.Expect = req.HTTP1(), req.Expect
	}
	f, err := bench.NewTCPFactory(tcp)
	if err != nil {
		return cellFactory{}, usagef("%v", err)
	}
	return cellFactory{Factory: f, stats: stats}, nil
}

// cellFactory is a cell's handshake factory, with what it has to say about
// a step that its samples do not show (extra priming handshakes, …).
type cellFactory struct {
	sample.Factory
	// warnings, when set, is called after the step has run.
	warnings func() []string
	// stats counts the step's priming handshakes.
	stats *bench.ZeroRTTStats
}

// asked returns the group and cipher suite the cell pins ("" for any): a
// sample that negotiated another is a mismatch.
func (c cell) asked() (group, suite string) {
	if c.group != nil {
		group = c.group.Name
	}
	if c.suite != nil {
		suite = c.suite.Name
	}
	return group, suite
}
