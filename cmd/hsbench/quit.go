package main

import (
	"context"
	"sync"
)

// quitHooks are what must happen even when hsbench quits at once (a second
// stop signal, SIGQUIT): removing files that would otherwise be left
// incomplete. They travel in the context of the command.
type quitHooks struct {
	mu   sync.Mutex
	next int
	fns  map[int]func()
}

type quitKey struct{}

func withQuitHooks(ctx context.Context) (context.Context, *quitHooks) {
	q := &quitHooks{fns: map[int]func(){}}
	return context.WithValue(ctx, quitKey{}, q), q
}

// onQuit registers fn to run if hsbench quits at once; the returned func
// unregisters it. Without hooks in ctx (tests, library use) it does nothing.
func onQuit(ctx context.Context, fn func()) (unregister func()) {
	q, _ := ctx.Value(quitKey{}).(*quitHooks)
	if q == nil {
		return func() {}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	id := q.next
	q.next++
	q.fns[id] = fn
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		delete(q.fns, id)
	}
}

// run calls every registered hook once.
func (q *quitHooks) run() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, fn := range q.fns {
		fn()
		delete(q.fns, id)
	}
}
