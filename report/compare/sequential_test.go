package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// seqTrial plays one sequential paired comparison as hsbench ab does:
// m series, the i-th with true log-ratio mu[i]; after every block from
// MinBlocks on, Compare judges every series, and the trial stops at the
// first overall FAIL, at an overall PASS, or after maxBlocks. noise
// draws one block's log-ratio noise.
func seqTrial(t *testing.T, rng *rand.Rand, mu []float64, maxBlocks int, thr float64, noise func(*rand.Rand) float64) (Verdict, int) {
	t.Helper()
	opts := DefaultOptions()
	opts.Thresholds = Thresholds{Default: thr}
	series := make([]Series, len(mu))
	for i := range series {
		series[i] = Series{Cell: fmt.Sprintf("c%02d", i), Phase: "total", Pct: 50, Paired: true}
	}
	for n := 1; n <= maxBlocks; n++ {
		for i := range series {
			b := 1 + 0.3*rng.Float64() // the machine's drift: shared by the pair
			series[i].Base = append(series[i].Base, b)
			series[i].New = append(series[i].New, b*math.Exp(mu[i]+noise(rng)))
		}
		if n < MinBlocks {
			continue
		}
		r, err := Compare(series, opts)
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict == Fail || r.Verdict == Pass {
			return r.Verdict, n
		}
	}
	return Inconclusive, maxBlocks
}

func normal(sd float64) func(*rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return sd * r.NormFloat64() }
}

// heavy draws Student's t with 3 degrees of freedom scaled to sd: tails
// like a block that met a burst of other work.
func heavy(sd float64) func(*rand.Rand) float64 {
	return func(r *rand.Rand) float64 {
		z := r.NormFloat64()
		chi := 0.0
		for range 3 {
			x := r.NormFloat64()
			chi += x * x
		}
		return sd * z / math.Sqrt(chi/3) / math.Sqrt(3) // t3 has variance 3
	}
}

// bursty is normal noise of sd, plus, in a fraction frac of the
// blocks, a burst of other work that multiplies one side's value by up
// to 4 (either side, at random): the noise of a loaded machine.
func bursty(sd, frac float64) func(*rand.Rand) float64 {
	return func(r *rand.Rand) float64 {
		x := sd * r.NormFloat64()
		if r.Float64() < frac {
			burst := math.Log(1 + 3*r.Float64())
			if r.IntN(2) == 0 {
				burst = -burst
			}
			x += burst
		}
		return x
	}
}

func repeatMu(m int, v float64) []float64 {
	mu := make([]float64, m)
	for i := range mu {
		mu[i] = v
	}
	return mu
}

// TestSequentialTypeI: with every one of 12 series exactly at the
// threshold (the worst case of "no regression beyond it") and a look
// after every block, the overall comparison FAILs in at most alpha (5%)
// of trials: the error rate holds under the stopping rule and across
// series. Also with heavy-tailed block noise.
func TestSequentialTypeI(t *testing.T) {
	const trials, m, thr = 200, 12, 0.05
	for _, tc := range []struct {
		name  string
		noise func(*rand.Rand) float64
	}{{"normal 5%", normal(0.05)}, {"t3 5%", heavy(0.05)}, {"5% + 20% bursts", bursty(0.05, 0.2)}} {
		rng := rand.New(rand.NewPCG(11, 7))
		fails := 0
		for range trials {
			if v, _ := seqTrial(t, rng, repeatMu(m, math.Log1p(thr)), 30, thr, tc.noise); v == Fail {
				fails++
			}
		}
		rate := float64(fails) / trials
		t.Logf("%s: %d series at the threshold, looks at blocks %d..30: FAIL in %d of %d trials (%.1f%%)", tc.name, m, MinBlocks, fails, trials, 100*rate)
		if rate > 0.05 {
			t.Errorf("%s: family-wise false FAIL rate %.3f under the stopping rule, want <= 0.05", tc.name, rate)
		}
	}
}

// TestSequentialPower: a 10% slowdown in the 6 p50-like series of 12,
// threshold 5%: FAIL in at least 95% of trials within 30 blocks with
// 5% block noise, and in at least 90% when a fifth of the blocks also
// meet a burst of other work; A/A PASSes in most trials. The blocks
// needed show the stopping rule at work.
func TestSequentialPower(t *testing.T) {
	const trials, thr = 200, 0.05
	mu := make([]float64, 12)
	for i := range 6 {
		mu[i] = math.Log(1.10)
	}
	for _, tc := range []struct {
		name           string
		noise          func(*rand.Rand) float64
		minFail, minAA int
	}{{"5%", normal(0.05), 95, 85}, {"5% + 20% bursts", bursty(0.05, 0.2), 80, 0}} {
		rng := rand.New(rand.NewPCG(12, 7))
		fails, blocks := 0, 0
		for range trials {
			v, n := seqTrial(t, rng, mu, 30, thr, tc.noise)
			if v == Fail {
				fails++
				blocks += n
			}
		}
		passes := 0
		for range trials {
			if v, _ := seqTrial(t, rng, repeatMu(12, 0), 30, thr, tc.noise); v == Pass {
				passes++
			}
		}
		t.Logf("%s noise: 10%% slower FAILs in %d of %d trials (after %.1f blocks on average); A/A PASSes in %d of %d",
			tc.name, fails, trials, float64(blocks)/float64(max(fails, 1)), passes, trials)
		if fails < trials*tc.minFail/100 {
			t.Errorf("%s: power %d/%d, want >= %d%%", tc.name, fails, trials, tc.minFail)
		}
		if passes < trials*tc.minAA/100 {
			t.Errorf("%s: A/A passed in %d/%d trials, want >= %d%%", tc.name, passes, trials, tc.minAA)
		}
	}
}

// TestHolm checks the adjusted p-values on a textbook case and that
// untested series (NaN) stay out of the family.
func TestHolm(t *testing.T) {
	got := holm([]float64{0.01, 0.04, math.NaN(), 0.03, 0.5})
	want := []float64{0.04, 0.09, math.NaN(), 0.09, 0.5}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-12) {
			t.Fatalf("holm = %v, want %v", got, want)
		}
	}
}

// TestPairedIdentical: a series compared with itself PASSes whatever
// its number of blocks (from 2); one block apart from identical ones
// needs MinBlocks.
func TestPairedIdentical(t *testing.T) {
	vals := wide(10)
	for _, tc := range []struct {
		n       int
		nudge   bool
		want    Verdict
		comment string
	}{{2, false, Pass, "identical"}, {MinBlocks - 1, true, TooFewRuns, "one block 1% apart"}, {MinBlocks, true, Pass, "one block 1% apart"}} {
		new := slices.Clone(vals[:tc.n])
		if tc.nudge {
			new[0] *= 1.01
		}
		r, err := Compare([]Series{{Cell: "c", Phase: "total", Pct: 99, Base: vals[:tc.n], New: new, Paired: true}}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if c := r.Comparisons[0]; c.Verdict != tc.want || !c.Paired {
			t.Errorf("%d blocks, %s: %s (paired %v), want %s", tc.n, tc.comment, c.Verdict, c.Paired, tc.want)
		}
	}
}
