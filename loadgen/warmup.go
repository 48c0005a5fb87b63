package loadgen

import "time"

// inWarmup says whether an attempt belongs to warm-up (see attempt): an
// open-loop hit by its intended start, a closed-loop attempt by its end.
// A closed-loop attempt that started in warm-up and ended after it is
// measured; it counts as overlapping and takes one of --count's attempts.
func (r *runner) inWarmup(start, end, intended time.Time) bool {
	if !intended.IsZero() {
		return intended.Before(r.measure)
	}
	if end.Before(r.measure) {
		return true
	}
	if start.Before(r.measure) {
		r.overlap.Add(1)
		if r.cfg.Count > 0 {
			r.claimed.Add(1)
		}
	}
	return false
}
