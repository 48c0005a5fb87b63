package compare

import (
	"fmt"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

// A side whose cell failed more attempts than MaxErrorRate FAILs the
// series with the reason, whatever the latencies say; at the limit it
// does not.
func TestMaxErrorRateFails(t *testing.T) {
	s := Series{Cell: "c", Phase: "total", Pct: 50, Base: around(10), New: around(10),
		NewFailures: Failures{Attempts: 1000, Failed: 950, Classes: "timeout=950"}}
	opts := testOptions(200)
	r, err := Compare([]Series{s}, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Comparisons[0]
	if c.Verdict != Fail || r.ExitCode() != ExitRegression || !strings.Contains(c.Reason, "new: 95.0% of attempts failed (950 of 1000: timeout=950)") {
		t.Fatalf("verdict %s, exit %d, reason %q; want FAIL naming the side and the classes", c.Verdict, r.ExitCode(), c.Reason)
	}
	s.NewFailures, s.BaseFailures = Failures{}, Failures{Attempts: 1000, Failed: 10}
	if r, _ = Compare([]Series{s}, opts); r.Comparisons[0].Verdict == Fail {
		t.Errorf("1.0%% failed at a 1%% limit: FAIL, want the latency verdict")
	}
}

// A per-run percentile from fewer samples than can bound it says so.
func TestFewSamplesWarning(t *testing.T) {
	r := fakeRun(map[string][]float64{"a": {1, 2, 3}}) // Count 10 per run
	_, warns, err := RunValues(r, DefaultMetrics())
	if err != nil {
		t.Fatal(err)
	}
	text := joinErrors(warns)
	if !strings.Contains(text, "cell a: total:p99 estimated from fewer than 299 samples in 3 of 3 runs (fewest 10)") {
		t.Errorf("no few-samples warning for p99 from 10 samples:\n%s", text)
	}
	if strings.Contains(text, "total:p50 estimated") {
		t.Errorf("p50 from 10 samples warned:\n%s", text)
	}
}

// histRun is a run with one cell whose total holds n samples of 1..n µs.
func histRun(t *testing.T, n int) *results.Run {
	t.Helper()
	h := hdr.New(1, int64(time.Hour), 3)
	for i := 1; i <= n; i++ {
		if err := h.RecordValue(int64(i) * 1000); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := results.StatsOf(h)
	if err != nil {
		t.Fatal(err)
	}
	m := results.Measure{Phases: map[string]results.PhaseStats{"total": ps}}
	return &results.Run{Cells: []results.Cell{{ID: "c", Runs: []results.Measure{m}, Total: m}}}
}

// Budgets: PASS, FAIL (Bonferroni over the budgets), TOO_FEW, a phase no
// cell has; and the overall verdict they make.
func TestJudgeBudgets(t *testing.T) {
	objs, err := slo.ParseAll([]string{"total:p50<600us", "total:p50<400us", "total:p99.9<2ms", "latency:p99<1ms"})
	if err != nil {
		t.Fatal(err)
	}
	bs, warns, err := JudgeBudgets(histRun(t, 1000), objs, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	want := []slo.Verdict{slo.Pass, slo.Fail, slo.TooFew}
	if len(bs) != len(want) {
		t.Fatalf("%d budgets judged, want %d: %v", len(bs), len(want), bs)
	}
	for i, b := range bs {
		if b.Verdict != want[i] || b.Cell != "c" {
			t.Errorf("%s: %s, want %s", b.Objective, b.Verdict, want[i])
		}
	}
	if bs[1].FailConfidence != 1-0.05/3 {
		t.Errorf("FAIL confidence %v, want 1-0.05/3", bs[1].FailConfidence)
	}
	if text := joinErrors(warns); !strings.Contains(text, "budget latency:p99<1ms: no cell has latency samples") {
		t.Errorf("warnings lack the unjudged budget:\n%s", text)
	}
	r := &Result{Options: DefaultOptions(), Verdict: Pass}
	r.AddBudgets(bs[:1])
	if r.Verdict != Pass {
		t.Errorf("a PASS budget made the result %s", r.Verdict)
	}
	r.AddBudgets(bs[2:])
	if r.Verdict != Inconclusive || r.ExitCode() != ExitInconclusive {
		t.Errorf("a TOO_FEW budget: %s exit %d, want INCONCLUSIVE exit 3", r.Verdict, r.ExitCode())
	}
	r.AddBudgets(bs[1:2])
	if r.Verdict != Fail || r.ExitCode() != ExitRegression {
		t.Errorf("a FAIL budget: %s exit %d, want FAIL exit 1", r.Verdict, r.ExitCode())
	}
}

// A budget just past its limit is FAIL at 95% for one budget but only
// INCONCLUSIVE when many are judged (Bonferroni).
func TestBudgetsBonferroni(t *testing.T) {
	var specs []string
	for lim := 470; lim > 460; lim-- {
		specs = append(specs, fmt.Sprintf("total:p50<%dus", lim))
	}
	objs, _ := slo.ParseAll(specs)
	one, _, _ := JudgeBudgets(histRun(t, 1000), objs[:1], 0.05)
	many, _, _ := JudgeBudgets(histRun(t, 1000), objs, 0.05)
	if one[0].Verdict != slo.Fail {
		t.Fatalf("alone: %s, want FAIL (%s)", one[0].Verdict, one[0])
	}
	if many[0].Verdict == slo.Fail {
		t.Errorf("p50<470us among 10 budgets: FAIL; the lower bound at 99.5%% should not exclude it (%s)", many[0])
	}
}

// A FAIL that Bonferroni takes back, with too few samples for an upper
// bound, is TOO_FEW: there is no interval to be inconclusive about.
func TestBudgetsDemotedWithoutUpperBound(t *testing.T) {
	specs := []string{"total:p99<96.5us"}
	for i := range 9 {
		specs = append(specs, fmt.Sprintf("total:p50<%dms", i+1))
	}
	objs, _ := slo.ParseAll(specs)
	one, _, _ := JudgeBudgets(histRun(t, 100), objs[:1], 0.05)
	many, _, _ := JudgeBudgets(histRun(t, 100), objs, 0.05)
	if one[0].Verdict != slo.Fail {
		t.Fatalf("alone: %s, want FAIL", one[0])
	}
	if many[0].Verdict != slo.TooFew || !strings.Contains(many[0].String(), "needs at least 299 samples") {
		t.Errorf("among 10 budgets: %s, want TOO_FEW saying how many samples p99 needs", many[0])
	}
}
