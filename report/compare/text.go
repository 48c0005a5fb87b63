package compare

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes a benchstat-like aligned table: one row per series,
// then a legend, the warnings and the overall verdict with its exit
// code.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "hsbench compare: base=%s new=%s\n", r.Options.BaseName, r.Options.NewName)
	fmt.Fprintf(&b, "%s\n\n", r.settingsLine())

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cell\tmetric\tbase (ms)\tnew (ms)\tdelta\tratio CI\tlimit\tp\tn\tverdict")
	for _, c := range r.Comparisons {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			c.Cell, c.Metric(), fmtSummary(c.Base, c.NBase), fmtSummary(c.New, c.NNew),
			fmtDelta(c, r.Options.Alpha), fmtRatioCI(c), fmtLimit(c), fmtP(c.P), fmtN(c), c.Verdict)
	}
	tw.Flush() // writes to a strings.Builder: cannot fail
	writeBudgetsText(&b, r)
	fmt.Fprintf(&b, "\n%s\n", r.legend())
	if lines := r.warningLines(); len(lines) > 0 {
		fmt.Fprintln(&b, "\nwarnings:")
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	fmt.Fprintf(&b, "\nverdict: %s (exit %d): %s\n", r.Verdict, r.ExitCode(), r.CountsLine())
	return flush(w, b.String(), "text")
}
