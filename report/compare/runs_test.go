package compare

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/results"
)

func TestParseMetrics(t *testing.T) {
	got, err := ParseMetrics(" total:p50, tls_handshake:p99.9,total:p50")
	if err != nil {
		t.Fatal(err)
	}
	want := []Metric{{"total", 50}, {"tls_handshake", 99.9}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (duplicates dropped)", got, want)
	}
	if d, err := ParseMetrics(""); err != nil || !slices.Equal(d, DefaultMetrics()) {
		t.Fatalf("empty: %v %v, want the defaults", d, err)
	}
	if s := want[1].String(); s != "tls_handshake:p99.9" {
		t.Errorf("String() = %q", s)
	}
	for _, bad := range []string{"total", "totl:p50", "total:50", "total:p0", "total:p101", "total:pxx", ","} {
		if _, err := ParseMetrics(bad); err == nil {
			t.Errorf("ParseMetrics(%q) accepted", bad)
		}
	}
}

// fakeRun builds a run whose cell c has one repeat per value of p50s
// (p99 = 2*p50).
func fakeRun(cells map[string][]float64) *results.Run {
	r := &results.Run{Schema: results.SchemaVersion, Complete: true}
	for _, id := range slices.Sorted(maps.Keys(cells)) {
		c := results.Cell{ID: id}
		for i, v := range cells[id] {
			m := results.Measure{Repeat: i, Attempts: 10, OK: 10, Phases: map[string]results.PhaseStats{}}
			if v > 0 {
				m.Phases["total"] = results.PhaseStats{Count: 10, P50: v, P99: 2 * v}
			}
			c.Runs = append(c.Runs, m)
		}
		r.Cells = append(r.Cells, c)
	}
	return r
}

func TestFromRuns(t *testing.T) {
	base := fakeRun(map[string][]float64{"a": {1, 2, 3}, "gone": {4}})
	new := fakeRun(map[string][]float64{"a": {5, 0, 6}, "added": {7}})
	new.Cells[0].Runs[1].Errors = map[string]int64{"refused": 10}
	new.Cells[0].Runs[2].Mismatches = map[string]int64{"resumed": 2}
	new.Config.Concurrency = 4
	series, warns, err := FromRuns(base, new, DefaultMetrics())
	if err != nil {
		t.Fatal(err)
	}
	got := map[Key]Series{}
	for _, s := range series {
		got[s.Key()] = s
	}
	if s := got[Key{"a", "total", 50}]; !slices.Equal(s.Base, []float64{1, 2, 3}) || !slices.Equal(s.New, []float64{5, 6}) {
		t.Errorf("a p50 = %+v; want every base run and the two new runs with samples", s)
	}
	if s := got[Key{"a", "total", 99}]; !slices.Equal(s.Base, []float64{2, 4, 6}) {
		t.Errorf("a p99 = %+v", s)
	}
	if s := got[Key{"gone", "total", 50}]; len(s.Base) != 1 || s.New != nil {
		t.Errorf("gone = %+v, want base only", s)
	}
	if s := got[Key{"added", "total", 50}]; s.Base != nil || len(s.New) != 1 {
		t.Errorf("added = %+v, want new only", s)
	}
	if len(series) != 6 {
		t.Errorf("%d series, want 3 cells x 2 metrics", len(series))
	}
	text := joinErrors(warns)
	for _, want := range []string{
		"new: cell a: no total samples in run 2; left out",
		"new: cell a: 10 of 30 attempts failed in 1 of 3 runs (refused=10)",
		"new: cell a: 2 samples did not get what the cell asked for (resumed=2)",
		"concurrency differs: base 0, new 4",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warnings lack %q:\n%s", want, text)
		}
	}
	r, err := Compare(series, testOptions(200))
	if err != nil {
		t.Fatal(err)
	}
	if r.Count(Unmatched) != 4 {
		t.Errorf("%d UNMATCHED, want 4 (gone and added, two metrics each)", r.Count(Unmatched))
	}
}

func TestRunValuesCaveats(t *testing.T) {
	r := fakeRun(map[string][]float64{"a": {1}})
	r.Complete, r.Interrupted = false, true
	_, warns, err := RunValues(r, []Metric{{"latency", 99}})
	if err != nil {
		t.Fatal(err)
	}
	text := joinErrors(warns)
	for _, want := range []string{"interrupted", "metric latency:p99: no cell has latency samples"} {
		if !strings.Contains(text, want) {
			t.Errorf("warnings lack %q:\n%s", want, text)
		}
	}
	// p95 is not stored: it comes from the histogram, which is damaged here.
	r.Cells[0].Runs[0].Phases["total"] = results.PhaseStats{Count: 1, P50: 1, Histogram: "not base64!"}
	if _, _, err := RunValues(r, []Metric{{"total", 95}}); err == nil || !strings.Contains(err.Error(), "cell a run 1") {
		t.Errorf("damaged histogram: err %v, want one naming the cell and run", err)
	}
}

func joinErrors(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}
