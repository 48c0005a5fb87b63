package main

import (
	"crypto/tls"

	"github.com/hsbench/hsbench/bench"
)

// zeroRTTFactory builds TCP TLS 1.3 0-RTT handshakes with the 0-RTT engine:
// the request goes out as early data in the first flight. With
// --request none the request is still sent early (0-RTT needs application
// data) but no response is awaited, for servers that never answer
// (openssl s_server -early_data).
func (p *runPlan) zeroRTTFactory(c cell, addr string, cfg *tls.Config, keylog *bench.SyncWriter) (cellFactory, error) {
	httpReq := p.http
	httpReq.Host = bench.Authority(cfg.ServerName, addr)
	// With fresh tickets the GET is kept alive, so the server sends the
	// next ticket (see bench.KeepAliveRequest).
	httpReq.KeepAlive = p.f.tickets != bench.TicketsReuse
	req, noResponse, expect := httpReq.HTTP1(), false, httpReq.Expect
	if len(p.request) == 0 {
		noResponse, expect = true, bench.StatusSet{}
	}
	stats := &bench.ZeroRTTStats{}
	zc := bench.ZeroRTTConfig{
		Address: addr, TLS: cfg, Request: req, NoResponse: noResponse,
		Tickets: p.f.tickets, KeyLog: keylog, Dial: p.dial, Stats: stats, Expect: expect,
	}
	zc.WantGroup, zc.WantSuite = c.asked()
	f, err := bench.NewZeroRTTFactory(zc)
	if err != nil {
		return cellFactory{}, usagef("%s: %v", c.id, err)
	}
	return cellFactory{Factory: f, stats: stats, warnings: func() []string {
		if w := stats.Warning(); w != "" {
			return []string{w}
		}
		return nil
	}}, nil
}
