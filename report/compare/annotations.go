package compare

import (
	"fmt"
	"io"
	"strings"
)

// WriteAnnotations writes GitHub Actions workflow commands that
// annotate the run: "::error" for each FAIL and INVALID series,
// "::warning" for each INCONCLUSIVE, TOO_FEW_RUNS and UNMATCHED series
// and for result-level warnings, and a final "::notice" (or "::error")
// with the overall verdict. PASS and IMPROVED series produce no line.
//
// Messages and property values are escaped per the workflow command
// rules: "%", "\r", "\n" everywhere, and additionally ":" and "," in
// properties.
func (r *Result) WriteAnnotations(w io.Writer) error {
	var b strings.Builder
	alpha := r.Options.Alpha
	for _, c := range r.Comparisons {
		var cmd, what string
		switch c.Verdict {
		case Fail:
			cmd, what = "error", "regression"
		case Invalid:
			cmd, what = "error", "invalid input"
		case Inconclusive:
			cmd, what = "warning", "inconclusive"
		case TooFewRuns:
			cmd, what = "warning", "too few runs"
		case Unmatched:
			cmd, what = "warning", "unmatched"
		default:
			continue
		}
		writeCommand(&b, cmd, "hsbench "+what+": "+c.Key.String(), c.Key.String()+": "+explain(c, alpha))
	}
	writeBudgetAnnotations(&b, r)
	for _, warn := range r.Warnings {
		writeCommand(&b, "warning", "hsbench compare", warn.Error())
	}
	cmd := "notice"
	switch {
	case r.ExitCode() != ExitPass:
		cmd = "error"
	case r.Verdict != Pass:
		cmd = "warning"
	}
	writeCommand(&b, cmd, "hsbench compare: "+string(r.Verdict),
		fmt.Sprintf("%s vs %s: %s (exit %d)", r.Options.NewName, r.Options.BaseName, r.CountsLine(), r.ExitCode()))
	return flush(w, b.String(), "annotations")
}

func writeCommand(b *strings.Builder, cmd, title, msg string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", cmd, escapeProperty(title), escapeData(msg))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes a workflow command message.
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a workflow command property value.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
