package plot

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/internal/golden"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot/cmpimg"
)

// goldenDelta (as in cmpimg.EqualApprox) tolerates anti-aliasing differences between platforms; a
// moved or recoloured element still fails.
const goldenDelta = 0.1

// checkGolden runs draw with a temporary prefix and compares the PNG with
// testdata/name.png; the SVG must exist and contain the wanted texts.
func checkGolden(t *testing.T, name string, draw func(prefix string) error, svgTexts ...string) {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), name)
	if err := draw(prefix); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(prefix + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(svg)), "<?xml") || !strings.Contains(string(svg), "</svg>") {
		t.Errorf("%s.svg is not a complete SVG document", name)
	}
	for _, s := range svgTexts {
		if !strings.Contains(string(svg), s) {
			t.Errorf("%s.svg lacks text %q", name, s)
		}
	}
	goldenPNG := filepath.Join("testdata", name+".png")
	if golden.Update() {
		if err := os.WriteFile(goldenPNG, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPNG)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	ok, err := cmpimg.EqualApprox("png", got, want, goldenDelta)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		keep := filepath.Join(os.TempDir(), "hsbench-plot-"+name+".png")
		_ = os.WriteFile(keep, got, 0o644)
		t.Errorf("%s differs from %s; got image kept at %s (run go test -update after checking it)", name, goldenPNG, keep)
	}
	// A PNG of the expected pixel size: 120 dpi.
	img, err := png.Decode(strings.NewReader(string(got)))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 900 || b.Dy() < 580 {
		t.Errorf("%s.png is %v, want at least 960x600", name, b.Size())
	}
}

func TestGoldenSpectrum(t *testing.T) {
	t.Parallel()
	cells := testCells(t)
	checkGolden(t, "spectrum", func(p string) error {
		return Spectrum(cells, SpectrumOptions{}, p)
	}, "Latency by percentile: total", "99.9%", "TLS1.3 full SecP384r1MLKEM1024 ecdsa-p256")
	checkGolden(t, "spectrum_logy", func(p string) error {
		return Spectrum(cells, SpectrumOptions{Phase: "tls_server_wait", LogY: true}, p)
	}, "Latency by percentile: tls_server_wait", "latency (ms, log scale)")
	many := manyCells(t)
	checkGolden(t, "spectrum_many", func(p string) error {
		return Spectrum(many, SpectrumOptions{}, p)
	}, "TLS1.3 full SecP384r1MLKEM1024 TLS_CHACHA20_POLY1305_SHA256")
}

func TestGoldenBars(t *testing.T) {
	t.Parallel()
	cells := testCells(t)
	checkGolden(t, "bars_group", func(p string) error {
		return DimensionBars(cells, BarsOptions{Dim: "group"}, p)
	}, "95% CI (order statistics)", "x25519mlkem768")
	checkGolden(t, "bars_mode", func(p string) error {
		return DimensionBars(cells, BarsOptions{Dim: "mode", Phase: "tls_handshake"}, p)
	}, "resumed")
	checkGolden(t, "bars_repeats", func(p string) error {
		return DimensionBars(testCellsWithRepeats(t), BarsOptions{Dim: "group"}, p)
	}, "95% CI (t-interval over repeats)")
	many := manyCells(t)
	checkGolden(t, "bars_suite", func(p string) error {
		return DimensionBars(many, BarsOptions{Dim: "suite"}, p)
	}, "TLS_CHACHA20_POLY1305_SHA256")
}

func TestGoldenBreakdown(t *testing.T) {
	t.Parallel()
	cells := testCells(t)
	checkGolden(t, "breakdown", func(p string) error {
		return PhaseBreakdown(cells, BreakdownOptions{}, p)
	}, "tls_cert_verify", "TLS1.3 resumed X25519 ecdsa-p256")
}

func TestGoldenOverTime(t *testing.T) {
	t.Parallel()
	c := testCells(t)[0]
	c.Intervals = testIntervals()
	checkGolden(t, "overtime", func(p string) error {
		return OverTime(c, OverTimeOptions{}, p)
	}, "Over time: TLS1.3 full X25519 ecdsa-p256", "rate (handshakes/s)", "p99")
}

// TestBarsAlignment checks that error bars sit on the centres of their bars.
// The bars are horizontal: the test reads the image transposed, so a
// column just right of where the bars start crosses all four of them.
func TestBarsAlignment(t *testing.T) {
	t.Parallel()
	// Two groups, every bar starting at the left edge of the data area.
	// 40 samples each, so the intervals (and error bar stems) are long.
	h := func(lo, hi int64) *hdrhistogram.Histogram {
		x := hdrhistogram.New(1, 1e9, 3)
		for i := range int64(40) {
			_ = x.RecordValue((lo + (hi-lo)*i/39) * 1000)
		}
		return x
	}
	cells := []Cell{
		{Label: "a", Dims: map[string]string{"d": "a"}, Phases: map[string]*hdrhistogram.Histogram{"total": h(1000, 2000)}},
		{Label: "b", Dims: map[string]string{"d": "b"}, Phases: map[string]*hdrhistogram.Histogram{"total": h(1000, 3000)}},
	}
	prefix := filepath.Join(t.TempDir(), "align")
	if d := os.Getenv("HSBENCH_PLOT_KEEP"); d != "" {
		prefix = filepath.Join(d, "align")
	}
	if err := DimensionBars(cells, BarsOptions{Dim: "d"}, prefix); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	orig, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	img := transposed{orig}
	// Scan the column a few pixels right of the first blue pixel for
	// vermilion runs (the p99 bars) and blue runs (the p50 bars): there
	// must be two of each, alternating blue, red from the top.
	row := -1
	for x := 0; x < orig.Bounds().Dx() && row < 0; x++ {
		for y := 0; y < orig.Bounds().Dy(); y++ {
			if classify(orig, x, y) == "blue" {
				row = x + 6
				break
			}
		}
	}
	runs := colourRuns(img, row)
	var seq []string
	for _, r := range runs {
		seq = append(seq, r.colour)
	}
	if strings.Join(seq, ",") != "blue,red,blue,red" {
		t.Fatalf("colour runs across bars = %v, want blue,red,blue,red", seq)
	}
	// Equal widths, and group spacing equal to bar spacing pattern.
	w0 := runs[0].x1 - runs[0].x0
	for _, r := range runs[1:] {
		if d := (r.x1 - r.x0) - w0; d < -2 || d > 2 {
			t.Errorf("bar widths differ: %v", runs)
		}
	}
	if d := (runs[2].x0 - runs[0].x0) - (runs[3].x0 - runs[1].x0); d < -2 || d > 2 {
		t.Errorf("groups not evenly spaced: %v", runs)
	}
	// Bars of a group must not overlap and must leave a gap to the next group.
	if runs[1].x0 < runs[0].x1 || runs[2].x0 <= runs[1].x1+5 {
		t.Errorf("bars overlap or touch: %v", runs)
	}
	// Each error bar's stem (a dark vertical line) is at its bar's centre:
	// inside each bar's column range, the columns with many dark pixels
	// (the bar outline adds one per column) must be within 2 px of the centre.
	for i, r := range runs {
		mid := (r.x0 + r.x1) / 2
		var stem []int
		// The bar's end, on its edge row (clear of the error bar); the
		// error bar's lower half lies inside the bar, its value label
		// beyond the bar's end.
		end := row
		for end < img.Bounds().Dy() && classify(img, r.x0+2, end) == r.colour {
			end++
		}
		for x := r.x0 + 3; x < r.x1-3; x++ {
			dark := 0
			for y := row; y < end; y++ {
				if isDark(img, x, y) {
					dark++
				}
			}
			if dark >= 6 { // cap and bar outline: at most about 3 per column
				stem = append(stem, x)
			}
		}
		if len(stem) == 0 {
			t.Errorf("bar %d (%d..%d): no error bar", i, r.x0, r.x1)
		}
		for _, x := range stem {
			if abs(x-mid) > 2 {
				t.Errorf("bar %d (%d..%d): error bar column %d off the centre %d", i, r.x0, r.x1, x, mid)
			}
		}
	}
}

// transposed swaps an image's axes.
type transposed struct{ image.Image }

func (t transposed) Bounds() image.Rectangle {
	b := t.Image.Bounds()
	return image.Rect(b.Min.Y, b.Min.X, b.Max.Y, b.Max.X)
}

func (t transposed) At(x, y int) color.Color { return t.Image.At(y, x) }

type run struct {
	colour string
	x0, x1 int
}

func colourRuns(img image.Image, y int) []run {
	var out []run
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		c := classify(img, x, y)
		if c == "" && isDark(img, x, y) && len(out) > 0 && out[len(out)-1].x1 >= x-3 {
			continue // an error bar inside a bar
		}
		if c == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].colour == c && out[n-1].x1 >= x-3 {
			out[n-1].x1 = x + 1
			continue
		}
		out = append(out, run{c, x, x + 1})
	}
	return out
}

func classify(img image.Image, x, y int) string {
	r, g, b, _ := img.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	switch {
	case near(r, 0x00) && near(g, 0x72) && near(b, 0xb2):
		return "blue"
	case near(r, 0xd5) && near(g, 0x5e) && near(b, 0x00):
		return "red"
	}
	return ""
}

func isDark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r>>8 < 0x40 && g>>8 < 0x40 && b>>8 < 0x40
}

func near(a, b uint32) bool { return a+8 >= b && a <= b+8 }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// One panel per held combination, each titled with it.
func TestGoldenFacetBars(t *testing.T) {
	t.Parallel()
	cells := testCells(t)
	var facets []Facet
	for _, mode := range []string{"full", "resumed"} {
		f := Facet{Title: "TLS 1.3 " + mode + " ecdsa-p256"}
		for _, c := range cells {
			if c.Dims["mode"] == mode {
				f.Cells = append(f.Cells, c)
			}
		}
		facets = append(facets, f)
	}
	checkGolden(t, "bars_facets", func(p string) error {
		return FacetBars(facets, BarsOptions{Dim: "group", Title: "total p50 and p99 by group"}, p)
	}, "TLS 1.3 full ecdsa-p256", "TLS 1.3 resumed ecdsa-p256", "total latency (ms, log)")
}

// An open loop's over-time plot draws its offered rate.
func TestGoldenOverTimeOffered(t *testing.T) {
	t.Parallel()
	c := testCells(t)[0]
	c.Intervals = testIntervals()
	checkGolden(t, "overtime_offered", func(p string) error {
		return OverTime(c, OverTimeOptions{OfferedRate: 900}, p)
	}, "offered rate", "achieved rate")
}

// A phase that overlaps the handshake (0-RTT's ttfb) is not stacked when
// Overlaps names it, and the bar ends at the median total either way.
func TestBreakdownLeavesOutOverlap(t *testing.T) {
	t.Parallel()
	hist := func(ms float64) *hdrhistogram.Histogram {
		h := hdrhistogram.New(1, 1e9, 3)
		_ = h.RecordValue(int64(ms * 1e6))
		return h
	}
	c := Cell{Label: "0rtt", Dims: map[string]string{"mode": "0rtt"}, Phases: map[string]*hdrhistogram.Histogram{
		"tcp_connect": hist(0.1), "tls_client_hello": hist(0.1), "tls_server_wait": hist(0.5), "ttfb": hist(0.6), "total": hist(0.8),
	}}
	for _, skip := range []bool{false, true} {
		opt := BreakdownOptions{}
		if skip {
			opt.Overlaps = func(c Cell, ph string) bool { return ph == "ttfb" && c.Dims["mode"] == "0rtt" }
		}
		prefix := filepath.Join(t.TempDir(), "b")
		if err := PhaseBreakdown([]Cell{c}, opt, prefix); err != nil {
			t.Fatal(err)
		}
		svg, err := os.ReadFile(prefix + ".svg")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(svg), ">ttfb<"); got == skip {
			t.Errorf("overlaps skipped=%v: ttfb in the legend = %v", skip, got)
		}
		if !strings.Contains(string(svg), "total 0.80 ms") {
			t.Errorf("overlaps skipped=%v: no median total label", skip)
		}
	}
}
