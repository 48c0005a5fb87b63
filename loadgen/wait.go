package loadgen

import (
	"context"
	"time"
)

// waiter puts the open-loop dispatcher to sleep until the next hit is due.
//
// Go's timers sleep in the network poller, whose epoll timeout counts whole
// milliseconds: a wait shorter than 1 ms lasts 1 ms, and a longer one wakes
// up to a millisecond late. A pacer on timers alone therefore starts most
// hits several hundred microseconds late at any rate (and at 1000/s and
// above every wait is a sub-millisecond one). The waiter sleeps on a timer
// only until coarseSlack before the hit is due and spends the rest in the
// kernel's high-resolution sleep (sleep: nanosleep(2) on Linux), a blocking
// system call: the thread sleeps, no CPU is spent spinning.
type waiter struct {
	timer *time.Timer
	sleep func(time.Duration)
}

// coarseSlack is how long before a hit's due time the timer's sleep ends:
// more than the timer's own lateness (up to 1 ms, plus scheduling).
const coarseSlack = 2 * time.Millisecond

func newWaiter() *waiter {
	return &waiter{timer: time.NewTimer(time.Hour), sleep: preciseSleep}
}

func (w *waiter) stop() { w.timer.Stop() }

// wait sleeps for d; it returns false when ctx ended first. The precise
// final stretch (at most coarseSlack plus the timer's lateness) is not
// interrupted by ctx.
func (w *waiter) wait(ctx context.Context, d time.Duration) bool {
	due := time.Now().Add(d)
	if d > coarseSlack {
		w.timer.Reset(d - coarseSlack)
		select {
		case <-ctx.Done():
			return false
		case <-w.timer.C:
		}
	}
	if rest := time.Until(due); rest > 0 {
		w.sleep(rest)
	}
	return ctx.Err() == nil
}
