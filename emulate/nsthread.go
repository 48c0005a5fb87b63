package emulate

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// errClosed is returned by operations on a closed Link.
var errClosed = errors.New("emulate: link closed")

// nsThread is a goroutine locked to an OS thread that has entered a
// network namespace. It runs functions that create sockets or devices,
// which then belong to that namespace for their whole life, whatever
// thread later uses them.
//
// When it stops, the goroutine switches its thread back to the namespace
// it came from and unlocks it. Only if that fails does it leave the thread
// locked, so the Go runtime terminates it and no other goroutine ever runs
// in the foreign namespace by accident. Letting threads die as a rule is
// not harmless: a child process started with Pdeathsig from a goroutine
// that once ran on such a thread would be killed with it.
type nsThread struct {
	reqs   chan func()
	done   chan struct{}
	exited chan struct{}
}

// startNSThread starts a thread inside the namespace at path (a file
// such as /run/netns/NAME).
func startNSThread(path string) (*nsThread, error) {
	t := &nsThread{reqs: make(chan func()), done: make(chan struct{}), exited: make(chan struct{})}
	errc := make(chan error, 1)
	go t.loop(path, errc)
	if err := <-errc; err != nil {
		<-t.exited
		return nil, err
	}
	return t, nil
}

func (t *nsThread) loop(path string, errc chan<- error) {
	defer close(t.exited)
	runtime.LockOSThread() // unlocked only once back home, see nsThread
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		errc <- fmt.Errorf("emulate: opening this thread's namespace: %w", err)
		return
	}
	defer func() {
		if unix.Setns(home, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		unix.Close(home)
	}()
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		errc <- fmt.Errorf("emulate: opening namespace %s: %w", path, err)
		return
	}
	err = unix.Setns(fd, unix.CLONE_NEWNET)
	unix.Close(fd)
	if err != nil {
		errc <- fmt.Errorf("emulate: entering namespace %s: %w", path, err)
		return
	}
	errc <- nil
	for {
		select {
		case f := <-t.reqs:
			f()
		case <-t.done:
			return
		}
	}
}

// do runs f inside the namespace and waits for it.
func (t *nsThread) do(f func()) error {
	ran := make(chan struct{})
	select {
	case t.reqs <- func() { defer close(ran); f() }:
		<-ran
		return nil
	case <-t.done:
		return errClosed
	}
}

// stop ends the thread and waits for it. It must be called once.
func (t *nsThread) stop() {
	close(t.done)
	<-t.exited
}
