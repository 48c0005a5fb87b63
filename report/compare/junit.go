package compare

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML document structure (the de facto schema understood by CI
// systems: testsuites > testsuite > testcase > failure|error|skipped).
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  string          `xml:"system-out,omitempty"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitMessage `xml:"failure"`
		Error     *junitMessage `xml:"error"`
		Skipped   *junitMessage `xml:"skipped"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
)

// WriteJUnit writes a JUnit XML report: one testsuite for the BASE/NEW
// comparison and one testcase per series (classname = cell, name =
// metric). FAIL is a <failure>; INVALID an <error>; INCONCLUSIVE,
// TOO_FEW_RUNS and UNMATCHED are <skipped>; PASS and IMPROVED pass.
// Every testcase carries its statistics in <system-out>.
func (r *Result) WriteJUnit(w io.Writer) error {
	alpha := r.Options.Alpha
	suite := junitSuite{
		Name: fmt.Sprintf("hsbench compare %s vs %s", r.Options.BaseName, r.Options.NewName),
		Time: "0",
		Properties: []junitProperty{
			{"base", r.Options.BaseName},
			{"new", r.Options.NewName},
			{"settings", r.settingsLine()},
			{"verdict", string(r.Verdict)},
			{"exit_code", fmt.Sprint(r.ExitCode())},
		},
		SystemOut: strings.Join(r.warningLines(), "\n"),
	}
	for _, c := range r.Comparisons {
		tc := junitCase{
			Name:      c.Metric(),
			Classname: c.Cell,
			Time:      "0",
			SystemOut: fmt.Sprintf("base %s, new %s, delta %s, ratio CI %s, limit %s, p %s, n %s, verdict %s",
				fmtSummaryMS(c.Base, c.NBase), fmtSummaryMS(c.New, c.NNew), fmtDelta(c, alpha),
				fmtRatioCI(c), fmtLimit(c), fmtP(c.P), fmtN(c), c.Verdict),
		}
		msg := &junitMessage{Message: string(c.Verdict) + ": " + explain(c, alpha)}
		switch c.Verdict {
		case Fail:
			msg.Type = "regression"
			msg.Text = msg.Message
			tc.Failure = msg
			suite.Failures++
		case Invalid:
			msg.Type = "invalid"
			msg.Text = msg.Message
			tc.Error = msg
			suite.Errors++
		case Inconclusive, TooFewRuns, Unmatched:
			tc.Skipped = msg
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
	}
	cases, failures, skipped := budgetCases(r)
	suite.Cases = append(suite.Cases, cases...)
	suite.Tests += len(cases)
	suite.Failures += failures
	suite.Skipped += skipped
	doc := junitSuites{
		Name:     "hsbench compare",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Skipped:  suite.Skipped,
		Suites:   []junitSuite{suite},
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("compare: encoding junit: %w", err)
	}
	b.WriteString("\n")
	return flush(w, b.String(), "junit")
}
