package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/report/compare"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

func init() {
	register(30, "compare", "compare two run directories: the CI regression gate (exit 1 on a regression)", compareCmd)
}

func compareCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "Usage: hsbench compare BASE_DIR NEW_DIR [flags]", stdout)
	g := addGateFlags(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("compare: want two run directories, BASE_DIR NEW_DIR; got %d arguments", fs.NArg())
	}
	gp, err := g.plan(stderr)
	if err != nil {
		return err
	}
	return gp.compareDirs(fs.Arg(0), fs.Arg(1), stdout, stderr)
}

// gateFlags are the flags 'hsbench compare' and 'hsbench ab' share: what
// to compare, the thresholds, and where the verdict goes.
type gateFlags struct {
	fs                               *pflag.FlagSet
	metric, threshold, format        string
	alpha, maxErrorRate              float64
	minRuns                          int
	strict, allowUndecided, annotate bool
	junit, bmf, gab                  string
	slo                              []string
}

func addGateFlags(fs *pflag.FlagSet) *gateFlags {
	g := &gateFlags{fs: fs}
	fs.StringVar(&g.metric, "metric", "total:p50,total:p99", "metrics to compare in every cell, PHASE:pNN, comma-separated")
	fs.StringVar(&g.threshold, "threshold", "", "tolerated slowdown per percentile, e.g. p50=5%,p99=10%,default=5% (default 5% for every percentile)")
	fs.Float64Var(&g.alpha, "alpha", 0.05, "error rate: of a false FAIL anywhere in the comparison (Holm over the series), and of a false PASS")
	fs.IntVar(&g.minRuns, "min-runs", 0, "fewest runs per side to give a verdict (0: what the statistics need, 6 at alpha 0.05)")
	fs.BoolVar(&g.strict, "strict", false, "exit 3 when undecided (now always so)")
	_ = fs.MarkHidden("strict") // kept so that old CI scripts still parse; plan says why it does nothing
	fs.BoolVar(&g.allowUndecided, "allow-inconclusive", false, "exit 0 rather than 3 when a comparison is INCONCLUSIVE or has too few runs")
	if fs.Lookup("max-error-rate") == nil { // ab has run's
		fs.Float64Var(&g.maxErrorRate, "max-error-rate", 0.01, "FAIL a cell when more than this fraction of its attempts failed, on either side")
	}
	addSLOFlag(fs, &g.slo, "absolute latency budget judged on NEW in every cell, PHASE:pNN<DURATION (repeatable), e.g. total:p99<10ms")
	fs.StringVar(&g.format, "format", "text", "stdout format: "+strings.Join(compare.Formats(), ", "))
	fs.StringVar(&g.junit, "junit", "", "also write a JUnit XML report to this file")
	fs.StringVar(&g.bmf, "bmf", "", "also write Bencher Metric Format JSON to this file")
	fs.StringVar(&g.gab, "gab", "", "also write github-action-benchmark (customSmallerIsBetter) JSON to this file")
	fs.BoolVar(&g.annotate, "annotations", false, "also print GitHub Actions ::error/::warning annotations (always on when GITHUB_ACTIONS=true)")
	group(fs, groupGate, "metric", "threshold", "alpha", "min-runs", "strict", "allow-inconclusive", "max-error-rate", "slo")
	group(fs, groupOutput, "format", "junit", "bmf", "gab", "annotations")
	return g
}

// gatePlan is a checked gateFlags.
type gatePlan struct {
	g       *gateFlags
	metrics []compare.Metric
	opts    compare.Options
	budgets []slo.Objective
}

func (g *gateFlags) plan(stderr io.Writer) (*gatePlan, error) {
	gp := &gatePlan{g: g, opts: compare.DefaultOptions()}
	if g.fs.Changed("strict") {
		fmt.Fprintln(stderr, "hsbench: --strict is deprecated: an undecided comparison always exits 3 now (--allow-inconclusive lets it pass)")
	}
	var err error
	if gp.metrics, err = compare.ParseMetrics(g.metric); err != nil {
		return nil, usagef("parsing --metric: %v", err)
	}
	if gp.opts.Thresholds, err = compare.ParseThresholds(g.threshold); err != nil {
		return nil, usagef("parsing --threshold: %v", err)
	}
	if !(g.alpha > 0 && g.alpha < 1) {
		return nil, usagef("parsing --alpha: %v: must be between 0 and 1", g.alpha)
	}
	if g.minRuns < 0 {
		return nil, usagef("parsing --min-runs: %d: must not be negative", g.minRuns)
	}
	if !slices.Contains(compare.Formats(), g.format) {
		return nil, usagef("parsing --format: %q: want one of %s", g.format, strings.Join(compare.Formats(), ", "))
	}
	if gp.budgets, err = parseSLOs(g.slo); err != nil {
		return nil, err
	}
	if err := g.readMaxErrorRate(); err != nil {
		return nil, err
	}
	gp.opts.Alpha, gp.opts.MinRuns, gp.opts.AllowInconclusive = g.alpha, g.minRuns, g.allowUndecided
	gp.opts.MaxErrorRate = g.maxErrorRate
	return gp, nil
}

// readMaxErrorRate takes --max-error-rate from run's flag when the flag
// set has it (ab), and checks it.
func (g *gateFlags) readMaxErrorRate() error {
	fl := g.fs.Lookup("max-error-rate")
	v, err := strconv.ParseFloat(fl.Value.String(), 64)
	if err != nil || !(v >= 0 && v <= 1) {
		return usagef("parsing --max-error-rate: %s: must be between 0 and 1", fl.Value)
	}
	g.maxErrorRate = v
	return nil
}

// compareDirs loads two run directories, compares them and writes the
// verdict everywhere asked; the error carries Result.ExitCode (nil for 0).
func (gp *gatePlan) compareDirs(baseDir, newDir string, stdout, stderr io.Writer) error {
	r, err := gp.judgeDirs(baseDir, newDir)
	if err != nil {
		return err
	}
	if err := gp.write(r, stdout, stderr); err != nil {
		return err
	}
	if code := r.ExitCode(); code != exitOK {
		return withCode(code, fmt.Errorf("hsbench: compare: %s", r.Verdict))
	}
	return nil
}

// judgeDirs loads two run directories and compares them.
func (gp *gatePlan) judgeDirs(baseDir, newDir string) (*compare.Result, error) {
	base, err := loadForCompare("base", baseDir)
	if err != nil {
		return nil, err
	}
	new, err := loadForCompare("new", newDir)
	if err != nil {
		return nil, err
	}
	series, warns, err := compare.FromRuns(base, new, gp.metrics)
	if err != nil {
		return nil, withCode(exitInvalid, fmt.Errorf("hsbench: compare: %s %s: %w", baseDir, newDir, err))
	}
	opts := gp.opts
	opts.BaseName, opts.NewName = baseDir, newDir
	r, err := compare.Compare(series, opts)
	if err != nil {
		return nil, usagef("compare: %v", err)
	}
	r.Warnings = append(r.Warnings, warns...)
	if len(gp.budgets) > 0 {
		bs, bw, err := compare.JudgeBudgets(new, gp.budgets, opts.Alpha)
		if err != nil {
			return nil, withCode(exitInvalid, fmt.Errorf("hsbench: compare: %s: %w", newDir, err))
		}
		r.Warnings = append(r.Warnings, bw...)
		r.AddBudgets(bs)
	}
	return r, nil
}

// loadForCompare reads one side's run.json; a missing, unreadable or
// foreign file is input that cannot be compared (exit 4).
func loadForCompare(side, dir string) (*results.Run, error) {
	r, err := results.Load(dir)
	if err != nil {
		return nil, withCode(exitInvalid, fmt.Errorf("hsbench: compare: %s run directory %s: %w", side, dir, err))
	}
	return r, nil
}

// write sends the result to stdout in --format, to the report files, to
// $GITHUB_STEP_SUMMARY when set, and as annotations when asked or under
// GitHub Actions.
func (gp *gatePlan) write(r *compare.Result, stdout, stderr io.Writer) error {
	g := gp.g
	for _, out := range []struct{ flag, path, format string }{
		{"--junit", g.junit, "junit"}, {"--bmf", g.bmf, "bmf"}, {"--gab", g.gab, "gab"},
	} {
		if out.path == "" {
			continue
		}
		if err := writeResultFile(r, out.path, out.format); err != nil {
			return usagef("writing %s %s: %v", out.flag, out.path, err)
		}
	}
	if err := r.WriteFormat(stdout, g.format); err != nil {
		return fmt.Errorf("hsbench: compare: %w", err)
	}
	if _, err := compare.AppendGitHubStepSummary(r, nil); err != nil {
		fmt.Fprintf(stderr, "hsbench: compare: %v\n", err)
	}
	if (g.annotate || os.Getenv("GITHUB_ACTIONS") == "true") && g.format != "annotations" {
		if err := r.WriteAnnotations(stdout); err != nil {
			return fmt.Errorf("hsbench: compare: %w", err)
		}
	}
	return nil
}

func writeResultFile(r *compare.Result, path, format string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	werr := r.WriteFormat(f, format)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}
