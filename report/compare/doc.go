// Package compare decides whether NEW is slower than BASE: it is the
// statistics and the output formats behind `hsbench compare BASE NEW`,
// the CI regression gate on handshake latency.
//
// # Paired blocks, judged sequentially
//
// When BASE and NEW were measured side by side in short interleaved
// blocks (hsbench ab: Series.Paired), each series is judged on the
// per-pair log-ratios with a confidence sequence that stays valid however
// long the blocks were sampled, winsorised against bursts of other work,
// and the FAIL p-values are Holm-adjusted over the series: see
// sequential.go for the method and its references. The rest of this
// comment describes the unpaired comparison of whole runs, used when the
// runs of the two sides cannot be paired; its U-test p-values are
// Holm-adjusted over the series too.
//
// # Input: one value per whole run
//
// The caller reduces each replicate run to one number per cell and
// metric — e.g. the p50 of total handshake time of cell
// "tls1.3/full/x25519" in run 3 — and hands Compare a Series holding
// those numbers for BASE and for NEW. The statistical unit is the whole
// run, not the individual handshake. Handshakes inside one run share a
// process, a warmed-up (or not) CPU, a noisy neighbour and a network
// state, so they are autocorrelated: 100 000 handshakes from one run are
// not 100 000 independent observations, and treating them as such makes
// every tiny difference look "significant". Runs, started afresh, are
// close to independent, so tests over runs have honest error rates. The
// price is that you need several runs per side (see MinRuns).
//
// # Summaries: median and its confidence interval
//
// Each side is summarised with benchmath.AssumeNothing, the same
// machinery as benchstat: the median of the per-run values and a
// distribution-free confidence interval from order statistics. Run
// latencies are skewed and have outliers (a run that hit a GC storm),
// so the median is a better "typical run" than the mean, and the
// interval needs no normality assumption. With few runs the interval is
// infinite: at 95% confidence benchmath needs 6 runs.
//
// # Significance: Mann-Whitney U
//
// The p-value comes from the two-sided Mann-Whitney U test
// (benchmath.AssumeNothing.Compare): the probability of seeing rank
// orderings of BASE and NEW at least this lopsided if both came from
// the same distribution. It is rank-based, so robust to outliers and
// skew, and answers "is there any difference at all?". It does not say
// how big the difference is, and with few runs it cannot reach small
// p-values at all (with 3 runs per side the smallest possible p is 0.1).
//
// # Size: bootstrap CI of the ratio of medians
//
// The gate is about size: "NEW is at most 5% slower" is what we want to
// prove or refute. Compare therefore estimates the ratio
// median(NEW)/median(BASE) with a bootstrap: it resamples the runs of
// each side with replacement (Options.Iterations times, seeded by
// Options.Seed, so results are reproducible), takes the ratio of the
// resampled medians, and reports the central Options.Confidence
// fraction of those ratios as a percentile interval. A ratio is unitless
// and relative, so one threshold works for 1 ms and for 100 ms cells.
//
// # Verdicts
//
// With threshold t for the metric's percentile (Options.Thresholds) the
// limit is 1+t, and for each series:
//
//   - FAIL: p < alpha (Holm-adjusted) and the ratio CI's lower bound > 1+t. The
//     difference is real and even its optimistic end is beyond the
//     tolerated slowdown. This is a regression.
//   - PASS: the ratio CI's upper bound <= 1+t, whatever the p-value.
//     A regression beyond the threshold is ruled out; there may be a
//     smaller slowdown, which is tolerated by definition.
//   - IMPROVED: p < alpha and the ratio CI's upper bound < 1. NEW is
//     faster. Counts as a pass.
//   - INCONCLUSIVE: none of the above. The interval straddles the limit
//     (or is above it without significance): the data cannot tell a
//     tolerable change from a regression. More runs narrow the interval.
//   - TOO_FEW_RUNS: a side has fewer runs than max(Options.MinRuns,
//     MinRuns(alpha, confidence)), the size below which benchmath cannot
//     produce a finite median CI or a U test able to reach alpha.
//     Statistics are still shown but not trusted.
//   - UNMATCHED: the series exists on one side only (a cell added or
//     removed). Reported, not compared.
//   - INVALID: no runs at all, values that are not positive finite
//     latencies, or a duplicate series.
//
// Requiring both significance and the interval for FAIL keeps false
// alarms below alpha (in A/A tests with 10 runs and 5% noise the FAIL
// rate is ~0% at a 5% threshold and ~1.5% at a 0% threshold), while
// PASS needs no p-value: proving "not much slower" is a statement about
// the interval alone.
//
// # Overall verdict and exit codes
//
// A series whose cell failed more attempts than Options.MaxErrorRate on
// either side is FAIL with the reason. Absolute budgets (AddBudgets) are
// judged on NEW; a FAIL among them fails the result, an undecided one
// makes a PASS INCONCLUSIVE.
//
// Result.Verdict is FAIL if any series or budget failed; else INVALID if
// the input is unusable (no series, no series present on both sides, or
// any INVALID series); else INCONCLUSIVE if any series is INCONCLUSIVE or
// TOO_FEW_RUNS (or a budget undecided); else PASS. Result.ExitCode maps
// it to the exit status: 0 pass (also inconclusive with
// Options.AllowInconclusive, with a warning), 1 regression, 3 undecided,
// 4 invalid input. Exit code
// 2 is left to the CLI for usage errors, which is also what an error
// from Compare (invalid Options) should map to.
//
// # Warnings
//
// Like benchmath, the package carries warnings as values
// (Comparison.Warnings, Result.Warnings) instead of printing them; every
// output format shows them in its own way.
//
// # Output formats
//
// A Result renders as a benchstat-like text table (WriteText), a
// Markdown table for $GITHUB_STEP_SUMMARY (WriteMarkdown,
// AppendGitHubStepSummary), GitHub workflow annotations
// (WriteAnnotations), JUnit XML (WriteJUnit), Bencher Metric Format
// JSON (WriteBMF) and github-action-benchmark customSmallerIsBetter
// JSON (WriteGitHubActionBenchmark). WriteFormat selects one by name.
package compare
