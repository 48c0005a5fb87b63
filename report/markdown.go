package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/hsbench/hsbench/results"
)

// phaseHeader are the columns of a cell's per-phase table; latencies in ms.
var phaseHeader = []string{"phase (ms)", "count", "p50", "p90", "p99", "p99.9", "max", "mean"}

// phaseRows is a cell's per-phase table, phases in reading order.
func phaseRows(c Cell) [][]string {
	var rows [][]string
	for _, p := range tablePhases {
		ps, ok := c.Src.Total.Phases[p.String()]
		if !ok {
			continue
		}
		rows = append(rows, []string{p.String(), fmt.Sprint(ps.Count),
			num(ps.P50), num(ps.P90), num(ps.P99), num(ps.P999), num(ps.Max), num(ps.Mean)})
	}
	return rows
}

// siteNotes are the lines under the summary table: invalid cells, the runs'
// warnings and what the report left out.
func siteNotes(s *Site) []string {
	var notes []string
	for _, r := range s.Runs {
		notes = append(notes, SkippedLines(r.Invalid)...)
		for _, warn := range r.Warnings {
			notes = append(notes, "warning: "+warn)
		}
	}
	for _, n := range s.Notes {
		notes = append(notes, "note: "+n)
	}
	return notes
}

// plainHead is summaryHead without Markdown.
func plainHead(s Summary) string { return strings.ReplaceAll(summaryHead(s), "`", "") }

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

// WriteMarkdown writes report.md: the runs, the summary table with each
// cell's warnings, invalid cells and notes, every figure with its caption
// (and, for bars, the estimates with their confidence intervals), and last
// every cell's per-phase table.
func WriteMarkdown(w io.Writer, s *Site) error {
	ew := &errWriter{w: w}
	ew.printf("# hsbench report\n\n")
	for _, r := range s.Runs {
		ew.printf("- run `%s`: %s\n", r.ID, runSummary(r))
	}
	sum := Summarize(s.Cells, s.Phase)
	ew.printf("\n## Cells\n\n%s\n\n", summaryHead(sum))
	var rows [][]string
	for _, r := range sum.Rows {
		rows = append(rows, append(append([]string{r.Cell}, r.Values...), strings.Join(r.Warnings, "; ")))
	}
	writeMDTable(ew, append(append([]string{"cell"}, sum.Header...), "warnings"), rows, 1)
	for _, n := range siteNotes(s) {
		ew.printf("- %s\n", n)
	}
	ew.printf("\n## Figures\n")
	for _, f := range s.Figures {
		ew.printf("\n### %s\n\n![%s](%s.png)\n\n%s\n", f.Title, f.Name, f.Name, f.Caption)
		if len(f.Stats) > 0 {
			ew.printf("\n")
			writeMDTable(ew, dimHeader(f.Stats), dimRows(f.Stats), 2)
		}
	}
	ew.printf("\n## Per-phase tables\n")
	for _, c := range s.Cells {
		ew.printf("\n### %s\n\n", c.Name)
		writeMDTable(ew, phaseHeader, phaseRows(c), 1)
	}
	ew.printf("Each cell's %s distribution is in `<cell>.hgrm` (HdrHistogram percentile format, ms); every phase's percentiles are in `%s`.\n", s.Phase, CSVFile)
	return ew.err
}

// dimHeader and dimRows are the estimates behind a bars figure, one row
// per panel and value.
func dimHeader(ts []DimTable) []string {
	pct := fmt.Sprintf("%.0f%% CI", 100*ts[0].Conf)
	return []string{"held fixed", ts[0].Dim, "cells", "p50", "p50 " + pct, "p99", "p99 " + pct}
}

func dimRows(ts []DimTable) [][]string {
	var rows [][]string
	for _, t := range ts {
		for _, g := range t.Groups {
			rows = append(rows, []string{orNone(t.Held), g.Value, fmt.Sprint(g.Cells),
				num(g.P50.Value), num(g.P50.Lo) + " – " + num(g.P50.Hi),
				num(g.P99.Value), num(g.P99.Lo) + " – " + num(g.P99.Hi)})
		}
	}
	return rows
}

// writeMDTable writes a pipe table; the first left columns are
// left-aligned, the others right-aligned, except a last column of text
// ("warnings").
func writeMDTable(ew *errWriter, header []string, rows [][]string, left int) {
	ew.printf("| %s |\n|", strings.Join(header, " | "))
	for i := range header {
		if i < left || (i == len(header)-1 && header[i] == "warnings") {
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
