package compare

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hsbench/hsbench/report/slo"
)

// The budgets (--slo) in every output format.

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// fmtBounds formats a budget's one-sided bounds, "-" for none.
func fmtBounds(b Budget) string {
	if b.N == 0 {
		return "-"
	}
	hi := "∞"
	if b.Hi > 0 {
		hi = fmtMS(ms(b.Hi))
	}
	return fmt.Sprintf("[%s, %s]", fmtMS(ms(b.Lo)), hi)
}

// budgetsHeading says what the budgets section holds.
func (r *Result) budgetsHeading() string {
	return fmt.Sprintf("budgets on %s: percentile of every block's samples merged; PASS = %g%% one-sided upper bound within the budget, "+
		"FAIL = lower bound past it at %g%% / number of budgets (Bonferroni)", r.Options.NewName, 100*(1-r.Options.Alpha), 100*r.Options.Alpha)
}

func writeBudgetsText(b *strings.Builder, r *Result) {
	if len(r.Budgets) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", r.budgetsHeading())
	for _, bu := range r.Budgets {
		fmt.Fprintf(b, "  %s\n", bu)
	}
}

func writeBudgetsMarkdown(b *strings.Builder, r *Result) {
	if len(r.Budgets) == 0 {
		return
	}
	fmt.Fprintf(b, "**Budgets** (%s)\n\n", mdEscape(r.budgetsHeading()))
	b.WriteString("| cell | budget | estimate (ms) | bounds (ms) | n | verdict |\n")
	b.WriteString("|:-----|:-------|--------------:|:-----------:|--:|:--------|\n")
	for _, bu := range r.Budgets {
		v := string(bu.Verdict)
		if bu.Verdict == slo.Fail {
			v = "**" + v + "**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | %s |\n", mdEscape(bu.Cell), mdEscape(bu.Objective.String()),
			fmtMS(ms(bu.Estimate)), fmtBounds(bu), bu.N, v)
	}
	b.WriteString("\n")
}

// budgetCases are the budgets as JUnit test cases.
func budgetCases(r *Result) (cases []junitCase, failures, skipped int) {
	for _, bu := range r.Budgets {
		tc := junitCase{Name: "budget " + bu.Objective.String(), Classname: bu.Cell, Time: "0", SystemOut: bu.String()}
		msg := &junitMessage{Message: string(bu.Verdict) + ": " + bu.String()}
		switch bu.Verdict {
		case slo.Fail:
			msg.Type, msg.Text = "budget", msg.Message
			tc.Failure = msg
			failures++
		case slo.Inconclusive, slo.TooFew:
			tc.Skipped = msg
			skipped++
		}
		cases = append(cases, tc)
	}
	return cases, failures, skipped
}

func writeBudgetAnnotations(b *strings.Builder, r *Result) {
	for _, bu := range r.Budgets {
		switch bu.Verdict {
		case slo.Fail:
			writeCommand(b, "error", "hsbench budget exceeded: "+bu.Cell+" "+bu.Objective.String(), bu.String())
		case slo.Inconclusive, slo.TooFew:
			writeCommand(b, "warning", "hsbench budget undecided: "+bu.Cell+" "+bu.Objective.String(), bu.String())
		}
	}
}

// budgetSlug is the Bencher measure of a budget's percentile estimate:
// "slo-total-p99".
func budgetSlug(o slo.Objective) string { return "slo-" + MeasureSlug(o.Phase, o.Pct) }

func addBudgetsBMF(doc BMF, r *Result) {
	for _, bu := range r.Budgets {
		if bu.N == 0 {
			continue
		}
		m := BMFMetric{Value: roundNS(ms(bu.Estimate))}
		if bu.Hi > 0 {
			lo, hi := roundNS(ms(bu.Lo)), roundNS(ms(bu.Hi))
			m.LowerValue, m.UpperValue = &lo, &hi
		}
		if doc[bu.Cell] == nil {
			doc[bu.Cell] = map[string]BMFMetric{}
		}
		doc[bu.Cell][budgetSlug(bu.Objective)] = m
	}
}

func budgetGAB(r *Result) []GABEntry {
	var out []GABEntry
	for _, bu := range r.Budgets {
		if bu.N == 0 {
			continue
		}
		out = append(out, GABEntry{Name: bu.Cell + " budget " + bu.Objective.String(), Unit: "ms",
			Value: roundNS(ms(bu.Estimate)), Extra: fmt.Sprintf("bounds %s; n=%d; %s", fmtBounds(bu), bu.N, bu.Verdict)})
	}
	return out
}

// WriteBudgets writes only r's budgets, in "text", "markdown" or
// "annotations": what 'hsbench run --slo' shows.
func (r *Result) WriteBudgets(w io.Writer, format string) error {
	var b strings.Builder
	switch format {
	case "text":
		writeBudgetsText(&b, r)
		fmt.Fprintf(&b, "budgets: %s\n", strings.TrimPrefix(r.CountsLine(), "no series; budgets: "))
		for _, l := range r.warningLines() {
			fmt.Fprintf(&b, "  warning: %s\n", l)
		}
	case "markdown":
		fmt.Fprintf(&b, "### hsbench budgets: %s\n\n", mdEscape(r.Options.NewName))
		writeBudgetsMarkdown(&b, r)
	case "annotations":
		writeBudgetAnnotations(&b, r)
	default:
		return fmt.Errorf("compare: budgets: unknown format %q", format)
	}
	return flush(w, b.String(), format)
}

// AppendBudgetsStepSummary appends the budgets as Markdown to
// $GITHUB_STEP_SUMMARY when it is set (see AppendGitHubStepSummary).
func (r *Result) AppendBudgetsStepSummary(lookupEnv func(string) (string, bool)) (bool, error) {
	return appendStepSummary(lookupEnv, func(w io.Writer) error { return r.WriteBudgets(w, "markdown") })
}
