package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/internal/golden"
)

// compareGolden compares got with testdata/compare/name, or rewrites it
// with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "compare", name), got)
}

// noGitHub keeps the test's outputs independent of a GitHub Actions
// runner executing it.
func noGitHub(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
}

// The fixtures are real runs of the embedded target (full and resumed
// TLS 1.3, --count 100, 6 runs per side): base and same are an A/A pair,
// slow ran against the embedded target slowed by 100%.
const (
	fxBase = "testdata/compare/base"
	fxSame = "testdata/compare/same"
	fxSlow = "testdata/compare/slow"
)

func TestCompareRegressionGolden(t *testing.T) {
	noGitHub(t)
	files := map[string]string{
		"text": "regression.txt", "markdown": "regression.md", "annotations": "regression.annotations",
		"junit": "regression.junit.xml", "bmf": "regression.bmf.json", "gab": "regression.gab.json",
	}
	for format, file := range files {
		out, errs, code := hsbench(t, context.Background(), "compare", fxBase, fxSlow, "--format", format)
		if code != exitFailed {
			t.Errorf("--format %s: exit %d, want 1 (regression)\n%s", format, code, errs)
		}
		if !strings.Contains(errs, "hsbench: compare: FAIL") {
			t.Errorf("--format %s: stderr %q does not name the verdict", format, errs)
		}
		compareGolden(t, file, []byte(out))
	}
	text, _ := os.ReadFile(filepath.Join("testdata", "compare", "regression.txt"))
	for _, want := range []string{"tcp-1.3-full-x25519-ecdsa-p256     total p50", "FAIL", "verdict: FAIL (exit 1)"} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("regression.txt lacks %q", want)
		}
	}
}

// --junit, --bmf and --gab write the same documents as --format.
func TestCompareReportFiles(t *testing.T) {
	noGitHub(t)
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	out, errs, code := hsbench(t, context.Background(), "compare", fxBase, fxSlow,
		"--junit", filepath.Join(dir, "j.xml"), "--bmf", filepath.Join(dir, "b.json"), "--gab", filepath.Join(dir, "g.json"))
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	if want, _ := os.ReadFile("testdata/compare/regression.txt"); out != string(want) {
		t.Errorf("stdout is not the text report:\n%s", out)
	}
	for file, golden := range map[string]string{"j.xml": "regression.junit.xml", "b.json": "regression.bmf.json", "g.json": "regression.gab.json"} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		compareGolden(t, golden, got)
	}
	md, _ := os.ReadFile("testdata/compare/regression.md")
	got, _ := os.ReadFile(summary)
	if string(got) != "earlier step\n"+string(md) {
		t.Errorf("step summary is not the earlier content plus the Markdown report:\n%s", got)
	}
}

// Under GitHub Actions the annotations follow the report on stdout.
func TestCompareAnnotationsUnderActions(t *testing.T) {
	noGitHub(t)
	t.Setenv("GITHUB_ACTIONS", "true")
	out, _, code := hsbench(t, context.Background(), "compare", fxBase, fxSlow)
	text, _ := os.ReadFile("testdata/compare/regression.txt")
	ann, _ := os.ReadFile("testdata/compare/regression.annotations")
	if code != exitFailed || out != string(text)+string(ann) {
		t.Fatalf("exit %d, stdout:\n%s", code, out)
	}
	if !strings.Contains(out, "::error title=hsbench regression") {
		t.Fatalf("no ::error annotation:\n%s", out)
	}
}

func TestComparePassAndInconclusive(t *testing.T) {
	noGitHub(t)
	// base and same are the two sides of one 'hsbench ab': paired, but 6
	// blocks are too few for a verdict: undecided, exit 3 unless allowed.
	out, errs, code := hsbench(t, context.Background(), "compare", fxBase, fxSame)
	if code != exitInconcl || !strings.Contains(out, "verdict: INCONCLUSIVE (exit 3)") || !strings.Contains(out, "too few blocks: have 6 pairs") {
		t.Fatalf("A/A: exit %d, stderr %q\n%s", code, errs, out)
	}
	compareGolden(t, "aa.txt", []byte(out))
	if out, errs, code = hsbench(t, context.Background(), "compare", "--allow-inconclusive", fxBase, fxSame); code != exitOK || !strings.Contains(out, "verdict: INCONCLUSIVE (exit 0)") {
		t.Errorf("A/A --allow-inconclusive: exit %d, stderr %q; want 0", code, errs)
	}
	if out, errs, code = hsbench(t, context.Background(), "compare", "--strict", fxBase, fxSame); code != exitInconcl || !strings.Contains(out+errs, "deprecated") {
		t.Errorf("A/A --strict: exit %d, stderr %q; want 3 and a deprecation note", code, errs)
	}
	// base and slow come from two invocations: unpaired. A tolerance above
	// the noise of these runs rules nothing out for the slowed run (its
	// p50 is ~1.9x), and lets nothing pass.
	out, _, code = hsbench(t, context.Background(), "compare", fxBase, fxSlow, "--metric", "total:p50", "--threshold", "p50=50%")
	if strings.Contains(out, "verdict: PASS") || code == exitOK {
		t.Errorf("slow at p50=50%% passes a series (exit %d):\n%s", code, out)
	}
	compareGolden(t, "pass.txt", []byte(out))
}

// A run directory compared with itself is paired block by block and
// PASSes, however noisy its runs.
func TestCompareSelfPasses(t *testing.T) {
	noGitHub(t)
	out, errs, code := hsbench(t, context.Background(), "compare", fxSlow, fxSlow)
	if code != exitOK || !strings.Contains(out, "verdict: PASS (exit 0): 4 PASS") {
		t.Fatalf("compare D D: exit %d, stderr %q\n%s", code, errs, out)
	}
}

// --max-error-rate: a side whose cell failed more attempts FAILs with
// the reason; budgets (--slo) are judged on NEW in every format.
func TestCompareErrorRateAndBudgets(t *testing.T) {
	noGitHub(t)
	out, _, code := hsbench(t, context.Background(), "compare", fxBase, fxSame, "--max-error-rate", "0", "--threshold", "p50=50%,p99=50%")
	_ = out
	if code == exitFailed {
		t.Fatalf("fixtures without failed attempts FAILed at --max-error-rate 0:\n%s", out)
	}
	out, errs, code := hsbench(t, context.Background(), "compare", fxBase, fxSlow, "--threshold", "default=1000%",
		"--slo", "total:p50<1h", "--slo", "total:p99<1us")
	if code != exitFailed || !strings.Contains(out, "total:p99<1µs FAIL") || !strings.Contains(out, "budgets: 2 FAIL, 2 PASS") {
		t.Fatalf("budgets: exit %d, stderr %q\n%s", code, errs, out)
	}
	for format, want := range map[string]string{
		"markdown": "| total:p99&lt;1µs |", "junit": `name="budget total:p99&lt;1µs"`, "annotations": "::error title=hsbench budget exceeded",
		"bmf": `"slo-total-p99"`, "gab": `budget total:p99\u003c1µs`,
	} {
		out, _, _ := hsbench(t, context.Background(), "compare", fxBase, fxSlow, "--threshold", "default=1000%",
			"--slo", "total:p50<1h", "--slo", "total:p99<1us", "--format", format)
		if !strings.Contains(out, want) {
			t.Errorf("--format %s lacks %q:\n%s", format, want, out)
		}
	}
}

func TestCompareInvalidInput(t *testing.T) {
	noGitHub(t)
	missing := filepath.Join(t.TempDir(), "nothing-here")
	rows := []struct {
		args []string
		want []string
	}{
		{[]string{fxBase, missing}, []string{"new run directory " + missing, "is not a run directory"}},
		{[]string{"testdata/compare/foreign", fxBase}, []string{"base run directory testdata/compare/foreign", `schema "hsbench/run/v0"`}},
		// Metrics no cell has leave nothing in common to compare.
		{[]string{fxBase, fxSlow, "--metric", "latency:p99"}, []string{"INVALID"}},
	}
	for _, r := range rows {
		out, errs, code := hsbench(t, context.Background(), append([]string{"compare"}, r.args...)...)
		if code != exitInvalid {
			t.Errorf("%v: exit %d, want 4\n%s%s", r.args, code, out, errs)
		}
		for _, w := range r.want {
			if !strings.Contains(out+errs, w) {
				t.Errorf("%v: output lacks %q:\n%s%s", r.args, w, out, errs)
			}
		}
	}
}

func TestCompareBadFlags(t *testing.T) {
	noGitHub(t)
	out := filepath.Join(t.TempDir(), "j.xml")
	rows := []struct {
		args []string
		want string
	}{
		{[]string{fxBase}, "two run directories"},
		{[]string{fxBase, fxSlow, fxSame}, "two run directories"},
		{[]string{fxBase, fxSlow, "--threshold", "p50=5"}, "--threshold"},
		{[]string{fxBase, fxSlow, "--metric", "total:50"}, "--metric"},
		{[]string{fxBase, fxSlow, "--metric", "handshake:p50"}, "--metric"},
		{[]string{fxBase, fxSlow, "--alpha", "1.5"}, "--alpha"},
		{[]string{fxBase, fxSlow, "--format", "xml"}, "--format"},
		{[]string{fxBase, fxSlow, "--min-runs", "-1"}, "--min-runs"},
		{[]string{fxBase, fxSlow, "--max-error-rate", "2"}, "--max-error-rate"},
		{[]string{fxBase, fxSlow, "--slo", "total:p99"}, "--slo"},
		{[]string{fxBase, fxSlow, "--slo", "nophase:p99<1ms"}, "--slo"},
		{[]string{fxBase, fxSlow, "--nonsense"}, "unknown flag"},
		{[]string{fxBase, fxSlow, "--junit", filepath.Join(out, "no", "such", "dir.xml")}, "--junit"},
	}
	for _, r := range rows {
		_, errs, code := hsbench(t, context.Background(), append([]string{"compare"}, r.args...)...)
		if code != exitUsage || !strings.Contains(errs, r.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", r.args, code, errs, r.want)
		}
	}
}
