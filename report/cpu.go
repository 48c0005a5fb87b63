package report

import (
	"fmt"

	"github.com/hsbench/hsbench/results"
)

// cpuLine says where the client's CPU time went: per measured handshake
// (CPU inside measured attempts only), priming beside it, and the whole
// process's CPU-seconds per wall-second. "" when nothing was measured.
func cpuLine(m *results.Measure, embedded bool) string {
	if m.ClientCPUPerWallSecond == 0 && m.ClientCPUPerHandshakeMS == 0 {
		return ""
	}
	who := "client"
	if embedded {
		who = "client+embedded target"
	}
	s := fmt.Sprintf("%s CPU: %.3f ms per measured handshake", who, m.ClientCPUPerHandshakeMS)
	if m.PrimingHandshakes > 0 {
		s += fmt.Sprintf("; priming: %d handshakes (%d before the workers' first attempts), %.1f ms",
			m.PrimingHandshakes, m.PrimingInitial, m.ClientCPUPrimingMS)
	}
	return s + fmt.Sprintf("; idle %.1f ms; %.2f CPU-seconds per wall-second", m.ClientCPUIdleMS, m.ClientCPUPerWallSecond)
}

// warmupLine reports warm-up failures, or "". (Attempts that overlapped
// the start of measurement are measured and only counted in run.json: a
// closed loop always has one per worker.)
func warmupLine(m *results.Measure) string {
	if n := sum(m.WarmupErrors); n > 0 {
		return fmt.Sprintf("warm-up: %d of %d attempts failed: %s", n, m.Warmup, counts(m.WarmupErrors))
	}
	return ""
}
