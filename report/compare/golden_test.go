package compare

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/hsbench/hsbench/internal/golden"
	"github.com/hsbench/hsbench/report/slo"
)

// pattern is ten per-run values with about ±2% spread around 1.
var pattern = []float64{0.98, 1.01, 0.99, 1.02, 1.00, 0.985, 1.015, 0.995, 1.005, 1.0}

func around(center float64) []float64 { return scaled(pattern, center) }

// wide is ten per-run values with about ±10% spread around center.
func wide(center float64) []float64 {
	return scaled([]float64{0.9, 0.92, 0.94, 0.96, 0.98, 1.02, 1.04, 1.06, 1.08, 1.1}, center)
}

// goldenSeries covers every verdict with fixed data.
func goldenSeries() []Series {
	return []Series{
		{Cell: "tls1.3/full/x25519", Phase: "total", Pct: 50, Base: around(10), New: around(12)},                            // FAIL
		{Cell: "tls1.3/full/x25519", Phase: "total", Pct: 99, Base: around(20), New: scaled(around(20), 1.01)},              // PASS
		{Cell: "tls1.3/resume/x25519", Phase: "total", Pct: 50, Base: around(5), New: around(4)},                            // IMPROVED
		{Cell: "tls1.2/full/p256", Phase: "tls_handshake", Pct: 50, Base: wide(8), New: scaled(wide(8), 1.04)},              // INCONCLUSIVE
		{Cell: "quic/full/x25519", Phase: "total", Pct: 99.9, Base: []float64{30, 31, 29}, New: []float64{33, 32, 34}},      // TOO_FEW_RUNS
		{Cell: "tls1.3/full/mlkem768", Phase: "total", Pct: 50, New: around(11)},                                            // UNMATCHED
		{Cell: "odd|cell,with:50%", Phase: "total", Pct: 50, Base: around(1), New: around(1)},                               // PASS, escaping
		{Cell: "tls1.3/paired/x25519", Phase: "total", Pct: 50, Base: around(10), New: scaled(wide(10), 1.2), Paired: true}, // FAIL, paired
	}
}

func goldenResult(t *testing.T) *Result {
	t.Helper()
	opts := DefaultOptions()
	opts.BaseName, opts.NewName = "runs/base", "runs/new"
	th, err := ParseThresholds("p99=10%,default=3%")
	if err != nil {
		t.Fatal(err)
	}
	opts.Thresholds = th
	opts.Iterations = 2000
	r, err := Compare(goldenSeries(), opts)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := slo.ParseAll([]string{"total:p50<600us", "total:p50<400us", "total:p99.9<2ms"})
	if err != nil {
		t.Fatal(err)
	}
	bs, _, err := JudgeBudgets(histRun(t, 1000), objs, opts.Alpha) // PASS, FAIL, TOO_FEW
	if err != nil {
		t.Fatal(err)
	}
	r.AddBudgets(bs)
	return r
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func TestGolden(t *testing.T) {
	r := goldenResult(t)
	// Sorted order: odd|cell, quic, tls1.2, tls1.3/full/mlkem768, tls1.3/full/x25519 p50, p99, tls1.3/paired, tls1.3/resume.
	wantVerdicts := []Verdict{Pass, TooFewRuns, Inconclusive, Unmatched, Fail, Pass, Fail, Improved}
	for i, c := range r.Comparisons {
		if c.Verdict != wantVerdicts[i] {
			t.Errorf("golden data row %d (%s): verdict %s, want %s", i, c.Key, c.Verdict, wantVerdicts[i])
		}
	}
	files := map[string]string{
		"text":        "result.txt",
		"markdown":    "result.md",
		"annotations": "result.annotations",
		"junit":       "result.junit.xml",
		"bmf":         "result.bmf.json",
		"gab":         "result.gab.json",
	}
	for format, file := range files {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.WriteFormat(&buf, format); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, file, buf.Bytes())
		})
	}
	if len(files) != len(Formats()) {
		t.Errorf("golden files cover %d formats, Formats() lists %d", len(files), len(Formats()))
	}
}
