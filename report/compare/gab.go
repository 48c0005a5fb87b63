package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// GABEntry is one github-action-benchmark "customSmallerIsBetter"
// entry.
type GABEntry struct {
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	Range string  `json:"range,omitempty"`
	Extra string  `json:"extra,omitempty"`
}

// GitHubActionBenchmark returns the NEW side of r as
// github-action-benchmark entries for the "customSmallerIsBetter" tool:
// name "cell metric", unit "ms", value the NEW median, range "± h"
// where h is the larger distance from the median to its CI bounds
// (omitted when infinite), and extra a line with the base median, ratio
// CI, p-value, run counts and verdict. Series without valid NEW runs
// are left out.
func (r *Result) GitHubActionBenchmark() []GABEntry {
	entries := []GABEntry{}
	alpha := r.Options.Alpha
	for _, c := range r.Comparisons {
		if c.NNew == 0 || c.Verdict == Invalid {
			continue
		}
		e := GABEntry{
			Name:  c.Key.String(),
			Unit:  "ms",
			Value: roundNS(c.New.Center),
			Extra: fmt.Sprintf("base %s; delta %s; ratio CI %s; p=%s; n=%s; %s",
				fmtSummaryMS(c.Base, c.NBase), fmtDelta(c, alpha), fmtRatioCI(c), fmtP(c.P), fmtN(c), c.Verdict),
		}
		if !math.IsInf(c.New.Lo, 0) && !math.IsInf(c.New.Hi, 0) {
			e.Range = "± " + fmtMS(math.Max(c.New.Hi-c.New.Center, c.New.Center-c.New.Lo))
		}
		entries = append(entries, e)
	}
	return append(entries, budgetGAB(r)...)
}

// WriteGitHubActionBenchmark writes r.GitHubActionBenchmark() as
// indented JSON.
func (r *Result) WriteGitHubActionBenchmark(w io.Writer) error {
	data, err := json.MarshalIndent(r.GitHubActionBenchmark(), "", "  ")
	if err != nil {
		return fmt.Errorf("compare: encoding github-action-benchmark: %w", err)
	}
	return flush(w, string(data)+"\n", "github-action-benchmark")
}
