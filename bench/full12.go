package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"

	"github.com/hsbench/hsbench/bench/internal/tls12"
	"github.com/hsbench/hsbench/bench/sample"
)

// orderedGroups returns the supported_groups order of a TLS 1.2-only
// configuration whose first group crypto/tls would not send first, when
// the own TLS 1.2 client can do the handshake instead (ECDHE AEAD suites,
// no client certificate); nil otherwise.
func orderedGroups(cfg *tls.Config) []tls.CurveID {
	ids := cfg.CurvePreferences
	if cfg.MinVersion != tls.VersionTLS12 || cfg.MaxVersion != tls.VersionTLS12 || len(ids) < 2 || goListsFirst(ids) {
		return nil
	}
	if len(cfg.Certificates) > 0 || cfg.GetClientCertificate != nil {
		return nil
	}
	for _, cs := range cfg.CipherSuites {
		if !tls12.Supported(cs) {
			return nil
		}
	}
	return slices.Clone(ids)
}

// fullConfig is the own client's configuration for h's cell.
func (h *tcpHandshaker) fullConfig() *tls12.FullConfig {
	return &tls12.FullConfig{
		ServerName: h.base.ServerName, RootCAs: h.base.RootCAs, InsecureSkipVerify: h.base.InsecureSkipVerify,
		Groups: h.ordered, CipherSuites: h.base.CipherSuites, ALPN: h.base.NextProtos,
	}
}

// keyLogHooks writes the own client's secrets to the --keylog file.
func (h *tcpHandshaker) keyLogHooks(hooks *tls12.Hooks) *tls12.Hooks {
	if h.cfg.KeyLog != nil {
		hooks.KeyLog = func(label string, random, secret []byte) {
			fmt.Fprintf(h.cfg.KeyLog, "%s %x %x\n", label, random, secret)
		}
	}
	return hooks
}

// runFull12 runs one full TLS 1.2 handshake with the own client, whose
// supported_groups are in the cell's order, then the request.
func (h *tcpHandshaker) runFull12(ctx context.Context, tr *Trace) (*traceConn, error) {
	tc, done, err := h.dialAttempt(ctx, tr)
	if err != nil {
		return nil, err
	}
	defer done()
	hooks := h.keyLogHooks(&tls12.Hooks{
		CertVerified: func() { tr.Stamp(EvCertVerified) },
		KeysDerived:  func() { tr.Stamp(EvKeys) },
	})
	c, res, err := tls12.Full(ctx, tc, h.fullConfig(), hooks)
	tr.Labels = sample.Labels{Transport: "tcp", Version: "1.2"}
	if res != nil && err == nil {
		tr.Labels.Suite, tr.Labels.Group, tr.Labels.ALPN = tls.CipherSuiteName(res.CipherSuite), GroupName(res.Group), res.ALPN
	}
	if err != nil {
		return tc, err
	}
	tr.Stamp(EvHandshakeDone)
	defer c.Close() // close_notify, off the clock
	return tc, h.exchange(tr, c)
}
