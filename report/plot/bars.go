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

// Bar geometry of the bars figures, in data units (categories are 1 apart).
const (
	barWidth  = 0.38
	barOffset = 0.2 // p50 bars above (at -barOffset of) the p99 bars
)

// A Facet is one panel of a bars figure: the cells that differ only in the
// figure's dimension, titled with what they hold fixed.
type Facet struct {
	Title string
	Cells []Cell
}

// DimensionBars draws FacetBars with one untitled facet.
func DimensionBars(cells []Cell, opt BarsOptions, prefix string) error {
	return FacetBars([]Facet{{Cells: cells}}, opt, prefix)
}

// FacetBars draws one panel per facet: for each value of opt.Dim a p50 and
// a p99 bar of the phase with confidence-interval error bars (see
// DimensionStats for the method), one row per value, first value on top.
// The value axis is logarithmic, so a p50 stays readable beside a p99 ten
// times larger, and every bar carries its value. Panels go two to a row
// when there are more than two. It writes prefix.png and prefix.svg.
func FacetBars(facets []Facet, opt BarsOptions, prefix string) error {
	if len(facets) == 0 {
		return fmt.Errorf("plot: no cells")
	}
	conf := opt.Conf
	if conf == 0 {
		conf = 0.95
	}
	phase := orDefault(opt.Phase, PhaseTotal)
	var panels []*gplot.Plot
	var method string
	maxRows := 0
	for i, f := range facets {
		stats, m, err := DimensionStats(f.Cells, opt.Dim, phase, conf)
		if err != nil {
			return err
		}
		method = m
		title := f.Title
		if i == 0 && opt.Title != "" {
			title = opt.Title
			if f.Title != "" {
				title += "\n" + f.Title
			}
		}
		p, err := barsPanel(stats, title, opt.Dim, phase, len(facets) > 1)
		if err != nil {
			return err
		}
		panels = append(panels, p)
		maxRows = max(maxRows, len(stats))
	}
	leg := newLegend()
	leg.Add("p50", barThumb{oiBlue})
	leg.Add("p99", barThumb{oiVermilion})
	leg.Add(fmt.Sprintf("%.0f%% CI (%s)", 100*conf, method), errBarThumb{horizontal: true})
	cols := 1
	if len(panels) > 2 {
		cols = 2
	}
	rows := (len(panels) + cols - 1) / cols
	panelH := vg.Length(maxRows)*0.5*vg.Inch + 1.3*vg.Inch
	fig := figure{rows: panels, cols: cols, legend: leg, h: max(defaultHeight, vg.Length(rows)*panelH), legendBelow: cols > 1}
	if cols == 2 {
		fig.w = 12 * vg.Inch
	}
	return fig.save(prefix)
}

// barsPanel is one facet: horizontal p50 and p99 bars per value on a log
// axis, value labels at the bars' ends.
func barsPanel(stats []GroupStat, title, dim, phase string, facet bool) (*gplot.Plot, error) {
	p := newPlot(title, fmt.Sprintf("%s latency (ms, log)", phase), "")
	p.Title.TextStyle.Font.Size = labelSize
	p.X.Scale = gplot.LogScale{}
	addGrid(p, true, false)
	g := len(stats)
	cat := func(i int) float64 { return float64(g - 1 - i) } // first value on top
	lo, hi := math.Inf(1), 0.0
	var errBars []gplot.Plotter
	var labels plotter.XYLabels
	for _, s := range []struct {
		color  color.Color
		offset float64
		get    func(GroupStat) Estimate
	}{
		{oiBlue, barOffset, func(g GroupStat) Estimate { return g.P50 }},
		{oiVermilion, -barOffset, func(g GroupStat) Estimate { return g.P99 }},
	} {
		bars := logBars{color: s.color, width: barWidth}
		pts := make(plotter.XYs, g)
		errs := make(plotter.Errors, g)
		for i, st := range stats {
			e := s.get(st)
			y := cat(i) + s.offset
			v := math.Max(e.Value, 1e-6)
			bars.xys = append(bars.xys, plotter.XY{X: v, Y: y})
			pts[i] = plotter.XY{X: v, Y: y}
			eLo := math.Max(e.Lo, v/1e3)
			errs[i].Low = math.Max(0, v-eLo)
			errs[i].High = math.Max(0, e.Hi-v)
			labels.XYs = append(labels.XYs, plotter.XY{X: math.Max(v, e.Hi), Y: y})
			labels.Labels = append(labels.Labels, formatMs(e.Value))
			lo, hi = math.Min(lo, math.Min(v, eLo)), math.Max(hi, math.Max(v, e.Hi))
		}
		p.Add(bars)
		eb, err := newErrorBars(pts, errs, true)
		if err != nil {
			return nil, err
		}
		errBars = append(errBars, eb)
	}
	p.Add(errBars...)
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font = p.Y.Tick.Label.Font
		lb.TextStyle[i].YAlign = draw.YCenter
	}
	lb.Offset = vg.Point{X: vg.Points(5)}
	p.Add(lb)
	names := make([]string, g)
	for i, st := range stats {
		names[g-1-i] = st.Value
	}
	p.NominalY(names...)
	if !facet { // facets: the figure's title names the dimension
		p.Y.Label.Text = dim
	}
	p.Y.Min, p.Y.Max = -0.5, float64(g)-0.5
	// Room left of the shortest bar and right of the longest label.
	p.X.Min, p.X.Max = lo/1.5, hi*3
	p.X.Tick.Marker = logTicks{sparse: facet && p.X.Max/p.X.Min > 300}
	return p, nil
}

// formatMs prints a bar's value with three significant figures.
func formatMs(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// logBars are horizontal bars from the left edge of the data area to X,
// centred on Y, width a fraction of one category: gonum's BarChart starts
// bars at 0, which a log axis cannot place.
type logBars struct {
	xys   plotter.XYs
	color color.Color
	width float64
}

// Plot implements gplot.Plotter.
func (b logBars) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	half := vg.Length(math.Abs(float64(trY(1)-trY(0)))*b.width) / 2
	for _, xy := range b.xys {
		x, y := trX(xy.X), trY(xy.Y)
		rect := []vg.Point{{X: c.Min.X, Y: y - half}, {X: x, Y: y - half}, {X: x, Y: y + half}, {X: c.Min.X, Y: y + half}}
		c.FillPolygon(b.color, c.ClipPolygonXY(rect))
		c.StrokeLines(draw.LineStyle{Color: oiBlack, Width: vg.Points(0.5)}, c.ClipLinesXY(append(rect, rect[0]))...)
	}
}

// DataRange implements gplot.DataRanger.
func (b logBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return plotter.XYRange(b.xys)
}

// barThumb is a filled legend square.
type barThumb struct{ c color.Color }

// Thumbnail implements gplot.Thumbnailer.
func (t barThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(t.c, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
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
