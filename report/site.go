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
	// Phase is the phase of the summary table, the spectrum, bars,
	// over-time plots and .hgrm files; "" means DefaultPhase.
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

func (o Options) withDefaults(srcs []Source) Options {
	if o.Phase == "" {
		o.Phase = DefaultPhase(srcs)
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
	// Stats are the tables behind a bars figure, one per panel (nil for
	// other figures).
	Stats []DimTable
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
	if len(srcs) == 0 {
		return nil, fmt.Errorf("report: no run")
	}
	opt = opt.withDefaults(srcs)
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

// DefaultPhase is the phase a report shows unless told otherwise: latency
// (from each intended start) when every run is an open loop, else total.
func DefaultPhase(srcs []Source) string {
	for _, src := range srcs {
		if src.Run.Config.Rate <= 0 {
			return plot.PhaseTotal
		}
	}
	return "latency"
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
	varying := allDims(cells)
	for _, dim := range opt.Dims {
		slices := slicesFor(cells, dim)
		if len(slices) == 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("no bars for %s: fewer than two values with the other dimensions held fixed", dim))
			continue
		}
		// Facets are titled with the held dimensions that vary between
		// them; those held by every cell go into the figure's title.
		facetDims, fixedDims := map[string]bool{}, map[string]bool{}
		for _, d := range cellDims {
			if d == dim || (dim == "transport" && d == "version") {
				continue
			}
			if varying[d] {
				facetDims[d] = true
			} else {
				fixedDims[d] = true
			}
		}
		var facets []plot.Facet
		var tables []DimTable
		var method string
		for _, sl := range slices {
			pcs := make([]plot.Cell, len(sl))
			for i, c := range sl {
				pcs[i] = c.Plot
			}
			stats, m, err := plot.DimensionStats(pcs, dim, opt.Phase, opt.Conf)
			if err != nil {
				s.Notes = append(s.Notes, fmt.Sprintf("no bars for %s (%s): %v", dim, heldDescription(sl, dim), err))
				continue
			}
			method = m
			facets = append(facets, plot.Facet{Title: labelOf(sl[0].Plot.Dims, facetDims, false), Cells: pcs})
			tables = append(tables, DimTable{Dim: dim, Phase: opt.Phase, Method: m, Held: heldDescription(sl, dim), Conf: opt.Conf, Groups: stats})
		}
		if len(facets) == 0 {
			continue
		}
		title := fmt.Sprintf("%s p50 and p99 by %s", opt.Phase, dim)
		if fixed := labelOf(cells[0].Plot.Dims, fixedDims, true); fixed != "" {
			title += " — " + fixed
		}
		caption := fmt.Sprintf("Median and p99 of %s for each %s (log scale, values printed), one panel per combination of the other dimensions, "+
			"each titled with what it holds fixed; %.0f%% confidence intervals (%s).", opt.Phase, dim, 100*opt.Conf, method)
		if len(facets) == 1 {
			caption = fmt.Sprintf("Median and p99 of %s for each %s (log scale, values printed), other dimensions held at %s; %.0f%% confidence intervals (%s).",
				opt.Phase, dim, orNone(tables[0].Held), 100*opt.Conf, method)
		}
		phase, conf, d := opt.Phase, opt.Conf, dim
		s.Figures = append(s.Figures, Figure{
			Name: "bars-" + fileSafe(dim), Title: title, Caption: caption, Stats: tables,
			draw: func(prefix string) error {
				return plot.FacetBars(facets, plot.BarsOptions{Dim: d, Phase: phase, Conf: conf, Title: title}, prefix)
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

// slicesFor returns the sets of cells that agree on every dimension but
// dim (and transport with version) and hold at least two values of dim, in
// the order of their first cell.
func slicesFor(cells []Cell, dim string) [][]Cell {
	var order []string
	by := map[string][]Cell{}
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
	var out [][]Cell
	for _, k := range order {
		if distinct(by[k], dim) >= 2 {
			out = append(out, by[k])
		}
	}
	return out
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
		Caption: "Median of each split phase per cell, stacked in time order; the black mark and the number are the median total " +
			"(the stacked medians come close to it, they do not add up to it exactly). For 0-RTT, ttfb runs during the handshake " +
			"(the request went out with the ClientHello), so it is not stacked.",
		draw: func(prefix string) error {
			return plot.PhaseBreakdown(pcs, plot.BreakdownOptions{Title: title, Overlaps: zeroRTTOverlap}, prefix)
		},
	})
}

// zeroRTTOverlap names the phase that overlaps the handshake: a 0-RTT
// cell's ttfb starts with the request sent in the first flight.
func zeroRTTOverlap(c plot.Cell, phase string) bool {
	return phase == "ttfb" && c.Dims["mode"] == "0rtt"
}

// minOverTime is the fewest full intervals with handshakes an over-time plot
// needs to show a course rather than a point.
const minOverTime = 2

func (s *Site) planOverTime(cells []Cell, opt Options) {
	n, skipped := 0, 0
	var short []string
	for _, c := range cells {
		if len(c.Plot.Intervals) == 0 {
			continue
		}
		if busy(c.Plot.Intervals) < minOverTime {
			short = append(short, c.Name)
			continue
		}
		if n == opt.MaxOverTime {
			skipped++
			continue
		}
		n++
		pc := c.Plot
		title := fmt.Sprintf("%s over time: %s", opt.Phase, pc.Label)
		offered := c.Run.Config.Rate
		caption := fmt.Sprintf("Per-interval p50, p90, p99 and maximum of %s, and the achieved rate, of %s; only full intervals "+
			"(the last, partial one of each repeat is left out).", opt.Phase, c.Name)
		if offered > 0 {
			caption = fmt.Sprintf("Per-interval p50, p90, p99 and maximum of %s, and the achieved against the offered rate (%g/s), of %s; "+
				"only full intervals (the last, partial one of each repeat is left out).", opt.Phase, offered, c.Name)
		}
		s.Figures = append(s.Figures, Figure{
			Name: "overtime-" + fileSafe(c.Name), Title: title, Caption: caption,
			draw: func(prefix string) error {
				return plot.OverTime(pc, plot.OverTimeOptions{Title: title, LogY: true, OfferedRate: offered}, prefix)
			},
		})
	}
	if len(short) > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("no over-time plot for %d cell%s with fewer than %d full intervals of handshakes "+
			"(run each cell for at least %d intervals, e.g. --duration 3s with --interval 1s): %s",
			len(short), plural(len(short)), minOverTime, minOverTime+1, strings.Join(short, ", ")))
	}
	switch {
	case n == 0 && len(short) > 0:
	case n == 0:
		s.Notes = append(s.Notes, "no over-time plots: no phases.hlog intervals for these cells")
	case skipped > 0:
		s.Notes = append(s.Notes, fmt.Sprintf("over-time plots for the first %d cells only (%d more have intervals in phases.hlog)", n, skipped))
	}
}

// busy counts the intervals with handshakes.
func busy(ivs []plot.Interval) int {
	n := 0
	for _, iv := range ivs {
		if iv.Count > 0 {
			n++
		}
	}
	return n
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
	if err := write(HTMLFile, func(b *strings.Builder) error { return WriteHTML(b, s, LinkPNG) }); err != nil {
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
