package loadgen

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// Extreme rates must neither overflow the schedule (a hit "due" in the
// past, for ever) nor make HitsBefore loop without end.
func TestScheduleExtremeRates(t *testing.T) {
	for _, c := range []struct {
		name       string
		rate       float64
		before     time.Duration
		wantBefore uint64
		dueOf1     time.Duration
	}{
		{"1e-11/s: hit 1 beyond int64 ns", 1e-11, 100 * time.Millisecond, 1, Never},
		{"1e-9/s: hit 1 at 1e18 ns", 1e-9, time.Second, 1, time.Duration(1e18)},
		{"1e300/s: every hit due at 0", 1e300, time.Second, math.MaxUint64, 0},
		{"+Inf", math.Inf(1), time.Second, math.MaxUint64, 0},
		{"NaN", math.NaN(), time.Second, math.MaxUint64, Never},
		{"1000/s", 1000, time.Second, 1000, time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Schedule{Rate: c.rate}
			done := make(chan uint64, 1)
			go func() { done <- s.HitsBefore(c.before) }()
			select {
			case n := <-done:
				if n != c.wantBefore {
					t.Errorf("HitsBefore(%v) = %d, want %d", c.before, n, c.wantBefore)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("HitsBefore(%v) did not return", c.before)
			}
			if d := s.Due(1); d != c.dueOf1 {
				t.Errorf("Due(1) = %v, want %v", d, c.dueOf1)
			}
			if d := s.Due(math.MaxUint64); d < 0 {
				t.Errorf("Due(MaxUint64) = %v: overflowed into the past", d)
			}
		})
	}
}

// slowFactory makes handshakers that take d each (on the synctest clock).
func slowFactory(d time.Duration) sample.Factory {
	return fakeFactory(fakeHandshaker{total: d})
}

// An open loop whose target cannot keep up stops dispatching at the end of
// --duration and counts the hits it could not send as missed, instead of
// sending rate × duration hits however long that takes.
func TestOpenLoopStopsAtDuration(t *testing.T) {
	for _, c := range []struct {
		name    string
		cfg     Config
		maxTime time.Duration
	}{
		// 2 workers × 10 hits/s of capacity against 1000/s asked.
		{"slow target", Config{Factory: slowFactory(100 * time.Millisecond), Concurrency: 2, Rate: 1000, Duration: time.Second}, 1200 * time.Millisecond},
		{"slow target, warm-up", Config{Factory: slowFactory(100 * time.Millisecond), Concurrency: 2, Rate: 40, Duration: time.Second, Warmup: 300 * time.Millisecond}, 1500 * time.Millisecond},
		// 1e300/s: every hit due at once; the bound is the duration.
		{"rate 1e300", Config{Factory: slowFactory(time.Millisecond), Concurrency: 4, Rate: 1e300, Duration: 500 * time.Millisecond}, 700 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				res, err := Run(context.Background(), c.cfg)
				if err != nil {
					t.Fatal(err)
				}
				if took := time.Since(t0); took > c.maxTime {
					t.Fatalf("run took %v, --duration is %v", took, c.cfg.Duration)
				}
				sent := res.Total.Attempts()
				want := Schedule{Rate: c.cfg.Rate}.HitsBefore(c.cfg.Warmup+c.cfg.Duration) -
					Schedule{Rate: c.cfg.Rate}.HitsBefore(c.cfg.Warmup)
				if c.cfg.Rate < 1e6 && uint64(sent+res.Missed) != want {
					t.Fatalf("%d sent + %d missed, want %d scheduled", sent, res.Missed, want)
				}
				if res.Missed == 0 || sent == 0 {
					t.Fatalf("sent %d, missed %d: want both", sent, res.Missed)
				}
				found := false
				for _, w := range res.Warnings {
					found = found || contains(w, "missed")
				}
				if !found {
					t.Fatalf("no warning about missed hits: %q", res.Warnings)
				}
			})
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// A factory failing for a worker after the first must end the run with
// that error, in either loop (the open loop used to hang: its started
// workers waited on a channel never closed).
func TestFactoryFailureAfterFirstWorker(t *testing.T) {
	for _, rate := range []float64{0, 100} {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int64
			boom := errors.New("no more sockets")
			f := func() (sample.Handshaker, error) {
				if n.Add(1) > 2 {
					return nil, boom
				}
				return &fakeHandshaker{total: time.Millisecond}, nil
			}
			done := make(chan error, 1)
			go func() {
				_, err := Run(context.Background(), Config{Factory: f, Concurrency: 5, Rate: rate, Duration: time.Second})
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, boom) {
					t.Fatalf("rate %v: error %v, want the factory's", rate, err)
				}
			case <-time.After(time.Minute):
				t.Fatalf("rate %v: Run did not return after the factory failed", rate)
			}
		})
	}
}

// A stop during the creation of many workers is honoured at once: the run
// ends with the workers created so far, marked stopped.
func TestStopDuringWorkerCreation(t *testing.T) {
	for _, rate := range []float64{0, 100} {
		ctx, cancel := context.WithCancel(context.Background())
		var n atomic.Int64
		f := func() (sample.Handshaker, error) {
			if n.Add(1) == 1000 {
				cancel()
			}
			return &fakeHandshaker{total: time.Millisecond}, nil
		}
		res, err := Run(ctx, Config{Factory: f, Concurrency: 1_000_000, Rate: rate, Duration: time.Minute})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !res.Stopped || res.Workers != 1000 || n.Load() != 1000 {
			t.Fatalf("rate %v: stopped %v with %d workers (%d created), want stopped at 1000", rate, res.Stopped, res.Workers, n.Load())
		}
	}
}
