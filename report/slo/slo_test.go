package slo

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want Objective
	}{
		{"total:p99<10ms", Objective{Phase: "total", Pct: 99, Limit: 10 * time.Millisecond}},
		{"tls_handshake:p50<=2ms", Objective{Phase: "tls_handshake", Pct: 50, Limit: 2 * time.Millisecond, OrEqual: true}},
		{" latency:p99.9 < 1.5ms ", Objective{Phase: "latency", Pct: 99.9, Limit: 1500 * time.Microsecond}},
	}
	for _, c := range good {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(%q.String()=%q) = %+v, %v", c.in, got.String(), again, err)
		}
	}
	for _, bad := range []string{"", "total<10ms", "total:p99", "total:p100<1ms", "total:p0<1ms",
		"total:p99>1ms", "total:p99<0s", "total:p99<-1ms", "total:p99<10", "Total:p99<1ms", "total:pNaN<1ms"} {
		if o, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", bad, o)
		}
	}
	if _, err := ParseAll([]string{"total:p99<10ms", "total:p99<10ms"}); err == nil {
		t.Error("ParseAll accepted a duplicate")
	}
}

func TestMinSamples(t *testing.T) {
	for _, c := range []struct {
		pct, conf float64
		want      int64
	}{{99, 0.95, 299}, {50, 0.95, 5}, {99.9, 0.95, 2995}} {
		if got := MinSamples(c.pct, c.conf); got != c.want {
			t.Errorf("MinSamples(%g, %g) = %d, want %d", c.pct, c.conf, got, c.want)
		}
		// The rank bound agrees: with MinN samples the maximum bounds the
		// percentile, with one fewer nothing does.
		n := c.want
		if _, hi := rankBounds(n, c.pct/100, c.conf); hi > n {
			t.Errorf("rankBounds(%d) hi = %d > n", n, hi)
		}
		if _, hi := rankBounds(n-1, c.pct/100, c.conf); hi <= n-1 {
			t.Errorf("rankBounds(%d) hi = %d, want > n", n-1, hi)
		}
	}
}

// exponential samples with mean 1 ms: the true q-quantile is -ln(1-q) ms.
func expHist(rng *rand.Rand, n int) *hdr.Histogram {
	h := hdr.New(1, int64(time.Minute), 3)
	for range n {
		_ = h.RecordValue(int64(rng.ExpFloat64() * 1e6))
	}
	return h
}

func trueQuantile(pct float64) time.Duration {
	return time.Duration(-math.Log(1-pct/100) * 1e6)
}

// The bounds cover the true percentile as often as their confidence says
// (seeded, so the counts are deterministic; a wrong rank formula moves
// them far outside the accepted band).
func TestBoundsCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const trials = 400
	for _, pct := range []float64{50, 99} {
		truth := trueQuantile(pct)
		var hiMiss, loMiss int
		for range trials {
			h := expHist(rng, 2000)
			lo, hi := rankBounds(h.TotalCount(), pct/100, 0.95)
			// Histogram precision is 0.1%: allow it on both sides.
			if time.Duration(float64(valueAtRank(h, hi))*1.001) < truth {
				hiMiss++
			}
			if time.Duration(float64(valueAtRank(h, lo))*0.999) > truth {
				loMiss++
			}
		}
		// Expected ≤ 5% misses each; 9% would be far out for 400 trials.
		if hiMiss > trials*9/100 || loMiss > trials*9/100 {
			t.Errorf("p%g: upper bound missed %d/%d, lower %d/%d (want ≤ ~5%%)", pct, hiMiss, trials, loMiss, trials)
		}
		// And not absurdly conservative: some misses must happen.
		if hiMiss+loMiss == 0 {
			t.Errorf("p%g: no misses in %d trials: bounds too wide", pct, trials)
		}
	}
}

func TestJudgeVerdicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	h := expHist(rng, 5000) // p99 ≈ 4.6 ms
	obj := func(s string) Objective {
		o, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, c := range []struct {
		spec string
		h    *hdr.Histogram
		want Verdict
	}{
		{"total:p99<6ms", h, Pass},
		{"total:p99<3ms", h, Fail},
		{"total:p99<4.6ms", h, Inconclusive},
		{"total:p99<100ms", expHist(rng, 100), TooFew},
		{"total:p99<1ms", expHist(rng, 100), Fail}, // clearly slow fails even with few samples
		{"total:p50<1ms", hdr.New(1, 1e9, 3), TooFew},
	} {
		j := Judge(obj(c.spec), c.h, 0.95)
		if j.Verdict != c.want {
			t.Errorf("%s: %s, want %s", c.spec, j, c.want)
		}
		if j.N > 0 && (j.Lo > j.Estimate || (j.Hi != 0 && j.Hi < j.Estimate)) {
			t.Errorf("%s: bounds [%v, %v] do not hold the estimate %v", c.spec, j.Lo, j.Hi, j.Estimate)
		}
	}
}
