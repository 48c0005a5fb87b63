package compare

import (
	"fmt"

	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

// A Budget is one absolute latency budget (--slo) judged on one cell of
// a run: the cell's samples of every run (block) merged.
type Budget struct {
	Cell string
	slo.Judgement
	// FailConfidence is the one-sided level at which a FAIL was
	// decided: Bonferroni over every budget judged, so that the chance
	// of any false FAIL among them is at most alpha. PASS is decided at
	// Judgement.Confidence: every budget must pass, an
	// intersection-union test that needs no adjustment.
	FailConfidence float64
}

// JudgeBudgets judges every objective on every cell of run that has
// samples of its phase (cells without them are left out, with a
// warning): PASS when the percentile's upper bound at 1-alpha is within
// the budget, FAIL when its lower bound at 1-alpha/k (k budgets judged)
// is past it, INCONCLUSIVE between, TOO_FEW when the cell has too few
// samples to bound the percentile.
func JudgeBudgets(run *results.Run, objs []slo.Objective, alpha float64) ([]Budget, []error, error) {
	type job struct {
		cell string
		o    slo.Objective
		ps   results.PhaseStats
	}
	var jobs []job
	var warns []error
	for _, o := range objs {
		found := false
		for _, c := range run.Cells {
			if ps, ok := c.Total.Phases[o.Phase]; ok && ps.Count > 0 {
				jobs = append(jobs, job{c.ID, o, ps})
				found = true
			}
		}
		if !found {
			warns = append(warns, fmt.Errorf("budget %s: no cell has %s samples; not judged", o, o.Phase))
		}
	}
	failConf := 1 - alpha/float64(max(len(jobs), 1))
	var out []Budget
	for _, j := range jobs {
		h, err := j.ps.Hist()
		if err != nil {
			return nil, warns, fmt.Errorf("compare: budget %s, cell %s: %w", j.o, j.cell, err)
		}
		b := Budget{Cell: j.cell, Judgement: slo.Judge(j.o, h, 1-alpha), FailConfidence: failConf}
		if b.Verdict == slo.Fail {
			if strict := slo.Judge(j.o, h, failConf); strict.Verdict != slo.Fail {
				// Past the budget, but not beyond doubt over all budgets;
				// without an upper bound, too few samples to tell.
				b.Verdict = slo.Inconclusive
				if b.Hi == 0 {
					b.Verdict = slo.TooFew
				}
			}
		}
		out = append(out, b)
	}
	return out, warns, nil
}

// String is one line: "cell: total:p99<10ms PASS: p99 4.1 ms, n=3000, 95% one-sided bounds [3.9 ms, 4.4 ms]".
func (b Budget) String() string {
	s := b.Cell + ": " + b.Judgement.String()
	if b.Verdict == slo.Fail {
		s += fmt.Sprintf(" (FAIL at %.4g%% one-sided, Bonferroni over the budgets)", 100*b.FailConfidence)
	}
	return s
}

// budgetVerdict folds the budgets into the overall verdict: a budget
// FAIL fails, an undecided budget makes a PASS INCONCLUSIVE.
func budgetVerdict(v Verdict, bs []Budget) Verdict {
	for _, b := range bs {
		switch b.Verdict {
		case slo.Fail:
			v = Fail
		case slo.Inconclusive, slo.TooFew:
			if v == Pass {
				v = Inconclusive
			}
		}
	}
	return v
}

// AddBudgets attaches judged budgets to r and updates its verdict.
func (r *Result) AddBudgets(bs []Budget) {
	r.Budgets = append(r.Budgets, bs...)
	r.Verdict = budgetVerdict(r.Verdict, bs)
}
