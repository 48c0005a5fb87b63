package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BarsOptions configure DimensionBars.
type BarsOptions struct {
	// Dim is the dimension to group by, e.g. "group", "suite", "version", "mode".
	Dim string
	// Phase is the phase to summarise; "" means "total".
	Phase string
	// Conf is the confidence level of the error bars; 0 means 0.95.
	Conf float64
	// Title replaces the default title.
	Title string
}

// CI methods reported in Estimate.Method.
const (
	MethodOrderStat = "order statistics"
	MethodRepeats   = "t-interval over repeats"
)

// An Estimate is a percentile with its confidence interval, in ms.
type Estimate struct {
	Value, Lo, Hi float64
}

// A GroupStat is one group of bars of DimensionBars: the cells sharing one
// value of the dimension.
type GroupStat struct {
	Value    string // the dimension's value
	Cells    int    // number of cells pooled
	P50, P99 Estimate
}

// DimensionStats groups cells by their value of dim (in order of first
// appearance) and estimates p50 and p99 of phase with conf confidence
// intervals. It returns the CI method used for all groups:
//
//   - MethodRepeats when every group is a single cell with at least two
//     repeat values under RepeatKey(phase, "p50") and RepeatKey(phase, "p99"):
//     the estimate is the mean of the repeat values and the interval a
//     Student-t interval of that mean (repeats are assumed independent).
//   - MethodOrderStat otherwise: the phase histograms of the group's cells are
//     merged, the estimate is the merged percentile and the interval is
//     OrderStatCI (distribution-free, from the samples of this run only).
func DimensionStats(cells []Cell, dim, phase string, conf float64) ([]GroupStat, string, error) {
	if err := checkCells(cells); err != nil {
		return nil, "", err
	}
	if dim == "" {
		return nil, "", fmt.Errorf("plot: no dimension to group by")
	}
	if !(conf > 0 && conf < 1) {
		return nil, "", fmt.Errorf("plot: confidence %v outside (0, 1)", conf)
	}
	phase = orDefault(phase, PhaseTotal)
	var order []string
	groups := map[string][]Cell{}
	for _, c := range cells {
		v, ok := c.Dims[dim]
		if !ok {
			return nil, "", fmt.Errorf("plot: cell %q has no dimension %q", c.Label, dim)
		}
		if _, err := phaseHist(c, phase); err != nil {
			return nil, "", err
		}
		if _, seen := groups[v]; !seen {
			order = append(order, v)
		}
		groups[v] = append(groups[v], c)
	}

	useRepeats := true
	for _, v := range order {
		g := groups[v]
		if len(g) != 1 || len(g[0].Repeats[RepeatKey(phase, "p50")]) < 2 || len(g[0].Repeats[RepeatKey(phase, "p99")]) < 2 {
			useRepeats = false
			break
		}
	}

	stats := make([]GroupStat, 0, len(order))
	for _, v := range order {
		g := groups[v]
		st := GroupStat{Value: v, Cells: len(g)}
		if useRepeats {
			st.P50 = repeatEstimate(g[0].Repeats[RepeatKey(phase, "p50")], conf)
			st.P99 = repeatEstimate(g[0].Repeats[RepeatKey(phase, "p99")], conf)
		} else {
			h, err := mergedHist(g, phase)
			if err != nil {
				return nil, "", err
			}
			for _, e := range []struct {
				q   float64
				dst *Estimate
			}{{0.50, &st.P50}, {0.99, &st.P99}} {
				lo, hi := OrderStatCI(h, e.q, conf)
				*e.dst = Estimate{
					Value: nsToMs(float64(h.ValueAtQuantile(100 * e.q))),
					Lo:    nsToMs(lo),
					Hi:    nsToMs(hi),
				}
			}
		}
		stats = append(stats, st)
	}
	if useRepeats {
		return stats, MethodRepeats, nil
	}
	return stats, MethodOrderStat, nil
}

func repeatEstimate(vs []float64, conf float64) Estimate {
	m, lo, hi := tInterval(vs, conf)
	return Estimate{Value: m, Lo: lo, Hi: hi}
}

// Bar geometry of DimensionBars, in data units (groups are 1 apart).
const (
	barWidth  = 0.38
	barOffset = 0.2 // p50 bars at -barOffset, p99 bars at +barOffset
)

// DimensionBars draws grouped bars of p50 and p99 of one phase for each
// value of one dimension, with confidence-interval error bars (see
// DimensionStats for the method). Short value names go under vertical bars;
// when they would not fit side by side the bars turn horizontal, one row
// per value, first value on top. It writes prefix.png and prefix.svg.
func DimensionBars(cells []Cell, opt BarsOptions, prefix string) error {
	conf := opt.Conf
	if conf == 0 {
		conf = 0.95
	}
	phase := orDefault(opt.Phase, PhaseTotal)
	stats, method, err := DimensionStats(cells, opt.Dim, phase, conf)
	if err != nil {
		return err
	}
	title := opt.Title
	if title == "" {
		title = fmt.Sprintf("Median and p99 of %s by %s", phase, opt.Dim)
	}
	valueLabel := fmt.Sprintf("%s latency (ms)", phase)
	p := newPlot(title, opt.Dim, valueLabel)
	g := len(stats)
	names := make([]string, g)
	var widest vg.Length
	for i, st := range stats {
		names[i] = st.Value
		widest = max(widest, p.X.Tick.Label.Width(st.Value))
	}
	horizontal := widest*vg.Length(g) > 4.5*vg.Inch
	// cat maps group i to its category coordinate; horizontal charts put
	// the first group on top.
	cat := func(i int) float64 { return float64(i) }
	sign := 1.0 // p50 left of (or above) p99
	if horizontal {
		p.X.Label.Text, p.Y.Label.Text = valueLabel, opt.Dim
		cat = func(i int) float64 { return float64(g - 1 - i) }
		sign = -1
	}
	addGrid(p, horizontal, !horizontal)
	leg := newLegend()

	vMax := 0.0
	var errBars []gplot.Plotter
	for _, s := range []struct {
		name   string
		color  color.Color
		offset float64
		get    func(GroupStat) Estimate
	}{
		{"p50", oiBlue, -barOffset * sign, func(g GroupStat) Estimate { return g.P50 }},
		{"p99", oiVermilion, barOffset * sign, func(g GroupStat) Estimate { return g.P99 }},
	} {
		// Bar k of the chart sits at XMin + k, so feed groups in category order.
		vals := make(plotter.Values, g)
		pts := make(plotter.XYs, g)
		errs := make(plotter.Errors, g)
		for i, st := range stats {
			e := s.get(st)
			k := int(cat(i))
			vals[k] = e.Value
			c := cat(i) + s.offset
			pts[k] = plotter.XY{X: c, Y: e.Value}
			if horizontal {
				pts[k] = plotter.XY{X: e.Value, Y: c}
			}
			errs[k].Low = math.Max(0, e.Value-e.Lo)
			errs[k].High = math.Max(0, e.Hi-e.Value)
			vMax = math.Max(vMax, math.Max(e.Value, e.Hi))
		}
		bc, err := plotter.NewBarChart(vals, vg.Points(1))
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		bc.XMin = s.offset
		bc.Horizontal = horizontal
		bc.Color = s.color
		bc.LineStyle.Width = vg.Points(0.5)
		p.Add(dataWidthBars{BarChart: bc, frac: barWidth})
		leg.Add(s.name, bc)
		eb, err := newErrorBars(pts, errs, horizontal)
		if err != nil {
			return err
		}
		errBars = append(errBars, eb)
	}
	p.Add(errBars...) // after all bars, so no bar hides an error bar
	leg.Add(fmt.Sprintf("%.0f%% CI (%s)", 100*conf, method), errBarThumb{horizontal: horizontal})

	vAxis, cAxis := &p.Y, &p.X
	fig := figure{rows: []*gplot.Plot{p}, legend: leg}
	if horizontal {
		rev := make([]string, g)
		for i, n := range names {
			rev[g-1-i] = n
		}
		p.NominalY(rev...)
		p.X.Padding = vg.Points(5)
		vAxis, cAxis = &p.X, &p.Y
		fig.h = max(defaultHeight, vg.Length(g)*0.55*vg.Inch+1.6*vg.Inch)
	} else {
		p.NominalX(names...)
		p.Y.Padding = vg.Points(5)
	}
	cAxis.Min, cAxis.Max = -0.5, float64(g)-0.5
	vAxis.Min, vAxis.Max = 0, vMax*1.08
	if vMax <= 0 {
		vAxis.Max = 1
	}
	return fig.save(prefix)
}

// newErrorBars returns vertical error bars, or horizontal ones for
// horizontal bar charts, in the house style.
func newErrorBars(pts plotter.XYs, errs plotter.Errors, horizontal bool) (gplot.Plotter, error) {
	sty := draw.LineStyle{Color: oiBlack, Width: vg.Points(1.2)}
	if horizontal {
		eb, err := plotter.NewXErrorBars(struct {
			plotter.XYs
			plotter.XErrors
		}{pts, plotter.XErrors(errs)})
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		eb.LineStyle, eb.CapWidth = sty, vg.Points(8)
		return eb, nil
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{pts, plotter.YErrors(errs)})
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	eb.LineStyle, eb.CapWidth = sty, vg.Points(8)
	return eb, nil
}

// dataWidthBars is a BarChart whose bar width is a fraction of one data
// unit (the distance between categories) rather than a fixed length, so
// bars shifted with XMin line up with error bars at the same x and never
// overlap, whatever the image size.
type dataWidthBars struct {
	*plotter.BarChart
	frac float64
}

// Plot implements gplot.Plotter.
func (b dataWidthBars) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	tr := trX
	if b.Horizontal {
		tr = trY
	}
	b.Width = vg.Length(math.Abs(float64(tr(1)-tr(0)))) * vg.Length(b.frac)
	b.BarChart.Plot(c, p)
}

// errBarThumb is the legend thumbnail of an error bar.
type errBarThumb struct{ horizontal bool }

// Thumbnail implements gplot.Thumbnailer.
func (t errBarThumb) Thumbnail(c *draw.Canvas) {
	sty := draw.LineStyle{Color: oiBlack, Width: vg.Points(1.2)}
	cw := vg.Points(4)
	if t.horizontal {
		y := (c.Min.Y + c.Max.Y) / 2
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
		c.StrokeLine2(sty, c.Min.X, y-cw, c.Min.X, y+cw)
		c.StrokeLine2(sty, c.Max.X, y-cw, c.Max.X, y+cw)
		return
	}
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(sty, x-cw, c.Min.Y, x+cw, c.Min.Y)
	c.StrokeLine2(sty, x-cw, c.Max.Y, x+cw, c.Max.Y)
}
