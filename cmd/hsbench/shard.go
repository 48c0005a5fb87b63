package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/results"
)

// maxStartAhead bounds how far in the future --start-at may be: further
// than this is taken for a mistake (a wrong time zone), not a plan.
const maxStartAhead = 24 * time.Hour

// shardPlan is this process's part of a sharded run (--shard I/N).
//
// The load is split into N equal parts: the rate into R/N each, and
// --concurrency and --count into equal shares with the remainder going to
// the lowest indices (10 over 4 shards: 3, 3, 2, 2). In an open loop, shard
// I runs its R/N schedule shifted by (I-1)/R, so with a common --start-at it
// sends exactly the hits i ≡ I-1 (mod N) of the global schedule of R per
// second, and the union of the shards is that global schedule.
type shardPlan struct {
	index, of int    // 1-based index, number of shards
	runKey    string // equal for every shard of one run
	startAt   string // --start-at as given (normalised to UTC), or ""
	// deadline is --start-at converted once to a time with a monotonic
	// reading: every wait below is measured on the monotonic clock.
	deadline time.Time
	phase    time.Duration // (index-1)/R: this shard's offset on the global schedule
	interval time.Duration // step starts after the first are aligned on this grid
	steps    int           // steps started so far
}

// parseShard parses --shard I/N.
func parseShard(s string) (index, of int, err error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("%q: want I/N, e.g. 2/4", s)
	}
	index, err1 := strconv.Atoi(strings.TrimSpace(is))
	of, err2 := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q: want I/N with whole numbers, e.g. 2/4", s)
	case of < 1:
		return 0, 0, fmt.Errorf("%q: N must be at least 1", s)
	case index < 1 || index > of:
		return 0, 0, fmt.Errorf("%q: I must be between 1 and N (shards are numbered from 1)", s)
	}
	return index, of, nil
}

// shareOf returns shard index's (1-based) part of total split over n
// shards: equal parts, the remainder to the lowest indices.
func shareOf[T ~int | ~uint64](total T, index, n int) T {
	q, r := total/T(n), total%T(n)
	if T(index) <= r {
		return q + 1
	}
	return q
}

// planShard validates --shard and --start-at and, for a sharded run,
// replaces the total load in f by this shard's part. It runs after the cells
// are known (they are part of the run key) and after the concurrency
// default was applied.
func (p *runPlan) planShard(fs *pflag.FlagSet) error {
	f := p.f
	if f.shard == "" {
		if f.startAt != "" {
			return usagef("--start-at needs --shard (use --shard 1/1 for a single process)")
		}
		return nil
	}
	index, of, err := parseShard(f.shard)
	if err != nil {
		return usagef("parsing --shard: %v", err)
	}
	s := &shardPlan{index: index, of: of, interval: f.interval}
	if f.startAt != "" {
		at, err := time.Parse(time.RFC3339Nano, f.startAt)
		if err != nil {
			return usagef("parsing --start-at: %q: want an RFC 3339 time such as 2026-05-01T12:00:00Z", f.startAt)
		}
		now := time.Now()
		ahead := at.Sub(now) // at has no monotonic reading: a wall-clock difference, taken once
		switch {
		case ahead <= 0:
			return usagef("--start-at %s is in the past (now is %s): shards must start together, choose a later time", f.startAt, now.UTC().Format(time.RFC3339Nano))
		case ahead > maxStartAhead:
			return usagef("--start-at %s is more than %v ahead (the latest allowed now is %s): check the date and time zone", f.startAt, maxStartAhead, now.Add(maxStartAhead).UTC().Format(time.RFC3339))
		}
		s.startAt = at.UTC().Format(time.RFC3339Nano)
		s.deadline = now.Add(ahead) // wall reading exactly at, monotonic reading from now
	}
	// Totals: --concurrency is the total when given; by default every shard
	// gets the unsharded default (1 worker closed loop, 64 in flight open loop).
	if !fs.Changed("concurrency") {
		f.concurrency *= of
	}
	switch {
	case f.concurrency < of:
		return usagef("--concurrency %d cannot be split over %d shards: each needs at least 1", f.concurrency, of)
	case f.count > 0 && f.count < uint64(of):
		return usagef("--count %d cannot be split over %d shards: each needs at least 1", f.count, of)
	}
	s.runKey = runKey(f, p.cells, of, s.startAt)
	if f.rate > 0 {
		s.phase = time.Duration(math.Round(float64(index-1) * float64(time.Second) / f.rate))
		f.rate /= float64(of)
	}
	f.concurrency = shareOf(f.concurrency, index, of)
	f.count = shareOf(f.count, index, of)
	if f.out == "" {
		// Shards on one machine must not share the default directory.
		ts := time.Now()
		if !s.deadline.IsZero() {
			ts = s.deadline
		}
		f.out = filepath.Join("runs", fmt.Sprintf("%s-shard-%dof%d", ts.UTC().Format("20060102T150405Z"), index, of))
	}
	p.shard = s
	return nil
}

// runKey hashes what makes shards parts of one run: the total load, the
// target, the cells and their order, the shard count and the start time.
// Per-shard details (--shard, --out, --keylog) are not part of it.
func runKey(f *runFlags, cells []cell, of int, startAt string) string {
	ids := make([]string, len(cells))
	for i, c := range cells {
		ids[i] = c.id
	}
	b, _ := json.Marshal(struct {
		Of                                     int
		StartAt                                string
		Target, SNI, Request, Tickets, Emulate string
		ClientAuth                             bool
		Rate                                   float64
		Concurrency                            int
		Count                                  uint64
		Duration, Warmup, Timeout, Interval    time.Duration
		Repeat                                 int
		Seed                                   uint64
		Cells                                  []string
		HistLowest, HistHighest                int64
		HistSigFigs                            int
	}{of, startAt, f.target, f.sni, f.request, f.tickets, f.emulate, f.clientAuth,
		f.rate, f.concurrency, f.count, f.duration, f.warmup, f.timeout, f.interval,
		f.repeat, f.seed, ids, loadgen.HistLowest, loadgen.HistHighest, loadgen.HistSigFigs})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// startTime is the run's start: --start-at for a synchronised shard (so
// every shard's run.json and phases.hlog share one origin), otherwise now.
func (p *runPlan) startTime() time.Time {
	if p.shard != nil && !p.shard.deadline.IsZero() {
		return p.shard.deadline
	}
	return time.Now()
}

// shardRecord is what run.json says about the shard (nil when unsharded).
func (p *runPlan) shardRecord() *results.Shard {
	if p.shard == nil {
		return nil
	}
	return &results.Shard{Index: p.shard.index, Of: p.shard.of, RunKey: p.shard.runKey, StartAt: p.shard.startAt}
}

// awaitStep is called when a step is ready to start (its target up, its
// handshaker factory built). With --start-at, the first step waits for the
// start time plus the shard's phase, and fails (exit 1) when the start time
// has already passed: a late shard would not be part of the global
// schedule. Later steps start on the next whole interval after the start
// time (plus the phase), so the shards' intervals stay aligned on the same
// absolute seconds even when the steps end a little apart. A cancelled ctx
// ends the wait early; the caller's run then stops as interrupted.
func (p *runPlan) awaitStep(ctx context.Context) error {
	s := p.shard
	if s == nil || s.deadline.IsZero() {
		return nil
	}
	first := s.steps == 0
	s.steps++
	at := s.deadline
	since := time.Since(s.deadline)
	if first {
		if since > 0 {
			return withCode(exitFailed, fmt.Errorf("hsbench: shard %d/%d was not ready at --start-at %s (ready %v late); "+
				"nothing was measured: choose a later --start-at", s.index, s.of, s.startAt, since.Round(time.Millisecond)))
		}
	} else if since > 0 {
		at = s.deadline.Add((since + s.interval - 1) / s.interval * s.interval)
	}
	wait := time.Until(at.Add(s.phase))
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return nil
}
