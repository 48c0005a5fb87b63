package compare

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestVerdicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	base10 := draw(rng, 10, 10, 0.02)
	tight := draw(rng, 10, 10, 0.002)
	spread := []float64{9, 9.2, 9.4, 9.6, 9.8, 10.2, 10.4, 10.6, 10.8, 11}
	tests := []struct {
		name string
		base []float64
		new  []float64
		thr  float64
		want []Verdict // any of these is acceptable
	}{
		{"identical samples never fail", base10, slices.Clone(base10), 0.05, []Verdict{Pass, Inconclusive}},
		{"same distribution, fresh draws, never fails", draw(rng, 10, 10, 0.02), draw(rng, 10, 10, 0.02), 0.05, []Verdict{Pass, Inconclusive}},
		{"20% slower with 2% noise fails", base10, scaled(draw(rng, 10, 10, 0.02), 1.2), 0.05, []Verdict{Fail}},
		{"2% slower with tight noise passes a 5% threshold", tight, scaled(draw(rng, 10, 10, 0.002), 1.02), 0.05, []Verdict{Pass}},
		{"2% slower with tight noise fails a 0% threshold", tight, scaled(draw(rng, 10, 10, 0.002), 1.02), 0, []Verdict{Fail}},
		{"20% faster is improved", base10, scaled(draw(rng, 10, 10, 0.02), 0.8), 0.05, []Verdict{Improved}},
		{"6% slower with 10% spread is inconclusive", spread, scaled(spread, 1.06), 0.05, []Verdict{Inconclusive}},
		{"two runs per side is too few", []float64{10, 10.1}, []float64{20, 20.1}, 0.05, []Verdict{TooFewRuns}},
		{"five runs is below benchmath's six at 95%", draw(rng, 5, 10, 0.01), draw(rng, 5, 12, 0.01), 0.05, []Verdict{TooFewRuns}},
		{"only in base", base10, nil, 0.05, []Verdict{Unmatched}},
		{"only in new", nil, base10, 0.05, []Verdict{Unmatched}},
		{"no runs at all", nil, nil, 0.05, []Verdict{Invalid}},
		{"negative latency", []float64{1, 2, -3, 4, 5, 6}, base10, 0.05, []Verdict{Invalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(2000)
			opts.Thresholds = Thresholds{Default: tt.thr}
			r, err := Compare([]Series{{Cell: "c", Phase: "total", Pct: 50, Base: tt.base, New: tt.new}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			c := r.Comparisons[0]
			if !slices.Contains(tt.want, c.Verdict) {
				t.Errorf("verdict %s, want one of %v (p=%.4f ratio=%.4f CI [%.4f, %.4f], warnings %v)",
					c.Verdict, tt.want, c.P, c.Ratio, c.RatioLo, c.RatioHi, c.Warnings)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name           string
		p, lo, hi, thr float64
		want           Verdict
	}{
		{"significant and whole CI above limit", 0.001, 1.10, 1.20, 0.05, Fail},
		{"CI above limit but not significant is not proof", 0.2, 1.10, 1.20, 0.05, Inconclusive},
		{"significant but CI reaches below limit", 0.001, 1.04, 1.20, 0.05, Inconclusive},
		{"upper bound exactly at limit passes", 0.001, 1.02, 1.05, 0.05, Pass},
		{"wide but entirely under limit passes regardless of p", 0.9, 0.5, 1.049, 0.05, Pass},
		{"significant and entirely below 1 is improved", 0.001, 0.8, 0.95, 0.05, Improved},
		{"entirely below 1 but not significant is a plain pass", 0.3, 0.8, 0.95, 0.05, Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decide(tt.p, 0.05, tt.lo, tt.hi, tt.thr); got != tt.want {
				t.Errorf("decide = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMinRuns(t *testing.T) {
	tests := []struct {
		alpha, conf float64
		want        int
	}{
		{0.05, 0.95, 6}, // median CI needs 6 (1-2/2^6 >= .95); U test needs only 4
		{0.05, 0.90, 5}, // median CI needs 5 (1-2/2^5 = .9375)
		{0.01, 0.90, 5}, // U test needs 5 (min p 0.0079)
		{0.001, 0.5, 7}, // U test needs 7 (min p 0.00058)
	}
	for _, tt := range tests {
		if got := MinRuns(tt.alpha, tt.conf); got != tt.want {
			t.Errorf("MinRuns(%v, %v) = %d, want %d", tt.alpha, tt.conf, got, tt.want)
		}
	}
}

func TestExitCodes(t *testing.T) {
	ok := Series{Cell: "a", Phase: "total", Pct: 50, Base: []float64{10, 10, 10, 10, 10, 10}, New: []float64{10, 10, 10, 10, 10, 10}}
	slow := Series{Cell: "b", Phase: "total", Pct: 50, Base: []float64{10, 10.1, 10.2, 10.3, 10.4, 10.5}, New: []float64{20, 20.1, 20.2, 20.3, 20.4, 20.5}}
	few := Series{Cell: "c", Phase: "total", Pct: 50, Base: []float64{10, 11}, New: []float64{10, 11}}
	onlyNew := Series{Cell: "d", Phase: "total", Pct: 50, New: []float64{10, 11}}
	empty := Series{Cell: "e", Phase: "total", Pct: 50}
	tests := []struct {
		name   string
		series []Series
		allow  bool // AllowInconclusive
		want   int
		verd   Verdict
	}{
		{"all pass", []Series{ok}, false, ExitPass, Pass},
		{"a regression", []Series{ok, slow}, false, ExitRegression, Fail},
		{"regression beats invalid", []Series{slow, empty}, false, ExitRegression, Fail},
		{"too few runs passes when allowed", []Series{ok, few}, true, ExitPass, Inconclusive},
		{"too few runs is undecided, exit 3", []Series{ok, few}, false, ExitInconclusive, Inconclusive},
		{"unmatched alongside a match is a warning", []Series{ok, onlyNew}, true, ExitPass, Pass},
		{"nothing in common is invalid", []Series{onlyNew}, false, ExitInvalid, Invalid},
		{"no series is invalid", nil, false, ExitInvalid, Invalid},
		{"empty series is invalid", []Series{ok, empty}, false, ExitInvalid, Invalid},
		{"duplicate series is invalid", []Series{ok, ok}, false, ExitInvalid, Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(500)
			opts.AllowInconclusive = tt.allow
			r, err := Compare(tt.series, opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.verd || r.ExitCode() != tt.want {
				t.Errorf("verdict %s exit %d, want %s exit %d (warnings %v)", r.Verdict, r.ExitCode(), tt.verd, tt.want, r.Warnings)
			}
		})
	}
}

func TestCompareDoesNotModifyInput(t *testing.T) {
	base := []float64{5, 3, 4, 1, 2, 6}
	in := []Series{{Cell: "z"}, {Cell: "a", Phase: "total", Pct: 50, Base: base, New: slices.Clone(base)}}
	if _, err := Compare(in, testOptions(100)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(base, []float64{5, 3, 4, 1, 2, 6}) || in[0].Cell != "z" {
		t.Errorf("input modified: %v, %v", base, in)
	}
}

func TestCompareRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Options)
	}{
		{"alpha zero", func(o *Options) { o.Alpha = 0 }},
		{"confidence one", func(o *Options) { o.Confidence = 1 }},
		{"too few iterations", func(o *Options) { o.Iterations = 10 }},
		{"negative min runs", func(o *Options) { o.MinRuns = -1 }},
		{"negative threshold", func(o *Options) { o.Thresholds.ByPct = map[float64]float64{99: -0.1} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mod(&o)
			if _, err := Compare(nil, o); err == nil {
				t.Error("want error")
			}
		})
	}
}
