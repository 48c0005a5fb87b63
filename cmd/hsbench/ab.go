package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/report/compare"
	"github.com/hsbench/hsbench/results"
)

func init() {
	register(35, "ab", "A/B test two targets on this machine in interleaved blocks until the verdict is clear, then compare them", abCmd)
}

// abCmd runs 'hsbench ab': short blocks of every cell against each of two
// targets, interleaved A B B A…, written as two ordinary run directories
// DIR/base and DIR/new (one repeat per block), judged after every round
// of blocks and stopped as soon as the verdict is clear or --budget is
// spent, then compared as by 'hsbench compare DIR/base DIR/new'.
func abCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newRunFlags(stdout)
	fs.Init("ab", pflag.ContinueOnError)
	var a abFlags
	fs.StringVar(&a.base, "base", "", "BASE target: host:port, embedded, or embedded:slowdown=P% (required)")
	fs.StringVar(&a.new, "new", "", "NEW target: host:port, embedded, or embedded:slowdown=P% (required)")
	fs.StringVar(&a.caBase, "ca-base", "", "PEM CA bundle for the BASE target (default --ca)")
	fs.StringVar(&a.caNew, "ca-new", "", "PEM CA bundle for the NEW target (default --ca)")
	fs.IntVar(&a.runs, "runs", 200, "most blocks per cell and side (each round measures every cell once per side)")
	fs.DurationVar(&a.budget, "budget", 40*time.Second, "time to spend on blocks before giving up on a verdict (INCONCLUSIVE, exit 3); at least 8 blocks per cell are measured")
	g := addGateFlags(fs)
	for _, name := range abRefused {
		_ = fs.MarkHidden(name) // still parsed, to refuse them clearly
	}
	setDefault(fs, "duration", abBlock.String(), "measured time per block and cell")
	setDefault(fs, "warmup", abWarmup.String(), "unrecorded warm-up before each block")
	fs.Lookup("out").Usage = "directory for the two runs, DIR/base and DIR/new (default ./runs/ab-<UTC timestamp>)"
	fs.Lookup("seed").Usage = "seed of the block order: which side opens the A B B A sequence, and the cells in each round"
	group(fs, groupTarget, "base", "new", "ca-base", "ca-new")
	group(fs, groupLoad, "runs", "budget")
	fs.Usage = func() {
		printUsage(stdout, "Usage: hsbench ab --base TARGET --new TARGET [flags]\n\nRuns every cell against BASE and NEW in short interleaved blocks (A B B A...) until the verdict is clear or --budget is spent, then compares them as 'hsbench compare' does.", fs)
	}
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("ab: unexpected argument %q", fs.Arg(0))
	}
	gp, err := g.plan(stderr)
	if err != nil {
		return err
	}
	ab, err := planAB(fs, f, a, append([]string{"ab"}, args...))
	if err != nil {
		return err
	}
	if a.runs < compare.MinBlocks {
		fmt.Fprintf(stderr, "hsbench: ab: %d blocks per cell are too few for a verdict (at least %d); expect TOO_FEW_RUNS\n", a.runs, compare.MinBlocks)
	}
	return ab.run(ctx, gp, stdout, stderr)
}

// Defaults of ab's blocks: short, so that many pairs fit in the budget
// and drift between the two blocks of a pair stays small.
const (
	abBlock  = 300 * time.Millisecond
	abWarmup = 50 * time.Millisecond
)

// setDefault changes a shared flag's default for one subcommand.
func setDefault(fs *pflag.FlagSet, name, value, usage string) {
	fl := fs.Lookup(name)
	_ = fl.Value.Set(value) // a valid literal of the flag's own type
	fl.DefValue, fl.Usage = value, usage
}

// abFlags are the flags of 'hsbench ab' beside run's load flags and the
// gate flags.
type abFlags struct {
	base, new, caBase, caNew string
	runs                     int
	budget                   time.Duration
}

// abRefused are run flags that make no sense for ab, and why.
var (
	abRefused    = []string{"target", "repeat", "shard", "start-at", "emulate", "emulate-exec"}
	abRefusedWhy = map[string]string{
		"target": "give --base and --new", "repeat": "use --runs", "shard": "ab runs on one machine",
		"start-at": "ab runs on one machine", "emulate": "not supported by ab yet", "emulate-exec": "not supported by ab yet",
	}
)

// abPlan is a checked 'hsbench ab': two run plans and the interleaving.
type abPlan struct {
	dir    string
	sides  [2]*abSide // base, new
	quiet  bool
	rounds int           // most rounds (blocks per cell and side)
	budget time.Duration // time for blocks
	first  int           // the side that opens the A B B A sequence
}

// abSide is one target of an A/B test: its run plan, taking turns with
// the other side one block (step) at a time.
type abSide struct {
	name, spec string
	plan       *runPlan
	dir        string
	perRound   []int         // steps in each round
	grant      chan bool     // the coordinator lets the side run its next step (true) or end (false)
	yield      chan struct{} // the side finished its step
	done       chan struct{} // execute returned
	started    bool          // turn was called before; side goroutine only
	granted    int           // steps granted; coordinator only
	err        error         // execute's result, read after done
}

// planAB validates everything before anything runs or is written.
func planAB(fs *pflag.FlagSet, f *runFlags, a abFlags, args []string) (*abPlan, error) {
	for _, name := range abRefused {
		if fs.Changed(name) {
			return nil, usagef("ab: --%s cannot be used with ab (%s)", name, abRefusedWhy[name])
		}
	}
	switch {
	case a.base == "" || a.new == "":
		return nil, usagef("ab: --base and --new are both required (host:port, embedded or embedded:slowdown=10%%)")
	case a.runs < 1:
		return nil, usagef("parsing --runs: %d: must be at least 1", a.runs)
	}
	if a.budget <= 0 {
		return nil, usagef("parsing --budget: %v: must be positive", a.budget)
	}
	p := &abPlan{dir: f.out, quiet: f.quiet, rounds: a.runs, budget: a.budget}
	if p.dir == "" {
		p.dir = filepath.Join("runs", "ab-"+time.Now().UTC().Format("20060102T150405Z"))
	}
	for i, s := range []struct{ name, spec, ca, caFlag string }{
		{"base", a.base, a.caBase, "--ca-base"}, {"new", a.new, a.caNew, "--ca-new"},
	} {
		sf := *f // each side gets its own copy of the load flags
		target, slowdown, err := parseABTarget(s.spec)
		if err != nil {
			return nil, usagef("parsing --%s: %v", s.name, err)
		}
		if target == "" && s.ca != "" {
			return nil, usagef("%s: the %s side is the embedded target, which needs no CA", s.caFlag, s.name)
		}
		if s.ca != "" {
			sf.ca = s.ca
		}
		sf.target, sf.repeat, sf.out = target, a.runs, filepath.Join(p.dir, s.name)
		plan, err := planRun(fs, &sf)
		if err != nil {
			var ee *exitError
			if errors.As(err, &ee) {
				return nil, withCode(ee.code, fmt.Errorf("hsbench: ab %s (%s): %s", s.name, s.spec, strings.TrimPrefix(ee.Error(), "hsbench: ")))
			}
			return nil, err
		}
		plan.slowdown, plan.args = slowdown, args
		side := &abSide{name: s.name, spec: s.spec, plan: plan, dir: sf.out, perRound: make([]int, a.runs),
			grant: make(chan bool), yield: make(chan struct{}), done: make(chan struct{})}
		for _, st := range plan.order {
			side.perRound[st.repeat]++
		}
		plan.turn = side.turn
		p.sides[i] = side
		if _, err := os.Stat(filepath.Join(side.dir, results.RunFile)); err == nil {
			return nil, usagef("--out %s: already holds a run; choose another directory", side.dir)
		}
	}
	p.first = rand.New(rand.NewPCG(f.seed, 0x61622d6f72646572)).IntN(2)
	return p, nil
}

// parseABTarget reads "host:port", "embedded" or "embedded:slowdown=10%";
// the embedded target has an empty address.
func parseABTarget(spec string) (target string, slowdown float64, err error) {
	rest, ok := strings.CutPrefix(spec, "embedded")
	switch {
	case !ok:
		return spec, 0, nil // planRun checks host:port
	case rest == "":
		return "", 0, nil
	}
	val, ok := strings.CutPrefix(rest, ":slowdown=")
	if !ok {
		return "", 0, fmt.Errorf("%q: want embedded or embedded:slowdown=P%%", spec)
	}
	if !strings.HasSuffix(val, "%") {
		return "", 0, fmt.Errorf("%q: slowdown %q: want a percentage such as 10%%", spec, val)
	}
	if slowdown, err = parseSlowdown(val); err != nil {
		return "", 0, fmt.Errorf("%q: slowdown %w", spec, err)
	}
	return "", slowdown, nil
}

// turn is the side's runPlan.turn: it hands the machine back to the
// coordinator after each step and waits for the next grant.
func (s *abSide) turn(ctx context.Context, _ step) bool {
	if s.started {
		select {
		case s.yield <- struct{}{}:
		case <-ctx.Done():
			return false
		}
	}
	s.started = true
	select {
	case ok := <-s.grant:
		return ok
	case <-ctx.Done():
		return false
	}
}

// run executes both plans, block by block as coordinate grants them,
// then compares the two run directories.
func (p *abPlan) run(ctx context.Context, gp *gatePlan, stdout, stderr io.Writer) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, s := range p.sides {
		go func() {
			defer close(s.done)
			// Per-run tables would bury the verdict: the run directories hold them.
			s.err = s.plan.execute(runCtx, io.Discard, stderr)
		}()
	}
	failed := p.coordinate(runCtx, gp, stderr)
	if failed != nil {
		cancel() // stop the other side too
	}
	for _, s := range p.sides {
		<-s.done
	}
	if failed != nil {
		return failed.wrap(failed.err)
	}
	if ctx.Err() != nil {
		return withCode(exitInterrupted, fmt.Errorf("hsbench: ab: interrupted; partial results in %s", p.dir))
	}
	// execute's own gate: a side whose attempts failed too often finished
	// its blocks but fails the A/B test, with the reason.
	var gateErrs [2]error
	for i, s := range p.sides {
		if s.err != nil {
			if !s.gateFailure() {
				return s.wrap(s.err)
			}
			gateErrs[i] = s.wrap(s.err)
		}
	}
	fmt.Fprintf(stderr, "hsbench: ab: comparing %s and %s\n", p.sides[0].dir, p.sides[1].dir)
	err := gp.compareDirs(p.sides[0].dir, p.sides[1].dir, stdout, stderr)
	switch {
	case gateErrs[0] != nil:
		return withCode(exitFailed, fmt.Errorf("%w: FAIL, the baseline cannot be compared against", gateErrs[0]))
	case gateErrs[1] != nil:
		return withCode(exitFailed, fmt.Errorf("%w: FAIL", gateErrs[1]))
	}
	return err
}

// coordinate grants the blocks round by round, the two sides
// alternating A B B A…, and after each round from compare.MinBlocks on
// judges what is measured: it ends both runs at the first clear overall
// verdict, or when another round would overrun the budget (never before
// compare.MinBlocks rounds, the fewest a verdict needs). It returns
// the side whose execute ended before it was told to (nil otherwise).
func (p *abPlan) coordinate(ctx context.Context, gp *gatePlan, stderr io.Writer) *abSide {
	start, pair := time.Now(), 0
	for r := range p.rounds {
		for k := 0; k < max(p.sides[0].perRound[r], p.sides[1].perRound[r]); k++ {
			order := [2]int{p.first, 1 - p.first}
			if pair%2 == 1 {
				order = [2]int{1 - p.first, p.first}
			}
			pair++
			for _, i := range order {
				if k >= p.sides[i].perRound[r] {
					continue
				}
				if s, ok := p.grantStep(ctx, p.sides[i]); !ok {
					return s
				}
			}
		}
		blocks, elapsed := r+1, time.Since(start)
		if blocks == p.rounds {
			break
		}
		if blocks < compare.MinBlocks {
			continue // no verdict is possible yet: the budget does not stop ab before
		}
		if v, line := p.interim(gp); v != "" {
			p.note(stderr, "%d blocks per cell in %s: %s: %s", blocks, elapsed.Round(time.Second), v, line)
			return p.stop(ctx)
		}
		if elapsed+elapsed/time.Duration(blocks) > p.budget {
			p.note(stderr, "%d blocks per cell in %s: --budget %s spent without a clear verdict", blocks, elapsed.Round(time.Second), p.budget)
			return p.stop(ctx)
		}
	}
	return nil
}

// grantStep lets side s run its next block and waits until it is done.
// false means stop coordinating: s ended early (returned), or the
// context ended (nil).
func (p *abPlan) grantStep(ctx context.Context, s *abSide) (*abSide, bool) {
	select {
	case s.grant <- true:
		s.granted++
	case <-s.done:
		return s, false
	case <-ctx.Done():
		return nil, false
	}
	select {
	case <-s.yield:
	case <-s.done: // expected after its last step; errors are read later
		if s.granted < len(s.plan.order) {
			return s, false
		}
	case <-ctx.Done():
		return nil, false
	}
	return nil, true
}

// stop tells both sides to end their runs (complete) before their next
// block.
func (p *abPlan) stop(ctx context.Context) *abSide {
	for _, s := range p.sides {
		select {
		case s.grant <- false:
		case <-s.done:
		case <-ctx.Done():
		}
	}
	return nil
}

// interim judges the blocks measured so far as 'hsbench compare' would;
// it returns the overall verdict when it is clear (FAIL or PASS) and a
// count line, else "".
func (p *abPlan) interim(gp *gatePlan) (compare.Verdict, string) {
	r, err := gp.judgeDirs(p.sides[0].dir, p.sides[1].dir)
	if err != nil || (r.Verdict != compare.Fail && r.Verdict != compare.Pass) {
		return "", ""
	}
	return r.Verdict, r.CountsLine()
}

func (p *abPlan) note(stderr io.Writer, format string, args ...any) {
	if !p.quiet {
		fmt.Fprintf(stderr, "hsbench: ab: "+format+"\n", args...)
	}
}

// gateFailure reports whether the side's error is only --max-error-rate:
// every run finished and the record is complete.
func (s *abSide) gateFailure() bool {
	var ee *exitError
	if !errors.As(s.err, &ee) || ee.code != exitFailed {
		return false
	}
	r, err := results.Load(s.dir)
	return err == nil && r.Complete && !r.Interrupted
}

// wrap names the side in an error from its run, keeping the exit code.
func (s *abSide) wrap(err error) error {
	if err == nil {
		return withCode(exitFailed, fmt.Errorf("hsbench: ab %s (%s): the run ended early", s.name, s.spec))
	}
	code := exitFailed
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	return withCode(code, fmt.Errorf("hsbench: ab %s (%s): %s", s.name, s.spec, strings.TrimPrefix(err.Error(), "hsbench: ")))
}
