package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/target"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/results"
)

// Four shards of one open-loop run (40/s in total, 10/s each; the race
// detector makes handshakes slow here) against one
// shared target, started together by --start-at, merged into one ordinary
// run: counts add up, histograms are the exact merge of the shards', the
// interval log has one line per second (not one per shard), and a missing
// or foreign shard is refused.
func TestShardedRunMerge(t *testing.T) {
	tg, err := target.Start(target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	tmp := t.TempDir()
	ca := filepath.Join(tmp, "ca.pem")
	if err := tg.CA.WriteCertPEM(ca); err != nil {
		t.Fatal(err)
	}
	startAt := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	common := []string{"run", "--target", tg.Addr, "--ca", ca, "--mode", "full", "--rate", "40", "--concurrency", "8",
		"--duration", "1s", "--warmup", "0", "--quiet", "--start-at", startAt}
	dirs := make([]string, 4)
	codes := make([]int, 4)
	errs := make([]string, 4)
	var wg sync.WaitGroup
	for i := range dirs {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("shard-%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, eb bytes.Buffer
			args := append(append([]string{}, common...), "--shard", fmt.Sprintf("%d/4", i+1), "--out", dirs[i])
			codes[i] = exitCode(run(context.Background(), args, &out, &eb), &eb)
			errs[i] = eb.String()
		}()
	}
	wg.Wait()
	var shards []*results.Run
	var attempts, ok, missed int64
	for i, d := range dirs {
		if codes[i] != 0 {
			t.Fatalf("shard %d: exit %d\n%s", i+1, codes[i], errs[i])
		}
		r, err := results.Load(d)
		if err != nil {
			t.Fatal(err)
		}
		if r.Shard == nil || r.Shard.Index != i+1 || r.Shard.Of != 4 || r.Config.Rate != 10 || r.Config.Concurrency != 2 {
			t.Fatalf("shard %d record: %+v rate %v concurrency %d", i+1, r.Shard, r.Config.Rate, r.Config.Concurrency)
		}
		if want := shards; len(want) > 0 && r.Shard.RunKey != want[0].Shard.RunKey {
			t.Fatalf("shards of one run have different keys: %s, %s", want[0].Shard.RunKey, r.Shard.RunKey)
		}
		if !r.Started.Equal(shards0Start(t, startAt)) {
			t.Fatalf("shard %d started at %v, want --start-at %s", i+1, r.Started, startAt)
		}
		// 10/s for 1 s: hits 0…9 of the shard's schedule, exactly, each
		// sent or (on a loaded machine, at the end of --duration) missed.
		if a, m := r.Cells[0].Total.Attempts, r.Cells[0].Total.Missed; a+m != 10 {
			t.Errorf("shard %d: %d attempts and %d missed, want 10", i+1, a, m)
		}
		attempts += r.Cells[0].Total.Attempts
		missed += r.Cells[0].Total.Missed
		ok += r.Cells[0].Total.OK
		shards = append(shards, r)
	}

	merged := filepath.Join(tmp, "merged")
	out, stderr, code := hsbench(t, context.Background(), "merge", "--out", merged, dirs[2], dirs[0], dirs[3], dirs[1])
	if code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, "open loop at 40/s") {
		t.Errorf("merged table does not show the total load:\n%s", out)
	}
	m, err := results.Load(merged)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Cells[0]
	if m.Shard != nil || m.Config.Rate != 40 || m.Config.Concurrency != 8 || c.Total.Attempts != attempts || c.Total.OK != ok || c.Total.Missed != missed || attempts+missed != 40 {
		t.Fatalf("merged: shard %v rate %v concurrency %d attempts %d (shards %d) missed %d (shards %d) ok %d (shards %d)",
			m.Shard, m.Config.Rate, m.Config.Concurrency, c.Total.Attempts, attempts, c.Total.Missed, missed, c.Total.OK, ok)
	}
	for name, ps := range c.Total.Phases {
		want := loadgen.NewHistogram()
		for _, s := range shards {
			sp, found := s.Cells[0].Total.Phases[name]
			if !found {
				continue
			}
			h, err := sp.Hist()
			if err != nil {
				t.Fatal(err)
			}
			want.Merge(h)
		}
		got, err := ps.Hist()
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equals(want) || ps.P99 != float64(want.ValueAtQuantile(99))/1e6 {
			t.Errorf("phase %s: merged histogram (%d values, p99 %v) is not the exact merge of the shards' (%d, p99 %d ns)",
				name, got.TotalCount(), ps.P99, want.TotalCount(), want.ValueAtQuantile(99))
		}
	}
	// Lines of the four shards covering the same second merged into one:
	// the merged log has one line per second any shard measured in.
	seconds := func(dir string) (secs map[int64]bool, lines int, values int64) {
		ivs, err := results.LoadIntervals(dir)
		if err != nil {
			t.Fatal(err)
		}
		secs = map[int64]bool{}
		for _, iv := range ivs {
			if iv.Phase == "total" {
				secs[int64(math.Round((iv.Start - ivs[0].Start).Seconds()))] = true
				lines++
				values += iv.Hist.TotalCount()
			}
		}
		return secs, lines, values
	}
	union := map[int64]bool{}
	for _, d := range dirs {
		secs, _, _ := seconds(d)
		maps.Copy(union, secs)
	}
	if secs, lines, values := seconds(merged); lines != len(union) || len(secs) != len(union) || values != ok {
		t.Errorf("merged log: %d lines over %d seconds holding %d values; want %d (one line per second) holding %d",
			lines, len(secs), values, len(union), ok)
	}

	// Refusals: nothing is written.
	for _, r := range []struct {
		name string
		dirs []string
		want string
	}{
		{"missing", []string{dirs[0], dirs[1], dirs[3]}, "shard 3 of 4 missing"},
		{"duplicate", []string{dirs[0], dirs[1], dirs[2], dirs[2]}, "both shard 3/4"},
		{"foreign", []string{dirs[0], dirs[1], dirs[2], foreignShard(t, tg.Addr, ca, tmp)}, "belongs to another run"},
	} {
		dst := filepath.Join(tmp, "refused-"+r.name)
		_, stderr, code := hsbench(t, context.Background(), append([]string{"merge", "--out", dst}, r.dirs...)...)
		if code != exitUsage || !strings.Contains(stderr, r.want) {
			t.Errorf("%s: exit %d, %q; want exit 2 saying %q", r.name, code, stderr, r.want)
		}
		if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a refused merge created %s", r.name, dst)
		}
	}
	if _, stderr, code := hsbench(t, context.Background(), append([]string{"merge", "--out", merged}, dirs...)...); code != exitUsage || !strings.Contains(stderr, "already holds a run") {
		t.Errorf("merge over an existing run: exit %d, %q", code, stderr)
	}
}

func shards0Start(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// foreignShard runs shard 4/4 of another run (another rate, no start time).
func foreignShard(t *testing.T, addr, ca, tmp string) string {
	t.Helper()
	dir := filepath.Join(tmp, "foreign")
	_, stderr, code := hsbench(t, context.Background(), "run", "--target", addr, "--ca", ca, "--mode", "full", "--rate", "100",
		"--concurrency", "4", "--duration", "200ms", "--warmup", "0", "--quiet", "--shard", "4/4", "--out", dir)
	if code != 0 {
		t.Fatalf("foreign shard: exit %d\n%s", code, stderr)
	}
	return dir
}

func TestMergeUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"merge", "x"}, "--out"},
		{[]string{"merge", "--out", filepath.Join(t.TempDir(), "m")}, "no shard directory"},
		{[]string{"merge", "--out", filepath.Join(t.TempDir(), "m"), t.TempDir()}, "not a run directory"},
	} {
		_, stderr, code := hsbench(t, context.Background(), c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 naming %q", c.args, code, stderr, c.want)
		}
	}
}
