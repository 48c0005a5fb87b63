package main

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for a run, unless the user chose with GOGC or
// GOMEMLIMIT. Every handshake allocates ~45 KB of short-lived garbage inside
// crypto/tls (and more in quic-go) while the live heap stays small, so with
// Go's default GOGC=100 the collector runs every few dozen handshakes and
// its mark workers and sweeping cost ~6% of the client's CPU per handshake
// (measured side by side: docs/performance.md). At 400 it runs a quarter as
// often; the soft memory limit keeps a run with many handshakes in flight
// (whose live heap is larger) collecting before the heap passes it.
const (
	runGCPercent   = 400
	runMemoryLimit = 192 << 20
)

// tuneGC applies the run's collector settings where the environment does
// not set them.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(runGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(runMemoryLimit)
	}
}
