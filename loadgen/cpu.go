package loadgen

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// CPUUse is the process CPU time (user + system) of a run, split by what
// was in flight when it was spent (see cpuShares).
type CPUUse struct {
	// Measured is the CPU time inside measured attempts (errors and
	// mismatches included), Priming inside priming calls, Unmeasured
	// inside warm-up and cancelled attempts, Idle while nothing was in
	// flight (timers, the collector, garbage collection between
	// handshakes, the embedded target's idle work).
	Measured, Priming, Unmeasured, Idle time.Duration
	// Total is all CPU time from the start of the run (warm-up included)
	// to its end: the sum of the four. Wall is the run's wall-clock time.
	Total, Wall time.Duration
}

// cpuKind says what an activity turned out to be.
type cpuKind int

const (
	cpuMeasured cpuKind = iota
	cpuPriming
	cpuUnmeasured
)

// cpuShares attributes process CPU time to the activities (attempts,
// priming calls) in flight, as a processor-sharing scheduler would: at
// every start and end of an activity it reads the process CPU clock, and
// the CPU spent since the previous reading is divided equally among the
// activities that were in flight (or counted as idle when none was). With
// one worker the split is exact; with several, CPU spent while a priming
// call overlaps measured attempts is shared between them evenly. An
// activity's kind is given at its end, when it is known (a warm-up
// attempt, a cancelled one). Safe for concurrent use.
type cpuShares struct {
	clock func() time.Duration
	mu    sync.Mutex
	first time.Duration // clock at the start
	last  time.Duration // clock at the previous event
	unit  time.Duration // CPU per in-flight activity, integrated since the start
	n     int           // activities in flight
	use   CPUUse
}

func newCPUShares(clock func() time.Duration) *cpuShares {
	if clock == nil {
		clock = processCPU
	}
	now := clock()
	return &cpuShares{clock: clock, first: now, last: now}
}

// advance accounts for the CPU spent since the previous event. Called with
// mu held.
func (c *cpuShares) advance() {
	now := c.clock()
	d := max(now-c.last, 0)
	c.last = now
	if c.n > 0 {
		c.unit += d / time.Duration(c.n)
	} else {
		c.use.Idle += d
	}
}

// begin marks the start of an activity and returns its token for end.
func (c *cpuShares) begin() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	c.n++
	return c.unit
}

// end marks the end of the activity that began with token, of kind k.
func (c *cpuShares) end(token time.Duration, k cpuKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	c.n--
	share := c.unit - token
	switch k {
	case cpuMeasured:
		c.use.Measured += share
	case cpuPriming:
		c.use.Priming += share
	default:
		c.use.Unmeasured += share
	}
}

// finish returns the split once nothing is in flight any more.
func (c *cpuShares) finish() CPUUse {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	u := c.use
	u.Total = c.last - c.first
	return u
}

// processCPU is this process's CPU time (user + system) from
// CLOCK_PROCESS_CPUTIME_ID: the scheduler's own runtime sums, in
// nanoseconds, without getrusage's tick-based user/system split and its
// monotonicity clamps, which shift CPU between short windows.
func processCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
