package slo

import (
	"fmt"
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/gonum/stat/distuv"
)

// A Verdict is the outcome of judging one objective on one cell.
type Verdict string

const (
	Pass         Verdict = "PASS"         // the percentile's upper confidence bound is within the budget
	Fail         Verdict = "FAIL"         // its lower confidence bound is past the budget
	Inconclusive Verdict = "INCONCLUSIVE" // the budget lies inside the confidence interval
	TooFew       Verdict = "TOO_FEW"      // too few samples to bound the percentile from above at all
)

// A Judgement is one objective judged on one histogram of samples.
type Judgement struct {
	Objective  Objective
	Confidence float64       // e.g. 0.95: one-sided, for each bound
	N          int64         // samples
	Estimate   time.Duration // the percentile's point estimate
	Lo, Hi     time.Duration // one-sided confidence bounds; Hi is 0 when unbounded (TooFew)
	MinN       int64         // fewest samples that can bound this percentile from above
	Verdict    Verdict
}

// Judge judges o on h (values in nanoseconds) at a one-sided confidence
// level conf in (0.5, 1): PASS when the percentile's upper bound holds,
// FAIL when even its lower bound breaks the budget, INCONCLUSIVE
// between, TOO_FEW when there are fewer samples than MinN. A FAIL needs
// no upper bound: with few samples a clearly slow cell still fails.
func Judge(o Objective, h *hdr.Histogram, conf float64) Judgement {
	j := Judgement{Objective: o, Confidence: conf, N: h.TotalCount(), MinN: MinSamples(o.Pct, conf)}
	if j.N == 0 {
		j.Verdict = TooFew
		return j
	}
	q := o.Pct / 100
	j.Estimate = time.Duration(h.ValueAtQuantile(o.Pct))
	lo, hi := rankBounds(j.N, q, conf)
	j.Lo = valueAtRank(h, lo)
	if hi <= j.N {
		j.Hi = valueAtRank(h, hi)
	}
	switch {
	case !o.Holds(j.Lo):
		j.Verdict = Fail
	case hi > j.N:
		j.Verdict = TooFew
	case o.Holds(j.Hi):
		j.Verdict = Pass
	default:
		j.Verdict = Inconclusive
	}
	return j
}

// String is one line for text output, e.g.
// "total:p99<10ms PASS: p99 4.1 ms, 95% bound [3.9, 4.4] ms, n=3000".
func (j Judgement) String() string {
	s := fmt.Sprintf("%s %s: p%g %s, n=%d", j.Objective, j.Verdict, j.Objective.Pct, fmtMS(j.Estimate), j.N)
	switch {
	case j.N == 0:
		return fmt.Sprintf("%s %s: no samples", j.Objective, j.Verdict)
	case j.Verdict == TooFew:
		return fmt.Sprintf("%s (p%g needs at least %d samples to be bounded at %g%%)", s, j.Objective.Pct, j.MinN, j.Confidence*100)
	}
	hi := "∞" // no order statistic bounds it from above
	if j.Hi > 0 {
		hi = fmtMS(j.Hi)
	}
	return fmt.Sprintf("%s, %g%% one-sided bounds [%s, %s]", s, j.Confidence*100, fmtMS(j.Lo), hi)
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.3g ms", float64(d)/1e6) }

// rankBounds returns 1-based ranks lo and hi such that the lo-th smallest
// of n samples is at most the true q-quantile, and the hi-th at least
// it, each with probability ≥ conf. hi > n means no order statistic
// bounds the quantile from above with that confidence.
//
// The number of samples below the true quantile is Binomial(n, q). The
// hi-th order statistic is ≥ the quantile when fewer than hi samples
// fall below it: hi is the smallest k with P(B ≤ k−1) ≥ conf. Likewise
// lo is the largest k with P(B ≥ k) ≥ conf.
func rankBounds(n int64, q, conf float64) (lo, hi int64) {
	b := distuv.Binomial{N: float64(n), P: q}
	// hi: smallest k in [1, n+1] with CDF(k-1) >= conf.
	hi = searchInt(1, n+1, func(k int64) bool { return b.CDF(float64(k-1)) >= conf })
	// lo: largest k in [1, n] with P(B >= k) = 1-CDF(k-1) >= conf, i.e.
	// smallest k with 1-CDF(k-1) < conf, minus one.
	lo = searchInt(1, n+1, func(k int64) bool { return 1-b.CDF(float64(k-1)) < conf }) - 1
	return max(lo, 1), hi
}

// searchInt returns the smallest k in [a, b] for which ok holds (ok is
// monotone: false then true), or b when it holds nowhere before b.
func searchInt(a, b int64, ok func(int64) bool) int64 {
	for a < b {
		m := a + (b-a)/2
		if ok(m) {
			b = m
		} else {
			a = m + 1
		}
	}
	return a
}

// valueAtRank returns the k-th smallest recorded value (1-based).
func valueAtRank(h *hdr.Histogram, k int64) time.Duration {
	n := h.TotalCount()
	pct := 100 * float64(k) / float64(n)
	// ValueAtQuantile finds the first value whose cumulative count reaches
	// ceil(pct/100*n); nudge down so floating error cannot skip a rank.
	pct = math.Min(100, math.Nextafter(pct, 0))
	return time.Duration(h.ValueAtQuantile(pct))
}

// MinSamples is the fewest samples with which the pct-th percentile can
// be bounded from above at one-sided confidence conf: the smallest n with
// 1 − q^n ≥ conf (then the maximum is the bound). For p99 at 95%: 299.
func MinSamples(pct, conf float64) int64 {
	q := pct / 100
	return int64(math.Ceil(math.Log(1-conf) / math.Log(q)))
}
