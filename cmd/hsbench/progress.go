package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

// progress prints a live one-line status on stderr when stderr is a
// terminal: the step k of N (cell and repeat), the current cell's rate,
// errors and percentiles so far, the whole run's elapsed time and its ETA.
// Otherwise it stays quiet. Its methods are called from the collector
// goroutine and the run loop, never at once.
type progress struct {
	w       io.Writer
	on      bool
	label   string
	note    string // prefix of the label (a capacity search's step)
	total   *loadgen.Snapshot
	steps   int           // steps in the whole run
	done    int           // steps finished
	planned time.Duration // expected length of one step (warm-up + duration); 0 when bounded by count only
	start   time.Time     // start of the whole run
	begun   time.Time     // start of the current step
	doneAt  time.Duration // elapsed time when the last step finished
}

func newProgress(w io.Writer, quiet bool, steps int, planned time.Duration) *progress {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, on: on, steps: steps, planned: planned, start: time.Now()}
}

// stepLabel is "[k/N] cell" (and "#r/R" with repeats): k counts steps of
// the whole run from 1.
func stepLabel(k, steps int, cell string, repeat, repeats int) string {
	l := fmt.Sprintf("[%d/%d] %s", k, steps, cell)
	if repeats > 1 {
		l += fmt.Sprintf(" #%d/%d", repeat+1, repeats)
	}
	return l
}

func (p *progress) begin(cell string, repeat, repeats int) {
	p.label = p.note + stepLabel(p.done+1, p.steps, cell, repeat, repeats)
	p.total = &loadgen.Snapshot{Errors: loadgen.Counts{}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
	p.begun = time.Now()
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K%s: warming up  %s", p.label, p.clock())
	}
}

func (p *progress) interval(s *loadgen.Snapshot) {
	if !p.on {
		return
	}
	p.total.Merge(s)
	ph := sample.Latency
	if p.total.Hist[ph] == nil {
		ph = sample.Total
	}
	var p50, p99 float64
	if h := p.total.Hist[ph]; h != nil && h.TotalCount() > 0 {
		p50, p99 = float64(h.ValueAtQuantile(50))/1e6, float64(h.ValueAtQuantile(99))/1e6
	}
	rate := 0.0
	if d := (s.End - s.Start).Seconds(); d > 0 {
		rate = float64(s.Attempts()) / d
	}
	fmt.Fprintf(p.w, "\r\033[K%s: %.0f/s, %d ok, %d errors, %s p50 %.3f ms p99 %.3f ms  %s",
		p.label, rate, p.total.OK, p.total.Errors.Sum(), ph, p50, p99, p.clock())
}

// clock is "elapsed 1m02s, ETA 40s" for the whole run.
func (p *progress) clock() string {
	elapsed := time.Since(p.start)
	s := "elapsed " + roundDur(elapsed)
	if eta, ok := runETA(p.steps, p.done, p.doneAt, time.Since(p.begun), p.planned); ok {
		s += ", ETA " + roundDur(eta)
	}
	return s
}

// end clears the live line and counts the step as done.
func (p *progress) end() {
	p.done++
	p.doneAt = time.Since(p.start)
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// runETA estimates the time left in a run of steps steps of which done
// are finished (taking doneAt in all) and the current one has run for
// inStep: from the measured mean step time once a step has finished, else
// from the planned step length (ok is false when there is none: a run
// bounded by --count only).
func runETA(steps, done int, doneAt, inStep, planned time.Duration) (time.Duration, bool) {
	per := planned
	if done > 0 {
		per = doneAt / time.Duration(done)
	}
	if per <= 0 {
		return 0, false
	}
	left := per*time.Duration(steps-done) - inStep
	return max(left, 0), true
}

// roundDur prints a duration to the second ("1m2s"), or to 0.1 s under 10 s.
func roundDur(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
