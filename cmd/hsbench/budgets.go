package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/report/compare"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

// addSLOFlag defines the repeatable --slo flag, once per flag set.
func addSLOFlag(fs *pflag.FlagSet, dst *[]string, usage string) {
	if fs.Lookup("slo") == nil {
		fs.StringArrayVar(dst, "slo", nil, usage)
	}
}

// parseSLOs checks every --slo, its phase included.
func parseSLOs(specs []string) ([]slo.Objective, error) {
	objs, err := slo.ParseAll(specs)
	if err != nil {
		return nil, usagef("parsing --slo: %v", err)
	}
	for _, o := range objs {
		if _, ok := sample.ParsePhase(o.Phase); !ok {
			return nil, usagef("parsing --slo %s: unknown phase %q", o, o.Phase)
		}
	}
	return objs, nil
}

// budgetAlpha is the error rate of run's budget verdicts: 95% one-sided
// bounds, as compare's default.
const budgetAlpha = 0.05

// judgeBudgets judges run's --slo budgets on every cell of rec, prints
// them (and GitHub annotations under GitHub Actions), and returns the
// exit: 1 when a budget FAILs, 3 when one is undecided.
func (p *runPlan) judgeBudgets(rec *results.Run, stdout io.Writer) error {
	if len(p.budgets) == 0 {
		return nil
	}
	bs, warns, err := compare.JudgeBudgets(rec, p.budgets, budgetAlpha)
	if err != nil {
		return err
	}
	r := &compare.Result{Options: compare.DefaultOptions(), Verdict: compare.Pass, Warnings: warns}
	r.Options.NewName = p.f.out
	r.AddBudgets(bs)
	var b strings.Builder
	if err := r.WriteBudgets(&b, "text"); err != nil {
		return err
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		if err := r.WriteBudgets(&b, "annotations"); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, b.String())
	if _, err := r.AppendBudgetsStepSummary(nil); err != nil {
		return err
	}
	switch r.Verdict {
	case compare.Fail:
		return withCode(exitFailed, fmt.Errorf("hsbench: a latency budget (--slo) was exceeded"))
	case compare.Inconclusive:
		return withCode(exitInconcl, fmt.Errorf("hsbench: a latency budget (--slo) is undecided: measure longer (--duration, --repeat)"))
	}
	return nil
}
