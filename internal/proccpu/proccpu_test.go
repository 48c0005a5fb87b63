package proccpu

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// burnTree starts sh with two busy subshells under it; sh itself only
// waits, so its own counters stay near zero.
func burnTree(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", "(while :; do :; done) & (while :; do :; done) & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd
}

// The tree's CPU over a second counts the busy children (the root alone
// used next to none), and no more than the machine's cores could give.
func TestTreeCountsLiveChildren(t *testing.T) {
	cmd := burnTree(t)
	time.Sleep(100 * time.Millisecond) // let the subshells start
	src := Tree{PID: cmd.Process.Pid}
	c0, err := src.CPU()
	if err != nil {
		t.Fatal(err)
	}
	w0 := time.Now()
	time.Sleep(time.Second)
	c1, err := src.CPU()
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(w0)
	used := c1 - c0
	own := ownCPU(t, cmd.Process.Pid)
	t.Logf("tree used %v in %v (root alone %v so far)", used, wall, own)
	if used < 5*clockTick {
		t.Errorf("tree used %v in %v: the busy children are not counted", used, wall)
	}
	if max := time.Duration(runtime.NumCPU())*wall + 2*clockTick; used > max {
		t.Errorf("tree used %v in %v, more than %d cores could", used, wall, runtime.NumCPU())
	}
	if own > 50*time.Millisecond {
		t.Errorf("the root itself used %v: the test's premise (an idle root) is wrong", own)
	}
}

// ownCPU reads one process's own utime+stime, not its children's.
func ownCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := parseStat(b)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(st.utime+st.stime) * clockTick
}

// Children that exited and were waited for still count (cutime, cstime):
// the reading agrees with the rusage the kernel reports when the whole
// tree has exited.
func TestTreeCountsExitedChildren(t *testing.T) {
	cmd := exec.Command("sh", "-c", `(i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done); echo burnt; read x || true`)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "burnt\n" {
		t.Fatalf("read %q, %v", line, err)
	}
	got, err := Tree{PID: cmd.Process.Pid}.CPU()
	if err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	want := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	t.Logf("tree while idle: %v; rusage at exit: %v", got, want)
	if want < 100*time.Millisecond {
		t.Fatalf("the burner used only %v: too little to compare", want)
	}
	if d := got - want; d < -3*clockTick || d > 3*clockTick {
		t.Errorf("tree %v, rusage %v: more than 3 ticks apart", got, want)
	}
}

func TestTreeGone(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := (Tree{PID: cmd.Process.Pid}).CPU(); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("exited process: %v", err)
	}
}

func TestParseStat(t *testing.T) {
	line := "4242 (a) b (c)) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 31 7 2 20 0 1 0 1 1 1\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st != (stat{ppid: 17, utime: 250, stime: 31, cutime: 7, cstime: 2}) {
		t.Errorf("%+v", st)
	}
	if _, err := parseStat([]byte("12 (x) S 1 2")); err == nil {
		t.Error("short line parsed")
	}
}

// A cgroup v2 directory of our own, with the burners moved into it, counts
// what the process tree counts.
func TestCgroupAgreesWithTree(t *testing.T) {
	mount := cgroup2Mount(t)
	dir, err := os.MkdirTemp(mount, "hsbench-proccpu-")
	if err != nil {
		t.Skipf("cannot create a cgroup under %s: %v", mount, err)
	}
	cmd := burnTree(t)
	t.Cleanup(func() {
		for range 50 { // the cgroup can go once its processes are gone
			if os.Remove(dir) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	time.Sleep(100 * time.Millisecond)
	for _, pid := range treePIDs(t, cmd.Process.Pid) {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			t.Skipf("cannot move a process into %s: %v", dir, err)
		}
	}
	tree, cg := Tree{PID: cmd.Process.Pid}, Cgroup{Path: dir}
	t0, _ := tree.CPU()
	g0, err := cg.CPU()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	t1, _ := tree.CPU()
	g1, err := cg.CPU()
	if err != nil {
		t.Fatal(err)
	}
	dt, dg := t1-t0, g1-g0
	t.Logf("over a second: tree %v, cgroup %v", dt, dg)
	if dg < 5*clockTick {
		t.Fatalf("cgroup counted %v", dg)
	}
	if d := dt - dg; d < -dg/10-3*clockTick || d > dg/10+3*clockTick {
		t.Errorf("tree %v and cgroup %v differ by more than 10%% + 3 ticks", dt, dg)
	}
	if _, err := (Cgroup{Path: t.TempDir()}).CPU(); err == nil {
		t.Error("a directory without cpu.stat gave a reading")
	}
}

// cgroup2Mount finds a cgroup v2 mount (the unified hierarchy), or skips.
func cgroup2Mount(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		_, post, ok := strings.Cut(line, " - ")
		f := strings.Fields(line)
		if ok && strings.HasPrefix(post, "cgroup2 ") && len(f) > 4 {
			return f[4]
		}
	}
	t.Skip("no cgroup v2 mount")
	return ""
}

// treePIDs lists pid and its descendants.
func treePIDs(t *testing.T, pid int) []int {
	procs, err := readAll("/proc")
	if err != nil {
		t.Fatal(err)
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		for p, st := range procs {
			if st.ppid == out[i] {
				out = append(out, p)
			}
		}
	}
	return out
}

// This process's threads ran for about the CPU time it used, and waiting
// is counted apart.
func TestSelfSched(t *testing.T) {
	s0, err := SelfSched()
	if err != nil {
		t.Fatal(err)
	}
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	s1, err := SelfSched()
	if err != nil {
		t.Fatal(err)
	}
	d := s1.Sub(s0)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	t.Logf("ran %v, waited %v; getrusage says %v of CPU", d.Run, d.Wait, cpu)
	if d.Run < cpu/2 || d.Run > 2*cpu+20*time.Millisecond || d.Wait < 0 {
		t.Errorf("schedstat ran %v (waited %v), getrusage %v", d.Run, d.Wait, cpu)
	}
}
