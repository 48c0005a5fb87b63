package main

import (
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/results"
)

// cell is one configuration of the asked product.
type cell struct {
	id        string
	ask       results.Ask
	transport string
	version   uint16 // 0 for QUIC (always TLS 1.3)
	mode      sample.Mode
	group     *bench.Group
	suite     *tls.CipherSuite
	cert      pki.KeyType // embedded target only
}

// product is what the list flags ask for.
type product struct {
	versions []string // 1.2, 1.3, quic
	modes    []string
	groups   []string
	suites   []string
	certs    []string // empty for an external target
	// embedded is set when the cells run against the embedded target.
	embedded bool
}

// cells expands the product into runnable cells and the invalid ones with
// the reason, in a stable order. Bad names are usage errors.
func (p product) cells() ([]cell, []results.InvalidCell, error) {
	var out []cell
	var invalid []results.InvalidCell
	seen := map[string]bool{}
	for _, v := range p.versions {
		transport, version := "tcp", uint16(0)
		if strings.EqualFold(v, "quic") {
			transport = "quic"
		} else {
			var err error
			if version, err = bench.ParseVersion(v); err != nil {
				return nil, nil, usagef("parsing --tls: unknown version %q (want 1.2, 1.3 or quic)", v)
			}
		}
		for _, ms := range p.modes {
			mode, err := sample.ParseMode(ms)
			if err != nil {
				return nil, nil, usagef("parsing --mode: %v", err)
			}
			for _, gs := range orAny(p.groups) {
				var group *bench.Group
				if gs != "" {
					g, err := bench.ParseGroup(gs)
					if err != nil {
						return nil, nil, usagef("parsing --group: %v", err)
					}
					group = &g
				}
				for _, ss := range orAny(p.suites) {
					var suite *tls.CipherSuite
					if ss != "" {
						s, err := bench.ParseSuite(ss)
						if err != nil {
							return nil, nil, usagef("parsing --suite: %v", err)
						}
						suite = s
					}
					for _, cs := range orAny(p.certs) {
						var cert pki.KeyType
						if cs != "" {
							if cert, err = pki.ParseKeyType(cs); err != nil {
								return nil, nil, usagef("parsing --cert: %v", err)
							}
						}
						c := cell{transport: transport, version: version, mode: mode, group: group, suite: suite, cert: cert}
						c.ask = c.makeAsk()
						why := c.invalid()
						if why == "" && p.embedded && c.transport == "tcp" && c.mode == sample.Mode0RTT {
							why = "the embedded target (Go crypto/tls) does not accept 0-RTT over TCP: " +
								"use --tls quic, or a --target that does (nginx with ssl_early_data on, haproxy with allow-0rtt)"
						}
						if why != "" {
							invalid = append(invalid, results.InvalidCell{Ask: c.ask, Reason: why})
							continue
						}
						if c.suite != nil && isRSAKeyExchange(c.suite) && c.group != nil {
							// The group has no part in RSA key exchange: one cell only.
							asked := c.ask
							c.group = nil
							c.ask = c.makeAsk()
							if seen[c.makeID()] {
								invalid = append(invalid, results.InvalidCell{Ask: asked,
									Reason: "RSA key exchange uses no key-exchange group: measured once, without one"})
								continue
							}
						}
						c.id = c.makeID()
						if !seen[c.id] {
							seen[c.id] = true
							out = append(out, c)
						}
					}
				}
			}
		}
	}
	return out, invalid, nil
}

func orAny(l []string) []string {
	if len(l) == 0 {
		return []string{""}
	}
	return l
}

func (c cell) makeAsk() results.Ask {
	a := results.Ask{Transport: c.transport, Version: "1.3", Mode: string(c.mode), Cert: string(c.cert)}
	if c.version != 0 {
		a.Version = bench.VersionName(c.version)
	}
	if c.group != nil {
		a.Group = c.group.Name
	}
	if c.suite != nil {
		a.Suite = c.suite.Name
	}
	return a
}

// makeID names the cell in files and tables: tcp-1.3-full-x25519[-suite][-cert].
func (c cell) makeID() string {
	parts := []string{c.ask.Transport, c.ask.Version, c.ask.Mode}
	if c.ask.Group != "" {
		parts = append(parts, c.ask.Group)
	}
	if c.ask.Suite != "" {
		parts = append(parts, strings.ToLower(strings.TrimPrefix(c.ask.Suite, "TLS_")))
	}
	if c.ask.Cert != "" {
		parts = append(parts, c.ask.Cert)
	}
	return strings.Join(parts, "-")
}

func isTLS13Suite(s *tls.CipherSuite) bool {
	return len(s.SupportedVersions) == 1 && s.SupportedVersions[0] == tls.VersionTLS13
}

func isRSAKeyExchange(s *tls.CipherSuite) bool { return strings.HasPrefix(s.Name, "TLS_RSA_") }

// invalid says why a cell cannot run, or "".
func (c cell) invalid() string {
	tls13 := c.transport == "quic" || c.version == tls.VersionTLS13
	switch {
	case c.group != nil && c.group.TLS13 && !tls13:
		return fmt.Sprintf("%s is a post-quantum hybrid group: TLS 1.3 only", c.group.Name)
	case c.mode == sample.Mode0RTT && !tls13:
		return "0-RTT needs TLS 1.3"
	case c.suite != nil && isTLS13Suite(c.suite) && !tls13:
		return fmt.Sprintf("%s is a TLS 1.3 suite", c.suite.Name)
	case c.suite != nil && !isTLS13Suite(c.suite) && tls13:
		return fmt.Sprintf("%s is not a TLS 1.3 suite", c.suite.Name)
	case c.suite != nil && c.cert != "" && !suiteFitsCert(c.suite, c.cert):
		return fmt.Sprintf("%s cannot be used with a %s certificate", c.suite.Name, c.cert)
	}
	return ""
}

func suiteFitsCert(s *tls.CipherSuite, k pki.KeyType) bool {
	if isTLS13Suite(s) {
		return true
	}
	rsaCert := k == pki.RSA2048 || k == pki.RSA4096
	if strings.Contains(s.Name, "_ECDSA_") {
		return !rsaCert
	}
	return rsaCert // TLS_ECDHE_RSA_* and TLS_RSA_*
}
