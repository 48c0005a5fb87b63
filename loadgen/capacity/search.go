// Package capacity searches for the highest offered rate a target sustains
// within its objectives: a ramp that brackets the knee, a bisection inside
// the bracket, the answer measured again, all within a time budget. It
// decides only which rate to measure next and why a step failed; running a
// step and judging it are the caller's (cmd/hsbench), so the logic here is
// a pure function of the outcomes and a clock, tested without a target.
package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Kind says why a step was measured.
type Kind string

// Step kinds.
const (
	Ramp   Kind = "ramp"   // bracketing the knee: growing (or shrinking) by Config.Growth
	Search Kind = "search" // bisecting the bracket
	Repeat Kind = "repeat" // the answer measured again
	Sweep  Kind = "sweep"  // an explicit rate of Config.Rates
)

// Step is one measurement the search asks for.
type Step struct {
	Index int     // 0-based, in the order measured
	Kind  Kind    //
	Rate  float64 // offered handshakes per second
}

// Outcome is the caller's judgement of a measured step.
type Outcome struct {
	Held   bool   // every objective held
	Reason Reason // why not (empty when Held)
	Detail string // the reason in words, with figures
	// Cut is set when the step did not finish (budget or interrupt): it is
	// recorded but neither holds nor fails.
	Cut bool
}

// Record is a measured step and its outcome.
type Record struct {
	Step
	Outcome
}

// Measurer runs one step, bounded by ctx, and judges it.
type Measurer func(ctx context.Context, s Step) (Outcome, error)

// Config is a search.
type Config struct {
	// StartRate is the ramp's first rate (handshakes/s); it must be > 0.
	StartRate float64
	// Growth is the ramp's factor between steps, > 1 (e.g. 2).
	Growth float64
	// MaxRate caps the ramp (0: no cap); a target that holds at MaxRate
	// ends the search with the answer "at least MaxRate".
	MaxRate float64
	// MinRate is the lowest rate a downward ramp tries (default 1).
	MinRate float64
	// Precision ends the bisection when hi − lo ≤ Precision·lo (e.g. 0.05).
	Precision float64
	// KneeRepeats is how many more times the answer is measured once the
	// bracket is narrow; a failure among them lowers the answer.
	KneeRepeats int
	// Rates, when set, replaces the search with an explicit sweep: each
	// rate once, in the given order.
	Rates []float64
	// Budget bounds the whole search; a step is started only when its
	// StepCost fits in what is left.
	Budget time.Duration
	// StepCost is how long a step at a rate takes, warm-up included.
	StepCost func(rate float64) time.Duration
	// Elapsed returns the time spent since the search began.
	Elapsed func() time.Duration
	// OnStep, when set, is called after each step with the bracket so far.
	OnStep func(r Record, b Bracket)
}

// Bracket is what the measurements say so far: Lo is the highest rate that
// held every time it was measured, Hi the lowest rate that failed (0 when
// none has). The knee lies in [Lo, Hi).
type Bracket struct {
	Lo, Hi float64
}

// Stop says why a search ended.
type Stop string

// Reasons a search ends.
const (
	Converged   Stop = "converged"   // the bracket is within Precision and the answer was repeated
	BudgetSpent Stop = "budget"      // the next step did not fit in the budget
	MaxReached  Stop = "max-rate"    // the target held at MaxRate
	MinReached  Stop = "min-rate"    // the target failed even at MinRate
	SweepDone   Stop = "sweep-done"  // every rate of an explicit sweep was measured
	Interrupted Stop = "interrupted" // ctx ended
)

// Result is a finished search.
type Result struct {
	Records []Record
	Bracket Bracket
	Stop    Stop
}

// Found reports whether the knee was bracketed from both sides.
func (r Result) Found() bool { return r.Bracket.Lo > 0 && r.Bracket.Hi > 0 }

func (c *Config) check() error {
	switch {
	case len(c.Rates) == 0 && !(c.StartRate > 0):
		return fmt.Errorf("capacity: start rate %v: must be positive", c.StartRate)
	case len(c.Rates) == 0 && !(c.Growth > 1):
		return fmt.Errorf("capacity: growth %v: must be above 1", c.Growth)
	case c.Precision < 0 || c.KneeRepeats < 0:
		return errors.New("capacity: precision and knee repeats must not be negative")
	case c.StepCost == nil || c.Elapsed == nil:
		return errors.New("capacity: StepCost and Elapsed are required")
	}
	for _, r := range c.Rates {
		if !(r > 0) {
			return fmt.Errorf("capacity: rate %v: must be positive", r)
		}
	}
	if c.MinRate <= 0 {
		c.MinRate = 1
	}
	return nil
}

// Run searches: it asks measure for one step at a time until the search
// converges, the budget is spent or ctx ends. An error from measure ends
// the search and is returned with what was measured.
func Run(ctx context.Context, cfg Config, measure Measurer) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, err
	}
	var res Result
	for {
		if ctx.Err() != nil {
			res.Stop = Interrupted
			return res, nil
		}
		next, stop := cfg.next(res.Records)
		if stop != "" {
			res.Stop = stop
			return res, nil
		}
		if cfg.Budget > 0 && cfg.Elapsed()+cfg.StepCost(next.Rate) > cfg.Budget {
			res.Stop = BudgetSpent
			return res, nil
		}
		next.Index = len(res.Records)
		out, err := measure(ctx, next)
		if err != nil {
			return res, err
		}
		res.Records = append(res.Records, Record{next, out})
		res.Bracket = BracketOf(res.Records)
		if cfg.OnStep != nil {
			cfg.OnStep(res.Records[len(res.Records)-1], res.Bracket)
		}
	}
}

// BracketOf reads the bracket off the records: Hi is the lowest rate with
// a failure, Lo the highest rate below Hi whose every measurement held.
// Cut steps count for neither.
func BracketOf(recs []Record) Bracket {
	var b Bracket
	failed := map[float64]bool{}
	for _, r := range recs {
		if !r.Cut && !r.Held {
			failed[r.Rate] = true
			if b.Hi == 0 || r.Rate < b.Hi {
				b.Hi = r.Rate
			}
		}
	}
	for _, r := range recs {
		if r.Cut || !r.Held || failed[r.Rate] || (b.Hi > 0 && r.Rate >= b.Hi) {
			continue
		}
		b.Lo = math.Max(b.Lo, r.Rate)
	}
	return b
}

// next picks the next step from the records, or says why to stop.
func (c *Config) next(recs []Record) (Step, Stop) {
	if len(c.Rates) > 0 {
		if len(recs) >= len(c.Rates) {
			return Step{}, SweepDone
		}
		return Step{Kind: Sweep, Rate: c.Rates[len(recs)]}, ""
	}
	b := BracketOf(recs)
	switch {
	case len(recs) == 0 || (b.Lo == 0 && b.Hi == 0): // nothing judged yet (or only cut steps)
		return Step{Kind: Ramp, Rate: c.capped(c.StartRate)}, ""
	case b.Hi == 0: // everything held so far: grow
		if c.MaxRate > 0 && b.Lo >= c.MaxRate {
			return Step{}, MaxReached
		}
		return Step{Kind: Ramp, Rate: c.capped(b.Lo * c.Growth)}, ""
	case b.Lo == 0: // everything failed so far: shrink
		r := b.Hi / c.Growth
		if r < c.MinRate {
			if b.Hi <= c.MinRate {
				return Step{}, MinReached
			}
			r = c.MinRate
		}
		return Step{Kind: Ramp, Rate: r}, ""
	}
	if mid, ok := midpoint(b.Lo, b.Hi); ok && b.Hi-b.Lo > c.Precision*b.Lo {
		return Step{Kind: Search, Rate: mid}, ""
	}
	if measuredAt(recs, b.Lo) <= c.KneeRepeats {
		return Step{Kind: Repeat, Rate: b.Lo}, ""
	}
	return Step{}, Converged
}

func (c *Config) capped(r float64) float64 {
	if c.MaxRate > 0 && r > c.MaxRate {
		return c.MaxRate
	}
	return r
}

// measuredAt counts the judged (not cut) measurements at rate.
func measuredAt(recs []Record, rate float64) int {
	n := 0
	for _, r := range recs {
		if r.Rate == rate && !r.Cut {
			n++
		}
	}
	return n
}

// midpoint returns a round rate strictly between lo and hi: their mean,
// rounded to a whole rate per second above 20/s (to 0.1/s below), or false
// when no such rate differs from both.
func midpoint(lo, hi float64) (float64, bool) {
	m := (lo + hi) / 2
	if m >= 20 {
		m = math.Round(m)
	} else {
		m = math.Round(m*10) / 10
	}
	return m, m > lo && m < hi
}
