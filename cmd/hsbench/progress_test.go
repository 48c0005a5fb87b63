package main

import (
	"testing"
	"time"
)

func TestRunETA(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		steps, done             int
		doneAt, inStep, planned time.Duration
		want                    time.Duration
		ok                      bool
	}{
		{10, 0, 0, 0, 3 * s, 30 * s, true},         // planned only
		{10, 0, 0, 1 * s, 3 * s, 29 * s, true},     // planned, one second into the first step
		{10, 2, 8 * s, 1 * s, 3 * s, 31 * s, true}, // measured 4 s a step wins over the plan
		{10, 10, 40 * s, 0, 3 * s, 0, true},        // finished
		{4, 0, 0, 0, 0, 0, false},                  // --count only, nothing measured yet
		{4, 1, 2 * s, 5 * s, 0, 1 * s, true},       // a slow step: never negative
	} {
		got, ok := runETA(c.steps, c.done, c.doneAt, c.inStep, c.planned)
		if got != c.want || ok != c.ok {
			t.Errorf("runETA(%d, %d, %v, %v, %v) = %v, %v; want %v, %v", c.steps, c.done, c.doneAt, c.inStep, c.planned, got, ok, c.want, c.ok)
		}
	}
}

func TestStepLabel(t *testing.T) {
	if got := stepLabel(3, 43, "tcp-1.3-full-x25519-ecdsa-p256", 0, 1); got != "[3/43] tcp-1.3-full-x25519-ecdsa-p256" {
		t.Errorf("got %q", got)
	}
	if got := stepLabel(5, 12, "c", 1, 3); got != "[5/12] c #2/3" {
		t.Errorf("got %q", got)
	}
}
