// Package loadgen decides when and how many handshakes run: the pacer, the
// worker pool, per-worker HDR histograms and coordinated-omission handling.
package loadgen

import (
	"math"
	"time"
)

// Schedule is the open-loop plan of a run: hit i is due at i/Rate seconds
// after the start, whatever happened to earlier hits. The schedule is a pure
// function of the start time, so a slow target cannot slow the generator
// down (coordinated omission) without it being measured.
type Schedule struct {
	Rate     float64       // hits per second, > 0
	Duration time.Duration // no hit is due at or after this; 0 = no limit
	Count    uint64        // at most this many hits; 0 = no limit
}

// Never is the Due of a hit too far in the future for a time.Duration: the
// schedule saturates there instead of overflowing into the past.
const Never = time.Duration(math.MaxInt64)

// Due returns when hit i is due, relative to the start; Never when that
// lies beyond what a time.Duration holds (or the rate is not a positive
// finite number).
func (s Schedule) Due(i uint64) time.Duration {
	d := float64(i) * float64(time.Second) / s.Rate
	if !(d >= 0 && d < float64(Never)) { // also false for NaN
		return Never
	}
	return time.Duration(math.Round(d))
}

// Pace says how long to wait before sending the next hit, given the time
// elapsed since the start and the hits already sent, and whether the run is
// over. A negative or zero wait means the hit is due (or late): send it now.
func (s Schedule) Pace(elapsed time.Duration, hits uint64) (wait time.Duration, stop bool) {
	if s.Rate <= 0 || (s.Count > 0 && hits >= s.Count) {
		return 0, true
	}
	due := s.Due(hits)
	if s.Duration > 0 && due >= s.Duration {
		return 0, true
	}
	return due - elapsed, false
}

// HitsBefore returns how many hits are due before d (hits 0 … n-1 have Due < d).
func (s Schedule) HitsBefore(d time.Duration) uint64 {
	if d <= 0 || s.Rate <= 0 {
		return 0
	}
	x := math.Ceil(d.Seconds() * s.Rate)
	if !(x < math.MaxUint64) { // beyond a uint64 (or NaN): saturate
		return math.MaxUint64
	}
	// x is within a few hits of the answer (float rounding); step to it.
	n := uint64(x)
	for n > 0 && s.Due(n-1) >= d {
		n--
	}
	for n < math.MaxUint64 && s.Due(n) < d {
		n++
	}
	return n
}
