package compare

import (
	"math"
	"sync"

	"golang.org/x/perf/benchmath"
)

// maxProbeRuns bounds the search in MinRuns.
const maxProbeRuns = 50

var minRunsCache sync.Map // minRunsKey -> int

type minRunsKey struct{ alpha, confidence float64 }

// MinRuns returns the smallest number of runs per side with which
// benchmath can (a) give a finite order-statistic confidence interval
// for the median at the given confidence and (b) let the Mann-Whitney U
// test reach p < alpha at all, even for completely separated samples.
// Below it no amount of real difference can be proven, so such series
// are TOO_FEW_RUNS. At alpha 0.05 and 95% confidence it is 6.
//
// The answer is obtained by asking benchmath itself on synthetic,
// maximally separated data, so it follows benchmath's rules exactly.
func MinRuns(alpha, confidence float64) int {
	key := minRunsKey{alpha, confidence}
	if v, ok := minRunsCache.Load(key); ok {
		return v.(int)
	}
	n := probeMinRuns(alpha, confidence)
	minRunsCache.Store(key, n)
	return n
}

func probeMinRuns(alpha, confidence float64) int {
	thr := &benchmath.Thresholds{CompareAlpha: alpha}
	for n := 2; n <= maxProbeRuns; n++ {
		lo := make([]float64, n)
		hi := make([]float64, n)
		for i := range n {
			lo[i] = float64(i + 1)
			hi[i] = float64(n + i + 1)
		}
		a, b := benchmath.NewSample(lo, thr), benchmath.NewSample(hi, thr)
		sum := benchmath.AssumeNothing.Summary(a, confidence)
		if math.IsInf(sum.Lo, 0) || math.IsInf(sum.Hi, 0) {
			continue
		}
		if c := benchmath.AssumeNothing.Compare(a, b); c.P < alpha {
			return n
		}
	}
	return maxProbeRuns + 1
}
