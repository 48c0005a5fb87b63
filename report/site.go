package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hsbench/hsbench/report/plot"
	"github.com/hsbench/hsbench/results"
)

// DefaultDims are the dimensions that get a bars-<dim> plot by default.
var DefaultDims = []string{"group", "suite", "version", "mode"}

// Options configure a report.
type Options struct {
	// Phase is the phase of the spectrum, bars, over-time plots and .hgrm
	// files; "" means "total".
	Phase string
	// Dims are the dimensions to draw bars for; nil means DefaultDims.
	Dims []string
	// MaxOverlay is the most cells one spectrum overlays before it is split
	// by mode, then version, and so on; 0 means 8.
	MaxOverlay int
	// MaxOverTime caps the over-time plots (first cells first); 0 means 12.
	MaxOverTime int
	// Conf is the confidence level of the bars' intervals; 0 means 0.95.
	Conf float64
}

func (o Options) withDefaults() Options {
	if o.Phase == "" {
		o.Phase = plot.PhaseTotal
	}
	if o.Dims == nil {
		o.Dims = DefaultDims
	}
	if o.MaxOverlay <= 0 {
		o.MaxOverlay = 8
	}
	if o.MaxOverTime <= 0 {
		o.MaxOverTime = 12
	}
	if o.Conf == 0 {
		o.Conf = 0.95
	}
	return o
}

// A Figure is one plot of the report, drawn as Name.png and Name.svg.
type Figure struct {
	Name    string // file prefix inside the report directory
	Title   string
	Caption string
	// Stats is the table behind a bars figure (nil for other figures).
	Stats *DimTable
	draw  func(prefix string) error
}

// A DimTable holds the estimates a bars figure draws.
type DimTable struct {
	Dim, Phase string
	Method     string // plot.MethodRepeats or plot.MethodOrderStat
	Held       string // the other dimensions, held fixed
	Conf       float64
	Groups     []plot.GroupStat
}

// A Site is a whole report: the cells, the planned figures and notes.
type Site struct {
	Runs    []*results.Run
	Cells   []Cell
	Phase   string
	Figures []Figure
	// Notes say what was left out and why.
	Notes []string
}

// Build reads the sources into cells and plans the figures (nothing is
// drawn or written yet).
func Build(srcs []Source, opt Options) (*Site, error) {
	opt = opt.withDefaults()
	if len(srcs) == 0 {
		return nil, fmt.Errorf("report: no run")
	}
	cells, err := Cells(srcs, opt.Phase)
	if err != nil {
		return nil, err
	}
	s := &Site{Cells: cells, Phase: opt.Phase}
	for _, src := range srcs {
		s.Runs = append(s.Runs, src.Run)
	}
	var plottable []Cell
	for _, c := range cells {
		if h := c.Plot.Phases[opt.Phase]; h == nil || h.TotalCount() == 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("%s has no %s samples: in the table, not in the plots", c.Name, opt.Phase))
			continue
		}
		plottable = append(plottable, c)
	}
	if len(plottable) == 0 {
		s.Notes = append(s.Notes, "no cell has samples: no plots")
		return s, nil
	}
	s.planSpectra(plottable, opt)
	s.planBars(plottable, opt)
	s.planBreakdown(plottable)
	s.planOverTime(plottable, opt)
	return s, nil
}

// splitDims is the order in which a crowded spectrum is split.
var splitDims = []string{"mode", "version", "group", "suite", "cert", "run"}

func (s *Site) planSpectra(cells []Cell, opt Options) {
	for _, part := range partition(cells, splitDims, opt.MaxOverlay) {
		pcs, fixed := relabel(part.cells)
		title := "Latency by percentile: " + opt.Phase
		if fixed != "" {
			title += " — " + fixed
		}
		name := "spectrum"
		if part.key != "" {
			name += "-" + part.key
		}
		phase := opt.Phase
		s.Figures = append(s.Figures, Figure{
			Name: name, Title: title,
			Caption: fmt.Sprintf("Percentile spectrum of %s, one line per cell (log scales; the last point of each line is its maximum).", phase),
			draw: func(prefix string) error {
				return plot.Spectrum(pcs, plot.SpectrumOptions{Phase: phase, LogY: true, Title: title}, prefix)
			},
		})
	}
}

type part struct {
	key   string
	cells []Cell
}

// partition splits cells by the first dimension of dims that varies among
// them, recursively, until each part has at most max cells.
func partition(cells []Cell, dims []string, max int) []part {
	if len(cells) <= max {
		return []part{{cells: cells}}
	}
	for i, d := range dims {
		var order []string
		by := map[string][]Cell{}
		for _, c := range cells {
			v := c.Plot.Dims[d]
			if _, ok := by[v]; !ok {
				order = append(order, v)
			}
			by[v] = append(by[v], c)
		}
		if len(order) < 2 {
			continue
		}
		var out []part
		for _, v := range order {
			for _, sub := range partition(by[v], dims[i+1:], max) {
				key := fileSafe(strings.ToLower(v))
				if sub.key != "" {
					key += "-" + sub.key
				}
				out = append(out, part{key: key, cells: sub.cells})
			}
		}
		return out
	}
	return []part{{cells: cells}}
}

func (s *Site) planBars(cells []Cell, opt Options) {
	for _, dim := range opt.Dims {
		slice := sliceFor(cells, dim)
		if distinct(slice, dim) < 2 {
			s.Notes = append(s.Notes, fmt.Sprintf("no bars for %s: fewer than two values with the other dimensions held fixed", dim))
			continue
		}
		pcs, _ := relabel(slice)
		held := heldDescription(slice, dim)
		stats, method, err := plot.DimensionStats(pcs, dim, opt.Phase, opt.Conf)
		if err != nil {
			s.Notes = append(s.Notes, fmt.Sprintf("no bars for %s: %v", dim, err))
			continue
		}
		title := fmt.Sprintf("%s p50 and p99 by %s", opt.Phase, dim)
		if held != "" {
			title += " — " + held
		}
		phase, conf, d := opt.Phase, opt.Conf, dim
		s.Figures = append(s.Figures, Figure{
			Name: "bars-" + fileSafe(dim), Title: title,
			Caption: fmt.Sprintf("Median and p99 of %s for each %s, other dimensions held at %s; %.0f%% confidence intervals (%s).",
				phase, dim, orNone(held), 100*conf, method),
			Stats: &DimTable{Dim: dim, Phase: phase, Method: method, Held: held, Conf: conf, Groups: stats},
			draw: func(prefix string) error {
				return plot.DimensionBars(pcs, plot.BarsOptions{Dim: d, Phase: phase, Conf: conf, Title: title}, prefix)
			},
		})
	}
}

func orNone(s string) string {
	if s == "" {
		return "their only values"
	}
	return s
}

// sliceFor picks the cells that differ only in dim: of the sets of cells
// that agree on every other dimension, the one with the most values of dim;
// on a tie the one whose other values are the most common among all cells
// (TLS 1.3 in a matrix of mostly TLS 1.3 cells), then the first.
func sliceFor(cells []Cell, dim string) []Cell {
	var order []string
	by := map[string][]Cell{}
	freq := map[string]int{}
	for _, c := range cells {
		for _, d := range cellDims {
			freq[d+"="+c.Plot.Dims[d]]++
		}
	}
	common := func(slice []Cell) int {
		n := 0
		for _, d := range cellDims {
			if d != dim && len(slice) > 0 {
				n += freq[d+"="+slice[0].Plot.Dims[d]]
			}
		}
		return n
	}
	for _, c := range cells {
		var key []string
		for _, d := range cellDims {
			if d == dim || (dim == "transport" && d == "version") {
				continue
			}
			key = append(key, c.Plot.Dims[d])
		}
		k := strings.Join(key, "\x00")
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], c)
	}
	var best []Cell
	for _, k := range order {
		if n, b := distinct(by[k], dim), distinct(best, dim); n > b || (n == b && common(by[k]) > common(best)) {
			best = by[k]
		}
	}
	return best
}

func distinct(cells []Cell, dim string) int {
	seen := map[string]bool{}
	for _, c := range cells {
		seen[c.Plot.Dims[dim]] = true
	}
	return len(seen)
}

// heldDescription names the values the other dimensions are held at.
func heldDescription(cells []Cell, dim string) string {
	if len(cells) == 0 {
		return ""
	}
	show := map[string]bool{}
	for _, d := range cellDims {
		if d != dim {
			show[d] = true
		}
	}
	return labelOf(cells[0].Plot.Dims, show, true)
}

func (s *Site) planBreakdown(all []Cell) {
	var cells []Cell
	for _, c := range all {
		for _, ph := range plot.SplitPhases {
			if h := c.Plot.Phases[ph]; h != nil && h.TotalCount() > 0 {
				cells = append(cells, c)
				break
			}
		}
	}
	if len(cells) == 0 {
		s.Notes = append(s.Notes, "no breakdown: no cell has split phases")
		return
	}
	pcs, fixed := relabel(cells)
	title := "Where the time goes: medians of the split phases"
	if fixed != "" {
		title += " — " + fixed
	}
	s.Figures = append(s.Figures, Figure{
		Name: "breakdown", Title: title,
		Caption: "Median of each split phase per cell, stacked in time order (the sum is close to, not equal to, the median total).",
		draw: func(prefix string) error {
			return plot.PhaseBreakdown(pcs, plot.BreakdownOptions{Title: title}, prefix)
		},
	})
}

func (s *Site) planOverTime(cells []Cell, opt Options) {
	n, skipped := 0, 0
	for _, c := range cells {
		if len(c.Plot.Intervals) == 0 {
			continue
		}
		if n == opt.MaxOverTime {
			skipped++
			continue
		}
		n++
		pc := c.Plot
		title := fmt.Sprintf("%s over time: %s", opt.Phase, pc.Label)
		s.Figures = append(s.Figures, Figure{
			Name: "overtime-" + fileSafe(c.Name), Title: title,
			Caption: fmt.Sprintf("Per-interval p50, p90, p99 and maximum of %s, and the achieved rate, of %s.", opt.Phase, c.Name),
			draw: func(prefix string) error {
				return plot.OverTime(pc, plot.OverTimeOptions{Title: title, LogY: true}, prefix)
			},
		})
	}
	switch {
	case n == 0:
		s.Notes = append(s.Notes, "no over-time plots: no phases.hlog intervals for these cells")
	case skipped > 0:
		s.Notes = append(s.Notes, fmt.Sprintf("over-time plots for the first %d cells only (%d more have intervals in phases.hlog)", n, skipped))
	}
}

// Output file names besides the figures and the .hgrm files.
const (
	MarkdownFile = "report.md"
	HTMLFile     = "index.html"
	CSVFile      = "cells.csv"
)

// Write draws every figure and writes report.md, index.html, cells.csv and
// one <cell>.hgrm per cell into dir (created if needed). It returns the
// files written, relative to dir.
func (s *Site) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var files []string
	for _, f := range s.Figures {
		if err := f.draw(filepath.Join(dir, f.Name)); err != nil {
			return files, fmt.Errorf("report: %s: %w", f.Name, err)
		}
		files = append(files, f.Name+".png", f.Name+".svg")
	}
	write := func(name string, fill func(*strings.Builder) error) error {
		var b strings.Builder
		if err := fill(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		files = append(files, name)
		return nil
	}
	if err := write(MarkdownFile, func(b *strings.Builder) error { return WriteMarkdown(b, s) }); err != nil {
		return files, err
	}
	if err := write(HTMLFile, func(b *strings.Builder) error { return WriteHTML(b, s, embedPNG(dir)) }); err != nil {
		return files, err
	}
	if err := write(CSVFile, func(b *strings.Builder) error { return WriteCSV(b, s.Cells) }); err != nil {
		return files, err
	}
	for _, c := range s.Cells {
		h := c.Plot.Phases[s.Phase]
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		if err := write(HgrmName(c), func(b *strings.Builder) error { return WriteHgrm(b, h) }); err != nil {
			return files, err
		}
	}
	return files, nil
}

// HgrmName is the file name of a cell's percentile distribution.
func HgrmName(c Cell) string { return fileSafe(c.Name) + ".hgrm" }
