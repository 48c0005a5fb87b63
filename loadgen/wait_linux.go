package loadgen

import (
	"syscall"
	"time"
)

// preciseSleep sleeps for d in nanosleep(2) (hrtimer resolution), resuming
// after signals (the Go runtime's preemption signals interrupt it).
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
