package main

import (
	"math"
	"net"
	"strings"
	"time"
)

// Bounds checked before anything starts: beyond them a run cannot mean
// what was asked (a schedule past int64 nanoseconds, more workers than
// memory or file descriptors allow), so it is refused with exit 2.
const (
	minRate        = 0.001     // handshakes/s: one per 1000 s
	maxRate        = 1_000_000 // handshakes/s: one per microsecond
	maxConcurrency = 100_000   // workers in one process (each a goroutine and a socket)
	maxSpan        = 10_000 * time.Hour
	maxSlowdown    = 10.0 // embedded target: 1000%, ten times slower
	maxALPNLen     = 255  // RFC 7301: a protocol name is 1–255 bytes
)

// checkRate refuses NaN, infinities and rates outside [minRate, maxRate];
// 0 (closed loop) is allowed.
func checkRate(r float64) error {
	switch {
	case r == 0:
		return nil
	case math.IsNaN(r) || math.IsInf(r, 0) || r < 0:
		return usagef("parsing --rate: %v: want a finite number of handshakes per second, 0 for a closed loop", r)
	case r < minRate || r > maxRate:
		return usagef("parsing --rate: %v: must be between %v and %v handshakes per second", r, minRate, maxRate)
	}
	return nil
}

// checkFraction refuses a gate threshold outside [0, 1], NaN included (a
// NaN compares false with everything and would switch the gate off).
func checkFraction(flag string, v float64) error {
	if !(v >= 0 && v <= 1) {
		return usagef("parsing --%s: %v: must be between 0 and 1", flag, v)
	}
	return nil
}

// checkTarget refuses a --target whose port is not 1–65535 (or a service
// name), found only by the first dial otherwise.
func checkTarget(target string) error {
	_, port, err := net.SplitHostPort(target)
	if err != nil {
		return usagef("parsing --target: %v", err)
	}
	n, err := net.LookupPort("tcp", port)
	if err != nil || n == 0 {
		return usagef("parsing --target %s: port %q: want 1 to 65535", target, port)
	}
	return nil
}

// checkALPN refuses protocol names that no TLS stack can send, and --alpn
// on a run without QUIC cells (crypto/tls over TCP does not use it).
func checkALPN(alpn string, quicCells int) error {
	if strings.TrimSpace(alpn) == "" {
		return nil
	}
	for _, p := range strings.Split(alpn, ",") {
		if n := len(strings.TrimSpace(p)); n == 0 || n > maxALPNLen {
			return usagef("parsing --alpn: a protocol name of %d bytes: each must be 1 to %d bytes (RFC 7301)", n, maxALPNLen)
		}
	}
	if quicCells == 0 {
		return usagef("--alpn applies to QUIC cells only (--tls quic); this run has none")
	}
	return nil
}
