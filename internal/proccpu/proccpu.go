// Package proccpu reads how much CPU another process, or a cgroup, has
// used: a target's CPU per handshake when it runs on this machine.
package proccpu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A Source reports CPU time (user + system) used so far; differences of
// two readings give the CPU spent between them.
type Source interface {
	CPU() (time.Duration, error)
	String() string
}

// clockTick is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// Tree is a process and all its descendants, read from /proc: the user
// and system time of each live one plus the time of its children that
// exited and were waited for (cutime, cstime), so a worker that dies
// between two readings is not lost.
type Tree struct {
	PID  int
	Proc string // /proc mount; "" means /proc
}

func (t Tree) String() string { return fmt.Sprintf("pid %d and its children", t.PID) }

// CPU sums the tree's CPU time. It fails when the process is gone.
func (t Tree) CPU() (time.Duration, error) {
	root := t.Proc
	if root == "" {
		root = "/proc"
	}
	procs, err := readAll(root)
	if err != nil {
		return 0, err
	}
	if _, ok := procs[t.PID]; !ok {
		return 0, fmt.Errorf("proccpu: process %d: not running", t.PID)
	}
	children := map[int][]int{}
	for pid, st := range procs {
		children[st.ppid] = append(children[st.ppid], pid)
	}
	var ticks uint64
	queue := []int{t.PID}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		st := procs[pid]
		ticks += st.utime + st.stime + st.cutime + st.cstime
		queue = append(queue, children[pid]...)
	}
	return time.Duration(ticks) * clockTick, nil
}

type stat struct {
	ppid                         int
	utime, stime, cutime, cstime uint64
}

// readAll reads /proc/*/stat of every process.
func readAll(root string) (map[int]stat, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("proccpu: %w", err)
	}
	out := map[int]stat{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		st, err := parseStat(b)
		if err != nil {
			return nil, fmt.Errorf("proccpu: %s/%d/stat: %w", root, pid, err)
		}
		out[pid] = st
	}
	return out, nil
}

// parseStat reads fields 4 (ppid) and 14–17 (utime, stime, cutime,
// cstime) of /proc/PID/stat. The command name (field 2) is in parentheses
// and may hold spaces and parentheses: fields are counted after the last ')'.
func parseStat(b []byte) (stat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return stat{}, errors.New("no command name")
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 15 {
		return stat{}, fmt.Errorf("%d fields after the command name", len(f))
	}
	var st stat
	var err error
	if st.ppid, err = strconv.Atoi(f[1]); err != nil {
		return stat{}, fmt.Errorf("ppid: %w", err)
	}
	for k, dst := range []*uint64{&st.utime, &st.stime, &st.cutime, &st.cstime} {
		v, err := strconv.ParseInt(f[11+k], 10, 64)
		if err != nil {
			return stat{}, fmt.Errorf("field %d: %w", 14+k, err)
		}
		*dst = uint64(max(v, 0))
	}
	return st, nil
}

// Cgroup is a cgroup v2 directory: its cpu.stat's usage_usec counts every
// process in it and in its descendants, exited ones included.
type Cgroup struct{ Path string }

func (c Cgroup) String() string { return "cgroup " + c.Path }

// CPU reads usage_usec from the cgroup's cpu.stat.
func (c Cgroup) CPU() (time.Duration, error) {
	f, err := os.Open(filepath.Join(c.Path, "cpu.stat"))
	if err != nil {
		return 0, fmt.Errorf("proccpu: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == "usage_usec" {
			us, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("proccpu: %s/cpu.stat usage_usec: %w", c.Path, err)
			}
			return time.Duration(us) * time.Microsecond, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("proccpu: %w", err)
	}
	return 0, fmt.Errorf("proccpu: %s/cpu.stat has no usage_usec (not a cgroup v2 directory?)", c.Path)
}
