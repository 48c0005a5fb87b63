package emulate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
)

// Backend names, as reported by Link.Backend and accepted by
// Options.Backend.
const (
	BackendNetem    = "netem"     // veth pair with tc netem on both ends
	BackendTUNRelay = "tun-relay" // TUN device per side, userspace relay
)

// Addresses of the two sides, from the benchmarking range 198.18.0.0/15.
// They exist only inside the namespaces a Link creates.
var (
	ClientAddr = netip.MustParseAddr("198.18.0.1")
	ServerAddr = netip.MustParseAddr("198.19.0.1")
)

// Options tunes Setup. The zero value picks the backend automatically.
type Options struct {
	// Backend forces a backend: BackendNetem or BackendTUNRelay. Empty
	// or "auto" uses netem when the kernel has it, else the TUN relay.
	Backend string
	// Seed seeds the relay's loss decisions; 0 picks a random seed.
	// Link.Seed reports the seed used, for the run record.
	Seed uint64
	// QueueLimit is the number of packets each direction holds before
	// dropping; 0 means 10000.
	QueueLimit int
}

// Link is an emulated network path between a client and a server
// namespace. Its methods are safe for concurrent use. The caller must
// call Close, also on Ctrl-C (Close may be called from a signal-handling
// goroutine); namespaces left by a killed process are removed by the
// next Setup through CleanupStale.
type Link struct {
	spec     Spec
	backend  string
	seed     uint64
	ip       string
	clientNS string
	serverNS string
	client   *nsThread
	server   *nsThread
	relay    *relay

	closeOnce sync.Once
	closeErr  error
}

// Setup creates the two namespaces, connects them through the chosen
// backend and returns the Link. It needs root (CAP_NET_ADMIN and
// CAP_SYS_ADMIN); without them it returns an error wrapping ErrPrivilege
// and never runs without emulation. On error nothing is left behind.
func Setup(ctx context.Context, spec Spec, opts Options) (*Link, error) {
	if spec.RTT < 0 || spec.Loss < 0 || spec.Loss > 1 || spec.Loss != spec.Loss {
		return nil, fmt.Errorf("emulate: invalid spec %s", spec)
	}
	switch opts.Backend {
	case "", "auto", BackendNetem, BackendTUNRelay:
	default:
		return nil, fmt.Errorf("emulate: unknown backend %q (want auto, %s or %s)", opts.Backend, BackendNetem, BackendTUNRelay)
	}
	if err := checkPrivileges(); err != nil {
		return nil, err
	}
	ip, err := findIP()
	if err != nil {
		return nil, err
	}
	_ = CleanupStale() // best effort: a failure here must not block a run

	l := &Link{spec: spec, ip: ip, seed: opts.Seed}
	if l.seed == 0 {
		l.seed = rand.Uint64() | 1
	}
	ok := false
	defer func() {
		if !ok {
			l.Close()
		}
	}()
	cname, sname := newNames()
	if err := l.createNS(ctx, &l.clientNS, cname); err != nil {
		return nil, err
	}
	if err := l.createNS(ctx, &l.serverNS, sname); err != nil {
		return nil, err
	}
	if l.client, err = startNSThread(nsPath(cname)); err != nil {
		return nil, err
	}
	if l.server, err = startNSThread(nsPath(sname)); err != nil {
		return nil, err
	}

	backend := opts.Backend
	if backend == "" || backend == "auto" {
		backend = BackendTUNRelay
		if probeNetem(ctx, l.clientNS) == nil {
			backend = BackendNetem
		}
	}
	switch backend {
	case BackendNetem:
		err = l.setupNetem(ctx, opts.QueueLimit)
	default:
		err = l.setupTUNRelay(ctx, opts.QueueLimit)
	}
	if err != nil {
		return nil, err
	}
	l.backend = backend
	ok = true
	return l, nil
}

// createNS adds a namespace, records its name in *dst for cleanup and
// brings its loopback up.
func (l *Link) createNS(ctx context.Context, dst *string, name string) error {
	if err := run(ctx, l.ip, "netns", "add", name); err != nil {
		if strings.Contains(err.Error(), "ermission denied") || strings.Contains(err.Error(), "not permitted") {
			return fmt.Errorf("%w: %w", ErrPrivilege, err)
		}
		return fmt.Errorf("emulate: creating namespace: %w", err)
	}
	*dst = name
	if err := run(ctx, l.ip, "-n", name, "link", "set", "lo", "up"); err != nil {
		return fmt.Errorf("emulate: configuring namespace: %w", err)
	}
	return nil
}

// Backend returns the backend in use: BackendNetem or BackendTUNRelay.
func (l *Link) Backend() string { return l.backend }

// Spec returns the emulated conditions.
func (l *Link) Spec() Spec { return l.spec }

// Seed returns the seed of the relay's loss decisions (the netem backend
// uses the kernel's own randomness).
func (l *Link) Seed() uint64 { return l.seed }

// ClientNamespace returns the client namespace's name (for `ip netns
// exec`).
func (l *Link) ClientNamespace() string { return l.clientNS }

// ServerNamespace returns the server namespace's name.
func (l *Link) ServerNamespace() string { return l.serverNS }

// Stats returns the relay's counters (zero for the netem backend).
func (l *Link) Stats() Stats {
	if l.relay == nil {
		return Stats{}
	}
	return l.relay.stats()
}

// Close stops the relay and removes the namespaces and their devices.
// It is idempotent and safe to call concurrently, e.g. from a signal
// handler goroutine; later calls return the first call's result.
// Sockets still open keep their (now unnamed) namespace alive until they
// are closed, but they no longer carry traffic over the link.
func (l *Link) Close() error {
	l.closeOnce.Do(func() {
		var errs []error
		if l.relay != nil {
			if err := l.relay.stop(); err != nil {
				errs = append(errs, fmt.Errorf("emulate: stopping relay: %w", err))
			}
		}
		for _, t := range []*nsThread{l.client, l.server} {
			if t != nil {
				t.stop()
			}
		}
		for _, n := range []string{l.clientNS, l.serverNS} {
			if n == "" {
				continue
			}
			if err := deleteNS(l.ip, n); err != nil {
				errs = append(errs, fmt.Errorf("emulate: deleting namespace: %w", err))
			}
		}
		l.closeErr = errors.Join(errs...)
	})
	return l.closeErr
}
