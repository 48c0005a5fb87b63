package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/report"
	"github.com/hsbench/hsbench/results"
)

// execute runs the plan: every step in order, streaming intervals to
// phases.hlog and saving run.json after each step (so a crash or Ctrl-C
// keeps everything finished), then prints the table and applies the
// error-rate gate.
func (p *runPlan) execute(ctx context.Context, stdout, stderr io.Writer) error {
	tuneRuntime(p.procs)
	stopEmulation, err := p.startEmulation(ctx)
	if err != nil {
		return err
	}
	defer stopEmulation()
	r, err := p.open(ctx, stdout, stderr)
	if err != nil {
		return err
	}
	defer r.close()
	for _, st := range p.order {
		if p.turn != nil && !p.turn(ctx, st) {
			break // hsbench ab has its answer: the run ends complete
		}
		if ctx.Err() != nil {
			break
		}
		if err := r.step(ctx, st); err != nil {
			return r.abandon(err)
		}
	}
	return r.finish(ctx, stdout, stderr)
}

// runState is what one execution of a plan holds open.
type runState struct {
	p        *runPlan
	dir      string
	started  time.Time     // now, or --start-at for a synchronised shard
	cpu0     time.Duration // process CPU at the start
	rec      *results.Run
	hlog     *results.HlogWriter
	targets  *targets
	prog     *progress
	stdout   io.Writer // each step's one-line result, the tables at the end
	stepsRun int       // steps finished
	perCell  [][]results.Measure
	keylog   *os.File
	hlogDone bool
	created  bool         // the run directory is this run's own
	saved    []string     // cells in run.json on disk, in the order they ran
	nsaved   atomic.Int64 // len(saved), for the quit hook
	unhook   func()       // unregisters the quit hook
}

// open checks every cell's factory (so an input error surfaces before the
// first cell runs, with nothing written), then creates the run directory,
// the record and the interval log. run.json is first written when the
// first cell has run: a run that fails before leaves no stub behind.
func (p *runPlan) open(ctx context.Context, stdout, stderr io.Writer) (*runState, error) {
	r := &runState{p: p, stdout: stdout, started: p.startTime(), cpu0: results.ProcessCPU(), perCell: make([][]results.Measure, len(p.cells))}
	r.targets = newTargets(p.f.clientAuth)
	r.targets.slowdown = p.slowdown
	p.emu.attach(r.targets)
	if err := p.checkFactories(ctx, r.targets); err != nil {
		r.close()
		return nil, err
	}
	var err error
	if r.dir, r.created, err = p.outDir(r.started); err != nil {
		r.close()
		return nil, err
	}
	if p.f.keylog != "" {
		if r.keylog, err = os.OpenFile(p.f.keylog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
			return nil, r.abandon(usagef("opening --keylog: %v", err))
		}
		p.keylog = r.keylog
	}
	r.rec = p.record(r.started, r.dir)
	r.rec.Shard = p.shardRecord()
	p.emu.describe(r.rec)
	if r.hlog, err = results.CreateHlog(r.dir, r.started); err != nil {
		return nil, r.abandon(usagef("--out %s: %v", r.dir, err))
	}
	r.unhook = onQuit(ctx, r.quitNow)
	var planned time.Duration
	if p.f.duration > 0 {
		planned = p.f.warmup + p.f.duration
	}
	r.prog = newProgress(stderr, p.f.quiet, len(p.order), planned)
	r.prog.note = p.progressNote
	return r, nil
}

// checkFactories builds every cell's handshake factory once (starting the
// embedded targets it needs) and pins and unpins its TLS 1.3 suite, so
// that what only a factory can refuse is found before anything is
// written. A stop signal meanwhile ends the run with nothing written.
func (p *runPlan) checkFactories(ctx context.Context, targets *targets) error {
	for _, c := range p.cells {
		if ctx.Err() != nil {
			return withCode(exitInterrupted, fmt.Errorf("hsbench: interrupted before the first cell; nothing written"))
		}
		if c.suite != nil && isTLS13Suite(c.suite) {
			unpin, err := bench.PinTLS13Suite(c.suite.ID)
			if err != nil {
				return usagef("%s: %v", c.id, err)
			}
			unpin()
		}
		if _, err := p.factory(c, targets); err != nil {
			return err
		}
	}
	return nil
}

// abandon ends a run that failed with err: when no cell reached run.json
// it removes what the run wrote (the whole directory when it made it), so
// a failed run leaves no stub that blocks a rerun; otherwise run.json
// keeps the cells finished before, and err says which.
func (r *runState) abandon(err error) error {
	if len(r.saved) > 0 {
		code := exitFailed
		if ee := (*exitError)(nil); errors.As(err, &ee) {
			code = ee.code
		}
		return withCode(code, fmt.Errorf("%w (%s in %s keeps the cells finished before: %s)", err, results.RunFile, r.dir, strings.Join(r.saved, ", ")))
	}
	if r.hlog != nil && !r.hlogDone {
		r.hlogDone = true
		r.hlog.Close()
	}
	if r.keylog != nil {
		r.keylog.Close()
		r.keylog = nil
	}
	for _, name := range []string{results.HlogFile, results.HlogFile + ".partial"} {
		os.Remove(filepath.Join(r.dir, name))
	}
	if r.created {
		os.Remove(r.dir) // only when empty: never anything of the user's
	}
	return err
}

// quitNow runs when hsbench quits at once (a second stop signal,
// SIGQUIT), from the signal goroutine: it leaves complete files or none.
// run.json, always replaced whole, keeps the cells finished before; the
// unfinished interval log goes; with no cell saved the run directory goes
// too when the run made it.
func (r *runState) quitNow() {
	os.Remove(filepath.Join(r.dir, results.HlogFile+".partial"))
	if r.nsaved.Load() == 0 {
		os.Remove(filepath.Join(r.dir, results.HlogFile))
		if r.created {
			os.Remove(r.dir)
		}
	}
}

// close releases everything open; safe after finish.
func (r *runState) close() {
	if r.unhook != nil {
		r.unhook()
	}
	if r.hlog != nil && !r.hlogDone {
		r.hlog.Close()
		r.hlogDone = true
	}
	if r.targets != nil {
		r.targets.close()
	}
	if r.keylog != nil {
		r.keylog.Close()
	}
}

// step runs one (repeat, cell) and records it.
func (r *runState) step(ctx context.Context, st step) error {
	p := r.p
	c := p.cells[st.cell]
	// TLS 1.3 suites are process-wide in crypto/tls: pinned for this cell only.
	unpin := func() {}
	if c.suite != nil && isTLS13Suite(c.suite) {
		var err error
		if unpin, err = bench.PinTLS13Suite(c.suite.ID); err != nil {
			return usagef("%s: %v", c.id, err)
		}
	}
	defer unpin()
	factory, err := p.factory(c, r.targets)
	if err != nil {
		return err
	}
	if err := p.awaitStep(ctx); err != nil { // --start-at: wait, or fail when late
		return err
	}
	r.prog.begin(c.id, st.repeat, p.f.repeat, p.f.warmup)
	offset := time.Since(r.started) + p.f.warmup
	cpu := results.ProcessCPU()
	res, err := loadgen.Run(ctx, loadgen.Config{
		Factory: factory.Factory, Concurrency: p.f.concurrency, Rate: p.f.rate,
		Duration: p.f.duration, Count: p.f.count, Warmup: p.f.warmup,
		Timeout: p.f.timeout, Interval: p.f.interval,
		OnInterval: func(s *loadgen.Snapshot) {
			_ = r.hlog.Interval(c.id, offset, s)
			_ = r.hlog.Flush()
			r.prog.interval(s)
			if p.onInterval != nil {
				p.onInterval(s)
			}
		},
	})
	r.prog.end()
	if err != nil {
		return fmt.Errorf("hsbench: %s: %w", c.id, err)
	}
	if p.onResult != nil {
		p.onResult(res)
	}
	m, err := results.MeasureOf(res, st.repeat, offset, results.ProcessCPU()-cpu)
	if err != nil {
		return err
	}
	if factory.warnings != nil {
		m.Warnings = append(m.Warnings, factory.warnings()...)
	}
	if factory.stats != nil {
		m.PrimingHandshakes = factory.stats.Primes.Load()
		m.PrimingInitial = factory.stats.Initial.Load()
	}
	r.perCell[st.cell] = append(r.perCell[st.cell], m)
	if err := r.update(st.cell, ctx.Err() != nil, false); err != nil {
		return err
	}
	if err := r.rec.Save(r.dir); err != nil {
		return fmt.Errorf("hsbench: --out %s: saving %s after %s: %w", r.dir, results.RunFile, c.id, err)
	}
	if !slices.Contains(r.saved, c.id) {
		r.saved = append(r.saved, c.id)
		r.nsaved.Store(int64(len(r.saved)))
	}
	// The cell's result at once, terminal or not (a pipe sees the run
	// progress too); with repeats, the cell's total so far.
	r.stepsRun++
	line := fmt.Sprintf("[%d/%d] %s", r.stepsRun, len(p.order), report.CellLine(r.rec, &r.rec.Cells[st.cell]))
	if p.f.repeat > 1 {
		line += fmt.Sprintf(" (after repeat %d of %d)", st.repeat+1, p.f.repeat)
	}
	fmt.Fprintln(r.stdout, line)
	return nil
}

// update brings the record up to date after cell i gained a measure: only
// that cell's total is merged again.
func (r *runState) update(i int, interrupted, complete bool) error {
	runs := r.perCell[i]
	r.rec.Cells[i].Runs = runs
	if len(runs) > 0 {
		tot, err := results.TotalOf(runs)
		if err != nil {
			return err
		}
		r.rec.Cells[i].Total = tot
	}
	r.rec.Environment.ClientCPUSeconds = (results.ProcessCPU() - r.cpu0).Seconds()
	r.rec.Interrupted = interrupted
	r.rec.Complete = complete
	return nil
}

// finish closes the interval log, marks the record complete (or
// interrupted), prints the table and applies the error-rate gate.
func (r *runState) finish(ctx context.Context, stdout, stderr io.Writer) error {
	r.hlogDone = true
	if err := r.hlog.Close(); err != nil {
		return r.abandon(fmt.Errorf("hsbench: --out %s: %w", r.dir, err))
	}
	interrupted := ctx.Err() != nil
	if interrupted && len(r.saved) == 0 {
		return withCode(exitInterrupted, r.abandon(fmt.Errorf("hsbench: interrupted before any cell ran; nothing written")))
	}
	r.rec.Environment.ClientCPUSeconds = (results.ProcessCPU() - r.cpu0).Seconds()
	r.rec.Interrupted = interrupted
	r.rec.Complete = true
	if err := r.rec.Save(r.dir); err != nil {
		return r.abandon(fmt.Errorf("hsbench: --out %s: saving %s: %w", r.dir, results.RunFile, err))
	}
	if len(r.p.order) > 0 {
		fmt.Fprintln(stdout)
	}
	if err := report.WriteRunEnd(stdout, r.rec, r.p.tables()); err != nil {
		return fmt.Errorf("hsbench: writing the table: %w", err)
	}
	fmt.Fprintf(stderr, "hsbench: results in %s (%s, %s)\n", r.dir, results.RunFile, results.HlogFile)
	if interrupted {
		return withCode(exitInterrupted, fmt.Errorf("hsbench: interrupted; partial results in %s", r.dir))
	}
	if err := r.p.gate(r.rec); err != nil {
		return err
	}
	return r.p.judgeBudgets(r.rec, stdout)
}

// tables says whether the run ends with every cell's per-phase table:
// --tables all or none, or auto: up to autoTables cells (beyond, the
// summary table alone; report.md has every table).
func (p *runPlan) tables() bool {
	switch p.f.tables {
	case "all":
		return true
	case "none":
		return false
	}
	return len(p.cells) <= autoTables
}

// autoTables is the most cells whose per-phase tables --tables auto prints.
const autoTables = 4

// gate fails the run (exit 1) when, in any cell, too many attempts failed
// or too many negotiated something else than asked: such a cell did not
// measure what it was asked to, and a CI job must notice. Each cell is
// judged alone, so a cell where everything failed cannot hide behind a
// healthy one.
func (p *runPlan) gate(rec *results.Run) error {
	var attempts int64
	var bad []string
	for _, c := range rec.Cells {
		t := c.Total
		attempts += t.Attempts
		if t.Attempts == 0 {
			bad = append(bad, c.ID+": no handshake was attempted")
			continue
		}
		if rate := float64(sum(t.Errors)) / float64(t.Attempts); rate > p.f.maxErrorRate {
			bad = append(bad, fmt.Sprintf("%s: %.1f%% of attempts failed (--max-error-rate %.1f%%)", c.ID, 100*rate, 100*p.f.maxErrorRate))
		}
		if rate := float64(sum(t.Mismatches)) / float64(t.Attempts); rate > p.f.maxMismatchRate {
			bad = append(bad, fmt.Sprintf("%s: %.1f%% of attempts did not negotiate what was asked (--max-mismatch-rate %.1f%%)", c.ID, 100*rate, 100*p.f.maxMismatchRate))
		}
	}
	if attempts == 0 {
		return withCode(exitFailed, fmt.Errorf("hsbench: no handshake was attempted"))
	}
	if len(bad) > 0 {
		return withCode(exitFailed, fmt.Errorf("hsbench: %s", strings.Join(bad, "; ")))
	}
	return nil
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
