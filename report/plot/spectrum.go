package plot

import (
	"fmt"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// SpectrumOptions configure Spectrum.
type SpectrumOptions struct {
	// Phase is the phase to plot; "" means "total".
	Phase string
	// LogY puts latency on a log scale (values <= 0 are left out).
	LogY bool
	// Title replaces the default title.
	Title string
}

// spectrumPointsPerDecade sets how finely the spectrum is sampled.
const spectrumPointsPerDecade = 60

// Spectrum draws the percentile spectrum of one phase of every cell as an
// overlay: x is 1/(1-p) on a log axis labelled with percentiles, y the
// latency in ms. The last point of a cell with n samples, at p = 1-1/n (so
// x stays finite), is the maximum. It writes prefix.png and prefix.svg.
func Spectrum(cells []Cell, opt SpectrumOptions, prefix string) error {
	if err := checkCells(cells); err != nil {
		return err
	}
	phase := orDefault(opt.Phase, PhaseTotal)
	title := opt.Title
	if title == "" {
		title = fmt.Sprintf("Latency by percentile: %s", phase)
	}
	yLabel := "latency (ms)"
	if opt.LogY {
		yLabel = "latency (ms, log scale)"
	}
	p := newPlot(title, "percentile", yLabel)
	p.X.Scale = gplot.LogScale{}
	p.X.Tick.Marker = percentileTicks{}
	if opt.LogY {
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	addGrid(p, true, true)

	leg := newLegend()
	xMax := 10.0
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for i, c := range cells {
		h, err := phaseHist(c, phase)
		if err != nil {
			return err
		}
		pts := spectrumPoints(h, opt.LogY)
		if len(pts) == 0 {
			return fmt.Errorf("plot: cell %q: phase %q has no positive latency for a log scale", c.Label, phase)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot: cell %q: %w", c.Label, err)
		}
		l.LineStyle = seriesStyle(i)
		p.Add(l)
		leg.Add(c.Label, l)
		xMax = math.Max(xMax, pts[len(pts)-1].X)
		for _, pt := range pts {
			yMin, yMax = math.Min(yMin, pt.Y), math.Max(yMax, pt.Y)
		}
	}
	// Log axes need positive, distinct ends; gonum's LogScale panics otherwise.
	p.X.Min, p.X.Max = 1, xMax
	if opt.LogY {
		if yMax <= yMin {
			yMin, yMax = yMin/2, yMax*2
		}
		p.Y.Min, p.Y.Max = yMin, yMax
	} else {
		p.Y.Min, p.Y.Max = 0, yMax*1.05
		if yMax <= 0 {
			p.Y.Max = 1
		}
	}
	return figure{rows: []*gplot.Plot{p}, legend: leg}.save(prefix)
}

// spectrumPoints samples the spectrum of h at log-spaced x = 1/(1-p) from
// 1 (p = 0) to n (p = 1-1/n, drawn at the maximum), in ms. With
// positiveOnly, points with a latency <= 0 are dropped.
func spectrumPoints(h *hdrhistogram.Histogram, positiveOnly bool) plotter.XYs {
	n := float64(h.TotalCount())
	var pts plotter.XYs
	add := func(x float64) {
		var y float64
		if x < n {
			y = nsToMs(float64(h.ValueAtQuantile(100 * (1 - 1/x))))
		} else {
			y = nsToMs(float64(h.Max())) // Max scans the histogram: once only
		}
		if positiveOnly && y <= 0 {
			return
		}
		pts = append(pts, plotter.XY{X: x, Y: y})
	}
	for k := 0; ; k++ {
		x := math.Pow(10, float64(k)/spectrumPointsPerDecade)
		if x >= n {
			break
		}
		add(x)
	}
	add(math.Max(n, 1))
	return pts
}
