package capacity

import (
	"context"
	"math"
	"testing"
	"time"
)

// queue is a fake target: an M/M/1 server of capacity mu handshakes/s
// whose p99 latency at offered rate r is ln(100)/(mu−r) (infinite at and
// beyond mu). Its knee for an objective p99 < limit is mu − ln(100)/limit.
type queue struct{ mu float64 }

func (q queue) p99(rate float64) time.Duration {
	if rate >= q.mu {
		return time.Hour
	}
	return time.Duration(math.Log(100) / (q.mu - rate) * float64(time.Second))
}

func (q queue) knee(limit time.Duration) float64 { return q.mu - math.Log(100)/limit.Seconds() }

// fakeClock advances by each step's cost: no real time passes.
type fakeClock struct{ now time.Duration }

func (c *fakeClock) elapsed() time.Duration { return c.now }

const stepCost = 3 * time.Second

func searchConfig(clock *fakeClock) Config {
	return Config{StartRate: 50, Growth: 2, Precision: 0.05, KneeRepeats: 2, Budget: 10 * time.Minute,
		StepCost: func(float64) time.Duration { return stepCost }, Elapsed: clock.elapsed}
}

// measureQueue judges q against p99 < limit, advancing the clock.
func measureQueue(q queue, limit time.Duration, clock *fakeClock) Measurer {
	return func(_ context.Context, s Step) (Outcome, error) {
		clock.now += stepCost
		if q.p99(s.Rate) < limit {
			return Outcome{Held: true}, nil
		}
		return Outcome{Reason: Latency}, nil
	}
}

func TestSearchBracketsTheKnee(t *testing.T) {
	for _, mu := range []float64{37, 800, 1234, 9000} {
		q := queue{mu}
		limit := 10 * time.Millisecond
		if mu < 1000 {
			limit = 500 * time.Millisecond
		}
		clock := &fakeClock{}
		res, err := Run(context.Background(), searchConfig(clock), measureQueue(q, limit, clock))
		if err != nil {
			t.Fatal(err)
		}
		knee := q.knee(limit)
		b := res.Bracket
		t.Logf("mu %v: knee %.1f, bracket [%v, %v], %d steps, stop %s", mu, knee, b.Lo, b.Hi, len(res.Records), res.Stop)
		if res.Stop != Converged || !res.Found() {
			t.Fatalf("mu %v: stop %s, bracket %+v", mu, res.Stop, b)
		}
		if !(b.Lo <= knee && knee < b.Hi) {
			t.Errorf("mu %v: knee %.1f outside the bracket [%v, %v)", mu, knee, b.Lo, b.Hi)
		}
		if b.Hi-b.Lo > 0.05*b.Lo+1 {
			t.Errorf("mu %v: bracket [%v, %v] wider than 5%% (+1/s rounding)", mu, b.Lo, b.Hi)
		}
		if n := measuredAt(res.Records, b.Lo); n != 3 {
			t.Errorf("mu %v: answer %v measured %d times, want 3 (KneeRepeats 2)", mu, b.Lo, n)
		}
		for i, r := range res.Records {
			if r.Index != i {
				t.Errorf("record %d has index %d", i, r.Index)
			}
		}
	}
}

// A start above the knee ramps down until a rate holds.
func TestSearchRampsDown(t *testing.T) {
	q := queue{100}
	clock := &fakeClock{}
	cfg := searchConfig(clock)
	cfg.StartRate = 1000
	res, err := Run(context.Background(), cfg, measureQueue(q, time.Second, clock))
	if err != nil {
		t.Fatal(err)
	}
	knee := q.knee(time.Second)
	if !res.Found() || !(res.Bracket.Lo <= knee && knee < res.Bracket.Hi) {
		t.Fatalf("knee %.1f, bracket %+v, stop %s", knee, res.Bracket, res.Stop)
	}
	if res.Records[1].Kind != Ramp || res.Records[1].Rate != 500 {
		t.Errorf("second step %+v, want a ramp down to 500/s", res.Records[1].Step)
	}
}

// The budget is never exceeded: the search stops before a step that would
// not fit, with the bracket so far.
func TestSearchKeepsItsBudget(t *testing.T) {
	for _, budget := range []time.Duration{2 * time.Second, 3 * time.Second, 10 * time.Second, 20 * time.Second} {
		clock := &fakeClock{}
		cfg := searchConfig(clock)
		cfg.Budget = budget
		res, err := Run(context.Background(), cfg, measureQueue(queue{1000}, 10*time.Millisecond, clock))
		if err != nil {
			t.Fatal(err)
		}
		if clock.now > budget {
			t.Errorf("budget %v: the steps took %v", budget, clock.now)
		}
		if want := int(budget / stepCost); len(res.Records) != want || res.Stop != BudgetSpent {
			t.Errorf("budget %v: %d steps, stop %s; want %d steps, stop budget", budget, len(res.Records), res.Stop, want)
		}
	}
}

// A repeat of the answer that fails lowers the answer: the bracket moves
// down and the new answer is repeated in turn.
func TestSearchRepeatFailureLowersTheAnswer(t *testing.T) {
	clock := &fakeClock{}
	q := queue{1000}
	limit := 10 * time.Millisecond
	failedOnce := false
	var answer float64
	measure := func(ctx context.Context, s Step) (Outcome, error) {
		if s.Kind == Repeat && !failedOnce {
			failedOnce, answer = true, s.Rate
			clock.now += stepCost
			return Outcome{Reason: Latency}, nil // a noisy repeat
		}
		return measureQueue(q, limit, clock)(ctx, s)
	}
	res, err := Run(context.Background(), searchConfig(clock), measure)
	if err != nil {
		t.Fatal(err)
	}
	if !failedOnce || res.Stop != Converged {
		t.Fatalf("failed once %v, stop %s", failedOnce, res.Stop)
	}
	if res.Bracket.Hi != answer || res.Bracket.Lo >= answer {
		t.Errorf("bracket %+v after the repeat at %v failed: want Hi = %v", res.Bracket, answer, answer)
	}
	if n := measuredAt(res.Records, res.Bracket.Lo); n != 3 {
		t.Errorf("new answer %v measured %d times, want 3", res.Bracket.Lo, n)
	}
}

func TestSearchLimits(t *testing.T) {
	clock := &fakeClock{}
	cfg := searchConfig(clock)
	cfg.MaxRate = 300
	res, err := Run(context.Background(), cfg, measureQueue(queue{1e6}, time.Second, clock))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != MaxReached || res.Bracket.Lo != 300 || res.Found() {
		t.Errorf("holding target capped at 300/s: stop %s, bracket %+v", res.Stop, res.Bracket)
	}
	if last := res.Records[len(res.Records)-1]; last.Rate != 300 {
		t.Errorf("last ramp step %v/s, want the cap 300/s", last.Rate)
	}
	clock = &fakeClock{}
	cfg = searchConfig(clock)
	res, err = Run(context.Background(), cfg, measureQueue(queue{0.5}, time.Second, clock))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != MinReached || res.Bracket.Lo != 0 || res.Bracket.Hi != 1 {
		t.Errorf("failing target: stop %s, bracket %+v; want min-rate with Hi 1/s", res.Stop, res.Bracket)
	}
}

func TestSweep(t *testing.T) {
	clock := &fakeClock{}
	cfg := searchConfig(clock)
	cfg.Rates = []float64{100, 400, 200, 800}
	res, err := Run(context.Background(), cfg, measureQueue(queue{1000}, 10*time.Millisecond, clock))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != SweepDone || len(res.Records) != 4 {
		t.Fatalf("stop %s after %d steps", res.Stop, len(res.Records))
	}
	for i, r := range res.Records {
		if r.Kind != Sweep || r.Rate != cfg.Rates[i] {
			t.Errorf("step %d: %+v", i, r.Step)
		}
	}
	if res.Bracket != (Bracket{Lo: 400, Hi: 800}) {
		t.Errorf("bracket %+v, want [400, 800]", res.Bracket)
	}
}

func TestSearchInterrupted(t *testing.T) {
	clock := &fakeClock{}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	res, err := Run(ctx, searchConfig(clock), func(ctx context.Context, s Step) (Outcome, error) {
		if n++; n == 3 {
			cancel()
			return Outcome{Cut: true, Reason: Cut}, nil
		}
		return measureQueue(queue{1000}, 10*time.Millisecond, clock)(ctx, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != Interrupted || len(res.Records) != 3 || res.Bracket.Lo != 100 {
		t.Errorf("stop %s, %d records, bracket %+v; want interrupted after 3 with Lo 100 (the cut step counts for nothing)", res.Stop, len(res.Records), res.Bracket)
	}
}
