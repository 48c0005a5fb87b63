package plot

import (
	"fmt"
	"math"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// OverTimeOptions configure OverTime.
type OverTimeOptions struct {
	// Title replaces the default title.
	Title string
	// LogY puts the latency panel on a log scale (values <= 0 are left
	// out) when its values span a decade or more.
	LogY bool
	// OfferedRate, when positive, is an open loop's schedule in handshakes
	// per second, drawn as a dashed line beside the achieved rate.
	OfferedRate float64
}

// OverTime draws two vertically aligned panels for one cell: latency p50,
// p90, p99 and max per interval (top) and the achieved rate in handshakes/s
// (bottom), as steps: each value holds over its interval. An interval lasts until the next
// one starts (the last one as long as the one before it, or 1 s).
// Intervals without handshakes break the latency lines and show a rate of
// 0. It writes prefix.png and prefix.svg.
func OverTime(c Cell, opt OverTimeOptions, prefix string) error {
	if err := checkCells([]Cell{c}); err != nil {
		return err
	}
	iv := c.Intervals
	if len(iv) == 0 {
		return fmt.Errorf("plot: cell %q has no intervals", c.Label)
	}
	for i := 1; i < len(iv); i++ {
		if iv[i].Start <= iv[i-1].Start {
			return fmt.Errorf("plot: cell %q: interval %d does not start after interval %d", c.Label, i, i-1)
		}
	}
	for i, x := range iv {
		if x.Count < 0 {
			return fmt.Errorf("plot: cell %q: interval %d has a negative count", c.Label, i)
		}
		if x.Count > 0 {
			for _, v := range []float64{x.P50, x.P90, x.P99, x.Max} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					return fmt.Errorf("plot: cell %q: interval %d has latency %v", c.Label, i, v)
				}
			}
		}
	}

	title := opt.Title
	if title == "" {
		title = "Over time: " + c.Label
	}
	yLabel := "latency (ms)"
	if opt.LogY {
		yLabel = "latency (ms, log)"
	}
	top := newPlot(title, "", yLabel)
	bottom := newPlot("", "time since start (s)", "rate (handshakes/s)")
	if opt.LogY {
		top.Y.Scale = gplot.LogScale{}
		top.Y.Tick.Marker = logTicks{}
	}
	addGrid(top, true, true)
	addGrid(bottom, true, true)
	leg := newLegend()

	durs := intervalDurations(iv)
	end := (iv[len(iv)-1].Start + durs[len(iv)-1]).Seconds()
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for k, s := range []struct {
		name string
		get  func(Interval) float64
	}{
		{"max", func(x Interval) float64 { return x.Max }},
		{"p99", func(x Interval) float64 { return x.P99 }},
		{"p90", func(x Interval) float64 { return x.P90 }},
		{"p50", func(x Interval) float64 { return x.P50 }},
	} {
		sty := seriesStyle(k)
		var seg plotter.XYs
		var first *plotter.Line
		segEnd := 0.0 // end of the segment's last interval
		flush := func() error {
			if len(seg) == 0 {
				return nil
			}
			// Steps: each value holds over its whole interval.
			seg = append(seg, plotter.XY{X: segEnd, Y: seg[len(seg)-1].Y})
			l, err := plotter.NewLine(seg)
			if err != nil {
				return fmt.Errorf("plot: %w", err)
			}
			l.LineStyle = sty
			l.StepStyle = plotter.PostStep
			top.Add(l)
			if first == nil {
				first = l
			}
			seg = nil
			return nil
		}
		for i, x := range iv {
			v := s.get(x)
			if x.Count == 0 || (opt.LogY && v <= 0) {
				if err := flush(); err != nil {
					return err
				}
				continue
			}
			seg = append(seg, plotter.XY{X: x.Start.Seconds(), Y: v})
			segEnd = (x.Start + durs[i]).Seconds()
			yMin, yMax = math.Min(yMin, v), math.Max(yMax, v)
		}
		if err := flush(); err != nil {
			return err
		}
		if first != nil {
			leg.Add(s.name, first)
		}
	}
	if math.IsInf(yMax, -1) {
		return fmt.Errorf("plot: cell %q: no interval has handshakes", c.Label)
	}

	rate := make(plotter.XYs, len(iv), len(iv)+1)
	rMax := 0.0
	for i, x := range iv {
		rate[i] = plotter.XY{X: x.Start.Seconds(), Y: float64(x.Count) / durs[i].Seconds()}
		rMax = math.Max(rMax, rate[i].Y)
	}
	rate = append(rate, plotter.XY{X: end, Y: rate[len(iv)-1].Y})
	rl, err := plotter.NewLine(rate)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	rl.LineStyle = seriesStyle(4)
	rl.StepStyle = plotter.PostStep
	bottom.Add(rl)
	leg.Add("achieved rate", rl)
	if opt.OfferedRate > 0 {
		ol, err := plotter.NewLine(plotter.XYs{{X: 0, Y: opt.OfferedRate}, {X: end, Y: opt.OfferedRate}})
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		ol.LineStyle = draw.LineStyle{Color: oiBlack, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
		bottom.Add(ol)
		leg.Add("offered rate", ol)
		rMax = math.Max(rMax, opt.OfferedRate)
	}

	for _, p := range []*gplot.Plot{top, bottom} {
		p.X.Min, p.X.Max = 0, end
	}
	// Within one decade a log axis has a label or two at most: linear reads
	// better there.
	if opt.LogY && yMax >= 10*yMin {
		top.Y.Min, top.Y.Max = yMin, yMax
	} else {
		top.Y.Scale, top.Y.Tick.Marker = gplot.LinearScale{}, niceTicks{n: 6}
		top.Y.Label.Text = "latency (ms)"
		top.Y.Min, top.Y.Max = 0, yMax*1.05
	}
	bottom.Y.Min, bottom.Y.Max = 0, math.Max(rMax*1.1, 1)
	return figure{rows: []*gplot.Plot{top, bottom}, legend: leg, h: 6 * vg.Inch}.save(prefix)
}

// intervalDurations returns how long each interval lasts.
func intervalDurations(iv []Interval) []time.Duration {
	d := make([]time.Duration, len(iv))
	for i := range iv {
		switch {
		case i+1 < len(iv):
			d[i] = iv[i+1].Start - iv[i].Start
		case i > 0:
			d[i] = d[i-1]
		default:
			d[i] = time.Second
		}
	}
	return d
}
