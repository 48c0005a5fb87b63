package plot

import (
	"math"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func hist1toN(t *testing.T, n int64) *hdrhistogram.Histogram {
	t.Helper()
	h := hdrhistogram.New(1, 1_000_000, 3)
	for v := int64(1); v <= n; v++ {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestOrderStatCIMedian1000(t *testing.T) {
	// For n = 1000 and q = 0.5 the exact 95% interval is [X(469), X(532)]
	// (P(469 <= B <= 531) = 0.9535 for B ~ Binomial(1000, 0.5)); the values
	// 1..1000 are stored exactly with 3 significant figures, so X(r) = r.
	h := hist1toN(t, 1000)
	lo, hi := OrderStatCI(h, 0.5, 0.95)
	if lo != 469 || hi != 532 {
		t.Fatalf("OrderStatCI(1..1000, 0.5, 0.95) = [%v, %v], want [469, 532]", lo, hi)
	}
}

func TestOrderStatRanksCoverage(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		q    float64
		conf float64
	}{{1000, 0.5, 0.95}, {1000, 0.99, 0.95}, {200, 0.9, 0.9}, {5000, 0.999, 0.95}} {
		l, u := orderStatRanks(tc.n, tc.q, tc.conf)
		cov := binomCDF(tc.n, tc.q, u-1) - binomCDF(tc.n, tc.q, l-1)
		if cov < tc.conf {
			t.Errorf("n=%d q=%v: ranks [%d, %d] cover %.4f < %v", tc.n, tc.q, l, u, cov, tc.conf)
		}
		// Equal tails, tight: each tail holds at most (1-conf)/2, and moving
		// either end inwards would put more than that in its tail.
		a2 := (1 - tc.conf) / 2
		if lower := binomCDF(tc.n, tc.q, l-1); lower > a2 || (l < tc.n && binomCDF(tc.n, tc.q, l) <= a2) {
			t.Errorf("n=%d q=%v: lower rank %d not the largest with tail <= %v", tc.n, tc.q, l, a2)
		}
		if upper := 1 - binomCDF(tc.n, tc.q, u-1); upper > a2+1e-12 || (u > 1 && 1-binomCDF(tc.n, tc.q, u-2) <= a2) {
			t.Errorf("n=%d q=%v: upper rank %d not the smallest with tail <= %v", tc.n, tc.q, u, a2)
		}
	}
}

// binomCDF is a direct P(B <= k) for B ~ Binomial(n, q), used as an oracle.
func binomCDF(n int64, q float64, k int64) float64 {
	if k < 0 {
		return 0
	}
	var s float64
	for j := int64(0); j <= k && j <= n; j++ {
		lc, _ := math.Lgamma(float64(n) + 1)
		la, _ := math.Lgamma(float64(j) + 1)
		lb, _ := math.Lgamma(float64(n-j) + 1)
		s += math.Exp(lc - la - lb + float64(j)*math.Log(q) + float64(n-j)*math.Log1p(-q))
	}
	return s
}

func TestOrderStatCINormalApprox(t *testing.T) {
	// n = 20000 uses the normal approximation: nq = 10000, sd = sqrt(5000) =
	// 70.71, z = 1.95996: ranks floor(9861.4) = 9861 and ceil(10138.6)+1 = 10140.
	// Values above 2047 are bucketed with 3 significant figures (within 0.1%).
	h := hist1toN(t, 20000)
	lo, hi := OrderStatCI(h, 0.5, 0.95)
	if math.Abs(lo-9861) > 10 || math.Abs(hi-10140) > 10 {
		t.Fatalf("got [%v, %v], want about [9861, 10140]", lo, hi)
	}
	// The exact and approximate ranks agree closely at the switch-over.
	l1, u1 := orderStatRanks(exactBinomialMax, 0.99, 0.95)
	mu, sd := 0.99*exactBinomialMax, math.Sqrt(0.99*0.01*exactBinomialMax)
	if math.Abs(float64(l1)-(mu-1.96*sd)) > 3 || math.Abs(float64(u1)-(mu+1.96*sd)) > 3 {
		t.Fatalf("exact ranks [%d, %d] far from normal approximation %.1f±%.1f", l1, u1, mu, 1.96*sd)
	}
}

func TestOrderStatCISmallAndBad(t *testing.T) {
	h := hist1toN(t, 3)
	lo, hi := OrderStatCI(h, 0.5, 0.95)
	if lo != 1 || hi != 3 {
		t.Fatalf("n=3: got [%v, %v], want clamped [1, 3]", lo, hi)
	}
	for _, tc := range []struct {
		h       *hdrhistogram.Histogram
		q, conf float64
	}{
		{nil, 0.5, 0.95},
		{hdrhistogram.New(1, 1000, 3), 0.5, 0.95},
		{h, 0, 0.95},
		{h, 1, 0.95},
		{h, 0.5, 1},
		{h, math.NaN(), 0.95},
	} {
		lo, hi := OrderStatCI(tc.h, tc.q, tc.conf)
		if !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("OrderStatCI(q=%v, conf=%v) = [%v, %v], want NaN", tc.q, tc.conf, lo, hi)
		}
	}
}

func TestTQuantile(t *testing.T) {
	for _, tc := range []struct {
		df   int
		want float64
	}{{1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {30, 2.042}} {
		if got := tQuantile(0.95, tc.df); math.Abs(got-tc.want) > 0.001 {
			t.Errorf("tQuantile(0.95, %d) = %.4f, want %.3f", tc.df, got, tc.want)
		}
	}
	mean, lo, hi := tInterval([]float64{1, 2, 3, 4, 5}, 0.95)
	// sd = 1.5811, se = 0.7071, t(4) = 2.7764: half width 1.9632.
	if mean != 3 || math.Abs(lo-1.0368) > 1e-3 || math.Abs(hi-4.9632) > 1e-3 {
		t.Errorf("tInterval = %v [%v, %v], want 3 [1.037, 4.963]", mean, lo, hi)
	}
}

func TestPercentileTicks(t *testing.T) {
	var labels []string
	for _, tk := range (percentileTicks{}).Ticks(1, 20000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
		if !(tk.Value >= 1 && tk.Value <= 20000) {
			t.Errorf("tick %v outside [1, 20000]", tk.Value)
		}
	}
	want := "0% 50% 90% 99% 99.9% 99.99%"
	if got := strings.Join(labels, " "); got != want {
		t.Errorf("labels = %q, want %q", got, want)
	}
	if ticks := (percentileTicks{}).Ticks(0, 10); ticks != nil {
		t.Errorf("ticks for a non-positive range = %v, want none", ticks)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     string
	}{
		{0, 60, "0 10 20 30 40 50 60"},
		{0, 26.4, "0 5 10 15 20 25"},
		{0, 1.85, "0.0 0.5 1.0 1.5"},
		{0, 0.9, "0.0 0.2 0.4 0.6 0.8"},
		{0, 13, "0.0 2.5 5.0 7.5 10.0 12.5"},
		{-1, 1, "-1.0 -0.5 0.0 0.5 1.0"},
		{0, 1300, "0 250 500 750 1000 1250"},
	} {
		var labels []string
		for _, tk := range (niceTicks{n: 6}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("niceTicks(%v, %v) = %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	var labels []string
	for _, tk := range (logTicks{}).Ticks(0.15, 12) {
		if tk.Value < 0.15 || tk.Value > 12 {
			t.Errorf("tick %v outside [0.15, 12]", tk.Value)
		}
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "0.2 0.5 1 2 5 10"; got != want {
		t.Errorf("labels = %q, want %q", got, want)
	}
	if ticks := (logTicks{}).Ticks(0, 1); ticks != nil {
		t.Errorf("ticks for a non-positive range = %v, want none", ticks)
	}
}

func TestSpectrumPoints(t *testing.T) {
	h := hist1toN(t, 1000)
	pts := spectrumPoints(h, false)
	if pts[0].X != 1 || pts[0].Y != 1e-6 {
		t.Errorf("first point %v, want x=1 (p=0) at the minimum 1e-6 ms", pts[0])
	}
	last := pts[len(pts)-1]
	if last.X != 1000 || last.Y != 1000e-6 {
		t.Errorf("last point %v, want x=n=1000 at the maximum", last)
	}
	for i := 1; i < len(pts); i++ {
		if !(pts[i].X > pts[i-1].X) || pts[i].Y < pts[i-1].Y || math.IsInf(pts[i].X, 0) {
			t.Fatalf("points not increasing at %d: %v then %v", i, pts[i-1], pts[i])
		}
	}
	// At x = 10 (p = 90%) the value is the 900th.
	for _, p := range pts {
		if math.Abs(p.X-10) < 1e-9 && p.Y != 900e-6 {
			t.Errorf("p90 point %v, want 900e-6 ms", p)
		}
	}
}
