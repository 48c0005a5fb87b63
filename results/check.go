package results

import (
	"fmt"
	"math"
)

// Check verifies that every summary in the run agrees with the histogram
// stored beside it (count, min, max and the stored percentiles): a
// run.json edited by hand or corrupted on the way would otherwise make
// report, compare and merge print figures its histograms contradict.
func (r *Run) Check() error {
	if err := r.check(); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

func (r *Run) check() error {
	for _, c := range r.Cells {
		ms := append([]Measure{c.Total}, c.Runs...)
		for _, m := range ms {
			for name, p := range m.Phases {
				if err := p.check(); err != nil {
					return fmt.Errorf("cell %s, repeat %d, phase %s: %w", c.ID, m.Repeat, name, err)
				}
			}
		}
	}
	return nil
}

// check compares a phase's summary with its histogram.
func (p PhaseStats) check() error {
	if p.Histogram == "" {
		return nil // nothing to contradict
	}
	h, err := p.Hist()
	if err != nil {
		return err
	}
	if h.TotalCount() != p.Count {
		return fmt.Errorf("count %d, its histogram holds %d", p.Count, h.TotalCount())
	}
	for _, v := range []struct {
		name   string
		stored float64
		hist   int64
	}{
		{"min", p.Min, h.Min()}, {"max", p.Max, h.Max()},
		{"p50", p.P50, h.ValueAtQuantile(50)}, {"p90", p.P90, h.ValueAtQuantile(90)},
		{"p99", p.P99, h.ValueAtQuantile(99)}, {"p99.9", p.P999, h.ValueAtQuantile(99.9)},
	} {
		if want := ms(v.hist); !(math.Abs(v.stored-want) <= 1e-9*math.Max(1, math.Abs(want))) {
			return fmt.Errorf("%s %v ms contradicts its histogram (%v ms)", v.name, v.stored, want)
		}
	}
	return nil
}
