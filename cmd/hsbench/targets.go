package main

import (
	"fmt"
	"net"

	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/target"
)

// targets starts one embedded target per certificate type, on demand.
type targets struct {
	clientAuth bool
	slowdown   float64 // embedded target's TargetOptions.Slowdown
	byCert     map[pki.KeyType]*target.Target
	// listen, when set, creates the target's TCP listener (inside an
	// emulated network); nil listens on 127.0.0.1.
	listen func() (net.Listener, error)
	// listenPacket, when set, creates the embedded QUIC listener's UDP
	// socket (inside an emulated network).
	listenPacket func() (net.PacketConn, error)
	// quic holds the QUIC listener started beside each TCP target.
	quic    map[pki.KeyType]string
	closers []func()
}

func newTargets(clientAuth bool) *targets {
	return &targets{clientAuth: clientAuth, byCert: map[pki.KeyType]*target.Target{}, quic: map[pki.KeyType]string{}}
}

func (t *targets) get(k pki.KeyType) (*target.Target, error) {
	if tg, ok := t.byCert[k]; ok {
		return tg, nil
	}
	o := target.Options{Cert: k, ClientAuth: t.clientAuth, Slowdown: t.slowdown}
	if t.listen != nil {
		ln, err := t.listen()
		if err != nil {
			return nil, fmt.Errorf("hsbench: embedded target listener: %w", err)
		}
		o.Listener = ln
	}
	tg, err := target.Start(o)
	if err != nil {
		return nil, fmt.Errorf("hsbench: starting the embedded target: %w", err)
	}
	t.byCert[k] = tg
	return tg, nil
}

func (t *targets) close() {
	for _, c := range t.closers {
		c()
	}
	for _, tg := range t.byCert {
		tg.Close()
	}
}
