package compare

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// A Comparison is the analysis of one Series.
type Comparison struct {
	Key

	// NBase and NNew are the number of runs on each side.
	NBase, NNew int

	// Base and New summarise each side: Center is the median of the
	// per-run values and [Lo, Hi] its order-statistic confidence
	// interval (benchmath.AssumeNothing). Zero when the side is empty.
	Base, New benchmath.Summary

	// Paired is true when the runs of the two sides were interleaved
	// blocks paired one to one (hsbench ab): the statistics are then
	// those of the per-pair log-ratios (see sequential.go).
	Paired bool

	// P is the p-value of a regression, adjusted with Holm's procedure
	// over every series judged: paired, the anytime-valid p-value of
	// "NEW is at most Threshold slower"; unpaired, the two-sided
	// Mann-Whitney U test's. PRaw is the same before adjustment. NaN
	// when the series was not judged.
	P, PRaw float64

	// Ratio is NEW relative to BASE and [RatioLo, RatioHi] its
	// confidence interval. Paired: the geometric mean of the per-pair
	// ratios and its anytime-valid confidence sequence (lower bound at
	// level 1-alpha/m over the m series judged, upper at 1-alpha).
	// Unpaired: New.Center/Base.Center and its bootstrap percentile
	// interval. NaN when a side is empty or invalid.
	Ratio, RatioLo, RatioHi float64

	// Threshold is the tolerated slowdown for this percentile.
	Threshold float64

	Verdict Verdict

	// Reason, when set, is why the verdict was given without the
	// statistics: a side that failed too many attempts.
	Reason string

	// Warnings explain the verdict or qualify the statistics. They
	// are not errors: the comparison was still made.
	Warnings []error

	paired *pairedStats // the paired statistics, until the verdict
}

// Delta returns the relative change of the medians, New/Base - 1.
func (c Comparison) Delta() float64 { return c.Ratio - 1 }

// Significant reports whether the U test rejected "same distribution".
func (c Comparison) Significant(alpha float64) bool { return c.P < alpha }

// A Result is the outcome of comparing BASE with NEW.
type Result struct {
	// Options used, with labels filled in.
	Options Options

	// MinRuns is the effective minimum number of runs per side.
	MinRuns int

	// Comparisons, sorted by cell, phase and percentile.
	Comparisons []Comparison

	// Verdict is the overall verdict: FAIL if any series failed;
	// otherwise INVALID if the input is unusable; otherwise
	// INCONCLUSIVE if any series is INCONCLUSIVE or TOO_FEW_RUNS;
	// otherwise PASS.
	Verdict Verdict

	// Warnings about the comparison as a whole.
	Warnings []error

	// Budgets are the absolute latency budgets judged on NEW (see
	// AddBudgets); a FAIL among them fails the result.
	Budgets []Budget
}

// Compare analyses every series and decides the overall verdict.
//
// It returns an error only for invalid options (a usage error, exit
// code 2). Problems with the data are reported in the Result as
// verdicts and warnings, so that reports can still show them.
// Compare does not modify series.
func Compare(series []Series, opts Options) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts.BaseName, opts.NewName = opts.baseName(), opts.newName()
	r := &Result{
		Options: opts,
		MinRuns: max(opts.MinRuns, MinRuns(opts.Alpha, opts.Confidence)),
	}
	sorted := slices.Clone(series)
	slices.SortStableFunc(sorted, func(a, b Series) int { return compareKeys(a.Key(), b.Key()) })
	for i, s := range sorted {
		if i > 0 && compareKeys(s.Key(), sorted[i-1].Key()) == 0 {
			c := Comparison{Key: s.Key(), P: math.NaN(), PRaw: math.NaN(), Ratio: math.NaN(), RatioLo: math.NaN(), RatioHi: math.NaN(),
				Threshold: opts.Thresholds.For(s.Pct), Verdict: Invalid,
				Warnings: []error{errors.New("duplicate series; only the first is analysed")}}
			r.Comparisons = append(r.Comparisons, c)
			continue
		}
		r.Comparisons = append(r.Comparisons, analyse(s, opts, r.MinRuns))
	}
	judge(r.Comparisons, opts)
	r.Verdict, r.Warnings = overall(r.Comparisons, !opts.AllowInconclusive)
	return r, nil
}

// analyse computes statistics and the verdict for one series.
func analyse(s Series, opts Options, minRuns int) Comparison {
	c := Comparison{
		Key:       s.Key(),
		NBase:     len(s.Base),
		NNew:      len(s.New),
		P:         math.NaN(),
		PRaw:      math.NaN(),
		Ratio:     math.NaN(),
		RatioLo:   math.NaN(),
		RatioHi:   math.NaN(),
		Threshold: opts.Thresholds.For(s.Pct),
	}
	thr := &benchmath.Thresholds{CompareAlpha: opts.Alpha}
	baseOK, newOK := true, true
	var base, new *benchmath.Sample
	if err := checkValues(s.Base); err != nil {
		c.Warnings = append(c.Warnings, fmt.Errorf("base: %w", err))
		baseOK = false
	} else if len(s.Base) > 0 {
		base = benchmath.NewSample(slices.Clone(s.Base), thr)
		c.Base = benchmath.AssumeNothing.Summary(base, opts.Confidence)
	}
	if err := checkValues(s.New); err != nil {
		c.Warnings = append(c.Warnings, fmt.Errorf("new: %w", err))
		newOK = false
	} else if len(s.New) > 0 {
		new = benchmath.NewSample(slices.Clone(s.New), thr)
		c.New = benchmath.AssumeNothing.Summary(new, opts.Confidence)
	}
	switch {
	case !baseOK || !newOK:
		c.Verdict = Invalid
		return c
	case failedTooOften(&c, s, opts):
		return c
	case base == nil && new == nil:
		c.Verdict = Invalid
		c.Warnings = append(c.Warnings, errors.New("no runs on either side"))
		return c
	case base == nil:
		c.Verdict = Unmatched
		c.Warnings = append(c.Warnings, fmt.Errorf("only in %s", opts.NewName))
		return c
	case new == nil:
		c.Verdict = Unmatched
		c.Warnings = append(c.Warnings, fmt.Errorf("only in %s", opts.BaseName))
		return c
	}
	for _, w := range c.Base.Warnings {
		c.Warnings = append(c.Warnings, fmt.Errorf("base: %w", w))
	}
	for _, w := range c.New.Warnings {
		c.Warnings = append(c.Warnings, fmt.Errorf("new: %w", w))
	}
	if s.Paired && len(s.Base) == len(s.New) {
		return analysePaired(c, s, opts)
	}
	test := benchmath.AssumeNothing.Compare(base, new)
	c.PRaw = test.P
	c.Warnings = append(c.Warnings, test.Warnings...)
	c.Ratio = c.New.Center / c.Base.Center
	c.RatioLo, c.RatioHi = ratioCI(base.Values, new.Values, opts.Confidence, opts.Iterations, seriesRNG(opts.Seed, c.Key))

	if c.NBase < minRuns || c.NNew < minRuns {
		c.Verdict = TooFewRuns
		c.Warnings = append(c.Warnings, fmt.Errorf("too few runs: have %d+%d, need >= %d per side", c.NBase, c.NNew, minRuns))
	}
	return c // judged with the others: Holm's adjustment needs them all
}

// analysePaired computes the paired statistics of one series whose
// values are interleaved blocks, pair by pair.
func analysePaired(c Comparison, s Series, opts Options) Comparison {
	c.Paired = true
	ps := newPairedStats(pairedLogRatios(s.Base, s.New), math.Log1p(c.Threshold), csRho2(opts.Alpha, opts.TargetBlocks))
	c.paired = &ps
	c.PRaw = ps.up
	c.Ratio = math.Exp(ps.mean)
	switch need := max(opts.MinRuns, MinBlocks); {
	case ps.n >= 2 && slices.Equal(s.Base, s.New):
		// The same measurements on both sides (a run compared with
		// itself): no noise to be unsure about, whatever their number.
		c.Warnings = append(c.Warnings, errors.New("every pair of blocks is identical: the same measurements"))
	case ps.n < need:
		c.Verdict = TooFewRuns
		c.Warnings = append(c.Warnings, fmt.Errorf("too few blocks: have %d pairs, need >= %d", ps.n, need))
	}
	return c
}

// judge adjusts the regression p-values of every series still without
// a verdict with Holm's procedure, then decides each.
func judge(cs []Comparison, opts Options) {
	raw := make([]float64, len(cs))
	m := 0
	for i, c := range cs {
		raw[i] = math.NaN()
		if c.Verdict == "" {
			raw[i] = c.PRaw
			m++
		}
	}
	adj := holm(raw)
	for i := range cs {
		c := &cs[i]
		if c.Verdict != "" {
			if c.paired != nil {
				c.setPairedCI(opts.Alpha, max(m, 1))
			}
			c.paired = nil
			continue
		}
		c.P = adj[i]
		if c.paired != nil {
			c.setPairedCI(opts.Alpha, m)
			c.Verdict = decidePaired(*c.paired, c.P, opts.Alpha)
			c.paired = nil
		} else {
			c.Verdict = decide(c.P, opts.Alpha, c.RatioLo, c.RatioHi, c.Threshold)
		}
		if c.Verdict == Inconclusive {
			c.Warnings = append(c.Warnings, fmt.Errorf("inconclusive: ratio CI [%.3f, %.3f] straddles the %s limit %.3f (p=%.3f); %s",
				c.RatioLo, c.RatioHi, fmtPct(c.Threshold), 1+c.Threshold, c.P, c.moreWhat()))
		}
	}
}

// setPairedCI fills the ratio interval from the confidence sequence:
// the lower bound at the Bonferroni level over the m series judged, the
// upper at level alpha (as the PASS decision).
func (c *Comparison) setPairedCI(alpha float64, m int) {
	ps := c.paired
	if ps.n < 2 {
		return
	}
	lo, hi := ps.bounds(alpha/float64(m), alpha)
	c.RatioLo, c.RatioHi = math.Exp(lo), math.Exp(hi)
}

// moreWhat says what narrows the interval: more blocks, or more runs.
func (c Comparison) moreWhat() string {
	if c.Paired {
		return "more blocks needed (a longer --budget)"
	}
	return "more runs needed"
}

// failedTooOften FAILs c when a side's cell failed more attempts than
// opts.MaxErrorRate allows: a change that breaks handshakes is a
// regression, and a baseline that does is no baseline.
func failedTooOften(c *Comparison, s Series, opts Options) bool {
	for _, side := range []struct {
		name string
		f    Failures
	}{{"base", s.BaseFailures}, {"new", s.NewFailures}} {
		if rate := side.f.Rate(); rate > opts.MaxErrorRate {
			c.Verdict = Fail
			reason := fmt.Sprintf("%s: %.1f%% of attempts failed (%d of %d: %s), above the max error rate %s",
				side.name, 100*rate, side.f.Failed, side.f.Attempts, side.f.Classes, fmtPct(opts.MaxErrorRate))
			c.Reason = strings.TrimPrefix(c.Reason+"; "+reason, "; ")
			c.Warnings = append(c.Warnings, errors.New(reason))
		}
	}
	return c.Verdict == Fail
}

// checkValues rejects values that cannot be latencies.
func checkValues(xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) || x <= 0 {
			return fmt.Errorf("run %d: value %v is not a positive latency", i, x)
		}
	}
	return nil
}

// overall combines per-series verdicts into the result verdict.
func overall(cs []Comparison, strict bool) (Verdict, []error) {
	var warnings []error
	var fail, invalid, unsure, unmatched, matched int
	for _, c := range cs {
		switch c.Verdict {
		case Fail:
			fail++
		case Invalid:
			invalid++
		case Inconclusive, TooFewRuns:
			unsure++
		case Unmatched:
			unmatched++
		}
		if c.Verdict != Unmatched && c.Verdict != Invalid {
			matched++
		}
	}
	if unmatched > 0 {
		warnings = append(warnings, fmt.Errorf("%d series present on one side only (UNMATCHED), not compared", unmatched))
	}
	if invalid > 0 {
		warnings = append(warnings, fmt.Errorf("%d series have invalid input", invalid))
	}
	if len(cs) == 0 {
		warnings = append(warnings, errors.New("no series to compare"))
	} else if matched == 0 {
		warnings = append(warnings, errors.New("no series in common between base and new"))
	}
	if unsure > 0 {
		if strict {
			warnings = append(warnings, fmt.Errorf("%d series inconclusive or with too few runs: undecided, exit 3", unsure))
		} else {
			warnings = append(warnings, fmt.Errorf("%d series inconclusive or with too few runs; passing because inconclusive results are allowed", unsure))
		}
	}
	switch {
	case fail > 0:
		return Fail, warnings
	case invalid > 0 || matched == 0:
		return Invalid, warnings
	case unsure > 0:
		return Inconclusive, warnings
	default:
		return Pass, warnings
	}
}

// ExitCode maps the overall verdict to the exit status of
// `hsbench compare`:
//
//	0  pass: no regression; also INCONCLUSIVE with AllowInconclusive (a warning is emitted)
//	1  regression: at least one series is FAIL (takes precedence over everything)
//	2  usage error (never returned here; the CLI reports it for bad flags or options)
//	3  undecided: some series INCONCLUSIVE or TOO_FEW_RUNS (unless AllowInconclusive)
//	4  invalid input: no series, no series in common, or invalid values
func (r *Result) ExitCode() int {
	switch r.Verdict {
	case Fail:
		return ExitRegression
	case Invalid:
		return ExitInvalid
	case Inconclusive:
		if !r.Options.AllowInconclusive {
			return ExitInconclusive
		}
	}
	return ExitPass
}

// Count returns how many comparisons have verdict v.
func (r *Result) Count(v Verdict) int {
	n := 0
	for _, c := range r.Comparisons {
		if c.Verdict == v {
			n++
		}
	}
	return n
}
