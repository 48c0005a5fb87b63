package report

import (
	"strings"
	"testing"

	"github.com/hsbench/hsbench/results"
)

// The CPU line puts priming beside the per-handshake figure, never in it,
// and a warm-up failure is printed.
func TestCPUAndWarmupLines(t *testing.T) {
	m := results.Measure{ClientCPUPerHandshakeMS: 0.5, PrimingHandshakes: 3, PrimingInitial: 2, ClientCPUPrimingMS: 4.5,
		ClientCPUIdleMS: 12, ClientCPUPerWallSecond: 0.25, Warmup: 7, WarmupErrors: map[string]int64{"timeout": 1}}
	line := cpuLine(&m, false)
	want := "client CPU: 0.500 ms per measured handshake; priming: 3 handshakes (2 before the workers' first attempts), 4.5 ms; idle 12.0 ms; 0.25 CPU-seconds per wall-second"
	if line != want {
		t.Errorf("cpu line\n got %q\nwant %q", line, want)
	}
	m.PrimingHandshakes = 0
	if line := cpuLine(&m, true); strings.Contains(line, "priming") || !strings.HasPrefix(line, "client+embedded target CPU") {
		t.Errorf("cpu line without priming: %q", line)
	}
	if w := warmupLine(&m); w != "warm-up: 1 of 7 attempts failed: timeout=1" {
		t.Errorf("warm-up line %q", w)
	}
}
