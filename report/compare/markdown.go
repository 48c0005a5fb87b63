package compare

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes a GitHub-flavoured Markdown report, suitable for
// $GITHUB_STEP_SUMMARY or a pull-request comment: a heading, the
// overall verdict, a table, a collapsed list of warnings and the
// legend.
func (r *Result) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### hsbench compare: %s → %s\n\n", mdEscape(r.Options.BaseName), mdEscape(r.Options.NewName))
	fmt.Fprintf(&b, "**Verdict: %s** (exit %d): %s\n\n", r.Verdict, r.ExitCode(), r.CountsLine())
	if len(r.Comparisons) > 0 {
		b.WriteString("| cell | metric | base (ms) | new (ms) | delta | ratio CI | limit | p | n | verdict |\n")
		b.WriteString("|:-----|:-------|----------:|---------:|------:|:--------:|------:|--:|--:|:--------|\n")
		for _, c := range r.Comparisons {
			verdict := string(c.Verdict)
			if c.Verdict == Fail || c.Verdict == Invalid {
				verdict = "**" + verdict + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				mdEscape(c.Cell), mdEscape(c.Metric()), fmtSummary(c.Base, c.NBase), fmtSummary(c.New, c.NNew),
				mdEscape(fmtDelta(c, r.Options.Alpha)), fmtRatioCI(c), fmtLimit(c), fmtP(c.P), fmtN(c), verdict)
		}
		b.WriteString("\n")
	}
	writeBudgetsMarkdown(&b, r)
	if lines := r.warningLines(); len(lines) > 0 {
		fmt.Fprintf(&b, "<details><summary>Warnings (%d)</summary>\n\n", len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", mdEscape(l))
		}
		b.WriteString("\n</details>\n\n")
	}
	fmt.Fprintf(&b, "<sub>%s. %s</sub>\n", mdEscape(r.settingsLine()), mdEscape(r.legend()))
	return flush(w, b.String(), "markdown")
}

// mdReplacer escapes characters that Markdown or the table syntax
// would interpret, and folds line breaks that would end a table row.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`",
	"<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "~", `\~`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

func mdEscape(s string) string { return mdReplacer.Replace(s) }
