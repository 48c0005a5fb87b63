package main

import (
	"crypto/tls"

	"github.com/hsbench/hsbench/bench"
)

// zeroRTTFactory builds TCP TLS 1.3 0-RTT handshakes (placeholder until the
// engine is wired: the cell is refused with a clear message).
func (p *runPlan) zeroRTTFactory(c cell, addr string, cfg *tls.Config, keylog *bench.SyncWriter) (bench.Factory, error) {
	return nil, usagef("%s: 0-RTT over TCP is not available in this build", c.id)
}
