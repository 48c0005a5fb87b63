package loadgen

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// The waiter sleeps on the timer until coarseSlack before the due time and
// hands exactly the rest to the precise sleep; it returns at the due time,
// never before.
func TestWaiterSplitsCoarseAndPrecise(t *testing.T) {
	for _, d := range []time.Duration{300 * time.Microsecond, coarseSlack, 7*time.Millisecond + 123*time.Microsecond} {
		synctest.Test(t, func(t *testing.T) {
			var precise []time.Duration
			w := &waiter{timer: time.NewTimer(time.Hour), sleep: func(s time.Duration) {
				precise = append(precise, s)
				time.Sleep(s)
			}}
			defer w.stop()
			start := time.Now()
			if !w.wait(context.Background(), d) {
				t.Fatalf("wait(%v) = false without cancellation", d)
			}
			if got := time.Since(start); got != d {
				t.Errorf("wait(%v) returned after %v", d, got)
			}
			want := min(d, coarseSlack)
			if len(precise) != 1 || precise[0] != want {
				t.Errorf("wait(%v): precise sleeps %v, want [%v]", d, precise, want)
			}
		})
	}
}

// Cancellation ends the timer's part of the wait at once.
func TestWaiterCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &waiter{timer: time.NewTimer(time.Hour), sleep: time.Sleep}
		defer w.stop()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		if w.wait(ctx, time.Minute) {
			t.Fatal("wait = true after cancellation")
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("cancelled wait returned after %v, want 1s", got)
		}
	})
}

// The real precise sleep is never short (it resumes after signals).
func TestPreciseSleepNotShort(t *testing.T) {
	for i := 0; i < 20; i++ {
		d := time.Duration(50+i*37) * time.Microsecond
		start := time.Now()
		preciseSleep(d)
		if got := time.Since(start); got < d {
			t.Fatalf("preciseSleep(%v) returned after %v", d, got)
		}
	}
}
