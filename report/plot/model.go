package plot

import (
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// PhaseTotal is the phase plotted when an option leaves the phase empty.
const PhaseTotal = "total"

// SplitPhases are the contiguous phases of one handshake, in time order.
// PhaseBreakdown stacks them.
var SplitPhases = []string{
	"dns", "tcp_connect", "tls_client_hello", "tls_server_wait", "tls_hrr",
	"tls_key_exchange", "tls_cert_verify", "tls_finished", "ttfb",
}

// A Cell is one benchmarked configuration, e.g. Label
// "TLS1.3 full X25519MLKEM768 ecdsa-p256", with its dimensions for grouping.
type Cell struct {
	// Label names the cell in legends and on axes.
	Label string
	// Dims are the cell's coordinates, e.g. "version": "1.3", "mode": "full",
	// "group": "x25519", "suite", "cert", "transport": "tcp|quic".
	Dims map[string]string
	// Phases holds one latency histogram per phase, values in nanoseconds,
	// keyed "total", "tls_handshake", "tcp_connect", ... (see SplitPhases).
	Phases map[string]*hdrhistogram.Histogram
	// Repeats optionally holds per-repeat values in milliseconds, keyed
	// "<phase> p50" and "<phase> p99" (e.g. "total p99"). When present,
	// DimensionBars takes its confidence intervals from them.
	Repeats map[string][]float64
	// Intervals are consecutive (usually 1 s) intervals of the run.
	Intervals []Interval
}

// An Interval summarises one time slice of a run.
type Interval struct {
	// Start is the interval's start, relative to the start of the run.
	Start time.Duration
	// Count is the number of handshakes completed in the interval.
	Count int64
	// Latency percentiles and maximum in milliseconds. Ignored when Count is 0.
	P50, P90, P99, Max float64
}

// RepeatKey is the Repeats key for a phase and a percentile name ("p50", "p99").
func RepeatKey(phase, pct string) string { return phase + " " + pct }

// nsToMs converts a histogram value (nanoseconds) to milliseconds.
func nsToMs(v float64) float64 { return v / 1e6 }

// phaseHist returns the non-empty histogram of phase in c.
func phaseHist(c Cell, phase string) (*hdrhistogram.Histogram, error) {
	h := c.Phases[phase]
	if h == nil {
		return nil, fmt.Errorf("plot: cell %q has no phase %q", c.Label, phase)
	}
	if h.TotalCount() == 0 {
		return nil, fmt.Errorf("plot: cell %q: phase %q has no samples", c.Label, phase)
	}
	return h, nil
}

// checkCells rejects an empty cell list and unnamed cells.
func checkCells(cells []Cell) error {
	if len(cells) == 0 {
		return fmt.Errorf("plot: no cells")
	}
	for i, c := range cells {
		if c.Label == "" {
			return fmt.Errorf("plot: cell %d has no label", i)
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
