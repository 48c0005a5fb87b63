package plot

import (
	"fmt"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// exactBinomialMax is the largest count for which OrderStatCI sums the
// binomial distribution exactly; above it a normal approximation is used.
const exactBinomialMax = 10000

// OrderStatCI returns a distribution-free confidence interval for the
// q-quantile (0 < q < 1) of the distribution h was sampled from, with
// confidence conf (0 < conf < 1), in the histogram's units.
//
// With n samples, the number of samples at or below the true quantile is
// Binomial(n, q). The interval is [X(l), X(u)], the order statistics at the
// 1-based ranks l = max{j : P(B <= j-1) <= a/2} and u = min{j : P(B <= j-1)
// >= 1-a/2} with a = 1-conf, which covers the quantile with probability at
// least conf. For n > 10000 the ranks come from the normal approximation
// nq -/+ z*sqrt(nq(1-q)). Values at a rank are read from the histogram like
// ValueAtQuantile does (highest equivalent value of the bucket). When n is
// too small for the requested confidence the ranks are clamped to 1 and n
// (the sample minimum and maximum) and the coverage is lower than conf.
//
// It returns NaN, NaN for a nil or empty histogram or q or conf outside (0, 1).
func OrderStatCI(h *hdrhistogram.Histogram, q, conf float64) (lo, hi float64) {
	if h == nil || h.TotalCount() == 0 || !(q > 0 && q < 1) || !(conf > 0 && conf < 1) {
		return math.NaN(), math.NaN()
	}
	n := h.TotalCount()
	l, u := orderStatRanks(n, q, conf)
	return float64(valueAtRank(h, l)), float64(valueAtRank(h, u))
}

// orderStatRanks returns the 1-based ranks of OrderStatCI.
func orderStatRanks(n int64, q, conf float64) (l, u int64) {
	alpha := 1 - conf
	if n > exactBinomialMax {
		z := math.Sqrt2 * math.Erfinv(conf)
		mu := float64(n) * q
		sd := math.Sqrt(mu * (1 - q))
		l = int64(math.Floor(mu - z*sd))
		u = int64(math.Ceil(mu+z*sd)) + 1
	} else {
		l, u = 1, n
		lnq, ln1q := math.Log(q), math.Log1p(-q)
		lgn, _ := math.Lgamma(float64(n) + 1)
		cdf := 0.0 // P(B <= j-1) at the top of iteration j
		foundU := false
		for j := int64(1); j <= n; j++ {
			// Add P(B = j-1).
			k := float64(j - 1)
			lgk, _ := math.Lgamma(k + 1)
			lgnk, _ := math.Lgamma(float64(n) - k + 1)
			cdf += math.Exp(lgn - lgk - lgnk + k*lnq + (float64(n)-k)*ln1q)
			if cdf <= alpha/2 {
				l = j
			}
			if !foundU && cdf >= 1-alpha/2 {
				u, foundU = j, true
				break
			}
		}
	}
	l = max(1, min(l, n))
	u = max(1, min(u, n))
	return l, u
}

// valueAtRank returns the value of the r-th smallest sample (1-based), as
// the highest value equivalent to its bucket.
func valueAtRank(h *hdrhistogram.Histogram, r int64) int64 {
	var cum int64
	var last int64
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		cum += b.Count
		last = b.To
		if cum >= r {
			return b.To
		}
	}
	return last
}

// tQuantile returns t such that P(|T| <= t) = conf for Student's t with df
// degrees of freedom (df >= 1), by bisection on the closed-form CDF
// (Abramowitz & Stegun 26.7.3-4).
func tQuantile(conf float64, df int) float64 {
	lo, hi := 0.0, 1e7
	for range 200 {
		mid := (lo + hi) / 2
		if tCentral(mid, df) < conf {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// tCentral returns P(|T| <= t) for Student's t with df degrees of freedom.
func tCentral(t float64, df int) float64 {
	theta := math.Atan(t / math.Sqrt(float64(df)))
	s, c := math.Sincos(theta)
	c2 := c * c
	if df%2 == 1 {
		if df == 1 {
			return 2 * theta / math.Pi
		}
		sum, term := c, c
		for k := 3; k <= df-2; k += 2 {
			term *= c2 * float64(k-1) / float64(k)
			sum += term
		}
		return 2 / math.Pi * (theta + s*sum)
	}
	sum, term := 1.0, 1.0
	for k := 2; k <= df-2; k += 2 {
		term *= c2 * float64(k-1) / float64(k)
		sum += term
	}
	return s * sum
}

// tInterval returns the mean of vs and its Student-t confidence interval.
// With one value the interval is empty (lo = hi = mean).
func tInterval(vs []float64, conf float64) (mean, lo, hi float64) {
	n := len(vs)
	for _, v := range vs {
		mean += v
	}
	mean /= float64(n)
	if n < 2 {
		return mean, mean, mean
	}
	var ss float64
	for _, v := range vs {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	half := tQuantile(conf, n-1) * sd / math.Sqrt(float64(n))
	return mean, mean - half, mean + half
}

// mergedHist returns the phase histograms of cells merged into one (a copy:
// the inputs are not modified).
func mergedHist(cells []Cell, phase string) (*hdrhistogram.Histogram, error) {
	var m *hdrhistogram.Histogram
	for _, c := range cells {
		h, err := phaseHist(c, phase)
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = h.Clone()
			continue
		}
		if dropped := m.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("plot: merging phase %q of cell %q: %d values out of range", phase, c.Label, dropped)
		}
	}
	return m, nil
}
