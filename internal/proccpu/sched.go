package proccpu

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Sched is how long the threads of this process ran on a CPU and how long
// they waited, runnable, for one (/proc/self/task/*/schedstat): a process
// that waits about as long as it runs is starved by others on its CPUs.
type Sched struct {
	Run, Wait time.Duration
}

// SelfSched sums the schedstat of every thread of this process.
func SelfSched() (Sched, error) {
	dirs, err := filepath.Glob("/proc/self/task/*/schedstat")
	if err != nil || len(dirs) == 0 {
		return Sched{}, fmt.Errorf("proccpu: no /proc/self/task/*/schedstat: %v", err)
	}
	var s Sched
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			return Sched{}, fmt.Errorf("proccpu: %s: %q", p, b)
		}
		run, err1 := strconv.ParseInt(f[0], 10, 64)
		wait, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return Sched{}, fmt.Errorf("proccpu: %s: %q", p, b)
		}
		s.Run += time.Duration(run)
		s.Wait += time.Duration(wait)
	}
	return s, nil
}

// Sub returns s − o.
func (s Sched) Sub(o Sched) Sched { return Sched{Run: s.Run - o.Run, Wait: s.Wait - o.Wait} }
