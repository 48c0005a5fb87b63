package plot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestRejectsBadInput(t *testing.T) {
	cells := testCells(t)[:2]
	noLabel := []Cell{{Phases: cells[0].Phases}}
	emptyHist := []Cell{{Label: "e", Dims: map[string]string{"group": "x"}, Phases: map[string]*hdrhistogram.Histogram{"total": hdrhistogram.New(1, 1e9, 3)}}}
	noSplit := []Cell{{Label: "only-total", Phases: map[string]*hdrhistogram.Histogram{"total": cells[0].Phases["total"]}}}
	withIv := cells[0]
	withIv.Intervals = []Interval{{Start: 0, Count: 10, P50: 1, P90: 2, P99: 3, Max: 4}, {Start: 0, Count: 10}}
	negIv := cells[0]
	negIv.Intervals = []Interval{{Start: 0, Count: 10, P50: -1}}
	silentIv := cells[0]
	silentIv.Intervals = []Interval{{Start: 0}, {Start: 1e9}}

	for _, tc := range []struct {
		name string
		run  func(prefix string) error
		want string
	}{
		{"spectrum no cells", func(p string) error { return Spectrum(nil, SpectrumOptions{}, p) }, "plot: no cells"},
		{"spectrum unlabeled", func(p string) error { return Spectrum(noLabel, SpectrumOptions{}, p) }, "cell 0 has no label"},
		{"spectrum missing phase", func(p string) error { return Spectrum(cells, SpectrumOptions{Phase: "ttfb"}, p) }, `cell "TLS1.3 full X25519 ecdsa-p256" has no phase "ttfb"`},
		{"spectrum empty histogram", func(p string) error { return Spectrum(emptyHist, SpectrumOptions{}, p) }, `phase "total" has no samples`},
		{"bars no cells", func(p string) error { return DimensionBars(nil, BarsOptions{Dim: "group"}, p) }, "plot: no cells"},
		{"bars no dim", func(p string) error { return DimensionBars(cells, BarsOptions{}, p) }, "no dimension to group by"},
		{"bars missing dim", func(p string) error { return DimensionBars(cells, BarsOptions{Dim: "kem"}, p) }, `has no dimension "kem"`},
		{"bars missing phase", func(p string) error { return DimensionBars(cells, BarsOptions{Dim: "group", Phase: "dns"}, p) }, `has no phase "dns"`},
		{"bars bad conf", func(p string) error { return DimensionBars(cells, BarsOptions{Dim: "group", Conf: 1.5}, p) }, "confidence 1.5 outside (0, 1)"},
		{"breakdown no cells", func(p string) error { return PhaseBreakdown(nil, BreakdownOptions{}, p) }, "plot: no cells"},
		{"breakdown no split phases", func(p string) error { return PhaseBreakdown(noSplit, BreakdownOptions{}, p) }, `cell "only-total" has none of the phases`},
		{"overtime no intervals", func(p string) error { return OverTime(cells[0], OverTimeOptions{}, p) }, "has no intervals"},
		{"overtime unordered", func(p string) error { return OverTime(withIv, OverTimeOptions{}, p) }, "interval 1 does not start after interval 0"},
		{"overtime negative latency", func(p string) error { return OverTime(negIv, OverTimeOptions{}, p) }, "interval 0 has latency -1"},
		{"overtime no handshakes", func(p string) error { return OverTime(silentIv, OverTimeOptions{}, p) }, "no interval has handshakes"},
		{"empty prefix", func(string) error { return Spectrum(cells, SpectrumOptions{}, "") }, "empty output prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tc.run(filepath.Join(dir, "out"))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), "plot: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want prefix \"plot: \" and %q", err, tc.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("files written despite the error: %v", ents)
			}
		})
	}
}

// TestEdgeCases draws degenerate but valid inputs that could trip gonum's
// log scale (zero values, a single sample) and checks both files appear.
func TestEdgeCases(t *testing.T) {
	t.Parallel()
	zero := hdrhistogram.New(1, 1e9, 3)
	for range 100 {
		_ = zero.RecordValue(0) // e.g. dns with a literal address
	}
	_ = zero.RecordValue(2_000_000)
	one := hdrhistogram.New(1, 1e9, 3)
	_ = one.RecordValue(1_500_000)
	cells := []Cell{
		{Label: "zeros", Dims: map[string]string{"d": "z"}, Phases: map[string]*hdrhistogram.Histogram{"total": zero, "dns": zero}},
		{Label: "single", Dims: map[string]string{"d": "s"}, Phases: map[string]*hdrhistogram.Histogram{"total": one, "dns": one}},
	}
	ivs := []Interval{{Start: 0, Count: 1, P50: 0, P90: 0, P99: 0, Max: 0}, {Start: 1e9, Count: 2, P50: 1, P90: 1, P99: 1, Max: 1}}
	c0 := cells[0]
	c0.Intervals = ivs
	dir := t.TempDir()
	for name, run := range map[string]func(string) error{
		"spectrum":     func(p string) error { return Spectrum(cells, SpectrumOptions{}, p) },
		"spectrum_log": func(p string) error { return Spectrum(cells, SpectrumOptions{LogY: true}, p) },
		"bars":         func(p string) error { return DimensionBars(cells, BarsOptions{Dim: "d"}, p) },
		"breakdown":    func(p string) error { return PhaseBreakdown(cells, BreakdownOptions{Phases: []string{"dns"}}, p) },
		"overtime":     func(p string) error { return OverTime(c0, OverTimeOptions{}, p) },
		"overtime_log": func(p string) error { return OverTime(c0, OverTimeOptions{LogY: true}, p) },
	} {
		prefix := filepath.Join(dir, "sub", name)
		if err := run(prefix); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(prefix + ext); err != nil || st.Size() == 0 {
				t.Errorf("%s%s missing or empty: %v", name, ext, err)
			}
		}
	}
}

func TestDimensionStats(t *testing.T) {
	// Two cells of values 1..1000 µs share group "a": the merged median is
	// 500 µs with the n = 2000 order-statistic interval; group "b" alone.
	h := func(lo, hi int64) *hdrhistogram.Histogram {
		x := hdrhistogram.New(1, 1e9, 3)
		for v := lo; v <= hi; v++ {
			_ = x.RecordValue(v * 1000)
		}
		return x
	}
	cells := []Cell{
		{Label: "a1", Dims: map[string]string{"g": "a"}, Phases: map[string]*hdrhistogram.Histogram{"total": h(1, 1000)}},
		{Label: "b", Dims: map[string]string{"g": "b"}, Phases: map[string]*hdrhistogram.Histogram{"total": h(1001, 2000)}},
		{Label: "a2", Dims: map[string]string{"g": "a"}, Phases: map[string]*hdrhistogram.Histogram{"total": h(1, 1000)}},
	}
	before := cells[0].Phases["total"].TotalCount()
	stats, method, err := DimensionStats(cells, "g", "", 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if method != MethodOrderStat || len(stats) != 2 || stats[0].Value != "a" || stats[0].Cells != 2 || stats[1].Value != "b" {
		t.Fatalf("got %s %+v", method, stats)
	}
	if cells[0].Phases["total"].TotalCount() != before {
		t.Fatal("DimensionStats modified an input histogram")
	}
	a := stats[0].P50
	if a.Value < 0.499 || a.Value > 0.501 || !(a.Lo < a.Value && a.Value < a.Hi) || a.Hi-a.Lo > 0.05 {
		t.Errorf("group a p50 = %+v ms, want 0.5 inside a narrow interval", a)
	}
	if b := stats[1].P99; b.Value < 1.985 || b.Value > 1.995 || !(b.Lo <= b.Value && b.Value <= b.Hi) {
		t.Errorf("group b p99 = %+v ms, want about 1.99", b)
	}

	// With repeats on every single-cell group, the t-interval is used.
	rc := []Cell{cells[1]}
	rc[0].Repeats = map[string][]float64{"total p50": {1, 2, 3, 4, 5}, "total p99": {10, 10, 10}}
	stats, method, err = DimensionStats(rc, "g", "total", 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if method != MethodRepeats || stats[0].P50.Value != 3 || stats[0].P99.Lo != 10 || stats[0].P99.Hi != 10 {
		t.Errorf("repeats: got %s %+v", method, stats[0])
	}
}
