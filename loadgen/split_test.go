package loadgen

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// fakeCPU is a process CPU clock that the fakes below advance by hand.
type fakeCPU struct{ ns atomic.Int64 }

func (c *fakeCPU) spend(d time.Duration) { c.ns.Add(int64(d)) }
func (c *fakeCPU) clock() time.Duration  { return time.Duration(c.ns.Load()) }
func (c *fakeCPU) factory(h *splitHandshaker) sample.Factory {
	return func() (sample.Handshaker, error) { h.cpu = c; return h, nil }
}

// splitHandshaker spends cpu CPU time and takes dur (fake time) per attempt;
// every primeEvery-th attempt uses up its ticket (NeedsPrime), and Prime
// spends primeCPU. fail, when set, may turn attempt i (0-based, by start)
// into a failure of some class after some time.
type splitHandshaker struct {
	cpu        *fakeCPU
	dur        time.Duration
	cpuPer     time.Duration
	primeCPU   time.Duration
	primeEvery int
	n          atomic.Int64
	primes     atomic.Int64
	needPrime  atomic.Bool
	fail       func(i int64) (class string, after time.Duration)
}

func (h *splitHandshaker) Prime(ctx context.Context) error {
	h.primes.Add(1)
	h.cpu.spend(h.primeCPU)
	h.needPrime.Store(false)
	return nil
}

func (h *splitHandshaker) NeedsPrime() bool { return h.needPrime.Load() }

func (h *splitHandshaker) Handshake(ctx context.Context) sample.Sample {
	i := h.n.Add(1) - 1
	h.cpu.spend(h.cpuPer)
	if h.primeEvery > 0 && (i+1)%int64(h.primeEvery) == 0 {
		h.needPrime.Store(true)
	}
	if h.fail != nil {
		if class, after := h.fail(i); class != "" {
			select {
			case <-time.After(after):
			case <-ctx.Done():
			}
			return sample.Sample{Err: errors.New("fake: " + class), Class: class}
		}
	}
	time.Sleep(h.dur)
	var s sample.Sample
	s.Labels.Transport = "tcp"
	s.SetPhase(sample.Total, h.dur)
	return s
}

func (h *splitHandshaker) Close() error { return nil }

// CPU per measured handshake is the CPU spent inside measured attempts:
// neither priming (counted apart) nor the idle background between open-loop
// hits is charged to them, so closed and open loop agree.
func TestCPUSplitMeasuredPrimingIdle(t *testing.T) {
	for _, rate := range []float64{0, 100} {
		synctest.Test(t, func(t *testing.T) {
			cpu := &fakeCPU{}
			h := &splitHandshaker{dur: 2 * time.Millisecond, cpuPer: time.Millisecond, primeCPU: 5 * time.Millisecond, primeEvery: 2}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			defer func() { cancel(); <-done }()
			if rate == 0 {
				close(done)
			} else {
				// Idle background work, 20 ms of CPU per second, between
				// the hits (which are due at multiples of 10 ms).
				go func() {
					defer close(done)
					time.Sleep(5 * time.Millisecond)
					for ctx.Err() == nil {
						cpu.spend(2 * time.Millisecond)
						time.Sleep(100 * time.Millisecond)
					}
				}()
			}
			res, err := Run(context.Background(), Config{Factory: cpu.factory(h), Concurrency: 1, Rate: rate,
				Duration: time.Second, Warmup: 100 * time.Millisecond, CPUClock: cpu.clock})
			if err != nil {
				t.Fatal(err)
			}
			n := res.Total.Attempts()
			if n == 0 {
				t.Fatal("no attempts")
			}
			u := res.CPU
			if per := u.Measured / time.Duration(n); per != time.Millisecond {
				t.Errorf("rate %v: CPU per measured handshake %v, want 1ms (measured %v over %d)", rate, per, u.Measured, n)
			}
			if want := time.Duration(h.primes.Load()) * h.primeCPU; u.Priming != want {
				t.Errorf("rate %v: priming CPU %v, want %v (%d primes)", rate, u.Priming, want, h.primes.Load())
			}
			if u.Measured+u.Priming+u.Unmeasured+u.Idle != u.Total || u.Total != cpu.clock() {
				t.Errorf("rate %v: split %+v does not add up to the clock's %v", rate, u, cpu.clock())
			}
			if rate > 0 && u.Idle < 18*time.Millisecond {
				t.Errorf("open loop: idle CPU %v, want the background's ≥ 18ms", u.Idle)
			}
			if h.primes.Load() < int64(n)/2 {
				t.Errorf("rate %v: %d primes for %d attempts: re-priming between attempts did not happen", rate, h.primes.Load(), n)
			}
		})
	}
}

// A closed-loop attempt that starts in warm-up and stalls past the start
// of measurement is measured (with its failure), not dropped; a warm-up
// failure is counted by class.
func TestWarmupOverlapAndErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cpu := &fakeCPU{}
		h := &splitHandshaker{dur: 30 * time.Millisecond, fail: func(i int64) (string, time.Duration) {
			switch i {
			case 1: // 30 ms: fails at once, in warm-up
				return "refused", 0
			case 3: // starts at 90 ms, times out at 2.09 s
				return sample.ClassTimeout, 2 * time.Second
			}
			return "", 0
		}}
		res, err := Run(context.Background(), Config{Factory: cpu.factory(h), Concurrency: 1,
			Duration: time.Second, Warmup: 100 * time.Millisecond, CPUClock: cpu.clock})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total.Errors[sample.ClassTimeout] != 1 || res.Overlapping != 1 {
			t.Errorf("errors %v, overlapping %d: the stall that began in warm-up is missing", res.Total.Errors, res.Overlapping)
		}
		if res.WarmupErrors["refused"] != 1 || res.WarmupCount != 3 {
			t.Errorf("warm-up: %d attempts, errors %v; want 3 and refused=1", res.WarmupCount, res.WarmupErrors)
		}
	})
}

// A stall during warm-up that makes warm-up hits wait for the only worker
// raises no "workers busy" warning; measured hits that wait do, and are
// counted.
func TestBusyWarningCountsMeasuredHitsOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cpu := &fakeCPU{}
		h := &splitHandshaker{dur: time.Millisecond, fail: func(i int64) (string, time.Duration) {
			if i == 0 {
				return sample.ClassTimeout, 300 * time.Millisecond // warm-up stall
			}
			return "", 0
		}}
		res, err := Run(context.Background(), Config{Factory: cpu.factory(h), Concurrency: 1, Rate: 100,
			Duration: time.Second, Warmup: 500 * time.Millisecond, CPUClock: cpu.clock})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range res.Warnings {
			if strings.Contains(w, "busy") || strings.Contains(w, "late") {
				t.Errorf("warning for a warm-up stall: %q", w)
			}
		}
	})
	synctest.Test(t, func(t *testing.T) {
		cpu := &fakeCPU{}
		h := &splitHandshaker{dur: 25 * time.Millisecond} // 100/s needs 2.5 workers
		res, err := Run(context.Background(), Config{Factory: cpu.factory(h), Concurrency: 1, Rate: 100,
			Duration: time.Second, Warmup: 100 * time.Millisecond, CPUClock: cpu.clock})
		if err != nil {
			t.Fatal(err)
		}
		late := lateCount(res.Total.Hist[sample.Lateness], lateThreshold)
		want := "found all 1 workers busy: raise --concurrency"
		found := false
		for _, w := range res.Warnings {
			found = found || strings.Contains(w, want)
		}
		if !found || late < 50 {
			t.Errorf("%d late hits, warnings %q: want one saying %q", late, res.Warnings, want)
		}
		if res.Busy != int64(late) {
			t.Errorf("Result.Busy %d, want the %d late hits that found the worker busy", res.Busy, late)
		}
	})
}

// Late hits that found a free worker are not blamed on the worker count.
func TestLatenessWarningWithoutBusyWorkers(t *testing.T) {
	h := NewHistogram()
	for i := range 100 {
		_ = h.RecordValue(int64(time.Duration(i%10) * time.Millisecond))
	}
	w := latenessWarning(h, 0, 4)
	if !strings.Contains(w, "80 of 100 measured hits started more than 1ms late") || strings.Contains(w, "--concurrency") {
		t.Errorf("warning %q", w)
	}
	if w := latenessWarning(NewHistogram(), 0, 4); w != "" {
		t.Errorf("warning %q for no hits", w)
	}
}
