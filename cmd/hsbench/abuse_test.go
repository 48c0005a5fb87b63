package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/results"
)

// Bad input (docs/abuse-cases.md): every case exits 2 naming the flag or
// argument, before anything starts, and writes nothing.
func TestAbuseBadInputRefused(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 300)
	rows := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"rate below the bound (schedule overflow)", []string{"run", "--rate", "1e-11"}, "--rate"},
		{"rate above the bound", []string{"run", "--rate", "1e300"}, "--rate"},
		{"rate NaN", []string{"run", "--rate", "NaN"}, "--rate"},
		{"rate Inf", []string{"run", "--rate", "Inf"}, "--rate"},
		{"rate negative", []string{"run", "--rate", "-1"}, "--rate"},
		{"concurrency 10000000", []string{"run", "--concurrency", "10000000"}, "--concurrency"},
		{"duration beyond the bound", []string{"run", "--duration", "20000h"}, "--duration"},
		{"warmup beyond the bound", []string{"run", "--warmup", "20000h"}, "--warmup"},
		{"target port 99999", []string{"run", "--target", "127.0.0.1:99999"}, "--target"},
		{"target port 0", []string{"run", "--target", "127.0.0.1:0"}, "--target"},
		{"max-error-rate NaN", []string{"run", "--max-error-rate", "NaN"}, "--max-error-rate"},
		{"max-mismatch-rate NaN", []string{"run", "--max-mismatch-rate", "NaN"}, "--max-mismatch-rate"},
		{"max-error-rate Inf", []string{"run", "--max-error-rate", "Inf"}, "--max-error-rate"},
		{"300-byte ALPN", []string{"run", "--tls", "quic", "--alpn", long}, "--alpn"},
		{"empty ALPN name", []string{"run", "--tls", "quic", "--alpn", "h3,,hsbench"}, "--alpn"},
		{"ALPN on TCP cells only", []string{"run", "--tls", "1.3", "--alpn", "h2"}, "--alpn"},
		{"QUIC to --target without ALPN, after a TCP cell", []string{"run", "--tls", "1.3,quic", "--target", "127.0.0.1:1", "--insecure"}, "--alpn"},
		{"start-at far in the future", []string{"run", "--shard", "1/1", "--start-at", "2999-01-01T00:00:00Z"}, "--start-at 2999-01-01T00:00:00Z is more than 24h0m0s ahead"},
		{"start-at far in the past", []string{"run", "--shard", "1/1", "--start-at", "0001-01-01T00:00:00Z"}, "is in the past"},
		{"emulate rate=0", []string{"run", "--emulate", "rate=0"}, "--emulate"},
		{"emulate rtt=1000000h", []string{"run", "--emulate", "rtt=1000000h"}, "--emulate"},
		{"run --out under a file", []string{"run", "--out", filepath.Join(file, "run")}, "--out"},
		{"keylog in a missing directory", []string{"run", "--count", "1", "--keylog", filepath.Join(tmp, "no", "such", "keys")}, "--keylog"},
		{"ab slowdown 1e308%", []string{"ab", "--base", "embedded", "--new", "embedded:slowdown=1e308%"}, "--new"},
		{"ab slowdown NaN%", []string{"ab", "--base", "embedded", "--new", "embedded:slowdown=NaN%"}, "--new"},
		{"serve --slowdown 1e308%", []string{"serve", "--addr", "127.0.0.1:0", "--slowdown", "1e308%"}, "--slowdown"},
		{"serve stray argument", []string{"serve", "stray-arg", "--addr", "127.0.0.1:0"}, `unexpected argument "stray-arg"`},
	}
	for i, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			out := filepath.Join(tmp, "out", string(rune('a'+i)))
			args := r.args
			if !contains(args, "--out") {
				args = append(args, "--out", out)
			}
			if args[0] == "serve" {
				args = append(r.args, "--ca-out", filepath.Join(out, "ca.pem"))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, errs, code := hsbench(t, ctx, args...)
			if code != exitUsage || !strings.Contains(errs, r.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming %q", code, errs, r.want)
			}
			if strings.Contains(errs, "2562047h") {
				t.Errorf("an overflowed duration in the message: %q", errs)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("exit 2 wrote %s", out)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Run directories are created exclusively: runs started in the same
// second get distinct directories (-2, -3, …), never one shared.
func TestAbuseRunDirectoriesExclusive(t *testing.T) {
	t.Chdir(t.TempDir())
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &runPlan{f: &runFlags{}}
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, created, err := p.outDir(started)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || !created || seen[dir] {
				t.Errorf("outDir: %q created %v err %v (seen before: %v)", dir, created, err, seen[dir])
			}
			seen[dir] = true
		}()
	}
	wg.Wait()
	for _, d := range []string{"runs/20260102T030405Z", "runs/20260102T030405Z-2", "runs/20260102T030405Z-8"} {
		if !seen[d] {
			t.Errorf("no run got %s: %v", d, seen)
		}
	}
	// An explicit --out that holds a run is refused; an empty one is used.
	if err := os.MkdirAll("held", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join("held", results.HlogFile+".partial"), nil, 0o644)
	if _, _, err := (&runPlan{f: &runFlags{out: "held"}}).outDir(started); err == nil || !strings.Contains(err.Error(), "already holds a run") {
		t.Errorf("a directory holding a run: %v", err)
	}
	os.MkdirAll("empty", 0o755)
	if dir, created, err := (&runPlan{f: &runFlags{out: "empty"}}).outDir(started); err != nil || created || dir != "empty" {
		t.Errorf("an empty --out: %q %v %v", dir, created, err)
	}
}

// Every cell is judged alone: a cell where every attempt failed fails the
// run even beside a large healthy cell, and the message names it.
func TestAbuseGatePerCell(t *testing.T) {
	cell := func(id string, attempts, failed, mismatched int64) results.Cell {
		return results.Cell{ID: id, Total: results.Measure{Attempts: attempts,
			Errors: map[string]int64{"refused": failed}, Mismatches: map[string]int64{"x": mismatched}}}
	}
	p := &runPlan{f: &runFlags{maxErrorRate: 0.01, maxMismatchRate: 0.01}}
	for _, c := range []struct {
		name  string
		cells []results.Cell
		want  string // "" passes
	}{
		{"healthy", []results.Cell{cell("a", 10000, 0, 0), cell("b", 50, 0, 0)}, ""},
		{"one cell all failed", []results.Cell{cell("a", 10000, 0, 0), cell("b", 50, 50, 0)}, "b: 100.0% of attempts failed"},
		{"one cell all mismatched", []results.Cell{cell("a", 10000, 0, 0), cell("b", 50, 0, 50)}, "b: 100.0% of attempts did not negotiate"},
		{"one cell never attempted", []results.Cell{cell("a", 10000, 0, 0), cell("b", 0, 0, 0)}, "b: no handshake was attempted"},
		{"nothing attempted", []results.Cell{cell("a", 0, 0, 0)}, "no handshake was attempted"},
	} {
		err := p.gate(&results.Run{Cells: c.cells})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err, &bytes.Buffer{}) != exitFailed):
			t.Errorf("%s: %v, want exit 1 with %q", c.name, err, c.want)
		}
	}
}

// A key log that cannot be written fails the attempts as client_fault,
// never blamed on the target.
func TestAbuseKeylogDevFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := filepath.Join(t.TempDir(), "run")
	_, errs, code := hsbench(t, context.Background(), "run", "--mode", "full", "--count", "5", "--warmup", "0", "--quiet", "--keylog", "/dev/full", "--out", dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Cells[0].Total.Errors
	if e[sample.ClassClientFault] != 5 || len(e) != 1 {
		t.Fatalf("errors %v, want 5 %s", e, sample.ClassClientFault)
	}
}

// A stop before the first cell ends the run with exit 130 and nothing
// written: no stub run.json that blocks a rerun into the same --out.
func TestAbuseInterruptBeforeFirstCell(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs, code := hsbench(t, ctx, "run", "--mode", "full", "--count", "5", "--quiet", "--out", dir)
	if code != exitInterrupted || !strings.Contains(errs, "nothing written") {
		t.Fatalf("exit %d, want 130\n%s", code, errs)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s left behind", dir)
	}
	// A stop after the checks, just before the first cell: the same.
	fs, f := newRunFlags(&bytes.Buffer{})
	if err := fs.Parse([]string{"--mode", "full", "--count", "5", "--quiet", "--out", dir}); err != nil {
		t.Fatal(err)
	}
	p, err := planRun(fs, f)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	p.turn = func(context.Context, step) bool { cancel(); return true }
	err = p.execute(ctx, &bytes.Buffer{}, &bytes.Buffer{})
	if code := exitCode(err, &bytes.Buffer{}); code != exitInterrupted || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("stopped before the first step: %v (exit %d)", err, code)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s left behind after a stop before the first step", dir)
	}
	if _, errs, code := hsbench(t, context.Background(), "run", "--mode", "full", "--count", "5", "--warmup", "0", "--quiet", "--out", dir); code != 0 {
		t.Fatalf("rerun into the same --out: exit %d\n%s", code, errs)
	}
}

// report on corrupt or contradictory input exits 2 naming it; report
// interrupted exits 130 and writes nothing; an unwritable --out is named.
func TestAbuseReport(t *testing.T) {
	tmp := t.TempDir()
	good := filepath.Join(tmp, "good")
	if _, errs, code := hsbench(t, context.Background(), "run", "--mode", "full", "--count", "20", "--warmup", "0", "--quiet", "--shard", "1/1", "--out", good); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, errs)
	}
	lie := filepath.Join(tmp, "lie")
	os.MkdirAll(lie, 0o755)
	b, _ := os.ReadFile(filepath.Join(good, results.RunFile))
	var r map[string]any
	json.Unmarshal(b, &r)
	cell := r["cells"].([]any)[0].(map[string]any)
	cell["total"].(map[string]any)["phases"].(map[string]any)["total"].(map[string]any)["p50_ms"] = 999.0
	b, _ = json.Marshal(r)
	os.WriteFile(filepath.Join(lie, results.RunFile), b, 0o644)
	trunc := filepath.Join(tmp, "trunc")
	os.MkdirAll(trunc, 0o755)
	os.WriteFile(filepath.Join(trunc, results.RunFile), b[:len(b)/2], 0o644)
	file := filepath.Join(tmp, "a-file")
	os.WriteFile(file, nil, 0o644)

	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"report: p50 contradicts its histogram", []string{"report", lie, "--out", filepath.Join(tmp, "r1")}, exitUsage, "p50 999 ms contradicts"},
		{"report: truncated run.json", []string{"report", trunc, "--out", filepath.Join(tmp, "r2")}, exitUsage, trunc},
		{"report: --out under a file", []string{"report", good, "--out", filepath.Join(file, "r")}, exitUsage, "--out"},
		{"report: --out is a file", []string{"report", good, "--out", file}, exitUsage, "--out"},
		{"compare: p50 contradicts its histogram", []string{"compare", good, lie}, exitInvalid, "p50 999 ms contradicts"},
		{"merge: p50 contradicts its histogram", []string{"merge", "--out", filepath.Join(tmp, "m"), lie}, exitUsage, "p50 999 ms contradicts"},
		{"merge: truncated run.json", []string{"merge", "--out", filepath.Join(tmp, "m"), trunc}, exitUsage, trunc},
	} {
		_, errs, code := hsbench(t, context.Background(), c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d naming %q", c.name, code, errs, c.code, c.want)
		}
	}
	// merge interrupted: exit 130, nothing written.
	mout := filepath.Join(tmp, "merge-interrupted")
	mctx, mcancel := context.WithCancel(context.Background())
	mcancel()
	if _, errs, code := hsbench(t, mctx, "merge", "--out", mout, good); code != exitInterrupted || !strings.Contains(errs, "interrupted") {
		t.Errorf("merge interrupted: exit %d, stderr %q; want 130", code, errs)
	}
	if _, err := os.Stat(mout); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted merge wrote %s", mout)
	}
	// Interrupted: exit 130, says so, --out not created.
	out := filepath.Join(tmp, "interrupted")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs, code := hsbench(t, ctx, "report", good, "--out", out)
	if code != exitInterrupted || !strings.Contains(errs, "interrupted") {
		t.Errorf("report interrupted: exit %d, stderr %q; want 130", code, errs)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted report wrote %s", out)
	}
	// Not interrupted: every file in place, no staging directory left.
	if _, errs, code := hsbench(t, context.Background(), "report", good, "--out", out); code != 0 {
		t.Fatalf("report: exit %d\n%s", code, errs)
	}
	ents, _ := os.ReadDir(tmp)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("staging directory %s left behind", e.Name())
		}
	}
}

// The live line never shows a p50 that nothing measured, and says
// "warming up" only when there is a warm-up.
func TestAbuseProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, on: true}
	p.begin("c", 0, 1, 0)
	if s := buf.String(); strings.Contains(s, "warming up") || !strings.Contains(s, "starting") {
		t.Errorf("--warmup 0: %q", s)
	}
	buf.Reset()
	p.begin("c", 0, 1, time.Second)
	if s := buf.String(); !strings.Contains(s, "warming up") {
		t.Errorf("--warmup 1s: %q", s)
	}
	// Nothing succeeded: no histogram at all, then an empty one.
	for i, hist := range []*hdr.Histogram{nil, loadgen.NewHistogram()} {
		p.begin("c", 0, 1, 0)
		buf.Reset()
		snap := &loadgen.Snapshot{End: time.Second, Errors: loadgen.Counts{"refused": 7}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
		snap.Hist[sample.Total] = hist
		p.interval(snap)
		if s := buf.String(); strings.Contains(s, "0.000 ms") || !strings.Contains(s, "no latency yet") || !strings.Contains(s, "7 errors") {
			t.Errorf("nothing succeeded (case %d): %q", i, s)
		}
	}
	// Something succeeded: the percentiles appear.
	h := loadgen.NewHistogram()
	_ = h.RecordValue(int64(2 * time.Millisecond))
	buf.Reset()
	snap := &loadgen.Snapshot{End: time.Second, OK: 1, Errors: loadgen.Counts{}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
	snap.Hist[sample.Total] = h
	p.interval(snap)
	if s := buf.String(); !strings.Contains(s, "total p50 2.00") {
		t.Errorf("one success of 2 ms: %q", s)
	}
}

// Stop signals at any stage: SIGINT, SIGTERM and SIGHUP stop a run and keep
// complete files (exit 130); SIGQUIT quits at once (exit 131), leaving no
// incomplete file. Run as a real process.
func TestAbuseSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hsbench processes")
	}
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{
		{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitInterrupted},
		{syscall.SIGHUP, exitInterrupted}, {syscall.SIGQUIT, exitQuit},
	} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			cmd := exec.Command(os.Args[0], "run", "--mode", "full", "--duration", "1m", "--warmup", "0", "--quiet", "--out", dir)
			cmd.Env = append(os.Environ(), execMainVar+"=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until it measures (the interval log exists), then signal.
			deadline := time.Now().Add(20 * time.Second)
			for {
				if _, err := os.Stat(filepath.Join(dir, results.HlogFile+".partial")); err == nil || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			sent := time.Now()
			cmd.Process.Signal(c.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 20 s after %v", c.sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Fatalf("exit %d after %v, want %d\n%s", code, c.sig, c.code, stderr.String())
			}
			t.Logf("%v: exited %v after the signal", c.sig, time.Since(sent).Round(time.Millisecond))
			if c.code != exitInterrupted {
				// Quit at once before any cell finished: nothing left.
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					ents, _ := os.ReadDir(dir)
					t.Fatalf("%v left %s behind: %v", c.sig, dir, ents)
				}
				return
			}
			r, err := results.Load(dir)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if !r.Interrupted || !r.Complete || r.Cells[0].Total.OK == 0 {
				t.Fatalf("record: interrupted %v complete %v ok %d", r.Interrupted, r.Complete, r.Cells[0].Total.OK)
			}
			if _, err := os.Stat(filepath.Join(dir, results.HlogFile)); err != nil {
				t.Fatalf("no complete interval log: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, results.HlogFile+".partial")); err == nil {
				t.Fatal("a partial interval log left behind")
			}
		})
	}
}

// A run that cannot write its directory (a full disk) says which cells
// run.json keeps; one that fails before any cell reached run.json removes
// what it wrote, so no stub blocks a rerun.
func TestAbuseAbandon(t *testing.T) {
	tmp := t.TempDir()
	full := errors.New("no space left on device")

	kept := &runState{dir: filepath.Join(tmp, "kept"), saved: []string{"cell-a", "cell-b"}}
	err := kept.abandon(withCode(exitUsage, full))
	if !strings.Contains(err.Error(), "keeps the cells finished before: cell-a, cell-b") || exitCode(err, &bytes.Buffer{}) != exitUsage {
		t.Errorf("with cells saved: %v (exit %d)", err, exitCode(err, &bytes.Buffer{}))
	}

	dir := filepath.Join(tmp, "fresh")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, results.HlogFile+".partial"), []byte("x"), 0o644)
	fresh := &runState{dir: dir, created: true}
	if err := fresh.abandon(full); !errors.Is(err, full) {
		t.Errorf("error %v lost", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed run's own directory is left: %v", err)
	}

	mine := filepath.Join(tmp, "users")
	os.Mkdir(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("keep me"), 0o644)
	os.WriteFile(filepath.Join(mine, results.HlogFile+".partial"), []byte("x"), 0o644)
	(&runState{dir: mine}).abandon(full)
	if _, err := os.Stat(filepath.Join(mine, "notes.txt")); err != nil {
		t.Errorf("the user's file in an existing --out was touched: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mine, results.HlogFile+".partial")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed run's interval log is left")
	}
}

// SIGQUIT after a cell finished: run.json keeps that cell (loadable, not
// complete), and no incomplete interval log is left.
func TestAbuseQuitKeepsFinishedCells(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an hsbench process")
	}
	dir := filepath.Join(t.TempDir(), "run")
	// 2 cells × 30 repeats of 300 ms: SIGQUIT lands after the first saved.
	cmd := exec.Command(os.Args[0], "run", "--mode", "full,resumed", "--duration", "300ms", "--repeat", "30", "--warmup", "0", "--quiet", "--out", dir)
	cmd.Env = append(os.Environ(), execMainVar+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cell finished in 30 s\n%s", stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGQUIT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitQuit {
		t.Fatalf("exit %d, want %d\n%s", code, exitQuit, stderr.String())
	}
	r, err := results.Load(dir)
	if err != nil || r.Complete || r.Cells[0].Total.OK+r.Cells[1].Total.OK == 0 {
		t.Fatalf("run.json after SIGQUIT: %v %+v", err, r)
	}
	if _, err := os.Stat(filepath.Join(dir, results.HlogFile+".partial")); err == nil {
		t.Fatal("an incomplete interval log left behind")
	}
}
