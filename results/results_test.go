package results

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

func snapshot(t *testing.T, start, end time.Duration, values ...time.Duration) *loadgen.Snapshot {
	t.Helper()
	s := &loadgen.Snapshot{Start: start, End: end, Errors: loadgen.Counts{}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
	s.Hist[sample.Total] = loadgen.NewHistogram()
	for _, v := range values {
		if err := s.Hist[sample.Total].RecordValue(int64(v)); err != nil {
			t.Fatal(err)
		}
	}
	s.OK = int64(len(values))
	return s
}

// The interval log is written in HdrHistogram's format and reads back with
// the same tags, times and counts.
func TestHlogRoundTrip(t *testing.T) {
	dir := t.TempDir()
	started := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	w, err := CreateHlog(dir, started)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, HlogFile)); err == nil {
		t.Fatal("the final name exists before Close")
	}
	ms := time.Millisecond
	if err := w.Interval("tcp-1.3-full-x25519", 0, snapshot(t, 0, time.Second, ms, 2*ms, 3*ms)); err != nil {
		t.Fatal(err)
	}
	if err := w.Interval("tcp-1.3-full-x25519", 0, snapshot(t, time.Second, 2*time.Second, 5*ms)); err != nil {
		t.Fatal(err)
	}
	if err := w.Interval("tcp-1.2-full-x25519", 3*time.Second, snapshot(t, 0, time.Second, 7*ms)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ivs, err := LoadIntervals(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 3 {
		t.Fatalf("%d intervals, want 3", len(ivs))
	}
	want := []struct {
		cell  string
		start time.Duration
		count int64
		max   time.Duration
	}{
		{"tcp-1.3-full-x25519", 0, 3, 3 * ms},
		{"tcp-1.3-full-x25519", time.Second, 1, 5 * ms},
		{"tcp-1.2-full-x25519", 3 * time.Second, 1, 7 * ms},
	}
	for i, w := range want {
		iv := ivs[i]
		rel := iv.Start - ivs[0].Start // the reader may add the log's base time
		if iv.Cell != w.cell || iv.Phase != "total" || rel != w.start || iv.Hist.TotalCount() != w.count {
			t.Fatalf("interval %d: %s/%s at %v with %d values", i, iv.Cell, iv.Phase, rel, iv.Hist.TotalCount())
		}
		if d := time.Duration(iv.Hist.Max()) - w.max; d < 0 || d > w.max/500 {
			t.Fatalf("interval %d max %v, want %v", i, time.Duration(iv.Hist.Max()), w.max)
		}
	}
}

func TestRunSaveLoadAndTotals(t *testing.T) {
	ms := time.Millisecond
	var runs []Measure
	for i, vals := range [][]time.Duration{{ms, 2 * ms}, {3 * ms, 4 * ms, 5 * ms}} {
		res := &loadgen.Result{Total: snapshot(t, 0, time.Second, vals...), Elapsed: time.Second}
		m, err := MeasureOf(res, i, time.Duration(i)*time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, m)
	}
	tot, err := TotalOf(runs)
	if err != nil {
		t.Fatal(err)
	}
	if tot.OK != 5 || tot.Phases["total"].Count != 5 || tot.RatePerSec != 2.5 {
		t.Fatalf("total: ok %d, count %d, rate %v", tot.OK, tot.Phases["total"].Count, tot.RatePerSec)
	}
	if p := tot.Phases["total"].P50; p < 2.99 || p > 3.01 {
		t.Fatalf("merged p50 %v ms, want 3", p)
	}
	dir := t.TempDir()
	r := &Run{Schema: SchemaVersion, ID: "x", Cells: []Cell{{ID: "c", Runs: runs, Total: tot}}}
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := got.Cells[0].Total.Phases["total"].Hist()
	if err != nil || h.TotalCount() != 5 {
		t.Fatalf("histogram did not survive the round trip: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("an empty directory loaded as a run")
	}
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"schema":"other/v9"}`), 0o644)
	if _, err := Load(dir); err == nil {
		t.Fatal("a foreign schema was accepted")
	}
}

// A cell's total keeps what its repeats recorded apart from the latency
// figures: mismatched samples' times and failed priming handshakes.
func TestTotalOfKeepsMismatchesAndPrimeErrors(t *testing.T) {
	ms := time.Millisecond
	var runs []Measure
	for i := 0; i < 2; i++ {
		s := snapshot(t, 0, time.Second, ms, 2*ms)
		s.MismatchTotal = loadgen.NewHistogram()
		s.MismatchTotal.RecordValue(int64(5 * ms))
		s.Mismatches["asked resumed, got a full handshake"] = 1
		res := &loadgen.Result{Total: s, Elapsed: time.Second, PrimeErrors: loadgen.Counts{"refused": 1}}
		m, err := MeasureOf(res, i, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, m)
	}
	tot, err := TotalOf(runs)
	if err != nil {
		t.Fatal(err)
	}
	if tot.MismatchTotal == nil || tot.MismatchTotal.Count != 2 || tot.Mismatches["asked resumed, got a full handshake"] != 2 {
		t.Fatalf("mismatches lost: %+v %v", tot.MismatchTotal, tot.Mismatches)
	}
	if tot.PrimeErrors["refused"] != 2 {
		t.Fatalf("prime errors %v", tot.PrimeErrors)
	}
	if tot.Phases["total"].Count != 4 || tot.RatePerSec != 2 {
		t.Fatalf("count %d rate %v", tot.Phases["total"].Count, tot.RatePerSec)
	}
}

func TestSaveIsWorldReadable(t *testing.T) {
	dir := t.TempDir()
	r := &Run{Schema: SchemaVersion, ID: "perm"}
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("run.json mode %v, want 0644 like the run's other files", st.Mode().Perm())
	}
}

func TestVersionLineNamesEachPartOnce(t *testing.T) {
	for _, c := range []struct {
		module, rev string
		dirty       bool
		want        string
	}{
		{"v0.0.0-20261130063000-8d69302abcde+dirty", "8d69302abcde", true, "v0.0.0-20261130063000-8d69302abcde+dirty"},
		{"v0.0.0-20261130063000-8d69302abcde", "8d69302abcde", false, "v0.0.0-20261130063000-8d69302abcde"},
		{"(devel)", "8d69302abcde", true, "devel+8d69302abcde-dirty"},
		{"v1.2.0", "", false, "v1.2.0"},
	} {
		if got := versionLine(c.module, c.rev, c.dirty); got != c.want {
			t.Errorf("versionLine(%q, %q, %v) = %q, want %q", c.module, c.rev, c.dirty, got, c.want)
		}
	}
}
