package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/hsbench/hsbench/report/plot"
	"github.com/hsbench/hsbench/results"
)

// A Summary is the report's first table: one row per cell with the figures
// that fit the run. Closed loop: the phase's percentiles, their spread to
// the fastest cell and the rate. Open loop: the same of the phase (latency
// by default), the service time (total), the lateness of the starts, and
// the offered and achieved rates. Each row carries its warnings.
type Summary struct {
	Phase  string
	Open   bool
	Header []string // the columns between "cell" and "warnings"
	Rows   []SummaryRow
}

// A SummaryRow is one cell's line.
type SummaryRow struct {
	Cell     string
	Values   []string  // formatted, one per Header column
	Keys     []float64 // sort keys, one per Header column (NaN: none)
	Warnings []string
}

// summaryConf is the confidence of the p50 interval in the summary table.
const summaryConf = 0.95

// fewSamples is the sample count under which a cell is flagged: its p99
// rests on a handful of samples.
const fewSamples = 100

// Summarize builds the summary table of cells for phase.
func Summarize(cells []Cell, phase string) Summary {
	s := Summary{Phase: phase}
	for _, c := range cells {
		if c.Run.Config.Rate > 0 {
			s.Open = true
		}
	}
	s.Header = []string{"n", "p50", "p50 95% CI", "p99", "p99.9", "vs fastest p50"}
	if s.Open {
		s.Header = append(s.Header, "total p50", "lateness p99", "offered /s", "achieved /s")
	} else {
		s.Header = append(s.Header, "rate /s")
	}
	s.Header = append(s.Header, "errors", "mismatches")
	fastest := math.Inf(1)
	for _, c := range cells {
		if ps, ok := c.Src.Total.Phases[phase]; ok && ps.Count > 0 {
			fastest = math.Min(fastest, ps.P50)
		}
	}
	for _, c := range cells {
		s.Rows = append(s.Rows, summaryRow(c, phase, s.Open, fastest))
	}
	return s
}

func summaryRow(c Cell, phase string, open bool, fastest float64) SummaryRow {
	m := c.Src.Total
	row := SummaryRow{Cell: c.Name}
	add := func(v string, key float64) {
		row.Values = append(row.Values, v)
		row.Keys = append(row.Keys, key)
	}
	ms := func(ph string, get func(results.PhaseStats) float64) {
		if ps, ok := m.Phases[ph]; ok && ps.Count > 0 {
			add(num(get(ps)), get(ps))
			return
		}
		add("–", math.NaN())
	}
	add(fmt.Sprint(m.OK), float64(m.OK))
	ms(phase, func(p results.PhaseStats) float64 { return p.P50 })
	if h := c.Plot.Phases[phase]; h != nil && h.TotalCount() > 0 {
		lo, hi := plot.OrderStatCI(h, 0.5, summaryConf)
		add(num(lo/1e6)+"–"+num(hi/1e6), (hi-lo)/1e6)
	} else {
		add("–", math.NaN())
	}
	ms(phase, func(p results.PhaseStats) float64 { return p.P99 })
	ms(phase, func(p results.PhaseStats) float64 { return p.P999 })
	if ps, ok := m.Phases[phase]; ok && ps.Count > 0 && fastest > 0 {
		add(relative(ps.P50/fastest), ps.P50/fastest)
	} else {
		add("–", math.NaN())
	}
	if open {
		ms("total", func(p results.PhaseStats) float64 { return p.P50 })
		ms("lateness", func(p results.PhaseStats) float64 { return p.P99 })
		add(fmt.Sprintf("%.0f", c.Run.Config.Rate), c.Run.Config.Rate)
		add(fmt.Sprintf("%.0f", m.RatePerSec), m.RatePerSec)
	} else {
		add(fmt.Sprintf("%.0f", m.RatePerSec), m.RatePerSec)
	}
	add(shareCell(sum(m.Errors), m.Attempts), float64(sum(m.Errors)))
	add(shareCell(sum(m.Mismatches), m.Attempts), float64(sum(m.Mismatches)))
	row.Warnings = cellWarnings(c, phase)
	return row
}

// relative is a cell's p50 against the fastest: "fastest", "+12%", "×3.1".
func relative(r float64) string {
	switch {
	case r <= 1.0005:
		return "fastest"
	case r < 2:
		return fmt.Sprintf("+%.0f%%", 100*(r-1))
	}
	return fmt.Sprintf("×%.1f", r)
}

// shareCell is "0" or "12 (0.5%)".
func shareCell(n, attempts int64) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(max(attempts, 1)))
}

// cellWarnings are what a reader must know before trusting a cell's row:
// the generator's and the repeats' warnings, failures and mismatches by
// class, 0-RTT acceptance, too few samples, an interrupted measure.
func cellWarnings(c Cell, phase string) []string {
	m := c.Src.Total
	var out []string
	seen := map[string]bool{}
	addOnce := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, w := range m.Warnings {
		addOnce(w)
	}
	for _, r := range c.Src.Runs {
		for _, w := range r.Warnings {
			if len(c.Src.Runs) > 1 {
				w = fmt.Sprintf("repeat %d: %s", r.Repeat+1, w)
			}
			addOnce(w)
		}
	}
	if n := sum(m.Errors); n > 0 {
		addOnce("failed: " + counts(m.Errors))
	}
	if n := sum(m.Mismatches); n > 0 {
		addOnce("mismatched (left out): " + counts(m.Mismatches))
	}
	if m.Negotiated["early_data"]["rejected"] > 0 || (m.Attempts > 0 && m.Errors["no_0rtt"] == m.Attempts) {
		addOnce(earlyData(c.Src)) // all accepted is no warning
	}
	if ps, ok := m.Phases[phase]; ok && ps.Count > 0 && ps.Count < fewSamples {
		addOnce(fmt.Sprintf("only %d samples: p99 and beyond are the few slowest", ps.Count))
	}
	if !hasPhase(m, phase) && m.Attempts > 0 {
		addOnce("no " + phase + " samples")
	}
	if m.Interrupted {
		addOnce("interrupted: partial measure")
	}
	return out
}

func hasPhase(m results.Measure, phase string) bool {
	ps, found := m.Phases[phase]
	return found && ps.Count > 0
}

// summaryHead is the sentence above the summary table.
func summaryHead(s Summary) string {
	head := fmt.Sprintf("One row per cell. Latencies of `%s` in ms", s.Phase)
	switch s.Phase {
	case "latency":
		head += " (from each handshake's intended start: stalls included)"
	case "total":
		head += " (start of an attempt to the first response byte)"
	}
	head += "; the p50 interval is a distribution-free 95% confidence interval; `vs fastest p50` compares each cell's median with the lowest. "
	if s.Open {
		head += "Open loop: `total p50` is the service time, `lateness p99` how late starts were, `offered` the schedule and `achieved` the successful handshakes per second. "
	}
	return head + "n counts successful handshakes; failed and mismatched attempts are counted apart and left out of every figure."
}

// WriteSummary writes the summary table as text: aligned columns, each
// cell's warnings on the lines under it.
func WriteSummary(w io.Writer, s Summary) error {
	ew := &errWriter{w: w}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	ew.printf("latencies of %s in ms\n", s.Phase)
	fmt.Fprintf(tw, "cell\t%s\t\n", strings.Join(s.Header, "\t"))
	for _, r := range s.Rows {
		fmt.Fprintf(tw, "%s\t%s\t\n", r.Cell, strings.Join(r.Values, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Warnings after the table: tabwriter would widen the first column.
	for _, r := range s.Rows {
		for _, wn := range r.Warnings {
			ew.printf("  %s: %s\n", r.Cell, wn)
		}
	}
	return ew.err
}

// WriteRunSummary writes the summary table of one run, in its default
// phase: the cross-cell view a multi-cell run ends with.
func WriteRunSummary(w io.Writer, r *results.Run) error {
	src := []Source{{Run: r}}
	phase := DefaultPhase(src)
	cells, err := Cells(src, phase)
	if err != nil {
		return err
	}
	return WriteSummary(w, Summarize(cells, phase))
}

// CellLine is one cell's result in one line, for progress output as each
// cell finishes.
func CellLine(r *results.Run, c *results.Cell) string {
	m := c.Total
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d ok in %.1fs", c.ID, m.OK, m.ElapsedMS/1e3)
	phase := "total"
	if r.Config.Rate > 0 {
		phase = "latency"
		fmt.Fprintf(&b, ", %.0f/s of %.0f/s offered", m.RatePerSec, r.Config.Rate)
	} else {
		fmt.Fprintf(&b, ", %.0f/s", m.RatePerSec)
	}
	if ps, ok := m.Phases[phase]; ok && ps.Count > 0 {
		fmt.Fprintf(&b, "; %s p50 %s p99 %s ms", phase, num(ps.P50), num(ps.P99))
	}
	if ps, ok := m.Phases["lateness"]; ok && r.Config.Rate > 0 && ps.Count > 0 {
		fmt.Fprintf(&b, ", lateness p99 %s ms", num(ps.P99))
	}
	if n := sum(m.Errors); n > 0 {
		fmt.Fprintf(&b, "; FAILED %s", shareCell(n, m.Attempts))
	}
	if n := sum(m.Mismatches); n > 0 {
		fmt.Fprintf(&b, "; mismatched %s", shareCell(n, m.Attempts))
	}
	if len(m.Warnings) > 0 {
		fmt.Fprintf(&b, "; %d warning%s", len(m.Warnings), plural(len(m.Warnings)))
	}
	return b.String()
}
