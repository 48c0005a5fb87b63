package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/proccpu"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/loadgen/capacity"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

// stepper runs the steps of one cell's search: each an ordinary one-cell
// open-loop run in its own directory, with the CPU of both sides read
// around it, then judged.
type stepper struct {
	cp     *capacityPlan
	c      cell
	dir    string        // the search's directory
	served *servedTarget // the embedded target's own process; nil with --target
	// baseService is the lowest median service time of the steps that
	// held so far: the target's unloaded service time.
	baseService time.Duration
	cpu         proccpu.Source // the target's CPU; nil when unknown
	stderr      io.Writer
}

// stepPlan is the run plan of one step: the search's plan for one cell at
// one rate, written to its own run directory.
func (s *stepper) stepPlan(st capacity.Step) *runPlan {
	q := *s.cp.plan
	f := *q.f
	q.f = &f
	f.rate = st.Rate
	f.duration = s.cp.stepDuration(st.Rate)
	f.out = filepath.Join(s.dir, s.runDir(st))
	f.quiet = f.quiet || s.stderr == io.Discard
	q.cells, q.order, q.invalid = []cell{s.c}, []step{{0, 0}}, nil
	q.progressNote = fmt.Sprintf("step %d (%s) %s/s: ", st.Index+1, st.Kind, rateString(st.Rate))
	// Intervals of 100 ms: the end of the first one (warm-up and priming
	// over) starts the step's CPU per handshake.
	f.interval = stepInterval
	if s.served != nil { // the embedded target, in its own process
		f.target, f.sni = s.served.addr, "localhost"
		q.base = q.base.Clone()
		q.base.RootCAs = s.served.pool
		if f.alpn == "" {
			f.alpn = bench.QUICALPN
		}
	}
	return &q
}

// runDir names a step's run directory, relative to the search's.
func (s *stepper) runDir(st capacity.Step) string {
	return filepath.Join("steps", s.c.id, fmt.Sprintf("%02d-%s-%s", st.Index+1, st.Kind, rateString(st.Rate)))
}

func rateString(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// run measures one step and judges it.
func (s *stepper) run(ctx context.Context, st capacity.Step) (results.Step, capacity.Outcome, error) {
	q := s.stepPlan(st)
	var first *cpuReading // at the end of the first interval: warm-up and priming over
	var completions []int64
	q.onInterval = func(*loadgen.Snapshot) {
		if first == nil {
			r := s.readCPU()
			first = &r
		}
	}
	q.onResult = func(res *loadgen.Result) { completions = res.Completions }
	rs, err := q.open(io.Discard, s.stderr)
	if err != nil {
		return results.Step{}, capacity.Outcome{}, err
	}
	defer rs.close()
	if s.served != nil {
		rs.rec.Config.Target, rs.rec.Config.Embedded = "embedded", true
		rs.rec.Warnings = append(rs.rec.Warnings, fmt.Sprintf("the embedded target ran in its own process (pid %d) on %s", s.served.proc.cmd.Process.Pid, s.served.addr))
	}
	cpu0 := s.readCPU()
	if err := rs.step(ctx, step{0, 0}); err != nil {
		return results.Step{}, capacity.Outcome{}, err
	}
	end := s.readCPU()
	use := end.since(cpu0)
	if err := rs.finish(ctx, io.Discard, io.Discard); err != nil && !isGateOrInterrupt(err) {
		return results.Step{}, capacity.Outcome{}, err
	}
	m := rs.rec.Cells[0].Total
	rec := s.stepRecord(st, m, use, steadyWindow(completions, m), cpuAfter(first, end, completions, m))
	out := capacity.Outcome{Cut: m.Interrupted || ctx.Err() != nil}
	if out.Cut {
		out.Reason, out.Detail = capacity.Cut, "the step did not finish (budget or interrupt): not judged"
	} else {
		out = capacity.Judge(s.facts(rec, m, q.f.concurrency), s.cp.limits)
	}
	rec.Held, rec.Cut, rec.Reason, rec.Detail = out.Held, out.Cut, string(out.Reason), out.Detail
	if svc := msDuration(rec.Service.P50); out.Held && svc > 0 && (s.baseService == 0 || svc < s.baseService) {
		s.baseService = svc
	}
	return rec, out, nil
}

// isGateOrInterrupt reports an error of finish that only says the step
// failed too often (the search judges that itself) or was interrupted.
func isGateOrInterrupt(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && (ee.code == exitFailed || ee.code == exitInterrupted)
}

// cpuReading is the CPU used so far by both sides, and when; sched is
// how long hsbench's threads ran and waited for a CPU.
type cpuReading struct {
	at             time.Time
	client, target time.Duration
	targetOK       bool
	sched          proccpu.Sched
}

func (s *stepper) readCPU() cpuReading {
	r := cpuReading{at: time.Now(), client: results.ProcessCPU()}
	r.sched, _ = proccpu.SelfSched()
	if s.cpu != nil {
		t, err := s.cpu.CPU()
		r.target, r.targetOK = t, err == nil
	}
	return r
}

// window is a step's steady part: from the first 100 ms bucket at or
// after the median service time (at least 100 ms in, at most half the
// schedule: by then what the warm-up left in flight is done and the
// measured attempts flow) to the end of the schedule, and the attempts
// completed in it.
type window struct {
	length   time.Duration
	attempts int64
}

func steadyWindow(completions []int64, m results.Measure) window {
	n := len(completions)
	from := msDuration(m.Phases[sample.Total.String()].P50)
	k := int((from + loadgen.CompletionBucket - 1) / loadgen.CompletionBucket)
	k = min(max(k, 1), n/2)
	var w window
	for _, c := range completions[k:] {
		w.attempts += c
	}
	w.length = time.Duration(n-k) * loadgen.CompletionBucket
	return w
}

// steadyCPU is the CPU both sides used from the end of the first interval
// (warm-up and priming over) to the end of the step, and the attempts
// that ended in that time.
type steadyCPU struct {
	span     cpuSpan
	attempts int64
}

func cpuAfter(first *cpuReading, end cpuReading, completions []int64, m results.Measure) steadyCPU {
	if first == nil || len(completions) == 0 {
		return steadyCPU{}
	}
	return steadyCPU{span: end.since(*first), attempts: m.Attempts - completions[0]}
}

// cpuUse reports a step's CPU: the totals over the whole step (warm-up,
// priming and drain included: what the processes spent), per handshake
// and in cores over the steady window when it holds attempts, else over
// the whole step divided by every handshake run.
func cpuUse(use cpuSpan, steady steadyCPU, m results.Measure) results.CPUUse {
	cu := results.CPUUse{WallMS: ms(use.wall), ClientMS: ms(use.client), ClientCoresAvailable: float64(runtime.GOMAXPROCS(0)),
		TargetMeasured: use.targetOK}
	if use.targetOK {
		cu.TargetMS = ms(use.target)
	}
	if use.sched.Run > 0 {
		cu.ClientWaitPerRun = use.sched.Wait.Seconds() / use.sched.Run.Seconds()
	}
	span, n := use, float64(m.Attempts+m.Warmup+m.Canceled)
	if steady.attempts > 0 {
		span, n = steady.span, float64(steady.attempts)
	}
	if span.wall > 0 {
		cu.ClientCores = span.client.Seconds() / span.wall.Seconds()
		if span.targetOK {
			cu.TargetCores = span.target.Seconds() / span.wall.Seconds()
		}
	}
	if n > 0 {
		cu.ClientPerHandshakeMS = ms(span.client) / n
		if span.targetOK && span.target > 0 {
			cu.TargetPerHandshakeMS = ms(span.target) / n
			cu.HandshakesPerTargetCore = 1000 / cu.TargetPerHandshakeMS
		}
	}
	return cu
}

// cpuSpan is the CPU both sides used over a step.
type cpuSpan struct {
	wall, client, target time.Duration
	targetOK             bool
	sched                proccpu.Sched
}

func (r cpuReading) since(r0 cpuReading) cpuSpan {
	return cpuSpan{wall: r.at.Sub(r0.at), client: r.client - r0.client, target: r.target - r0.target,
		targetOK: r.targetOK && r0.targetOK, sched: r.sched.Sub(r0.sched)}
}

// stepRecord summarises a step for capacity.json.
func (s *stepper) stepRecord(st capacity.Step, m results.Measure, use cpuSpan, win window, steady steadyCPU) results.Step {
	rec := results.Step{Index: st.Index, Kind: string(st.Kind), Run: s.runDir(st), OfferedPS: st.Rate,
		ElapsedMS: m.ElapsedMS, Attempts: m.Attempts, OK: m.OK, BusyStarts: m.BusyStarts}
	if win.length > 0 {
		rec.AchievedPS = float64(win.attempts) / win.length.Seconds()
		rec.WindowMS = ms(win.length)
	}
	for _, n := range m.Errors {
		rec.Errors += n
	}
	if m.Attempts > 0 {
		rec.ErrorRate = float64(rec.Errors) / float64(m.Attempts)
	}
	rec.Latency = pcts(m.Phases[sample.Latency.String()])
	rec.Service = pcts(m.Phases[sample.Total.String()])
	rec.LatenessP99 = m.Phases[sample.Lateness.String()].P99
	for _, o := range s.cp.objectives {
		rec.SLO = append(rec.SLO, judgement(o, m))
	}
	rec.CPU = cpuUse(use, steady, m)
	return rec
}

// stepInterval is the interval length of a step's phases.hlog.
const stepInterval = 100 * time.Millisecond

func pcts(ps results.PhaseStats) results.PhasePcts {
	return results.PhasePcts{Mean: ps.Mean, P50: ps.P50, P99: ps.P99, P999: ps.P999}
}

// judgement judges one objective on a step's measure; a phase without
// samples is TOO_FEW.
func judgement(o slo.Objective, m results.Measure) results.SLOJudgement {
	out := results.SLOJudgement{Objective: o.String(), Verdict: string(slo.TooFew)}
	ps, ok := m.Phases[o.Phase]
	if !ok {
		return out
	}
	h, err := ps.Hist()
	if err != nil {
		return out
	}
	j := slo.Judge(o, h, capacityConfidence)
	out.Verdict, out.N = string(j.Verdict), j.N
	out.EstimateMS, out.LoMS, out.HiMS = ms(j.Estimate), ms(j.Lo), ms(j.Hi)
	return out
}

// facts gathers what capacity.Judge needs from a step.
func (s *stepper) facts(rec results.Step, m results.Measure, concurrency int) capacity.Facts {
	f := capacity.Facts{Offered: rec.OfferedPS, Achieved: rec.AchievedPS, ErrorRate: rec.ErrorRate,
		AchievedSlack: achievedSlack(rec),
		Concurrency:   concurrency, ClientCores: rec.CPU.ClientCores, ClientCap: rec.CPU.ClientCoresAvailable,
		ClientWait: rec.CPU.ClientWaitPerRun, TargetCores: -1, LatenessP99: msDuration(rec.LatenessP99), ServiceP50: msDuration(rec.Service.P50), BaseServiceP50: s.baseService}
	if rec.CPU.TargetMeasured {
		f.TargetCores = rec.CPU.TargetCores
	}
	if m.Attempts > 0 {
		f.Busy = float64(m.BusyStarts) / float64(m.Attempts)
	}
	for i, o := range s.cp.objectives {
		j := rec.SLO[i]
		if j.Verdict == string(slo.Pass) {
			continue
		}
		f.SLOFailed = fmt.Sprintf("%s (p%g %.3g ms, %s)", j.Objective, o.Pct, j.EstimateMS, j.Verdict)
		if o.Phase == sample.Latency.String() {
			svc := o
			svc.Phase = sample.Total.String()
			f.ServiceHeld = judgement(svc, m).Verdict == string(slo.Pass)
		}
		break
	}
	return f
}

// achievedSlack is the counting noise of a step's achieved rate, per
// second: the window's ends cut through the handshakes in flight (rate ×
// mean service time on average, by Little's law, give or take its square
// root), and two more for the granularity of the count.
func achievedSlack(rec results.Step) float64 {
	inFlight := rec.OfferedPS * rec.Service.Mean / 1e3
	return (2 + math.Sqrt(inFlight)) / max(rec.WindowMS/1e3, 0.1)
}

func msDuration(v float64) time.Duration { return time.Duration(v * 1e6) }
