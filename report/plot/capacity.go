package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A Curve is one cell's capacity search: its steps by offered rate.
type Curve struct {
	Label  string
	Points []CurvePoint
	// Knee is the highest rate that held (0: none); Failed the lowest that
	// failed (0: none).
	Knee, Failed float64
}

// A CurvePoint is one step of a capacity search. Latencies are in ms, CPU
// in ms per handshake (0: not measured).
type CurvePoint struct {
	Offered, Achieved    float64
	P50, P99, P999       float64
	ClientCPU, TargetCPU float64
	Held                 bool
}

// HockeyOptions configure HockeyStick.
type HockeyOptions struct {
	Title string
	// SLO is the latency budget in ms drawn as a horizontal line (0: none),
	// SLOLabel its legend entry.
	SLO      float64
	SLOLabel string
}

// HockeyStick draws latency p50, p99 and p99.9 against the offered rate
// (log latency axis): one point per step, a line through the mean of the
// steps at each rate, failed steps as crosses; the SLO as a horizontal
// line and the knee (the highest rate that held) as a vertical one.
func HockeyStick(c Curve, opt HockeyOptions, prefix string) error {
	if err := checkCurve(c); err != nil {
		return err
	}
	title := orDefault(opt.Title, "Latency against offered rate: "+c.Label)
	p := newPlot(title, "offered rate (handshakes/s)", "latency (ms, log)")
	p.Y.Scale = gplot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	addGrid(p, true, true)
	leg := newLegend()
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for k, s := range []struct {
		name string
		get  func(CurvePoint) float64
	}{
		{"p99.9", func(x CurvePoint) float64 { return x.P999 }},
		{"p99", func(x CurvePoint) float64 { return x.P99 }},
		{"p50", func(x CurvePoint) float64 { return x.P50 }},
	} {
		sty := seriesStyle(k)
		line, held, failed := meanLine(c.Points, s.get, true)
		if len(line) == 0 {
			continue
		}
		for _, xy := range append(append(plotter.XYs{}, held...), failed...) {
			yMin, yMax = math.Min(yMin, xy.Y), math.Max(yMax, xy.Y)
		}
		l, err := plotter.NewLine(line)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		l.LineStyle = sty
		p.Add(l)
		thumbs := []gplot.Thumbnailer{l}
		for _, pts := range []struct {
			xys   plotter.XYs
			glyph draw.GlyphDrawer
		}{{held, draw.CircleGlyph{}}, {failed, draw.CrossGlyph{}}} {
			if len(pts.xys) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(pts.xys)
			if err != nil {
				return fmt.Errorf("plot: %w", err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: vg.Points(4), Shape: pts.glyph}
			p.Add(sc)
		}
		leg.Add(s.name, thumbs...)
	}
	if math.IsInf(yMax, -1) {
		return fmt.Errorf("plot: curve %q has no latency above zero", c.Label)
	}
	for _, g := range []struct {
		name  string
		glyph draw.GlyphDrawer
	}{{"step held", draw.CircleGlyph{}}, {"step failed", draw.CrossGlyph{}}} {
		leg.Add(g.name, glyphThumb{draw.GlyphStyle{Color: oiBlack, Radius: vg.Points(4), Shape: g.glyph}})
	}
	if opt.SLO > 0 {
		yMin, yMax = math.Min(yMin, opt.SLO), math.Max(yMax, opt.SLO)
	}
	yMin, yMax = yMin/1.5, yMax*1.5
	xMax := maxOffered(c.Points) * 1.05
	if opt.SLO > 0 {
		l, err := hline(opt.SLO, 0, xMax, color.RGBA{0xd5, 0x5e, 0x00, 0xff})
		if err != nil {
			return err
		}
		p.Add(l)
		leg.Add(orDefault(opt.SLOLabel, fmt.Sprintf("SLO %g ms", opt.SLO)), l)
	}
	if knee := c.Knee; knee > 0 || c.Failed > 0 {
		if knee == 0 {
			knee = c.Failed
		}
		l, err := vline(knee, yMin, yMax, oiGreen)
		if err != nil {
			return err
		}
		p.Add(l)
		leg.Add(kneeLabel(c), l)
	}
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = yMin, yMax
	return figure{rows: []*gplot.Plot{p}, legend: leg}.save(prefix)
}

func kneeLabel(c Curve) string {
	switch {
	case c.Knee == 0:
		return fmt.Sprintf("no rate held: even %g/s failed", c.Failed)
	case c.Failed > 0:
		return fmt.Sprintf("knee: %g/s held, %g/s failed", c.Knee, c.Failed)
	}
	return fmt.Sprintf("highest rate measured: %g/s held", c.Knee)
}

// AchievedVsOffered draws each curve's achieved rate against the offered
// one, with the diagonal where they are equal.
func AchievedVsOffered(curves []Curve, title, prefix string) error {
	return overlay(curves, orDefault(title, "Achieved against offered rate"), "achieved (handshakes/s)",
		func(x CurvePoint) float64 { return x.Achieved }, true, prefix)
}

// CPUPerHandshake draws the target's CPU per handshake (top) and the
// client's (bottom) against the offered rate, one line per curve.
func CPUPerHandshake(curves []Curve, title, prefix string) error {
	if len(curves) == 0 {
		return fmt.Errorf("plot: no curves")
	}
	var rows []*gplot.Plot
	leg := newLegend()
	xMax := 0.0
	for _, c := range curves {
		if err := checkCurve(c); err != nil {
			return err
		}
		xMax = math.Max(xMax, maxOffered(c.Points)*1.05)
	}
	for i, s := range []struct {
		name string
		get  func(CurvePoint) float64
	}{
		{"target", func(x CurvePoint) float64 { return x.TargetCPU }},
		{"hsbench", func(x CurvePoint) float64 { return x.ClientCPU }},
	} {
		t := ""
		if i == 0 {
			t = orDefault(title, "CPU per handshake against offered rate")
		}
		xl := ""
		if i == 1 {
			xl = "offered rate (handshakes/s)"
		}
		p := newPlot(t, xl, s.name+" (CPU ms/handshake)")
		addGrid(p, true, true)
		yMax := 0.0
		for k, c := range curves {
			line, _, _ := meanLine(c.Points, s.get, true)
			if len(line) == 0 {
				continue
			}
			l, sc, err := lineAndPoints(line, seriesStyle(k))
			if err != nil {
				return err
			}
			p.Add(l, sc)
			if i == 0 || !hasTarget(curves) {
				leg.Add(c.Label, l, sc)
			}
			for _, xy := range line {
				yMax = math.Max(yMax, xy.Y)
			}
		}
		if yMax == 0 {
			if i == 0 {
				continue // the target's CPU was not measured
			}
			return fmt.Errorf("plot: no CPU figures")
		}
		p.X.Min, p.X.Max = 0, xMax
		p.Y.Min, p.Y.Max = 0, yMax*1.15
		rows = append(rows, p)
	}
	h := 6 * vg.Inch
	if len(rows) == 1 {
		h = 0
		rows[0].Title.Text = orDefault(title, "Client CPU per handshake against offered rate")
	}
	return figure{rows: rows, legend: leg, h: h}.save(prefix)
}

func hasTarget(curves []Curve) bool {
	for _, c := range curves {
		for _, x := range c.Points {
			if x.TargetCPU > 0 {
				return true
			}
		}
	}
	return false
}

// overlay draws one line per curve of get against the offered rate.
func overlay(curves []Curve, title, yLabel string, get func(CurvePoint) float64, diagonal bool, prefix string) error {
	if len(curves) == 0 {
		return fmt.Errorf("plot: no curves")
	}
	p := newPlot(title, "offered rate (handshakes/s)", yLabel)
	addGrid(p, true, true)
	leg := newLegend()
	top := 0.0
	for k, c := range curves {
		if err := checkCurve(c); err != nil {
			return err
		}
		line, _, _ := meanLine(c.Points, get, false)
		l, sc, err := lineAndPoints(line, seriesStyle(k))
		if err != nil {
			return err
		}
		p.Add(l, sc)
		leg.Add(c.Label, l, sc)
		top = math.Max(top, maxOffered(c.Points))
		for _, xy := range line {
			top = math.Max(top, xy.Y)
		}
	}
	top *= 1.05
	if diagonal {
		d, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: top}})
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		d.LineStyle = draw.LineStyle{Color: color.RGBA{0x99, 0x99, 0x99, 0xff}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		p.Add(d)
		leg.Add("achieved = offered", d)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, top, 0, top
	return figure{rows: []*gplot.Plot{p}, legend: leg}.save(prefix)
}

func lineAndPoints(xys plotter.XYs, sty draw.LineStyle) (*plotter.Line, *plotter.Scatter, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, nil, fmt.Errorf("plot: %w", err)
	}
	l.LineStyle = sty
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, nil, fmt.Errorf("plot: %w", err)
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	return l, sc, nil
}

// meanLine returns the mean of get over the steps at each offered rate,
// by rate, and the single steps split into those that held and failed.
// With positive, values ≤ 0 (not measured, or unplottable on a log axis)
// are left out.
func meanLine(pts []CurvePoint, get func(CurvePoint) float64, positive bool) (line, held, failed plotter.XYs) {
	sum, n := map[float64]float64{}, map[float64]int{}
	for _, x := range pts {
		v := get(x)
		if math.IsNaN(v) || math.IsInf(v, 0) || (positive && v <= 0) {
			continue
		}
		sum[x.Offered] += v
		n[x.Offered]++
		if x.Held {
			held = append(held, plotter.XY{X: x.Offered, Y: v})
		} else {
			failed = append(failed, plotter.XY{X: x.Offered, Y: v})
		}
	}
	for r, s := range sum {
		line = append(line, plotter.XY{X: r, Y: s / float64(n[r])})
	}
	sort.Slice(line, func(i, j int) bool { return line[i].X < line[j].X })
	return line, held, failed
}

func maxOffered(pts []CurvePoint) float64 {
	m := 0.0
	for _, x := range pts {
		m = math.Max(m, x.Offered)
	}
	return m
}

func checkCurve(c Curve) error {
	if c.Label == "" {
		return fmt.Errorf("plot: curve without a label")
	}
	if len(c.Points) == 0 {
		return fmt.Errorf("plot: curve %q has no steps", c.Label)
	}
	for i, x := range c.Points {
		if !(x.Offered > 0) || math.IsInf(x.Offered, 0) {
			return fmt.Errorf("plot: curve %q: step %d offered %v", c.Label, i, x.Offered)
		}
	}
	return nil
}

func hline(y, x0, x1 float64, c color.Color) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
	return l, nil
}

func vline(x, y0, y1 float64, c color.Color) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	return l, nil
}

// glyphThumb is a legend entry drawn as one glyph.
type glyphThumb struct{ style draw.GlyphStyle }

func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(g.style, c.Center())
}
