package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/loadgen"
)

var testStart = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// writeShard writes shard index/of of a run with one cell: a repeat that
// began at offset with one interval per entry of perSecond (values in ms).
func writeShard(t *testing.T, key string, index, of int, offset time.Duration, perSecond ...[]time.Duration) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := CreateHlog(dir, testStart)
	if err != nil {
		t.Fatal(err)
	}
	total := snapshot(t, 0, 0)
	for i, vals := range perSecond {
		s := snapshot(t, time.Duration(i)*time.Second, time.Duration(i+1)*time.Second, vals...)
		// Shards measure from slightly different instants: a few ms of skew.
		if err := w.Interval("c", offset, s); err != nil {
			t.Fatal(err)
		}
		total.Merge(s)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := MeasureOf(&loadgen.Result{Total: total, Elapsed: time.Duration(len(perSecond)) * time.Second}, 0, offset, 0)
	if err != nil {
		t.Fatal(err)
	}
	tot, err := TotalOf([]Measure{m})
	if err != nil {
		t.Fatal(err)
	}
	r := &Run{Schema: SchemaVersion, ID: "shard", Started: testStart, Complete: true,
		Environment: Environment{Hostname: "h" + string(rune('0'+index)), ClientCPUSeconds: 1},
		Config: Config{Args: []string{"run", "--shard", "x", "--rate", "200"}, Rate: 50, Concurrency: 16, DurationMS: 2000, IntervalMS: 1000, Repeat: 1,
			Histogram: HistConf{Unit: "ns", Lowest: loadgen.HistLowest, Highest: loadgen.HistHighest, SigFigs: loadgen.HistSigFigs}},
		Cells: []Cell{{ID: "c", Ask: Ask{Transport: "tcp", Version: "1.3", Mode: "full"}, Runs: []Measure{m}, Total: tot}},
		Shard: &Shard{Index: index, Of: of, RunKey: key},
	}
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func msec(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestMergeShardsExact(t *testing.T) {
	a := writeShard(t, "k", 1, 2, msec(500), []time.Duration{msec(1), msec(2)}, []time.Duration{msec(3)})
	b := writeShard(t, "k", 2, 2, msec(503), []time.Duration{msec(4), msec(40)}, []time.Duration{msec(5), msec(6), msec(7)})
	m, err := MergeShards([]string{b, a}) // any order
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := m.Write(out); err != nil {
		t.Fatal(err)
	}
	r, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Shard != nil || !r.Complete || r.Config.Rate != 100 || r.Config.Concurrency != 32 {
		t.Fatalf("merged run: shard %v complete %v rate %v concurrency %d", r.Shard, r.Complete, r.Config.Rate, r.Config.Concurrency)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "merged from 2 shards") {
		t.Fatalf("warnings %q lack the merge note", r.Warnings)
	}
	if strings.Contains(strings.Join(r.Config.Args, " "), "--shard") {
		t.Fatalf("merged args keep --shard: %q", r.Config.Args)
	}
	if r.Environment.Hostname != "h1,h2" || r.Environment.ClientCPUSeconds != 2 {
		t.Fatalf("environment %+v", r.Environment)
	}
	c := r.Cells[0]
	if c.Total.OK != 8 || c.Runs[0].OK != 8 || c.Total.Phases["total"].Count != 8 || c.Runs[0].OffsetMS != 500 {
		t.Fatalf("merged cell: ok %d/%d, count %d, offset %v", c.Total.OK, c.Runs[0].OK, c.Total.Phases["total"].Count, c.Runs[0].OffsetMS)
	}
	// The merged histogram is the exact merge of the shards' histograms.
	want := loadgen.NewHistogram()
	for _, d := range []string{a, b} {
		sr, err := Load(d)
		if err != nil {
			t.Fatal(err)
		}
		h, err := sr.Cells[0].Total.Phases["total"].Hist()
		if err != nil {
			t.Fatal(err)
		}
		want.Merge(h)
	}
	got, err := c.Total.Phases["total"].Hist()
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equals(want) {
		t.Fatalf("merged histogram differs from the in-memory merge: p99 %d vs %d", got.ValueAtQuantile(99), want.ValueAtQuantile(99))
	}
	// The two shards' lines for the same second became one line each.
	ivs, err := LoadIntervals(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 2 {
		t.Fatalf("%d merged intervals, want 2", len(ivs))
	}
	base := time.Duration(testStart.Unix()) * time.Second
	for i, want := range []struct {
		start time.Duration
		count int64
	}{{msec(500), 4}, {msec(1500), 4}} {
		if got := ivs[i].Start - base; got != want.start || ivs[i].Hist.TotalCount() != want.count {
			t.Fatalf("interval %d at %v with %d values, want %v with %d", i, got, ivs[i].Hist.TotalCount(), want.start, want.count)
		}
	}
	if ivs[0].End-base != msec(1503) {
		t.Fatalf("first interval ends at %v, want the later shard's end 1.503s", ivs[0].End-base)
	}
}

func TestMergeShardsRefuses(t *testing.T) {
	one := []time.Duration{msec(1)}
	s1 := writeShard(t, "k", 1, 3, msec(500), one)
	s2 := writeShard(t, "k", 2, 3, msec(500), one)
	s3 := writeShard(t, "k", 3, 3, msec(500), one)
	foreign := writeShard(t, "other", 3, 3, msec(500), one)
	incomplete := writeShard(t, "k", 3, 3, msec(500), one)
	r, _ := Load(incomplete)
	r.Complete = false
	r.Save(incomplete)
	badHist := writeShard(t, "k", 3, 3, msec(500), one)
	r, _ = Load(badHist)
	h := hdr.New(1, int64(time.Minute), 2)
	h.RecordValue(1000)
	st, _ := StatsOf(h)
	r.Cells[0].Runs[0].Phases["total"] = st
	r.Save(badHist)
	badConf := writeShard(t, "k", 3, 3, msec(500), one)
	r, _ = Load(badConf)
	r.Config.Histogram.SigFigs = 2
	r.Save(badConf)
	unsharded := writeShard(t, "k", 3, 3, msec(500), one)
	r, _ = Load(unsharded)
	r.Shard = nil
	r.Save(unsharded)

	for _, c := range []struct {
		name string
		dirs []string
		want string
	}{
		{"missing", []string{s1, s3}, "shard 2 of 3 missing"},
		{"foreign", []string{s1, s2, foreign}, "belongs to another run"},
		{"duplicate", []string{s1, s2, s2}, "are both shard 2/3"},
		{"incomplete", []string{s1, s2, incomplete}, "did not finish"},
		{"histogram", []string{s1, s2, badHist}, "cannot merge exactly"},
		{"histogram config", []string{s1, s2, badConf}, "histogram configuration"},
		{"not a shard", []string{s1, s2, unsharded}, "is not a shard"},
		{"not a run", []string{s1, s2, t.TempDir()}, "not a run directory"},
	} {
		_, err := MergeShards(c.dirs)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrNotMergeable) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	if _, err := MergeShards([]string{s1, s2, s3}); err != nil {
		t.Fatalf("the complete set was refused: %v", err)
	}
}
