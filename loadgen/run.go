package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// Config says when and how many handshakes to run.
type Config struct {
	// Factory makes one Handshaker per worker.
	Factory sample.Factory
	// Concurrency is the number of workers. In a closed loop each worker
	// starts its next handshake when the previous one ends; in an open loop
	// it bounds the handshakes in flight.
	Concurrency int
	// Rate > 0 selects the open loop: handshakes start on a global schedule
	// of Rate per second from the start, and latency is measured from each
	// handshake's intended start.
	Rate float64
	// Duration and Count bound the measured part (at least one must be set).
	Duration time.Duration
	Count    uint64
	// Warmup runs handshakes that are not recorded before measuring.
	Warmup time.Duration
	// Timeout bounds each handshake attempt.
	Timeout time.Duration
	// Interval is the length of a reporting interval (default 1 s).
	Interval time.Duration
	// OnInterval, when set, receives each finished interval, in order, from
	// the collector goroutine. It must not keep the snapshot's histograms
	// beyond the call unless it copies them.
	OnInterval func(*Snapshot)
	// CPUClock reads the process CPU time; nil: CLOCK_PROCESS_CPUTIME_ID.
	CPUClock func() time.Duration
}

// Result is the outcome of a run.
type Result struct {
	Total *Snapshot
	// Elapsed is the measured time (after warmup).
	Elapsed     time.Duration
	Workers     int
	WarmupCount int64
	// Canceled counts attempts cut short when the run was stopped; they are
	// not errors of the target.
	Canceled    int64
	PrimeErrors Counts
	// Busy counts measured open-loop hits (warm-up left out) that found
	// every worker busy and so started late.
	Busy int64
	// Completions counts the measured attempts by when they ended, in
	// buckets of CompletionBucket from the start of measurement, up to
	// Duration (attempts that ended later are not in it).
	Completions []int64
	// WarmupErrors counts warm-up attempts that failed, by class (a
	// timeout that began in warm-up shows here if it also ended there).
	WarmupErrors Counts
	// Overlapping counts closed-loop attempts that started in warm-up and
	// ended in the measured part: they are measured (see run1).
	Overlapping int64
	// CPU splits the process CPU time by what was in flight.
	CPU CPUUse
	// OffClock is the time workers spent inside measured Handshake calls
	// but outside their samples (priming before the start, ticket waits and
	// closing after the first response byte). In an open loop it delays
	// later starts, which shows as lateness.
	OffClock time.Duration
	// Missed counts the open loop's measured hits still unsent when
	// Duration ended: the generator stops dispatching then, so Duration
	// bounds the run, and reports what it could not send.
	Missed int64
	// Stopped is set when ctx ended the run before its bounds.
	Stopped  bool
	Warnings []string
}

func (c *Config) check() error {
	switch {
	case c.Factory == nil:
		return errors.New("loadgen: no handshake factory")
	case c.Concurrency < 1:
		return fmt.Errorf("loadgen: concurrency %d: must be at least 1", c.Concurrency)
	case c.Duration <= 0 && c.Count == 0:
		return errors.New("loadgen: neither a duration nor a count bounds the run")
	case !(c.Rate >= 0) || math.IsInf(c.Rate, 1):
		return fmt.Errorf("loadgen: rate %v: must be a finite number, not negative", c.Rate)
	case c.Warmup < 0:
		return fmt.Errorf("loadgen: warmup %v: must not be negative", c.Warmup)
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	return nil
}

// job is one open-loop hit: its index and intended start.
type job struct {
	i        uint64
	intended time.Time
}

// CompletionBucket is the width of Result.Completions' buckets.
const CompletionBucket = 100 * time.Millisecond

type runner struct {
	cfg       Config
	start     time.Time // run start (warmup begins)
	measure   time.Time // measurement start (warmup ends)
	claimed   atomic.Uint64
	warmup    atomic.Int64
	overlap   atomic.Int64
	canceled  atomic.Int64
	offClock  atomic.Int64 // ns, see outcome.offClock
	cpu       *cpuShares
	mu        sync.Mutex
	recorders []*recorder
	primeErrs Counts
	warmErrs  Counts
	// completions counts measured attempts by end time (see Result).
	completions []atomic.Int64
}

// Run executes the load and returns what it measured. It stops by itself
// when its bounds are reached, or early when ctx is cancelled (Result.Stopped
// is then set and everything measured so far is kept).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, primeErrs: Counts{}, warmErrs: Counts{}, cpu: newCPUShares(cfg.CPUClock)}
	if cfg.Duration > 0 {
		r.completions = make([]atomic.Int64, (cfg.Duration+CompletionBucket-1)/CompletionBucket)
	}
	workCtx, cancelWork := context.WithCancel(ctx)
	defer cancelWork()

	r.start = time.Now()
	r.measure = r.start.Add(cfg.Warmup)
	var jobs chan job
	if cfg.Rate > 0 {
		jobs = make(chan job)
	}
	var wg sync.WaitGroup
	if err := r.startWorkers(workCtx, &wg, jobs); err != nil {
		cancelWork()
		if jobs != nil {
			close(jobs) // the started open-loop workers wait on it
		}
		wg.Wait()
		return nil, err
	}

	col := newCollector(r, cfg)
	colDone := make(chan struct{})
	go func() { defer close(colDone); col.loop(workCtx) }()

	var late dispatchStats
	if jobs != nil {
		late = r.dispatch(workCtx, jobs)
		close(jobs)
	}
	wg.Wait()
	cancelWork()
	<-colDone
	total := col.finish(time.Since(r.measure))

	res := &Result{
		Total:       total,
		Elapsed:     max(0, time.Since(r.measure)),
		Workers:     len(r.recorders),
		WarmupCount: r.warmup.Load(),
		Canceled:    r.canceled.Load(),
		PrimeErrors: r.primeErrs,
		Busy:        late.busyLate,
		Completions: make([]int64, len(r.completions)),
		OffClock:    time.Duration(r.offClock.Load()),
		Missed:      late.missed,
		Stopped:     ctx.Err() != nil,
		// Every worker has returned: nothing is in flight.
		WarmupErrors: r.warmErrs,
		Overlapping:  r.overlap.Load(),
		CPU:          r.cpu.finish(),
	}
	res.CPU.Wall = time.Since(r.start)
	for i := range r.completions {
		res.Completions[i] = r.completions[i].Load()
	}
	res.Warnings = warnings(cfg, res, late)
	return res, nil
}

// startWorkers creates and starts the workers. It stops creating them when
// ctx ends (a stop signal during the creation of many workers is honoured
// at once; the run then ends with the workers started so far).
func (r *runner) startWorkers(ctx context.Context, wg *sync.WaitGroup, jobs <-chan job) error {
	for w := 0; w < r.cfg.Concurrency && ctx.Err() == nil; w++ {
		h, err := r.cfg.Factory()
		if err != nil {
			return fmt.Errorf("loadgen: creating worker %d: %w", w+1, err)
		}
		rec := newRecorder()
		r.recorders = append(r.recorders, rec)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer h.Close()
			if jobs != nil {
				r.openWorker(ctx, h, rec, jobs)
			} else {
				r.closedWorker(ctx, h, rec)
			}
		}()
	}
	return nil
}

// done reports whether the measured part is over by time.
func (r *runner) pastEnd(now time.Time) bool {
	return r.cfg.Duration > 0 && now.Sub(r.measure) >= r.cfg.Duration
}

// outcome is one attempt as the load generator saw it.
type outcome struct {
	s sample.Sample
	// open: an open-loop hit, with its latency (intended start → first
	// response byte) and lateness (intended start → Sample.Start).
	open          bool
	latency, late time.Duration
	// offClock is the time the Handshake call spent outside the sample:
	// before Sample.Start (priming) and after the first response byte
	// (ticket waits, closing). It occupied the worker all the same.
	offClock time.Duration
}

// attempt runs one handshake and records it (or counts it as warmup).
// intended is the scheduled start in an open loop, zero in a closed loop.
//
// Its process CPU time is counted as measured or unmeasured (cpuShares).
func (r *runner) attempt(ctx context.Context, h sample.Handshaker, rec *recorder, intended time.Time) {
	cpu := r.cpu.begin()
	o, measured := r.run1(ctx, h, intended)
	if !measured {
		r.cpu.end(cpu, cpuUnmeasured)
		return
	}
	r.cpu.end(cpu, cpuMeasured)
	r.offClock.Add(int64(o.offClock))
	rec.add(&o.s, o.latency, o.late, o.open)
}

// run1 runs one handshake and times it. The attempt ends at its first
// response byte: latency is exactly lateness + total, whatever the
// Handshaker did before or after the measured part (offClock). It reports
// false for attempts that are not measured (warmup, cancelled).
//
// An open-loop hit belongs to the part its intended start falls in. A
// closed-loop attempt belongs to the part it ends in (its first response
// byte, or its return when it failed): one that starts in warm-up and ends
// after the measurement began (a stall, a timeout) is measured with its
// whole duration and counted in Result.Overlapping, so it cannot vanish
// from both parts. Warm-up failures are counted by class.
func (r *runner) run1(ctx context.Context, h sample.Handshaker, intended time.Time) (outcome, bool) {
	called := time.Now()
	actx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	s := h.Handshake(actx)
	cancel()
	returned := time.Now()
	start := s.Start
	if start.IsZero() { // failed before the attempt proper (priming)
		start = called
	}
	if s.Err != nil && ctx.Err() != nil {
		r.canceled.Add(1) // stopped by the run, not failed by the target
		return outcome{}, false
	}
	end := returned
	if s.Set.Has(sample.Total) {
		end = start.Add(s.Phases[sample.Total])
	}
	if r.inWarmup(called, end, intended) {
		r.warmup.Add(1)
		if s.Err != nil {
			r.mu.Lock()
			r.warmErrs[s.Class]++
			r.mu.Unlock()
		}
		return outcome{}, false
	}
	o := outcome{s: s}
	if s.Set.Has(sample.Total) {
		o.offClock = max(0, returned.Sub(called)-s.Phases[sample.Total])
	}
	if i := int(end.Sub(r.measure) / CompletionBucket); i < len(r.completions) {
		r.completions[i].Add(1)
	}
	if !intended.IsZero() {
		o.open = true
		o.late = start.Sub(intended)
		o.latency = o.late + s.Phases[sample.Total]
	}
	return o, true
}

func (r *runner) prime(ctx context.Context, h sample.Handshaker) bool {
	cpu := r.cpu.begin()
	defer r.cpu.end(cpu, cpuPriming)
	pctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	if err := h.Prime(pctx); err != nil {
		if ctx.Err() == nil {
			r.mu.Lock()
			r.primeErrs[sample.ClassOf(err)]++
			r.mu.Unlock()
		}
		return false
	}
	return true
}

// reprime fetches what the last attempt used up (a ticket), outside any
// attempt: off the measured clock, its CPU time counted as priming. In an
// open loop it runs before the worker takes its next hit.
func (r *runner) reprime(ctx context.Context, h sample.Handshaker) {
	if p, ok := h.(sample.PrimeNeeder); ok && ctx.Err() == nil && p.NeedsPrime() {
		r.prime(ctx, h)
	}
}

// A worker primes once. If priming fails, its resumed attempts come out as
// full handshakes, which are counted as mismatches (and store a ticket).
func (r *runner) closedWorker(ctx context.Context, h sample.Handshaker, rec *recorder) {
	if !r.prime(ctx, h) && ctx.Err() != nil {
		return
	}
	for ctx.Err() == nil {
		now := time.Now()
		if r.pastEnd(now) {
			return
		}
		if !now.Before(r.measure) && r.cfg.Count > 0 && r.claimed.Add(1) > r.cfg.Count {
			return
		}
		r.attempt(ctx, h, rec, time.Time{})
		r.reprime(ctx, h)
	}
}

func (r *runner) openWorker(ctx context.Context, h sample.Handshaker, rec *recorder, jobs <-chan job) {
	r.prime(ctx, h)
	for j := range jobs {
		if ctx.Err() != nil {
			return
		}
		r.attempt(ctx, h, rec, j.intended)
		r.reprime(ctx, h)
	}
}

type dispatchStats struct {
	// busyLate counts measured hits that found every worker busy and were
	// handed out more than lateThreshold after their intended start.
	busyLate int64
	missed   int64 // measured hits not sent by the end of Duration
}

// dispatch hands out hits on the global schedule until its bounds are met.
// With a Duration it stops at warmup + Duration even when it is behind
// (a slow target or a rate beyond the machine), and counts the measured
// hits it did not send as missed: Duration bounds the run.
func (r *runner) dispatch(ctx context.Context, jobs chan<- job) dispatchStats {
	var st dispatchStats
	warm := Schedule{Rate: r.cfg.Rate}.HitsBefore(r.cfg.Warmup)
	sched := Schedule{Rate: r.cfg.Rate, Duration: r.cfg.Warmup + r.cfg.Duration}
	var end <-chan time.Time // never fires without a Duration
	if r.cfg.Duration <= 0 {
		sched.Duration = 0
	} else {
		endTimer := time.NewTimer(time.Until(r.start.Add(sched.Duration)))
		defer endTimer.Stop()
		end = endTimer.C
	}
	if r.cfg.Count > 0 {
		sched.Count = satAdd(warm, r.cfg.Count)
	}
	missed := func(hits uint64) int64 {
		due := sched.HitsBefore(sched.Duration)
		if sched.Count > 0 {
			due = min(due, sched.Count)
		}
		if n := due - max(hits, warm); due > max(hits, warm) {
			return int64(min(n, math.MaxInt64))
		}
		return 0
	}
	w := newWaiter()
	defer w.stop()
	for hits := uint64(0); ; hits++ {
		wait, stop := sched.Pace(time.Since(r.start), hits)
		if stop {
			return st
		}
		if wait > 0 && !w.wait(ctx, wait) {
			return st
		}
		j := job{i: hits, intended: r.start.Add(sched.Due(hits))}
		select {
		case <-end:
			st.missed = missed(hits)
			return st
		default:
		}
		select {
		case jobs <- j:
			continue
		default:
		}
		select {
		case jobs <- j:
		case <-end:
			st.missed = missed(hits)
			return st
		case <-ctx.Done():
			return st
		}
		if !j.intended.Before(r.measure) && time.Since(j.intended) > lateThreshold {
			st.busyLate++
		}
	}
}

// satAdd adds without wrapping around.
func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

func warnings(cfg Config, res *Result, st dispatchStats) []string {
	var w []string
	if cfg.Rate > 0 {
		if lw := latenessWarning(res.Total.Hist[sample.Lateness], st.busyLate, cfg.Concurrency); lw != "" {
			w = append(w, lw)
			// Named when it took at least 1% of the workers' time.
			if res.OffClock > 0 && res.OffClock*100 >= res.Elapsed*time.Duration(res.Workers) {
				w = append(w, fmt.Sprintf("workers spent %v outside the measured handshakes (priming, ticket waits, closing), "+
					"which delays later starts: part of the lateness", res.OffClock.Round(time.Millisecond)))
			}
		}
		if res.Missed > 0 {
			w = append(w, fmt.Sprintf("%d scheduled handshakes were not sent by the end of --duration (missed): the generator or the target could not keep up with the rate", res.Missed))
		}
		if achieved := float64(res.Total.Attempts()) / max(res.Elapsed.Seconds(), 1e-9); res.Elapsed > 0 && achieved < 0.9*cfg.Rate && !res.Stopped {
			w = append(w, fmt.Sprintf("achieved %.0f handshakes/s of the %.0f asked", achieved, cfg.Rate))
		}
	}
	if res.Total.Clamped > 0 {
		w = append(w, fmt.Sprintf("%d values above %v were recorded as %v", res.Total.Clamped, time.Duration(HistHighest), time.Duration(HistHighest)))
	}
	if n := res.Total.Mismatches.Sum(); n > 0 {
		w = append(w, fmt.Sprintf("%d samples did not negotiate what was asked and are excluded from the latency figures", n))
	}
	if runtime.GOMAXPROCS(0) < 2 && cfg.Concurrency > 1 {
		w = append(w, "GOMAXPROCS is 1: client CPU may limit the results")
	}
	return w
}
