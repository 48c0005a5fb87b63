//go:build !linux

package loadgen

import "time"

// preciseSleep falls back to the runtime's timers outside Linux.
func preciseSleep(d time.Duration) { time.Sleep(d) }
