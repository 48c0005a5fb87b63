package compare

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// The paired, sequential analysis of interleaved blocks.
//
// hsbench ab runs BASE and NEW in many short blocks, alternating
// (ABBA…), and a block of NEW is paired with the block of BASE next to
// it in time. Drift of the machine (another job starting, the CPU
// clocking down) hits both blocks of a pair alike and cancels in their
// ratio, so the unit of analysis is the per-pair log-ratio
// d = log(new/base) of the metric (a block's p50 or p99). Its mean μ is
// the log of the typical slowdown; with threshold t the question is
// whether μ lies above or below c = log(1+t).
//
// ab looks at the data after every pair of blocks and stops as soon as
// the answer is clear, so a fixed-sample test would have an inflated
// error rate (every look is another chance of a false alarm). The
// analysis uses instead a confidence sequence: bounds that hold at every
// number of blocks at once, so they are valid at any data-dependent
// stopping time. It is the one-sided normal-mixture boundary of
// Robbins, in the form of Howard, Ramdas, McAuliffe and Sekhon,
// "Time-uniform, nonparametric, nonasymptotic confidence sequences",
// Ann. Statist. 49(2), 2021, eq. (14), with the sample standard
// deviation in place of the known one as in Waudby-Smith, Arnold, Wu
// and Ramdas, "Time-uniform central limit theory and asymptotic
// confidence sequences", Ann. Statist. 52(6), 2024 (Theorem 2.2): after n
// blocks, with σ̂ the standard deviation of the n log-ratios and
// v = nρ² + 1,
//
//	μ > mean − σ̂ · sqrt( 2v/(n²ρ²) · log(1 + sqrt(v)/(2α)) )
//
// holds for all n simultaneously with probability at least 1−α
// (asymptotically; the unit tests check the error rate under the
// stopping rule on synthetic data from a few blocks on). ρ tunes where
// the boundary is tightest (Options.TargetBlocks). Inverting the
// boundary gives an anytime-valid p-value; its running minimum over n is
// still valid.
//
// Many series are judged at once (cells × metrics). A false FAIL in
// any of them fails the whole comparison, so the FAIL p-values are
// adjusted with Holm's step-down procedure (S. Holm, "A simple
// sequentially rejective multiple test procedure", Scand. J. Statist.
// 6(2), 1979), which keeps the family-wise error at most α for any
// dependence between the series and stays valid for anytime p-values at
// a stopping time. PASS needs no adjustment: the overall PASS asks every
// series to pass, an intersection–union test whose error (passing while
// some series regressed) is at most α with each series at level α
// (R. L. Berger, "Multiparameter hypothesis testing and acceptance
// sampling", Technometrics 24(4), 1982).

// MinBlocks is the fewest pairs of blocks a paired series needs before it
// can be judged: below it the standard deviation of the log-ratios is
// too uncertain for the boundary to keep its error rate.
const MinBlocks = 8

// csRho2 returns the mixture parameter ρ² that makes the boundary
// tightest near n = target blocks (Waudby-Smith et al. 2024, eq. (15)).
func csRho2(alpha float64, target int) float64 {
	l := -2 * math.Log(alpha)
	return (l + math.Log(l+1)) / float64(max(target, 1))
}

// csPValue is the anytime-valid one-sided p-value after n blocks for a
// standardised distance z = (mean − c)/sd from the null boundary c: the
// smallest alpha whose boundary excludes c. z ≤ 0 gives 1.
func csPValue(n int, z, rho2 float64) float64 {
	switch {
	case math.IsNaN(z) || z <= 0:
		return 1
	case math.IsInf(z, 1):
		return 0
	}
	t := float64(n)
	v := t*rho2 + 1
	l := z * z * t * t * rho2 / (2 * v)
	return math.Min(1, math.Sqrt(v)/(2*math.Expm1(l)))
}

// clipMADs is the clipping width in robust standard deviations
// (1.4826 × the median absolute deviation of the log-ratios), and
// minClip its floor (0.5%), for series whose blocks barely vary.
const (
	clipMADs = 2.5
	minClip  = 0.005
)

// pairedStats summarises the log-ratios d of one paired series at its
// last look: their winsorised mean and standard deviation (see
// winsorise), and the anytime p-values of "no regression beyond c" (up:
// small when NEW is slower beyond c), of "no tolerable change" (down:
// small when it is faster than c) and of "NEW is not faster" (imp).
type pairedStats struct {
	n             int
	h             int     // log-ratios not clipped (at least 2)
	mean, se      float64 // winsorised mean and its standard error
	up, down, imp float64
	rho2          float64
}

func newPairedStats(d []float64, c, rho2 float64) pairedStats {
	s := pairedStats{n: len(d), up: 1, down: 1, imp: 1, mean: math.NaN(), se: math.NaN(), rho2: rho2}
	if s.n < 2 {
		return s
	}
	w, clipped := winsorise(d)
	var sd float64
	s.mean, sd = meanSD(w)
	// The clipped log-ratios carry less information than the others:
	// as in Yuen's trimmed t-test, the degrees of freedom count only
	// the unclipped ones (the unit tests measure the error rate).
	s.h = max(2, s.n-clipped)
	s.se = sd / math.Sqrt(float64(s.n))
	s.up = pFromT(s.n, s.h-1, s.tstat(c), rho2)
	s.down = pFromT(s.n, s.h-1, -s.tstat(c), rho2)
	s.imp = pFromT(s.n, s.h-1, -s.tstat(0), rho2)
	return s
}

// winsorise clips d to its median ± clipMADs robust standard deviations
// (1.4826 × the median absolute deviation, at least minClip): a block
// hit by a burst of other work (its p50 three times the usual) then
// weighs no more than an ordinary one that strayed far, so a few bursts
// can neither hide a regression nor fake one. When the noise of a
// pair's log-ratio is symmetric — the A B B A order makes which side a
// burst hits a coin toss — the winsorised mean estimates the same centre
// as the mean; in normal noise few blocks are clipped.
//
// It returns the clipped log-ratios and how many were clipped.
func winsorise(d []float64) ([]float64, int) {
	med := median(d)
	dev := make([]float64, len(d))
	for i, x := range d {
		dev[i] = math.Abs(x - med)
	}
	w := math.Max(minClip, clipMADs*1.4826*median(dev))
	out, clipped := make([]float64, len(d)), 0
	for i, x := range d {
		out[i] = math.Max(med-w, math.Min(med+w, x))
		if out[i] != x {
			clipped++
		}
	}
	return out, clipped
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func meanSD(xs []float64) (mean, sd float64) {
	var m2 float64
	for i, x := range xs { // Welford
		delta := x - mean
		mean += delta / float64(i+1)
		m2 += delta * (x - mean)
	}
	return mean, math.Sqrt(m2 / float64(len(xs)-1))
}

// tstat is the t-statistic of the winsorised log-ratios against c;
// identical blocks give +Inf, −Inf or NaN.
func (s pairedStats) tstat(c float64) float64 {
	return (s.mean - c) / s.se
}

// bounds inverts the tests: the log-ratios c not rejected as "NEW is
// slower than c" at level aLo, and not as "faster than c" at aHi.
func (s pairedStats) bounds(aLo, aHi float64) (lo, hi float64) {
	return s.mean - tCritical(s.n, s.h-1, aLo, s.rho2)*s.se, s.mean + tCritical(s.n, s.h-1, aHi, s.rho2)*s.se
}

// With the standard deviation estimated from a few blocks, the
// boundary alone is too optimistic (12 series exactly at the threshold
// gave 10% false FAILs with looks from 8 blocks on). The t-statistic
// is therefore first mapped to the normal quantile of the same tail
// probability under Student's t with n−1 degrees of freedom, which is
// exactly normal for normal blocks at every n, as the boundary assumes;
// the unit tests measure the error rate that results.

// pFromT is the anytime p-value of a t-statistic with df degrees of
// freedom after n blocks.
func pFromT(n, df int, tstat, rho2 float64) float64 {
	switch {
	case math.IsNaN(tstat) || tstat <= 0:
		return 1
	case math.IsInf(tstat, 1):
		return 0
	}
	tail := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.CDF(-tstat) // P(T ≥ tstat)
	z := -distuv.UnitNormal.Quantile(tail)
	return csPValue(n, z/math.Sqrt(float64(n)), rho2)
}

// tCritical is the t-statistic whose pFromT is a.
func tCritical(n, df int, a, rho2 float64) float64 {
	t := float64(n)
	v := t*rho2 + 1
	z := math.Sqrt(2 * v * math.Log(1+math.Sqrt(v)/(2*a)) / (t * rho2))
	return -distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(distuv.UnitNormal.CDF(-z))
}

// pairedLogRatios returns log(new[i]/base[i]).
func pairedLogRatios(base, new []float64) []float64 {
	d := make([]float64, len(base))
	for i := range base {
		d[i] = math.Log(new[i] / base[i])
	}
	return d
}

// holm returns Holm's step-down adjusted p-values: the i-th is below
// alpha exactly when Holm's procedure at level alpha rejects the i-th
// hypothesis. NaN p-values (series not tested) are left NaN and do not
// count towards the family.
func holm(ps []float64) []float64 {
	idx := make([]int, 0, len(ps))
	for i, p := range ps {
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ps[a], ps[b]) })
	adj := make([]float64, len(ps))
	for i := range adj {
		adj[i] = math.NaN()
	}
	m, run := len(idx), 0.0
	for k, i := range idx {
		run = math.Max(run, math.Min(1, float64(m-k)*ps[i]))
		adj[i] = run
	}
	return adj
}
