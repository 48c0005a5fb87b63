package compare

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
)

var propIterations = flag.Int("prop-iterations", 1000, "bootstrap iterations in the property tests (production default is 10000)")

// rates runs trials comparisons of n runs per side, NEW shifted by
// factor, and returns the fraction that FAIL and the fraction that do
// not pass (FAIL, INCONCLUSIVE or TOO_FEW_RUNS).
func rates(t *testing.T, trials, n int, factor, noise, threshold float64, seed uint64) (fail, notPass float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	opts := testOptions(*propIterations)
	opts.Thresholds = Thresholds{Default: threshold}
	// One comparison per trial: in one Compare, Holm's adjustment would
	// treat the trials as one family.
	var f, np int
	for i := range trials {
		r, err := Compare([]Series{{
			Cell:  fmt.Sprintf("trial%03d", i),
			Phase: "total",
			Pct:   50,
			Base:  draw(rng, n, 10, noise),
			New:   scaled(draw(rng, n, 10, noise), factor),
		}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		c := r.Comparisons[0]
		if c.Verdict == Fail {
			f++
		}
		if !c.Verdict.Passed() {
			np++
		}
	}
	return float64(f) / float64(trials), float64(np) / float64(trials)
}

// TestFalseAlarmRate: over 200 A/A comparisons (both sides from the same
// distribution) the gate must raise FAIL less often than alpha, even
// with a zero threshold where only the significance test protects us.
func TestFalseAlarmRate(t *testing.T) {
	for _, thr := range []float64{0.05, 0} {
		fail, notPass := rates(t, 200, 10, 1, 0.05, thr, 1)
		t.Logf("A/A n=10 noise=5%% threshold=%v: FAIL rate %.3f, not-PASS rate %.3f", thr, fail, notPass)
		if fail >= 0.05 {
			t.Errorf("threshold %v: A/A FAIL rate %.3f, want < alpha 0.05", thr, fail)
		}
	}
}

// TestDetectionRate: a 10% slowdown with 5% per-run noise and 10 runs
// per side must rarely slip through as PASS, and against a 5% threshold
// it must usually be proven (FAIL).
func TestDetectionRate(t *testing.T) {
	fail, notPass := rates(t, 200, 10, 1.10, 0.05, 0.05, 2)
	t.Logf("shift 10%% n=10 noise=5%% threshold=5%%: FAIL rate %.3f, not-PASS rate %.3f", fail, notPass)
	fail0, _ := rates(t, 200, 10, 1.10, 0.05, 0, 3)
	t.Logf("shift 10%% n=10 noise=5%% threshold=0%%: FAIL rate %.3f", fail0)
	if notPass < 0.95 {
		t.Errorf("10%% regression passed the gate in %.1f%% of trials, want < 5%%", 100*(1-notPass))
	}
	if fail0 < 0.8 {
		t.Errorf("10%% regression detected as FAIL at threshold 0 in %.3f of trials, want >= 0.8", fail0)
	}
}
