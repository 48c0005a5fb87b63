package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/results"
)

// A/A on the embedded target: never FAIL at the default threshold, and the
// two run directories hold interleaved whole runs, N per cell.
func TestABSameTargetNeverFails(t *testing.T) {
	noGitHub(t)
	dir := filepath.Join(t.TempDir(), "ab")
	out, errs, code := hsbench(t, context.Background(), "ab", "--base", "embedded", "--new", "embedded",
		"--runs", "6", "--count", "15", "--warmup", "0", "--mode", "full,resumed", "--quiet", "--out", dir)
	if code != exitOK {
		t.Fatalf("A/A: exit %d, want 0 (PASS or INCONCLUSIVE)\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "verdict: PASS") && !strings.Contains(out, "verdict: INCONCLUSIVE") {
		t.Fatalf("A/A verdict is neither PASS nor INCONCLUSIVE:\n%s", out)
	}
	type start struct {
		side   string
		repeat int
		at     time.Time
	}
	var starts []start
	for _, side := range []string{"base", "new"} {
		r, err := results.Load(filepath.Join(dir, side))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Complete || r.Config.Repeat != 6 || len(r.Cells) != 2 {
			t.Fatalf("%s: complete %v, repeat %d, %d cells", side, r.Complete, r.Config.Repeat, len(r.Cells))
		}
		if !slices.Contains(r.Config.Args, "ab") {
			t.Errorf("%s: args %v do not record the ab command", side, r.Config.Args)
		}
		for _, c := range r.Cells {
			if len(c.Runs) != 6 || c.Total.OK != 90 {
				t.Fatalf("%s %s: %d runs, %d ok; want 6 runs of 15", side, c.ID, len(c.Runs), c.Total.OK)
			}
			for _, m := range c.Runs {
				starts = append(starts, start{side, m.Repeat, r.Started.Add(time.Duration(m.OffsetMS * 1e6))})
			}
		}
	}
	// Interleaving: in time order, round i of one side (both cells) is
	// followed by round i of the other.
	slices.SortFunc(starts, func(a, b start) int { return a.at.Compare(b.at) })
	for i := 0; i+4 <= len(starts); i += 4 {
		q := starts[i : i+4]
		if q[0].side != q[1].side || q[2].side != q[3].side || q[0].side == q[2].side ||
			q[0].repeat != i/4 || q[1].repeat != i/4 || q[2].repeat != i/4 || q[3].repeat != i/4 {
			t.Fatalf("round %d is not one whole run of each side: %+v", i/4, q)
		}
	}
}

// A large slowdown is detected with tiny counts; 10% needs more runs and
// is measured by scripts/gate-quality instead. 100% was seen INCONCLUSIVE
// (ratio CI [1.01, 9.3]) on a 2-core machine running other tests at load
// 8, so the test slows the target by 400% (5x).
func TestABSlowdownFails(t *testing.T) {
	if raceBuild {
		t.Skip("slow under -race (seconds per run); TestABSameTargetNeverFails runs the same code")
	}
	noGitHub(t)
	dir := filepath.Join(t.TempDir(), "ab")
	out, errs, code := hsbench(t, context.Background(), "ab", "--base", "embedded", "--new", "embedded:slowdown=400%",
		"--runs", "8", "--count", "20", "--warmup", "0", "--mode", "resumed", "--metric", "total:p50", "--quiet", "--out", dir)
	if code != exitFailed {
		t.Fatalf("A/A+400%%: exit %d, want 1\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "verdict: FAIL (exit 1)") {
		t.Fatalf("no FAIL verdict:\n%s", out)
	}
	for _, side := range []string{"base", "new"} {
		if _, err := results.Load(filepath.Join(dir, side)); err != nil {
			t.Errorf("%s run directory: %v", side, err)
		}
	}
}

func TestABBadInput(t *testing.T) {
	noGitHub(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		args []string
		want string
	}{
		{[]string{"--base", "embedded"}, "--base and --new"},
		{[]string{"--base", "embedded", "--new", "embedded", "--target", "127.0.0.1:1"}, "--target"},
		{[]string{"--base", "embedded", "--new", "embedded", "--repeat", "3"}, "--runs"},
		{[]string{"--base", "embedded", "--new", "embedded", "--runs", "0"}, "--runs"},
		{[]string{"--base", "embedded", "--new", "embedded:slowdown=fast"}, "--new"},
		{[]string{"--base", "embedded:turbo", "--new", "embedded"}, "--base"},
		{[]string{"--base", "embedded", "--new", "localhost"}, "--target"},
		{[]string{"--base", "embedded", "--new", "embedded", "--ca-base", ca}, "--ca-base"},
		{[]string{"--base", "127.0.0.1:1", "--new", "127.0.0.1:2", "--ca-new", ca}, "ab new"},
		{[]string{"--base", "embedded", "--new", "embedded", "--threshold", "5"}, "--threshold"},
		{[]string{"--base", "embedded", "--new", "embedded", "--rate", "-1"}, "--rate"},
		{[]string{"--base", "embedded", "--new", "embedded", "extra"}, "unexpected argument"},
	}
	for _, r := range rows {
		out := filepath.Join(dir, "never")
		_, errs, code := hsbench(t, context.Background(), append(append([]string{"ab"}, r.args...), "--out", out)...)
		if code != exitUsage || !strings.Contains(errs, r.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", r.args, code, errs, r.want)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: bad input still created the output directory", r.args)
		}
	}
}
