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
	register(35, "ab", "A/B test two targets on this machine, interleaving whole runs, then compare them", abCmd)
}

// abCmd runs 'hsbench ab': --runs whole runs of every cell against each of
// two targets, interleaved (each pair in a seeded random order), written as
// two ordinary run directories DIR/base and DIR/new, then compared as by
// 'hsbench compare DIR/base DIR/new'.
func abCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newRunFlags(stdout)
	fs.Init("ab", pflag.ContinueOnError)
	var a abFlags
	fs.StringVar(&a.base, "base", "", "BASE target: host:port, embedded, or embedded:slowdown=P% (required)")
	fs.StringVar(&a.new, "new", "", "NEW target: host:port, embedded, or embedded:slowdown=P% (required)")
	fs.StringVar(&a.caBase, "ca-base", "", "PEM CA bundle for the BASE target (default --ca)")
	fs.StringVar(&a.caNew, "ca-new", "", "PEM CA bundle for the NEW target (default --ca)")
	fs.IntVar(&a.runs, "runs", 10, "whole runs per side (each run measures every cell once)")
	g := addGateFlags(fs)
	for _, name := range abRefused {
		_ = fs.MarkHidden(name) // still parsed, to refuse them clearly
	}
	fs.Lookup("out").Usage = "directory for the two runs, DIR/base and DIR/new (default ./runs/ab-<UTC timestamp>)"
	fs.Lookup("seed").Usage = "seed of the run order: of BASE and NEW in each pair, and of the cells in each run"
	group(fs, groupTarget, "base", "new", "ca-base", "ca-new")
	group(fs, groupLoad, "runs")
	fs.Usage = func() {
		printUsage(stdout, "Usage: hsbench ab --base TARGET --new TARGET [flags]\n\nRuns every cell against BASE and NEW in interleaved whole runs, then compares them as 'hsbench compare' does.", fs)
	}
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("ab: unexpected argument %q", fs.Arg(0))
	}
	gp, err := g.plan()
	if err != nil {
		return err
	}
	ab, err := planAB(fs, f, a, append([]string{"ab"}, args...))
	if err != nil {
		return err
	}
	if minRuns := max(gp.opts.MinRuns, compare.MinRuns(gp.opts.Alpha, gp.opts.Confidence)); a.runs < minRuns {
		fmt.Fprintf(stderr, "hsbench: ab: %d runs per side are too few for a verdict (at least %d); expect TOO_FEW_RUNS\n", a.runs, minRuns)
	}
	return ab.run(ctx, gp, stdout, stderr)
}

// abFlags are the flags of 'hsbench ab' beside run's load flags and the
// gate flags.
type abFlags struct {
	base, new, caBase, caNew string
	runs                     int
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
	order  [][2]int   // per round, the sides in the order they run
	quiet  bool
	rounds int
}

// abSide is one target of an A/B test: its run plan, taking turns with
// the other side one whole run (round) at a time.
type abSide struct {
	name, spec string
	plan       *runPlan
	dir        string
	grant      chan int      // the coordinator lets the side run one round
	yield      chan struct{} // the side finished its round
	done       chan struct{} // execute returned
	round      int           // round being run, -1 before the first; side goroutine only
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
	p := &abPlan{dir: f.out, quiet: f.quiet, rounds: a.runs}
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
		side := &abSide{name: s.name, spec: s.spec, plan: plan, dir: sf.out, round: -1,
			grant: make(chan int), yield: make(chan struct{}), done: make(chan struct{})}
		plan.turn = side.turn
		p.sides[i] = side
		if _, err := os.Stat(filepath.Join(side.dir, results.RunFile)); err == nil {
			return nil, usagef("--out %s: already holds a run; choose another directory", side.dir)
		}
	}
	rng := rand.New(rand.NewPCG(f.seed, 0x61622d6f72646572))
	for range a.runs {
		pair := [2]int{0, 1}
		if rng.IntN(2) == 1 {
			pair = [2]int{1, 0}
		}
		p.order = append(p.order, pair)
	}
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

// turn is the side's runPlan.turn: at the first step of each round it
// hands the machine back to the coordinator and waits for its next grant.
func (s *abSide) turn(ctx context.Context, st step) {
	if st.repeat == s.round {
		return
	}
	if s.round >= 0 {
		select {
		case s.yield <- struct{}{}:
		case <-ctx.Done():
			return
		}
	}
	select {
	case s.round = <-s.grant:
	case <-ctx.Done():
	}
}

// run executes both plans, one whole run at a time in p.order, then
// compares the two run directories.
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
	failed := p.coordinate(runCtx, stderr)
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
	// its runs but fails the A/B test (a broken BASE cannot be compared).
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
		return withCode(exitInvalid, fmt.Errorf("%w; the baseline cannot be compared against", gateErrs[0]))
	case gateErrs[1] != nil:
		return withCode(exitFailed, gateErrs[1])
	}
	return err
}

// coordinate grants the rounds in order; it returns the side whose
// execute ended before its last round (nil when all went through or the
// context ended).
func (p *abPlan) coordinate(ctx context.Context, stderr io.Writer) *abSide {
	for r, pair := range p.order {
		if !p.quiet {
			fmt.Fprintf(stderr, "hsbench: ab: run %d/%d: %s, then %s\n", r+1, p.rounds, p.sides[pair[0]].name, p.sides[pair[1]].name)
		}
		for _, i := range pair {
			s := p.sides[i]
			select {
			case s.grant <- r:
			case <-s.done:
				return s
			case <-ctx.Done():
				return nil
			}
			select {
			case <-s.yield:
			case <-s.done: // expected after its last round; errors are read later
				if r < p.rounds-1 {
					return s
				}
			case <-ctx.Done():
				return nil
			}
		}
	}
	return nil
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
