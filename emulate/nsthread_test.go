package emulate

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hsbench/hsbench/internal/testenv"
)

// A stopped namespace thread goes back to the host namespace and lives on:
// a thread that died instead would take with it any child process started
// with Pdeathsig from a goroutine that once ran on it.
func TestNSThreadReturnsHome(t *testing.T) {
	testenv.Root(t)
	ip := testenv.LookPath(t, "ip")
	name := fmt.Sprintf("hsbench-%d-nstest", os.Getpid())
	if err := run(context.Background(), ip, "netns", "add", name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteNS(ip, name) })

	// This goroutine's thread is in the host namespace. (/proc/self is the
	// main thread, which the namespace goroutine itself may be running on.)
	runtime.LockOSThread()
	home, err := os.Readlink("/proc/thread-self/ns/net")
	runtime.UnlockOSThread()
	if err != nil {
		t.Fatal(err)
	}
	th, err := startNSThread(nsPath(name))
	if err != nil {
		t.Fatal(err)
	}
	var tid int
	var inside string
	if err := th.do(func() {
		tid = unix.Gettid()
		inside, _ = os.Readlink("/proc/thread-self/ns/net")
	}); err != nil {
		t.Fatal(err)
	}
	if inside == home {
		t.Fatalf("the thread never entered the namespace (%s)", inside)
	}
	th.stop()
	after, err := os.Readlink(fmt.Sprintf("/proc/self/task/%d/ns/net", tid))
	if err != nil {
		t.Fatalf("thread %d is gone after stop: %v", tid, err)
	}
	if after != home {
		t.Fatalf("thread %d is still in %s after stop, want %s", tid, after, home)
	}
}
