package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/proccpu"
	"github.com/hsbench/hsbench/loadgen/capacity"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

func init() {
	register(15, "capacity", "find the highest handshake rate a target sustains within an SLO, and its CPU per handshake", capacityCmd)
}

// capacityFlags are the flags of 'hsbench capacity' beside run's.
type capacityFlags struct {
	slo                        []string
	budget                     time.Duration
	rates                      string
	startRate, maxRate, growth float64
	precision                  string
	kneeRepeats                int
	minAchieved                float64
	targetPID                  int
	targetCgroup               string
}

// capacityRefused are run flags that a capacity search sets itself, and why.
var capacityRefused = map[string]string{
	"rate":              "capacity chooses the rates; give --rates for an explicit sweep",
	"repeat":            "the answer is repeated by --knee-repeats",
	"count":             "steps last --duration, longer at low rates to bound the SLO percentile",
	"shard":             "capacity runs on one machine",
	"start-at":          "capacity runs on one machine",
	"matrix":            "give the cells with --tls, --mode, --group…",
	"interval":          "a step's phases.hlog has 100 ms intervals, its achieved rate's granularity",
	"seed":              "a search has no shuffled repeats",
	"max-mismatch-rate": "a step's mismatched samples are counted in its run, left out of its latency",
	"tables":            "capacity prints a table per cell of its steps",
	"client-auth":       "not supported: the embedded target runs in its own process",
}

// Defaults of the search.
const (
	capacityConfidence = 0.95 // one-sided, of each SLO judgement
	defaultSLO         = "latency:p99<10ms"
)

func capacityCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newRunFlags(stdout)
	fs.Init("capacity", pflag.ContinueOnError)
	var cf capacityFlags
	fs.StringArrayVar(&cf.slo, "slo", []string{defaultSLO}, "objective every step must hold, PHASE:pNN<DURATION (repeatable); latency runs from each handshake's intended start")
	fs.DurationVar(&cf.budget, "budget", 3*time.Minute, "total time of the search, all cells together; never exceeded")
	fs.StringVar(&cf.rates, "rates", "", "explicit sweep: measure these rates (handshakes/s, comma-separated) instead of searching")
	fs.Float64Var(&cf.startRate, "start-rate", 100, "first rate of the ramp (handshakes/s)")
	fs.Float64Var(&cf.growth, "growth", 2, "factor between ramp steps")
	fs.Float64Var(&cf.maxRate, "max-rate", 0, "highest rate to try (0: no cap)")
	fs.StringVar(&cf.precision, "precision", "5%", "stop bisecting when the bracket is this narrow, relative to its low end")
	fs.IntVar(&cf.kneeRepeats, "knee-repeats", 2, "measure the answer this many more times; a failure lowers it")
	fs.Float64Var(&cf.minAchieved, "min-achieved", 0.99, "a step holds only if it achieved at least this fraction of the offered rate")
	fs.IntVar(&cf.targetPID, "target-pid", 0, "with --target on this machine: read the target's CPU from this process and its children (/proc)")
	fs.StringVar(&cf.targetCgroup, "target-cgroup", "", "with --target on this machine: read the target's CPU from this cgroup v2 directory's cpu.stat")
	dur := fs.Lookup("duration")
	dur.Usage, dur.DefValue = "measured time per step, at least (longer at low rates: enough samples to bound the SLO percentile)", "2s"
	_ = dur.Value.Set("2s")
	fs.Lookup("concurrency").Usage = "most handshakes in flight (default 64)"
	fs.Lookup("warmup").Usage = "unrecorded warm-up before each step"
	fs.Lookup("quiet").Usage = "no progress lines on stderr (the answers and the step tables still go to stdout)"
	fs.Lookup("out").Usage = "directory of the search (default ./runs/capacity-<UTC timestamp>): capacity.json, and each step's run under steps/"
	fs.Lookup("max-error-rate").Usage = "a step holds only if at most this fraction of attempts failed (0..1)"
	for name := range capacityRefused {
		_ = fs.MarkHidden(name)
	}
	group(fs, groupTarget, "target-pid", "target-cgroup")
	group(fs, groupCapacity, "slo", "min-achieved", "max-error-rate", "budget", "rates", "start-rate", "growth", "max-rate", "precision", "knee-repeats")
	fs.Usage = func() {
		printUsage(stdout, "Usage: hsbench capacity [flags]\n\nFinds the highest offered rate (open loop) that holds --slo, errors within --max-error-rate and\nthe achieved rate within --min-achieved, per cell, within --budget. Cell and load flags as in 'hsbench run'.", fs)
	}
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("capacity: unexpected argument %q", fs.Arg(0))
	}
	cp, err := planCapacity(fs, f, cf)
	if err != nil {
		return err
	}
	cp.plan.args = append([]string{"capacity"}, args...)
	return cp.execute(ctx, stdout, stderr)
}

// capacityPlan is a checked 'hsbench capacity'.
type capacityPlan struct {
	plan       *runPlan // the cells and load flags; its rate is each step's
	objectives []slo.Objective
	limits     capacity.Limits
	search     capacity.Config // without the clock and cost, set per cell
	budget     time.Duration
	minSamples int64
	targetCPU  proccpu.Source // --target-pid / --target-cgroup; nil otherwise
	dir        string
}

func planCapacity(fs *pflag.FlagSet, f *runFlags, cf capacityFlags) (*capacityPlan, error) {
	for name, why := range capacityRefused {
		if fs.Changed(name) {
			return nil, usagef("capacity: --%s cannot be used (%s)", name, why)
		}
	}
	cp := &capacityPlan{budget: cf.budget, dir: f.out}
	objs, err := slo.ParseAll(cf.slo)
	if err != nil {
		return nil, usagef("parsing --slo: %v", err)
	}
	for _, o := range objs {
		if _, ok := sample.ParsePhase(o.Phase); !ok {
			return nil, usagef("parsing --slo %s: unknown phase %q", o, o.Phase)
		}
		cp.minSamples = max(cp.minSamples, slo.MinSamples(o.Pct, capacityConfidence))
	}
	cp.objectives = objs
	precision, err := parsePercent(cf.precision)
	switch {
	case err != nil || precision <= 0 || precision >= 1:
		return nil, usagef("parsing --precision: %q: want a percentage between 0 and 100%%, e.g. 5%%", cf.precision)
	case cf.budget <= 0:
		return nil, usagef("parsing --budget: %v: must be positive", cf.budget)
	case !(cf.startRate > 0):
		return nil, usagef("parsing --start-rate: %v: must be positive", cf.startRate)
	case !(cf.growth > 1):
		return nil, usagef("parsing --growth: %v: must be above 1", cf.growth)
	case cf.maxRate < 0:
		return nil, usagef("parsing --max-rate: %v: must not be negative", cf.maxRate)
	case cf.kneeRepeats < 0:
		return nil, usagef("parsing --knee-repeats: %d: must not be negative", cf.kneeRepeats)
	case !(cf.minAchieved > 0 && cf.minAchieved <= 1):
		return nil, usagef("parsing --min-achieved: %v: must be in (0, 1]", cf.minAchieved)
	case cf.targetPID < 0:
		return nil, usagef("parsing --target-pid: %d: must be positive", cf.targetPID)
	case cf.targetPID > 0 && cf.targetCgroup != "":
		return nil, usagef("--target-pid and --target-cgroup: give one")
	case (cf.targetPID > 0 || cf.targetCgroup != "") && f.target == "":
		return nil, usagef("--target-pid and --target-cgroup measure a --target; the embedded target's CPU is measured without them")
	case f.clientAuth:
		return nil, usagef("capacity: --client-auth is not supported (the embedded target runs in its own process)")
	}
	var rates []float64
	for _, s := range splitList(cf.rates) {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || !(r > 0) {
			return nil, usagef("parsing --rates: %q: want positive handshakes per second, e.g. 100,200,400", s)
		}
		rates = append(rates, r)
	}
	if fs.Changed("rates") && len(rates) == 0 {
		return nil, usagef("parsing --rates: no rate given")
	}
	switch {
	case cf.targetPID > 0:
		cp.targetCPU = proccpu.Tree{PID: cf.targetPID}
	case cf.targetCgroup != "":
		cp.targetCPU = proccpu.Cgroup{Path: cf.targetCgroup}
	}
	if cp.targetCPU != nil {
		if _, err := cp.targetCPU.CPU(); err != nil {
			return nil, usagef("--target-pid/--target-cgroup: %v", err)
		}
	}
	f.rate = cf.startRate // open loop: planRun defaults --concurrency to 64
	f.repeat = 1
	p, err := planRun(fs, f)
	if err != nil {
		return nil, err
	}
	cp.plan = p
	cp.limits = capacity.Limits{MaxErrorRate: f.maxErrorRate, MinAchieved: cf.minAchieved}
	cp.search = capacity.Config{StartRate: cf.startRate, Growth: cf.growth, MaxRate: cf.maxRate,
		Precision: precision, KneeRepeats: cf.kneeRepeats, Rates: rates}
	return cp, nil
}

// stepDuration is the measured time of a step at rate: --duration, or
// longer when that would give too few samples to bound the SLO's
// percentile (a quarter more than the least, for errors and luck).
func (cp *capacityPlan) stepDuration(rate float64) time.Duration {
	need := time.Duration(1.25 * float64(cp.minSamples) / rate * float64(time.Second))
	return max(cp.plan.f.duration, need.Round(100*time.Millisecond))
}

// stepCost is what a step at rate is expected to take: warm-up, the
// measured time, and the drain of the last handshakes and the setup.
func (cp *capacityPlan) stepCost(rate float64) time.Duration {
	return cp.plan.f.warmup + cp.stepDuration(rate) + min(cp.plan.f.timeout, time.Second) + 300*time.Millisecond
}

// outDir creates the search's directory, refusing to reuse one.
func (cp *capacityPlan) outDir(started time.Time) (string, error) {
	dir := cp.dir
	if dir == "" {
		dir = filepath.Join("runs", "capacity-"+started.UTC().Format("20060102T150405Z"))
	}
	for _, f := range []string{results.CapacityFile, results.RunFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return "", usagef("--out %s: already holds a run; choose another directory", dir)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", usagef("--out %s: %v", dir, err)
	}
	return dir, nil
}

// record starts capacity.json.
func (cp *capacityPlan) record(started time.Time, dir string) *results.Capacity {
	f := cp.plan.f
	c := &results.Capacity{Schema: results.CapacitySchema, ID: filepath.Base(dir), Started: started.UTC(),
		Environment: results.CurrentEnvironment(), Invalid: cp.plan.invalid,
		Config: results.CapacityConfig{
			Args: cp.plan.args, Target: f.target, Embedded: f.target == "", Confidence: capacityConfidence,
			MaxErrorRate: cp.limits.MaxErrorRate, MinAchieved: cp.limits.MinAchieved,
			BudgetMS: ms(cp.budget), StepMS: ms(f.duration), WarmupMS: ms(f.warmup), Concurrency: f.concurrency,
			KneeRepeats: cp.search.KneeRepeats, Rates: cp.search.Rates,
		}}
	if len(cp.search.Rates) == 0 {
		c.Config.StartRate, c.Config.Growth, c.Config.MaxRate, c.Config.Precision =
			cp.search.StartRate, cp.search.Growth, cp.search.MaxRate, cp.search.Precision
	}
	for _, o := range cp.objectives {
		c.Config.SLO = append(c.Config.SLO, o.String())
	}
	switch {
	case f.target == "":
		c.Config.Target = "embedded"
		c.Config.TargetCPU = "embedded target process"
	case cp.targetCPU != nil:
		c.Config.TargetCPU = cp.targetCPU.String()
	default:
		c.Warnings = append(c.Warnings, "the target's CPU was not measured: give --target-pid or --target-cgroup when it runs on this machine")
	}
	if runtime.GOMAXPROCS(0) < 2 {
		c.Warnings = append(c.Warnings, "GOMAXPROCS is 1: the generator may be the bottleneck")
	}
	return c
}
