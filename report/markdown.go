package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/hsbench/hsbench/results"
)

// cellTableHeader are the columns of the per-cell table of report.md and
// index.html. Latencies are in milliseconds.
var cellTableHeader = []string{"cell", "n",
	"total p50", "total p90", "total p99", "total p99.9",
	"handshake p50", "handshake p90", "handshake p99", "handshake p99.9",
	"rate (/s)", "mismatches", "errors"}

// cellRows formats the per-cell table, one row per cell.
func cellRows(cells []Cell) [][]string {
	var rows [][]string
	for _, c := range cells {
		m := c.Src.Total
		row := []string{c.Name, fmt.Sprint(m.OK)}
		for _, ph := range []string{"total", "tls_handshake"} {
			ps, ok := m.Phases[ph]
			for _, v := range []float64{ps.P50, ps.P90, ps.P99, ps.P999} {
				if !ok {
					row = append(row, "–")
					continue
				}
				row = append(row, num(v))
			}
		}
		row = append(row, fmt.Sprintf("%.0f", m.RatePerSec), countCell(m.Mismatches), countCell(m.Errors))
		rows = append(rows, row)
	}
	return rows
}

// countCell is "0", or the sum and the classes: "3 (timeout=2 reset=1)".
func countCell(m map[string]int64) string {
	n := sum(m)
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", n, counts(m))
}

// runSummary describes where and how a run ran, in one line.
func runSummary(r *results.Run) string {
	c, e := r.Config, r.Environment
	load := fmt.Sprintf("closed loop, %d worker%s", c.Concurrency, plural(c.Concurrency))
	if c.Rate > 0 {
		load = fmt.Sprintf("open loop at %.0f/s, up to %d in flight", c.Rate, c.Concurrency)
	}
	per := fmt.Sprintf("%gs", c.DurationMS/1e3)
	if c.Count > 0 {
		per = fmt.Sprintf("%d handshakes or %s", c.Count, per)
	}
	s := fmt.Sprintf("%s per cell, %d repeat%s, %s", per, c.Repeat, plural(c.Repeat), load)
	if e.Go != "" {
		s += fmt.Sprintf("; hsbench %s, %s, %s/%s, %s × %d, network %s", e.HsbenchVersion, e.Go, e.OS, e.Arch, e.CPUModel, e.CPUs, e.Network)
	}
	if !r.Started.IsZero() {
		s += "; started " + r.Started.UTC().Format("2006-01-02 15:04:05Z")
	}
	if r.Interrupted {
		s += "; INTERRUPTED (partial results)"
	} else if !r.Complete {
		s += "; incomplete"
	}
	return s
}

// WriteMarkdown writes report.md: the runs, the per-cell table, invalid
// cells and warnings, and every figure with its caption (and, for bars, the
// estimates with their confidence intervals).
func WriteMarkdown(w io.Writer, s *Site) error {
	ew := &errWriter{w: w}
	ew.printf("# hsbench report\n\n")
	for _, r := range s.Runs {
		ew.printf("- run `%s`: %s\n", r.ID, runSummary(r))
	}
	ew.printf("\n## Cells\n\n")
	ew.printf("Latencies in ms. `total` runs from the start of an attempt to the first response byte, `handshake` is `tls_handshake`; " +
		"n counts successful handshakes, mismatched samples are counted apart and left out of every figure.\n\n")
	writeMDTable(ew, cellTableHeader, cellRows(s.Cells), 1)
	for _, r := range s.Runs {
		for _, line := range SkippedLines(r.Invalid) {
			ew.printf("- %s\n", line)
		}
		for _, warn := range r.Warnings {
			ew.printf("- warning: %s\n", warn)
		}
	}
	for _, n := range s.Notes {
		ew.printf("- note: %s\n", n)
	}
	ew.printf("\n## Figures\n")
	for _, f := range s.Figures {
		ew.printf("\n### %s\n\n![%s](%s.png)\n\n%s\n", f.Title, f.Name, f.Name, f.Caption)
		if f.Stats != nil {
			ew.printf("\n")
			writeMDTable(ew, dimHeader(f.Stats), dimRows(f.Stats), 2)
		}
	}
	ew.printf("\nEach cell's %s distribution is in `<cell>.hgrm` (HdrHistogram percentile format, ms); every phase's percentiles are in `%s`.\n", s.Phase, CSVFile)
	return ew.err
}

func dimHeader(t *DimTable) []string {
	pct := fmt.Sprintf("%.0f%% CI", 100*t.Conf)
	return []string{t.Dim, "cells", "p50", "p50 " + pct, "p99", "p99 " + pct}
}

func dimRows(t *DimTable) [][]string {
	var rows [][]string
	for _, g := range t.Groups {
		rows = append(rows, []string{g.Value, fmt.Sprint(g.Cells),
			num(g.P50.Value), num(g.P50.Lo) + " – " + num(g.P50.Hi),
			num(g.P99.Value), num(g.P99.Lo) + " – " + num(g.P99.Hi)})
	}
	return rows
}

// writeMDTable writes a pipe table; the first left columns are
// left-aligned, the others right-aligned.
func writeMDTable(ew *errWriter, header []string, rows [][]string, left int) {
	ew.printf("| %s |\n|", strings.Join(header, " | "))
	for i := range header {
		if i < left {
			ew.printf("---|")
		} else {
			ew.printf("---:|")
		}
	}
	ew.printf("\n")
	for _, r := range rows {
		for i := range r {
			r[i] = strings.ReplaceAll(r[i], "|", `\|`)
		}
		ew.printf("| %s |\n", strings.Join(r, " | "))
	}
	ew.printf("\n")
}
