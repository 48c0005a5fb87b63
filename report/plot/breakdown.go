package plot

import (
	"fmt"
	"math"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BreakdownOptions configure PhaseBreakdown.
type BreakdownOptions struct {
	// Phases are the contiguous phases to stack, in time order; nil means
	// SplitPhases.
	Phases []string
	// Title replaces the default title.
	Title string
	// Overlaps, when set, names the phases of a cell that overlap others
	// (0-RTT's ttfb runs during the handshake): they are left out of that
	// cell's bar, whose end would otherwise overstate the time.
	Overlaps func(c Cell, phase string) bool
}

// PhaseBreakdown draws one horizontal stacked bar per cell (first cell on
// top) made of the medians of its split phases, showing where the time of
// a handshake goes. Phases a cell lacks (or that have no samples), and
// those opt.Overlaps names, are skipped for that cell. A black mark shows
// the cell's median total and its value is printed at the end of the bar
// (the stacked medians come close to it, they do not add up to it exactly);
// a cell without a total gets the sum of its medians. It writes prefix.png
// and prefix.svg.
func PhaseBreakdown(cells []Cell, opt BreakdownOptions, prefix string) error {
	if err := checkCells(cells); err != nil {
		return err
	}
	phases := opt.Phases
	if phases == nil {
		phases = SplitPhases
	}
	n := len(cells)
	// medians[k][i]: median of phase k in the cell drawn at y = i.
	medians := make([][]float64, len(phases))
	for k := range medians {
		medians[k] = make([]float64, n)
	}
	present := make([]bool, len(phases))
	labels := make([]string, n)
	sums := make([]float64, n)
	for ci, c := range cells {
		y := n - 1 - ci // first cell on top
		labels[y] = c.Label
		found := false
		for k, ph := range phases {
			h := c.Phases[ph]
			if h == nil || h.TotalCount() == 0 || (opt.Overlaps != nil && opt.Overlaps(c, ph)) {
				continue
			}
			m := nsToMs(float64(h.ValueAtQuantile(50)))
			medians[k][y] = m
			sums[y] += m
			present[k], found = true, true
		}
		if !found {
			return fmt.Errorf("plot: cell %q has none of the phases %v", c.Label, phases)
		}
	}

	title := opt.Title
	if title == "" {
		title = "Where the handshake time goes (median per phase)"
	}
	p := newPlot(title, "median time per phase (ms)", "")
	addGrid(p, true, false)
	leg := newLegend()
	var below *plotter.BarChart
	colour := 0
	for k, ph := range phases {
		if !present[k] {
			continue
		}
		bc, err := plotter.NewBarChart(plotter.Values(medians[k]), vg.Points(1))
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		bc.Horizontal = true
		bc.Color = fillColors[colour%len(fillColors)]
		colour++
		bc.LineStyle.Width = vg.Points(0.5)
		if below != nil {
			bc.StackOn(below)
		}
		below = bc
		p.Add(dataWidthBars{BarChart: bc, frac: 0.62})
		leg.Add(ph, bc)
	}

	sumLabels := make([]string, n)
	pts := make(plotter.XYs, n)
	var marks plotter.XYs
	for ci, c := range cells {
		i := n - 1 - ci
		end, label := sums[i], fmt.Sprintf("%.2f ms (sum)", sums[i])
		if h := c.Phases[PhaseTotal]; h != nil && h.TotalCount() > 0 {
			t := nsToMs(float64(h.ValueAtQuantile(50)))
			marks = append(marks, plotter.XY{X: t, Y: float64(i)})
			end, label = math.Max(end, t), fmt.Sprintf("total %.2f ms", t)
		}
		sumLabels[i] = label
		pts[i] = plotter.XY{X: end, Y: float64(i)}
		sums[i] = end
	}
	if len(marks) > 0 {
		sc, err := plotter.NewScatter(marks)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: oiBlack, Radius: vg.Points(4), Shape: draw.PyramidGlyph{}}
		p.Add(sc)
		leg.Add("median total", sc)
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: sumLabels})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font = p.Y.Tick.Label.Font
		lb.TextStyle[i].YAlign = draw.YCenter
	}
	lb.Offset = vg.Point{X: vg.Points(4)}
	p.Add(lb)

	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	maxSum := slices.Max(sums)
	p.X.Min, p.X.Max = 0, math.Max(maxSum*1.2, 1e-3)

	h := max(defaultHeight, vg.Length(n)*0.4*vg.Inch+1.6*vg.Inch)
	return figure{rows: []*gplot.Plot{p}, legend: leg, h: h}.save(prefix)
}
