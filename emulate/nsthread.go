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
// The goroutine never unlocks its thread: when it returns, the Go
// runtime terminates the thread, so no other goroutine ever runs in the
// foreign namespace by accident.
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
	runtime.LockOSThread() // deliberately never unlocked, see nsThread
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
