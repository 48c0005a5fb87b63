package loadgen

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// fakeHandshaker is a Handshaker on the fake clock of a synctest bubble:
// each attempt works pre (unmeasured, like priming) before its start, then
// total until its first response byte, then post (unmeasured, like a
// ticket wait) before returning. It returns mismatch as the sample's
// Mismatch, and reports Total as report when set.
type fakeHandshaker struct {
	pre, total, post time.Duration
	report           time.Duration
	mismatch         string
	// firstResp receives the instant of each attempt's first response byte.
	firstResp chan<- time.Time
}

func (f *fakeHandshaker) Prime(context.Context) error { return nil }
func (f *fakeHandshaker) Close() error                { return nil }

func (f *fakeHandshaker) Handshake(context.Context) sample.Sample {
	time.Sleep(f.pre)
	s := sample.Sample{Start: time.Now(), Labels: sample.Labels{Transport: "fake"}, Mismatch: f.mismatch}
	time.Sleep(f.total)
	now := time.Now()
	s.SetPhase(sample.TLSHandshake, now.Sub(s.Start))
	s.SetPhase(sample.Total, now.Sub(s.Start))
	if f.report > 0 {
		s.SetPhase(sample.Total, f.report)
	}
	if f.firstResp != nil {
		f.firstResp <- now
	}
	time.Sleep(f.post)
	return s
}

func fakeFactory(f fakeHandshaker) sample.Factory {
	return func() (sample.Handshaker, error) { c := f; return &c, nil }
}

// Per sample, an open-loop latency is exactly lateness + total and ends at
// the first response byte, not when Handshake returns: work before the
// start (priming) is lateness, work after the response is off the clock.
func TestLatencyEndsAtFirstResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resp := make(chan time.Time, 1)
		h := &fakeHandshaker{pre: 3 * time.Millisecond, total: 10 * time.Millisecond, post: 30 * time.Millisecond, firstResp: resp}
		r := &runner{cfg: Config{Timeout: time.Second}}
		for i := range 5 {
			intended := time.Now().Add(-time.Duration(i) * time.Millisecond)
			o, ok := r.run1(context.Background(), h, intended)
			if !ok {
				t.Fatalf("attempt %d not measured", i)
			}
			first := <-resp
			if o.latency != o.late+o.s.Phases[sample.Total] {
				t.Fatalf("attempt %d: latency %v != lateness %v + total %v", i, o.latency, o.late, o.s.Phases[sample.Total])
			}
			if want := first.Sub(intended); o.latency != want {
				t.Fatalf("attempt %d: latency %v, want intended start → first response byte %v", i, o.latency, want)
			}
			if want := time.Duration(i)*time.Millisecond + h.pre; o.late != want {
				t.Fatalf("attempt %d: lateness %v, want %v (priming delays the start)", i, o.late, want)
			}
			if o.offClock != h.pre+h.post {
				t.Fatalf("attempt %d: off the clock %v, want %v", i, o.offClock, h.pre+h.post)
			}
		}
	})
}

// An open loop whose worker is kept busy after each response falls behind
// its schedule: the lateness grows, latency is measured from the intended
// start (so it grows with it, always lateness + total), and the post-response
// work is counted and named as a reason for the lateness.
func TestOpenLoopRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const total, post = 15 * time.Millisecond, 15 * time.Millisecond
		res, err := Run(context.Background(), Config{
			Factory: fakeFactory(fakeHandshaker{total: total, post: post}), Concurrency: 1, Rate: 50,
			Duration: 3 * time.Second, Interval: 500 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Total.Attempts(); got != 150 {
			t.Fatalf("%d attempts, want 150 (rate × duration)", got)
		}
		lat, late, tot := res.Total.Hist[sample.Latency], res.Total.Hist[sample.Lateness], res.Total.Hist[sample.Total]
		if lat.TotalCount() != 150 || late.TotalCount() != 150 {
			t.Fatalf("%d latencies, %d latenesses, want 150", lat.TotalCount(), late.TotalCount())
		}
		// Hit i is due at 20i ms and starts at 30i ms: the last is ~1.5 s late.
		if l := time.Duration(late.Max()); l < 1400*time.Millisecond {
			t.Fatalf("max lateness %v: the worker's busy time did not delay the schedule", l)
		}
		for _, q := range []float64{0, 50, 99, 100} {
			want := time.Duration(late.ValueAtQuantile(q)) + total
			got := time.Duration(lat.ValueAtQuantile(q))
			if d := got - want; d < -want/500 || d > want/500 {
				t.Fatalf("latency p%v %v, want lateness + total %v", q, got, want)
			}
		}
		if time.Duration(tot.Max()) > total+total/500 {
			t.Fatalf("total %v includes the post-response work", time.Duration(tot.Max()))
		}
		// Hit i ends at 30i+15 ms: the first 100 end before the schedule's
		// 3 s are over, 3 or 4 in each 100 ms bucket.
		var done int64
		for k, n := range res.Completions {
			done += n
			if n < 3 || n > 4 {
				t.Fatalf("bucket %d holds %d completions, want 3 or 4: %v", k, n, res.Completions)
			}
		}
		if len(res.Completions) != 30 || done != 100 {
			t.Fatalf("completions by 100 ms %v (%d), want 30 buckets holding 100", res.Completions, done)
		}
		if res.OffClock != 150*post {
			t.Fatalf("off the clock %v, want %v", res.OffClock, 150*post)
		}
		if !hasWarning(res, "outside the measured handshakes") {
			t.Fatalf("no warning about the off-clock work: %q", res.Warnings)
		}
	})
}

// Samples that did not negotiate what was asked are counted apart, never
// as OK and never in the latency histograms.
func TestMismatchesExcluded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res, err := Run(context.Background(), Config{
			Factory:     fakeFactory(fakeHandshaker{total: 5 * time.Millisecond, mismatch: "asked resumed, got a full handshake"}),
			Concurrency: 2, Count: 40, Rate: 100,
		})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Total
		if s.OK != 0 || s.Mismatches["asked resumed, got a full handshake"] != 40 {
			t.Fatalf("OK %d, mismatches %v", s.OK, s.Mismatches)
		}
		for p, h := range s.Hist {
			if h != nil && h.TotalCount() > 0 {
				t.Fatalf("a mismatched sample entered the %s histogram", sample.Phase(p))
			}
		}
		if s.MismatchTotal == nil || s.MismatchTotal.TotalCount() != 40 {
			t.Fatal("mismatched samples' totals were not kept apart")
		}
		if !hasWarning(res, "did not negotiate what was asked") {
			t.Fatalf("no mismatch warning: %q", res.Warnings)
		}
	})
}

// A value above the histograms' range is recorded at the top and counted.
func TestClampedValuesCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res, err := Run(context.Background(), Config{
			Factory:     fakeFactory(fakeHandshaker{total: time.Millisecond, report: 2 * time.Hour}),
			Concurrency: 1, Count: 3,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total.Clamped != 3 || res.Total.Hist[sample.Total].Max() < HistHighest*999/1000 {
			t.Fatalf("clamped %d, max total %d", res.Total.Clamped, res.Total.Hist[sample.Total].Max())
		}
		if !hasWarning(res, "were recorded as") {
			t.Fatalf("no clamping warning: %q", res.Warnings)
		}
	})
}

func hasWarning(res *Result, part string) bool {
	for _, w := range res.Warnings {
		if strings.Contains(w, part) {
			return true
		}
	}
	return false
}

// failingHandshaker fails every attempt with the next of its errors.
type failingHandshaker struct {
	errs []error
	n    int
}

func (f *failingHandshaker) Prime(context.Context) error { return nil }
func (f *failingHandshaker) Close() error                { return nil }
func (f *failingHandshaker) Handshake(context.Context) sample.Sample {
	err := f.errs[f.n%len(f.errs)]
	f.n++
	time.Sleep(time.Millisecond)
	return sample.Sample{Start: time.Now(), Err: err, Class: sample.ClassOther}
}

// Errors classified "other" keep up to three distinct messages, across
// workers and intervals.
func TestOtherExamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := []error{errors.New("a"), errors.New("b"), errors.New("a"), errors.New("c"), errors.New("d")}
		res, err := Run(context.Background(), Config{
			Factory:     func() (sample.Handshaker, error) { return &failingHandshaker{errs: errs}, nil },
			Concurrency: 2, Count: 20, Interval: 3 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Total.OtherExamples
		if res.Total.Errors[sample.ClassOther] != 20 || len(got) != MaxOtherExamples {
			t.Fatalf("%d other errors, examples %q", res.Total.Errors[sample.ClassOther], got)
		}
		for i, m := range got {
			if slices.Contains(got[:i], m) {
				t.Fatalf("examples repeat %q: %q", m, got)
			}
		}
	})
}
