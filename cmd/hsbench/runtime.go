package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// Runtime settings for a run, unless the user chose with GOGC, GOMEMLIMIT
// or GOMAXPROCS (measured side by side: docs/performance.md).
//
// Every handshake allocates ~45 KB of short-lived garbage inside crypto/tls
// (more in quic-go) while the live heap stays small, so with Go's default
// GOGC=100 the collector runs every few dozen handshakes and its mark
// workers and sweeping cost ~6% of the client's CPU per handshake. At 400 it
// runs a quarter as often; the soft memory limit keeps a run with many
// handshakes in flight (whose live heap is larger) collecting before the heap
// passes it.
const (
	runGCPercent   = 400
	runMemoryLimit = 192 << 20
)

// tuneRuntime applies the run's runtime settings where the environment does
// not set them. procsFor gives the GOMAXPROCS the load needs.
func tuneRuntime(procs int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(runGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(runMemoryLimit)
	}
	if os.Getenv("GOMAXPROCS") == "" && procs > 0 {
		runtime.GOMAXPROCS(procs)
	}
}

// procsFor returns the GOMAXPROCS a run needs, or 0 to keep the runtime's
// default. A closed loop against an external target runs at most one
// goroutine per worker at a time: more Ps than workers only make the
// scheduler wake idle threads to spin each time a worker's read completes
// (futex wake-ups and context switches charged to every handshake; ~15%
// of the client's CPU per handshake with 1 worker on 2 CPUs). An open loop
// (a pacer beside the workers), the embedded target and an emulated link
// (its relay) run in this process too and keep every P.
func procsFor(f *runFlags, defaultProcs int) int {
	if f.rate > 0 || f.target == "" || f.emulate != "" || f.concurrency < 1 {
		return 0
	}
	return min(f.concurrency, defaultProcs)
}
