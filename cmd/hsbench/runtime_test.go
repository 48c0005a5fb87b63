package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// A run collects less often than Go's default, under a soft memory limit,
// with the Ps its load needs, unless GOGC, GOMEMLIMIT or GOMAXPROCS say
// otherwise.
func TestTuneRuntime(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	oldProcs := runtime.GOMAXPROCS(0)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
		runtime.GOMAXPROCS(oldProcs)
	})

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOMAXPROCS", "")
	runtime.GOMAXPROCS(2)
	tuneRuntime(1)
	if got := debug.SetGCPercent(100); got != runGCPercent {
		t.Errorf("GC percent %d, want %d", got, runGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != runMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, runMemoryLimit)
	}
	if got := runtime.GOMAXPROCS(2); got != 1 {
		t.Errorf("GOMAXPROCS %d, want 1", got)
	}

	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "off")
	t.Setenv("GOMAXPROCS", "2")
	tuneRuntime(1)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=100 set: GC percent %d, want it left at 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set: memory limit %d, want it left alone", got)
	}
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Errorf("with GOMAXPROCS set: %d, want it left at 2", got)
	}
}

// Only a closed loop against an external target over loopback gives up Ps,
// down to its number of workers.
func TestProcsFor(t *testing.T) {
	for _, c := range []struct {
		name string
		f    runFlags
		want int
	}{
		{"closed loop, 1 worker", runFlags{target: "127.0.0.1:443", concurrency: 1}, 1},
		{"closed loop, 3 workers", runFlags{target: "127.0.0.1:443", concurrency: 3}, 3},
		{"closed loop, more workers than CPUs", runFlags{target: "127.0.0.1:443", concurrency: 64}, 4},
		{"open loop", runFlags{target: "127.0.0.1:443", concurrency: 1, rate: 100}, 0},
		{"embedded target", runFlags{concurrency: 1}, 0},
		{"emulated link", runFlags{target: "198.19.0.1:443", concurrency: 1, emulate: "rtt=50ms"}, 0},
	} {
		if got := procsFor(&c.f, 4); got != c.want {
			t.Errorf("%s: procsFor = %d, want %d", c.name, got, c.want)
		}
	}
}
