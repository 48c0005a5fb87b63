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
// terminal; otherwise it stays quiet. It is called from the collector
// goroutine only.
type progress struct {
	w       io.Writer
	on      bool
	label   string
	note    string // prefix of the label (a capacity search's step)
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

func (p *progress) begin(cell string, repeat, repeats int) {
	p.label = p.note + cell
	if repeats > 1 {
		p.label = fmt.Sprintf("%s%s #%d/%d", p.note, cell, repeat+1, repeats)
	}
	p.total = &loadgen.Snapshot{Errors: loadgen.Counts{}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
	p.started = time.Now()
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K%s: warming up", p.label)
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
	fmt.Fprintf(p.w, "\r\033[K%s: %.0f/s, %d ok, %d errors, %s p50 %.3f ms p99 %.3f ms",
		p.label, rate, p.total.OK, p.total.Errors.Sum(), ph, p50, p99)
}

func (p *progress) end() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
