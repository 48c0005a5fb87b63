package loadgen

import (
	"testing"
	"time"
)

func TestPace(t *testing.T) {
	ms := time.Millisecond
	rows := []struct {
		name    string
		sched   Schedule
		elapsed time.Duration
		hits    uint64
		wait    time.Duration
		stop    bool
	}{
		{"first hit is due at once", Schedule{Rate: 100}, 0, 0, 0, false},
		{"second hit waits one period", Schedule{Rate: 100}, 0, 1, 10 * ms, false},
		{"part of the period has passed", Schedule{Rate: 100}, 4 * ms, 1, 6 * ms, false},
		{"behind schedule: negative wait, send now", Schedule{Rate: 100}, 55 * ms, 2, -35 * ms, false},
		{"schedule is global, not from the last send", Schedule{Rate: 1000}, 500 * ms, 100, -400 * ms, false},
		{"fractional rates keep exact spacing", Schedule{Rate: 3}, 0, 1, 333333333, false},
		{"count reached", Schedule{Rate: 100, Count: 5}, 0, 5, 0, true},
		{"last hit of the count", Schedule{Rate: 100, Count: 5}, 0, 4, 40 * ms, false},
		{"next hit falls at the duration: stop", Schedule{Rate: 100, Duration: 50 * ms}, 45 * ms, 5, 0, true},
		{"next hit just inside the duration", Schedule{Rate: 100, Duration: 50 * ms}, 39 * ms, 4, 1 * ms, false},
		{"zero rate never sends", Schedule{}, 0, 0, 0, true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			wait, stop := r.sched.Pace(r.elapsed, r.hits)
			if stop != r.stop || (!stop && wait != r.wait) {
				t.Fatalf("Pace(%v, %d) = (%v, %v), want (%v, %v)", r.elapsed, r.hits, wait, stop, r.wait, r.stop)
			}
		})
	}
}

func TestHitsBefore(t *testing.T) {
	rows := []struct {
		rate float64
		d    time.Duration
		want uint64
	}{
		{100, 0, 0},
		{100, time.Millisecond, 1},      // hit 0 at 0 ms
		{100, 10 * time.Millisecond, 1}, // hit 1 is due exactly at 10 ms: not before
		{100, 11 * time.Millisecond, 2}, // hits 0 and 1
		{3, time.Second, 3},             // 0, 333, 667 ms
		{2.5, 2 * time.Second, 5},       // 0, 0.4, 0.8, 1.2, 1.6 s
	}
	for _, r := range rows {
		if got := (Schedule{Rate: r.rate}).HitsBefore(r.d); got != r.want {
			t.Errorf("rate %v, HitsBefore(%v) = %d, want %d", r.rate, r.d, got, r.want)
		}
	}
}

// Over a whole run the schedule sends exactly rate × duration hits.
func TestScheduleSendsRateTimesDuration(t *testing.T) {
	s := Schedule{Rate: 250, Duration: 2 * time.Second}
	var hits uint64
	for {
		if _, stop := s.Pace(0, hits); stop {
			break
		}
		hits++
	}
	if hits != 500 {
		t.Fatalf("sent %d hits, want 500", hits)
	}
}
