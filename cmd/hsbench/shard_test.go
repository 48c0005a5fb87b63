package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in        string
		index, of int
		ok        bool
	}{
		{"1/1", 1, 1, true}, {"2/4", 2, 4, true}, {"4/4", 4, 4, true}, {" 3 / 8 ", 3, 8, true},
		{"0/4", 0, 0, false}, {"5/4", 0, 0, false}, {"1/0", 0, 0, false}, {"2", 0, 0, false},
		{"a/4", 0, 0, false}, {"-1/4", 0, 0, false}, {"", 0, 0, false},
	} {
		i, n, err := parseShard(c.in)
		if (err == nil) != c.ok || i != c.index || n != c.of {
			t.Errorf("parseShard(%q) = %d, %d, %v", c.in, i, n, err)
		}
	}
}

// The split table: equal parts, remainders to the lowest indices, and the
// parts add up to the total.
func TestShardSplit(t *testing.T) {
	for _, c := range []struct {
		total uint64
		of    int
		want  []uint64
	}{
		{10, 4, []uint64{3, 3, 2, 2}},
		{8, 4, []uint64{2, 2, 2, 2}},
		{7, 3, []uint64{3, 2, 2}},
		{5, 1, []uint64{5}},
		{4, 4, []uint64{1, 1, 1, 1}},
		{1001, 10, []uint64{101, 100, 100, 100, 100, 100, 100, 100, 100, 100}},
	} {
		var sum uint64
		for i := 1; i <= c.of; i++ {
			got := shareOf(c.total, i, c.of)
			if got != c.want[i-1] {
				t.Errorf("shareOf(%d, %d, %d) = %d, want %d", c.total, i, c.of, got, c.want[i-1])
			}
			if n := shareOf(int(c.total), i, c.of); uint64(n) != got {
				t.Errorf("int and uint64 shares differ: %d vs %d", n, got)
			}
			sum += got
		}
		if sum != c.total {
			t.Errorf("%d over %d shards adds up to %d", c.total, c.of, sum)
		}
	}
}

// planArgs plans 'hsbench run args...' without running it.
func planArgs(t *testing.T, args ...string) (*runPlan, error) {
	t.Helper()
	fs, f := newRunFlags(io.Discard)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return planRun(fs, f)
}

func TestPlanShardSplitsTheLoad(t *testing.T) {
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	keys := map[string]bool{}
	var rate float64
	var conc int
	var count uint64
	for i, want := range []struct {
		conc  int
		count uint64
		phase time.Duration
	}{{3, 3, 0}, {3, 3, 5 * time.Millisecond}, {2, 2, 10 * time.Millisecond}, {2, 2, 15 * time.Millisecond}} {
		shard := []string{"1/4", "2/4", "3/4", "4/4"}[i]
		p, err := planArgs(t, "--rate", "200", "--concurrency", "10", "--count", "10", "--shard", shard, "--start-at", at, "--out", "x"+shard)
		if err != nil {
			t.Fatal(err)
		}
		if p.f.rate != 50 || p.f.concurrency != want.conc || p.f.count != want.count || p.shard.phase != want.phase {
			t.Errorf("shard %s: rate %v concurrency %d count %d phase %v; want 50 %d %d %v",
				shard, p.f.rate, p.f.concurrency, p.f.count, p.shard.phase, want.conc, want.count, want.phase)
		}
		rec := p.shardRecord()
		if rec.Index != i+1 || rec.Of != 4 || rec.StartAt != at {
			t.Errorf("shard record %+v", rec)
		}
		keys[rec.RunKey] = true
		rate += p.f.rate
		conc += p.f.concurrency
		count += p.f.count
	}
	if len(keys) != 1 || rate != 200 || conc != 10 || count != 10 {
		t.Fatalf("run keys %v; parts add up to rate %v, concurrency %d, count %d", keys, rate, conc, count)
	}
	// A different load, start time or shard count is another run.
	for _, args := range [][]string{
		{"--rate", "100", "--concurrency", "10", "--count", "10", "--shard", "1/4", "--start-at", at},
		{"--rate", "200", "--concurrency", "10", "--count", "10", "--shard", "1/4", "--start-at", time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)},
		{"--rate", "200", "--concurrency", "10", "--count", "10", "--shard", "1/5", "--start-at", at},
		{"--rate", "200", "--concurrency", "10", "--count", "10", "--shard", "1/4", "--start-at", at, "--mode", "full"},
	} {
		p, err := planArgs(t, append(args, "--out", "y")...)
		if err != nil {
			t.Fatal(err)
		}
		if keys[p.shard.runKey] {
			t.Errorf("%v shares the run key of another run", args)
		}
	}
	// Closed loop without --concurrency: every shard gets the default worker.
	p, err := planArgs(t, "--shard", "2/3")
	if err != nil {
		t.Fatal(err)
	}
	if p.f.concurrency != 1 || p.f.rate != 0 || !strings.Contains(p.f.out, "shard-2of3") {
		t.Fatalf("default closed loop shard: concurrency %d rate %v out %q", p.f.concurrency, p.f.rate, p.f.out)
	}
}

func TestPlanShardBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "5/4"}, "--shard"},
		{[]string{"--shard", "two"}, "--shard"},
		{[]string{"--start-at", time.Now().Add(time.Minute).Format(time.RFC3339)}, "--start-at needs --shard"},
		{[]string{"--shard", "1/2", "--start-at", "tomorrow"}, "--start-at"},
		{[]string{"--shard", "1/2", "--start-at", time.Now().Add(-time.Minute).Format(time.RFC3339)}, "in the past"},
		{[]string{"--shard", "1/2", "--start-at", time.Now().Add(48 * time.Hour).Format(time.RFC3339)}, "time zone"},
		{[]string{"--shard", "1/4", "--concurrency", "3"}, "--concurrency 3 cannot be split"},
		{[]string{"--shard", "1/4", "--count", "3"}, "--count 3 cannot be split"},
	} {
		_, err := planArgs(t, c.args...)
		var ee *exitError
		if err == nil || !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v; want a usage error naming %q", c.args, err, c.want)
		}
	}
}

// A shard ready after --start-at fails (exit 1) instead of starting late;
// one ready in time starts at the start time plus its phase, measured on
// the monotonic clock.
func TestAwaitStep(t *testing.T) {
	late := &runPlan{shard: &shardPlan{index: 2, of: 4, startAt: "x", deadline: time.Now().Add(-time.Millisecond), interval: time.Second}}
	err := late.awaitStep(context.Background())
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFailed || !strings.Contains(err.Error(), "not ready at --start-at") {
		t.Fatalf("late shard: %v", err)
	}
	t0 := time.Now()
	onTime := &runPlan{shard: &shardPlan{index: 3, of: 4, deadline: t0.Add(50 * time.Millisecond), phase: 30 * time.Millisecond, interval: 100 * time.Millisecond}}
	if err := onTime.awaitStep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 80*time.Millisecond || d > 500*time.Millisecond {
		t.Fatalf("first step started after %v, want 80ms", d)
	}
	// Later steps start on the next interval of the grid (+ phase): 200 ms + 30 ms.
	time.Sleep(40 * time.Millisecond)
	if err := onTime.awaitStep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 180*time.Millisecond || d > 600*time.Millisecond {
		t.Fatalf("second step started after %v, want 180ms", d)
	}
	// Cancelling ends the wait at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	far := &runPlan{shard: &shardPlan{index: 1, of: 1, deadline: time.Now().Add(time.Hour), interval: time.Second}}
	t1 := time.Now()
	if err := far.awaitStep(ctx); err != nil || time.Since(t1) > time.Second {
		t.Fatalf("cancelled wait: %v after %v", err, time.Since(t1))
	}
}
