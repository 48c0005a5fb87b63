package compare

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// ratioCI is a bootstrap percentile confidence interval for the ratio
// median(new)/median(base).
//
// Each iteration resamples n runs with replacement from each side
// independently, takes the two medians and records their ratio. The
// interval is the (1-confidence)/2 and (1+confidence)/2 quantiles of the
// recorded ratios. base and new must be sorted ascending and hold
// positive values.
func ratioCI(base, new []float64, confidence float64, iterations int, rng *rand.Rand) (lo, hi float64) {
	rb := newResampler(base, rng)
	rn := newResampler(new, rng)
	ratios := make([]float64, iterations)
	for i := range ratios {
		ratios[i] = rn.median() / rb.median()
	}
	slices.Sort(ratios)
	tail := (1 - confidence) / 2
	return quantile(ratios, tail), quantile(ratios, 1-tail)
}

// resampler draws bootstrap medians from a sorted sample without
// sorting: it counts how often each index is drawn and walks the counts
// to the middle order statistic(s), which is O(n) per draw.
type resampler struct {
	sorted []float64
	counts []int
	rng    *rand.Rand
}

func newResampler(sorted []float64, rng *rand.Rand) *resampler {
	return &resampler{sorted: sorted, counts: make([]int, len(sorted)), rng: rng}
}

// median returns the median of one resample with replacement.
func (r *resampler) median() float64 {
	n := len(r.sorted)
	clear(r.counts)
	for range n {
		r.counts[r.rng.IntN(n)]++
	}
	// Order statistics (0-based) k1 and k2 are the middle elements.
	k1, k2 := (n-1)/2, n/2
	var v1, v2 float64
	seen := 0
	found1 := false
	for i, c := range r.counts {
		seen += c
		if !found1 && seen > k1 {
			v1, found1 = r.sorted[i], true
		}
		if seen > k2 {
			v2 = r.sorted[i]
			break
		}
	}
	return (v1 + v2) / 2
}

// quantile returns the q-quantile of sorted xs with linear
// interpolation between order statistics.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(xs)-1)
	i := int(math.Floor(pos))
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	frac := pos - float64(i)
	return xs[i] + frac*(xs[i+1]-xs[i])
}

// seriesRNG returns the bootstrap generator for one series. It depends
// only on the seed and the series key, not on the order of series, so
// adding a cell never changes the intervals of the others.
func seriesRNG(seed uint64, k Key) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(k.Cell))
	h.Write([]byte{0})
	h.Write([]byte(k.Phase))
	h.Write([]byte{0})
	h.Write(strconv.AppendFloat(nil, k.Pct, 'g', -1, 64))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
