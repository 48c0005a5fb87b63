package plot

import (
	"image/color"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Okabe-Ito colour-blind-safe palette.
var (
	oiBlack     = color.RGBA{0x00, 0x00, 0x00, 0xff}
	oiOrange    = color.RGBA{0xe6, 0x9f, 0x00, 0xff}
	oiSkyBlue   = color.RGBA{0x56, 0xb4, 0xe9, 0xff}
	oiGreen     = color.RGBA{0x00, 0x9e, 0x73, 0xff}
	oiYellow    = color.RGBA{0xf0, 0xe4, 0x42, 0xff}
	oiBlue      = color.RGBA{0x00, 0x72, 0xb2, 0xff}
	oiVermilion = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	oiPurple    = color.RGBA{0xcc, 0x79, 0xa7, 0xff}
	lightGrey   = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// lineColors orders the palette for lines on white; yellow, too faint for
// a line, is left out and dash patterns take over after seven series.
var lineColors = []color.Color{oiBlack, oiOrange, oiSkyBlue, oiGreen, oiBlue, oiVermilion, oiPurple}

// fillColors orders the palette for adjacent filled areas.
var fillColors = []color.Color{oiBlue, oiOrange, oiSkyBlue, oiVermilion, oiGreen, oiYellow, oiPurple, color.RGBA{0x99, 0x99, 0x99, 0xff}}

// dashes cycle once the colours run out, so series 9+ stay distinguishable.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// seriesStyle returns the line style of the i-th series of an overlay.
func seriesStyle(i int) draw.LineStyle {
	return draw.LineStyle{
		Color:  lineColors[i%len(lineColors)],
		Width:  vg.Points(1.8),
		Dashes: dashes[(i/len(lineColors))%len(dashes)],
	}
}

// Figure geometry and fonts.
const (
	defaultWidth  = 8 * vg.Inch
	defaultHeight = 5 * vg.Inch
	pngDPI        = 120
)

var (
	sansFont  = font.Font{Typeface: "Liberation", Variant: "Sans"}
	titleSize = vg.Points(14)
	labelSize = vg.Points(12)
	tickSize  = vg.Points(11)
	legendSz  = vg.Points(11)
)

// newPlot returns a plot with the house fonts, a title and axis labels.
func newPlot(title, xLabel, yLabel string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, titleSize)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, labelSize)
		a.Tick.Label.Font = font.From(sansFont, tickSize)
	}
	p.X.Tick.Marker = niceTicks{n: 7}
	p.Y.Tick.Marker = niceTicks{n: 6}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	return p
}

// styledLegend returns an empty gonum legend in the house style, top left
// aligned in the canvas figure gives it.
func styledLegend() *gplot.Legend {
	l := gplot.NewLegend()
	l.TextStyle.Font = font.From(sansFont, legendSz)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(28)
	l.Padding = vg.Points(3)
	return &l
}

// addGrid adds light grid lines behind the data; vertical and horizontal
// choose which.
func addGrid(p *gplot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = lightGrey, lightGrey
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}
