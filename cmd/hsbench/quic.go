package main

import (
	"crypto/tls"

	"github.com/hsbench/hsbench/bench"
)

// quicFactory builds QUIC handshakes (placeholder until QUIC lands: the
// cell is refused with a clear message).
func (p *runPlan) quicFactory(c cell, addr string, cfg *tls.Config, keylog *bench.SyncWriter) (bench.Factory, error) {
	return nil, usagef("%s: QUIC is not available in this build", c.id)
}

// quicAddr returns the embedded QUIC listener's address for a certificate type.
func (t *targets) quicAddr(k any) (string, error) {
	return "", usagef("QUIC is not available in this build")
}
