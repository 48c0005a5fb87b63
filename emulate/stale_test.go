package emulate

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/hsbench/hsbench/internal/testenv"
)

func TestOwnerPID(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"hsbench-123-4-c", 123, true},
		{"hsbench-77-x", 77, true},
		{"hsbench-abc-1", 0, false},
		{"hsbench-123", 0, false},
		{"hsbench--1", 0, false},
		{"other-123-1", 0, false},
	} {
		pid, ok := ownerPID(tc.name)
		if pid != tc.pid || ok != tc.ok {
			t.Errorf("ownerPID(%q) = %d,%v; want %d,%v", tc.name, pid, ok, tc.pid, tc.ok)
		}
	}
	if !processAlive(os.Getpid()) {
		t.Error("processAlive(own pid) = false")
	}
	if processAlive(4999999) { // above the kernel's maximum pid_max
		t.Error("processAlive(4999999) = true")
	}
}

func TestCleanupStale(t *testing.T) {
	testenv.Root(t)
	ip := testenv.LookPath(t, "ip")
	dead := "hsbench-4999999-1-c"                           // pid above pid_max: never alive
	live := "hsbench-" + strconv.Itoa(os.Getpid()) + "-0-t" // this process: must survive
	for _, n := range []string{dead, live} {
		if err := run(context.Background(), ip, "netns", "add", n); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { deleteNS(ip, n) })
	}
	if err := CleanupStale(); err != nil {
		t.Fatalf("CleanupStale: %v", err)
	}
	if _, err := os.Stat(nsPath(dead)); !os.IsNotExist(err) {
		t.Errorf("stale namespace %s survived (stat: %v)", dead, err)
	}
	if _, err := os.Stat(nsPath(live)); err != nil {
		t.Errorf("namespace of a live process was removed: %v", err)
	}
}
