package plot

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A legend collects entries; figure lays them out.
type legend struct {
	items []legendItem
}

type legendItem struct {
	name   string
	thumbs []gplot.Thumbnailer
}

func newLegend() *legend { return &legend{} }

// Add adds an entry drawn with the thumbnails of thumbs.
func (l *legend) Add(name string, thumbs ...gplot.Thumbnailer) {
	l.items = append(l.items, legendItem{name, thumbs})
}

// columns splits the entries into n gonum legends of at most
// ceil(len/n) entries each, in reading order down the columns.
func (l *legend) columns(n int) []*gplot.Legend {
	per := (len(l.items) + n - 1) / n
	var out []*gplot.Legend
	for i := 0; i < len(l.items); i += per {
		g := styledLegend()
		for _, it := range l.items[i:min(i+per, len(l.items))] {
			g.Add(it.name, it.thumbs...)
		}
		out = append(out, g)
	}
	return out
}

// A figure is one image: a column of vertically aligned plots and an
// optional legend drawn outside the data area, so that many or long entries
// never cover data. A narrow legend goes to the right of the plots, a wide
// one below them, in two columns when they fit.
type figure struct {
	rows   []*gplot.Plot // the panels, row by row
	cols   int           // panels per row; 0 means 1
	legend *legend       // nil or empty: no legend
	w, h   vg.Length
	// legendBelow puts the legend under the plots even when it is narrow
	// (panels side by side need the width).
	legendBelow bool
}

var (
	legendGap      = vg.Points(12)
	maxRightLegend = 3.2 * vg.Inch
	minDataWidth   = 5 * vg.Inch
	figMargin      = vg.Points(6)
)

// layout decides where the legend goes: the legend columns, their total
// size, whether they go below the plots, and the figure size.
func (f figure) layout() (cols []*gplot.Legend, lw, lh vg.Length, below bool, w, h vg.Length) {
	w, h = f.w, f.h
	if w == 0 {
		w = defaultWidth
	}
	if h == 0 {
		h = defaultHeight
	}
	if f.legend == nil || len(f.legend.items) == 0 {
		return nil, 0, 0, false, w, h
	}
	size := func(cs []*gplot.Legend) (cw, ch vg.Length) {
		for i, c := range cs {
			r := c.Rectangle(draw.Canvas{}).Size()
			cw += r.X
			if i > 0 {
				cw += legendGap * 2
			}
			ch = max(ch, r.Y)
		}
		return cw, ch
	}
	cols = f.legend.columns(1)
	lw, lh = size(cols)
	if lw <= maxRightLegend && !f.legendBelow {
		w = max(w, minDataWidth+f.yAxisWidth()+lw+legendGap+2*figMargin)
		h = max(h, lh+1.5*vg.Inch)
		return cols, lw, lh, false, w, h
	}
	if two := f.legend.columns(2); len(f.legend.items) > 3 {
		if tw, th := size(two); tw+vg.Inch <= w {
			cols, lw, lh = two, tw, th
		}
	}
	w = max(w, lw+vg.Inch)
	h += lh + legendGap
	return cols, lw, lh, true, w, h
}

// yAxisWidth estimates the room the widest y axis takes left of the data:
// tick labels, tick marks and the axis label.
func (f figure) yAxisWidth() vg.Length {
	var w vg.Length
	for _, p := range f.rows {
		lo, hi := p.Y.Min, p.Y.Max
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo >= hi {
			continue
		}
		var tw vg.Length
		for _, t := range p.Y.Tick.Marker.Ticks(lo, hi) {
			tw = max(tw, p.Y.Tick.Label.Width(t.Label))
		}
		w = max(w, tw+p.Y.Tick.Length+2*p.Y.Label.TextStyle.Font.Size)
	}
	return w
}

// draw renders the figure onto dc, which must have the size from layout.
func (f figure) draw(dc draw.Canvas) {
	cols, lw, lh, below, _, _ := f.layout()
	dc.SetColor(gplot.New().BackgroundColor)
	dc.Fill(dc.Rectangle.Path())
	dc = draw.Crop(dc, figMargin, -figMargin-vg.Points(4), figMargin, -figMargin)
	pc := dc
	switch {
	case len(cols) > 0 && below:
		pc.Min.Y += lh + legendGap
	case len(cols) > 0:
		pc.Max.X -= lw + legendGap
	}
	per := max(f.cols, 1)
	nrows := (len(f.rows) + per - 1) / per
	plots := make([][]*gplot.Plot, nrows)
	for i := range plots {
		plots[i] = make([]*gplot.Plot, per)
	}
	for i, p := range f.rows {
		plots[i/per][i%per] = p
	}
	tiles := draw.Tiles{Rows: nrows, Cols: per, PadY: vg.Points(12), PadX: vg.Points(18)}
	cs := gplot.Align(plots, tiles, pc)
	for i, p := range f.rows {
		p.Draw(cs[i/per][i%per])
	}
	if len(cols) == 0 {
		return
	}
	data := f.rows[0].DataCanvas(cs[0][0])
	lc := dc
	if below {
		// Under the x axis label, starting at the data area's left edge.
		lc.Max.Y = dc.Min.Y + lh
		lc.Min.X = data.Min.X
		if lc.Min.X+lw > dc.Max.X {
			lc.Min.X = dc.Max.X - lw
		}
	} else {
		// Right of the plots, level with the top of the first data area.
		lc.Min.X = dc.Max.X - lw
		lc.Max.Y = data.Max.Y
	}
	for _, c := range cols {
		c.Draw(lc)
		lc.Min.X += c.Rectangle(draw.Canvas{}).Size().X + 2*legendGap
	}
}

// save writes the figure to prefix.png and prefix.svg.
func (f figure) save(prefix string) error {
	if prefix == "" {
		return fmt.Errorf("plot: empty output prefix")
	}
	if dir := filepath.Dir(prefix); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
	}
	_, _, _, _, w, h := f.layout()
	png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))}
	f.draw(draw.New(png))
	if err := writeFile(prefix+".png", png); err != nil {
		return err
	}
	svg := vgsvg.New(w, h)
	f.draw(draw.New(svg))
	return writeFile(prefix+".svg", svg)
}

func writeFile(path string, wt io.WriterTo) (err error) {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	defer func() {
		if cerr := fh.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("plot: %w", cerr)
		}
	}()
	bw := bufio.NewWriter(fh)
	if _, err := wt.WriteTo(bw); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return nil
}
