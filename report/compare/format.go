package compare

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/hsbench/hsbench/report/slo"
)

// A Writer renders a Result in one output format.
type Writer func(r *Result, w io.Writer) error

// formats maps format names, as accepted by WriteFormat, to writers.
var formats = map[string]Writer{
	"text":        (*Result).WriteText,
	"markdown":    (*Result).WriteMarkdown,
	"annotations": (*Result).WriteAnnotations,
	"junit":       (*Result).WriteJUnit,
	"bmf":         (*Result).WriteBMF,
	"gab":         (*Result).WriteGitHubActionBenchmark,
}

// Formats lists the format names accepted by WriteFormat, sorted.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// WriteFormat writes r to w in the named format (see Formats).
func (r *Result) WriteFormat(w io.Writer, format string) error {
	f, ok := formats[format]
	if !ok {
		return fmt.Errorf("compare: unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return f(r, w)
}

// flush writes the fully rendered output in one call, so a writer
// error is reported once and partial output is not interleaved.
func flush(w io.Writer, s string, format string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("compare: writing %s: %w", format, err)
	}
	return nil
}

// fmtMS formats milliseconds with precision adapted to the magnitude
// (about four significant digits).
func fmtMS(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	case a >= 10:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// fmtSummary formats "median ± CI%" in the benchstat style, or "-"
// for a side without runs.
func fmtSummary(s benchmath.Summary, n int) string {
	if n == 0 {
		return "-"
	}
	return fmtMS(s.Center) + " ± " + s.PctRangeString()
}

// fmtSummaryMS is fmtSummary with the unit, for prose: "10.00 ms ± 2%".
func fmtSummaryMS(s benchmath.Summary, n int) string {
	if n == 0 {
		return "-"
	}
	return fmtMS(s.Center) + " ms ± " + s.PctRangeString()
}

// roundNS rounds milliseconds to whole nanoseconds, hiding float noise
// in machine-readable output.
func roundNS(ms float64) float64 { return math.Round(ms*1e6) / 1e6 }

// fmtDelta formats the change of medians; "~" when the U test found no
// significant difference, as in benchstat.
func fmtDelta(c Comparison, alpha float64) string {
	switch {
	case math.IsNaN(c.Ratio):
		return "-"
	case !c.Paired && !(c.P < alpha):
		return "~"
	default:
		return fmt.Sprintf("%+.2f%%", 100*c.Delta())
	}
}

// fmtRatioCI formats the bootstrap interval of the ratio.
func fmtRatioCI(c Comparison) string {
	if math.IsNaN(c.RatioLo) {
		return "-"
	}
	return fmt.Sprintf("[%.3f, %.3f]", c.RatioLo, c.RatioHi)
}

func fmtLimit(c Comparison) string { return fmt.Sprintf("%.3f", 1+c.Threshold) }

func fmtP(p float64) string {
	if math.IsNaN(p) {
		return "-"
	}
	return fmt.Sprintf("%.3f", p)
}

// fmtN formats the run counts: "10" when equal, "10+12" otherwise.
func fmtN(c Comparison) string {
	if c.NBase == c.NNew {
		return fmt.Sprint(c.NBase)
	}
	return fmt.Sprintf("%d+%d", c.NBase, c.NNew)
}

// verdictOrder is the order of verdict counts in summaries.
var verdictOrder = []Verdict{Fail, Invalid, Inconclusive, TooFewRuns, Unmatched, Pass, Improved}

// CountsLine returns e.g. "1 FAIL, 2 PASS, 1 IMPROVED".
func (r *Result) CountsLine() string {
	var parts []string
	for _, v := range verdictOrder {
		if n := r.Count(v); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	line := strings.Join(parts, ", ")
	if len(parts) == 0 {
		line = "no series"
	}
	if len(r.Budgets) > 0 {
		n := map[slo.Verdict]int{}
		for _, b := range r.Budgets {
			n[b.Verdict]++
		}
		var bs []string
		for _, v := range []slo.Verdict{slo.Fail, slo.Inconclusive, slo.TooFew, slo.Pass} {
			if n[v] > 0 {
				bs = append(bs, fmt.Sprintf("%d %s", n[v], v))
			}
		}
		line += "; budgets: " + strings.Join(bs, ", ")
	}
	return line
}

// settingsLine describes the options that shape the verdicts.
func (r *Result) settingsLine() string {
	o := r.Options
	s := fmt.Sprintf("alpha=%v confidence=%v bootstrap=%d seed=%d min-runs=%d thresholds=%s",
		o.Alpha, o.Confidence, o.Iterations, o.Seed, r.MinRuns, o.Thresholds)
	if o.MaxErrorRate < 1 {
		s += " max-error-rate=" + fmtPct(o.MaxErrorRate)
	}
	if o.AllowInconclusive {
		s += " allow-inconclusive"
	}
	return s
}

// warningLines flattens per-series and result warnings into lines.
func (r *Result) warningLines() []string {
	var lines []string
	for _, c := range r.Comparisons {
		for _, w := range c.Warnings {
			lines = append(lines, c.Key.String()+": "+w.Error())
		}
	}
	for _, w := range r.Warnings {
		lines = append(lines, w.Error())
	}
	return lines
}

// explain returns a one-sentence reason for c's verdict.
func explain(c Comparison, alpha float64) string {
	if c.Reason != "" {
		return c.Reason
	}
	switch c.Verdict {
	case Fail:
		return fmt.Sprintf("new median %s ms vs base %s ms (%+.1f%%); ratio CI %s is above the limit %s (threshold %s) and p=%s < %v",
			fmtMS(c.New.Center), fmtMS(c.Base.Center), 100*c.Delta(), fmtRatioCI(c), fmtLimit(c), fmtPct(c.Threshold), fmtP(c.P), alpha)
	case Improved:
		return fmt.Sprintf("new median %s ms vs base %s ms (%+.1f%%); ratio CI %s is below 1 and p=%s < %v",
			fmtMS(c.New.Center), fmtMS(c.Base.Center), 100*c.Delta(), fmtRatioCI(c), fmtP(c.P), alpha)
	case Pass:
		return fmt.Sprintf("ratio CI %s is within the limit %s (threshold %s)", fmtRatioCI(c), fmtLimit(c), fmtPct(c.Threshold))
	case Inconclusive:
		return fmt.Sprintf("new median %s ms vs base %s ms (%+.1f%%); ratio CI %s straddles the limit %s (threshold %s), p=%s; more runs needed",
			fmtMS(c.New.Center), fmtMS(c.Base.Center), 100*c.Delta(), fmtRatioCI(c), fmtLimit(c), fmtPct(c.Threshold), fmtP(c.P))
	default: // TooFewRuns, Unmatched, Invalid: the warnings say why
		msgs := make([]string, len(c.Warnings))
		for i, w := range c.Warnings {
			msgs[i] = w.Error()
		}
		return strings.Join(msgs, "; ")
	}
}

// legend explains the table columns.
func (r *Result) legend() string {
	conf := fmt.Sprintf("%v%%", 100*r.Options.Confidence)
	for _, c := range r.Comparisons {
		if c.Paired {
			return "legend: base/new = median of per-block values (ms) ± half-width of its " + conf + " CI as % of the median; " +
				"delta and ratio CI = NEW/BASE from the paired blocks: winsorised geometric mean of the per-pair ratios and its anytime-valid " +
				"confidence sequence (lower bound at 1-alpha/m for m series, upper at 1-alpha); limit = 1+threshold; " +
				"p = Holm-adjusted anytime p-value of a slowdown beyond the limit; n = pairs of blocks; " +
				"FAIL = p < alpha; PASS = a slowdown beyond the limit excluded at 1-alpha; IMPROVED = NEW faster at 1-alpha"
		}
	}
	return fmt.Sprintf("legend: base/new = median of per-run values (ms) ± half-width of its %s CI as %% of the median; "+
		"delta = change of medians, ~ when p >= alpha; ratio CI = %s bootstrap CI of median(new)/median(base); "+
		"limit = 1+threshold; p = Mann-Whitney U test, Holm-adjusted over the series; n = runs per side (base+new); "+
		"FAIL = p < alpha and ratio CI above limit; PASS = ratio CI upper bound <= limit; IMPROVED = p < alpha and ratio CI below 1",
		conf, conf)
}
