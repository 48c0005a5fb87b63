package main

import (
	"fmt"
	"io"
	"os"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

// progress prints a live one-line status on stderr when stderr is a
// terminal; otherwise it stays quiet. It is called from the collector
// goroutine only.
type progress struct {
	w       io.Writer
	on      bool
	label   string
	total   *loadgen.Snapshot
	started time.Time
}

func newProgress(w io.Writer, quiet bool) *progress {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, on: on}
}

// startLine is the line shown until the first interval ends.
func (p *progress) startLine(warmup time.Duration) string {
	if warmup > 0 {
		return p.label + ": warming up"
	}
	return p.label + ": starting"
}

func (p *progress) begin(cell string, repeat, repeats int, warmup time.Duration) {
	p.label = cell
	if repeats > 1 {
		p.label = fmt.Sprintf("%s #%d/%d", cell, repeat+1, repeats)
	}
	p.total = &loadgen.Snapshot{Errors: loadgen.Counts{}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
	p.started = time.Now()
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K%s", p.startLine(warmup))
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
	rate := 0.0
	if d := (s.End - s.Start).Seconds(); d > 0 {
		rate = float64(s.Attempts()) / d
	}
	fmt.Fprintf(p.w, "\r\033[K%s: %.0f/s, %d ok, %d errors, %s", p.label, rate, p.total.OK, p.total.Errors.Sum(), latencyPart(ph, p.total.Hist[ph]))
}

// latencyPart is the live line's percentiles, or "no latency yet" while
// nothing has succeeded (never a p50 of 0.000 ms that nothing measured).
func latencyPart(ph sample.Phase, h *hdr.Histogram) string {
	if h == nil || h.TotalCount() == 0 {
		return "no latency yet"
	}
	return fmt.Sprintf("%s p50 %.3f ms p99 %.3f ms", ph, float64(h.ValueAtQuantile(50))/1e6, float64(h.ValueAtQuantile(99))/1e6)
}

func (p *progress) end() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
