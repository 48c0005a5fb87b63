package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hsbench/hsbench/loadgen/capacity"
	"github.com/hsbench/hsbench/results"
)

// execute runs the search of every cell, one after another, each with an
// equal share of what is left of the budget, saving capacity.json after
// every step (a crash or Ctrl-C keeps what was measured), then prints the
// answers.
func (cp *capacityPlan) execute(ctx context.Context, stdout, stderr io.Writer) error {
	started := time.Now()
	deadline := started.Add(cp.budget)
	dir, err := cp.outDir(started)
	if err != nil {
		return err
	}
	p := cp.plan
	tuneRuntime(p.procs)
	stopEmulation, err := p.startEmulation(ctx)
	if err != nil {
		return err
	}
	defer stopEmulation()
	rec := cp.record(started, dir)
	if p.emu != nil && p.emu.link != nil {
		rec.Environment.Network = p.emu.network()
	}
	if err := rec.Save(dir); err != nil {
		return err
	}
	var served *servedTargets
	if p.f.target == "" {
		served = newServedTargets(dir, p.emulatedLink(), p.dial, hasQUIC(p.cells))
		defer served.close()
	}
	progress := stderr
	if p.f.quiet {
		progress = io.Discard
	}
	for i, c := range p.cells {
		if ctx.Err() != nil {
			break
		}
		share := time.Until(deadline) / time.Duration(len(p.cells)-i)
		rec.Curves = append(rec.Curves, results.Curve{Cell: c.id, Ask: c.ask})
		curve := &rec.Curves[len(rec.Curves)-1]
		save := func() error { return rec.Save(dir) }
		if err := cp.searchCell(ctx, c, share, served, dir, curve, save, progress); err != nil {
			return err
		}
		if err := save(); err != nil {
			return err
		}
	}
	rec.Complete, rec.Interrupted = true, ctx.Err() != nil
	if err := rec.Save(dir); err != nil {
		return err
	}
	writeCapacity(stdout, rec)
	fmt.Fprintf(stderr, "hsbench: capacity search in %s (%s; plots: hsbench report %s)\n", dir, results.CapacityFile, dir)
	if rec.Interrupted {
		return withCode(exitInterrupted, fmt.Errorf("hsbench: interrupted; partial results in %s", dir))
	}
	for _, c := range rec.Curves {
		if c.Answer.RatePS == 0 {
			return withCode(exitFailed, fmt.Errorf("hsbench: capacity: no offered rate held the objectives for %s", c.Cell))
		}
	}
	return nil
}

func hasQUIC(cells []cell) bool {
	for _, c := range cells {
		if c.transport == "quic" {
			return true
		}
	}
	return false
}

// searchCell searches one cell within budget, filling curve step by step.
func (cp *capacityPlan) searchCell(ctx context.Context, c cell, budget time.Duration, served *servedTargets,
	dir string, curve *results.Curve, save func() error, progress io.Writer) error {
	start := time.Now()
	cctx, cancel := context.WithDeadline(ctx, start.Add(budget))
	defer cancel()
	st := &stepper{cp: cp, c: c, dir: dir, cpu: cp.targetCPU, stderr: progress}
	if served != nil {
		t, err := served.get(cctx, c.cert)
		if err != nil {
			return err
		}
		st.served, st.cpu = t, t.cpu
	}
	cfg := cp.search
	cfg.Budget = budget
	cfg.Elapsed = func() time.Duration { return time.Since(start) }
	cfg.StepCost = cp.stepCost
	cfg.OnStep = func(r capacity.Record, b capacity.Bracket) {
		fmt.Fprintf(progress, "hsbench: capacity %s: %s; bracket %s\n", c.id, stepLine(curve.Steps[len(curve.Steps)-1]), bracketString(b))
	}
	res, err := capacity.Run(cctx, cfg, func(ctx context.Context, s capacity.Step) (capacity.Outcome, error) {
		rec, out, err := st.run(ctx, s)
		if err != nil {
			return out, err
		}
		curve.Steps = append(curve.Steps, rec)
		return out, save()
	})
	if err != nil {
		return err
	}
	if res.Stop == capacity.Interrupted && ctx.Err() == nil {
		res.Stop = capacity.BudgetSpent // the cell's share ran out during a step
	}
	curve.Answer = answerOf(res, curve.Steps, time.Since(start))
	return nil
}

// answerOf reads a curve's answer off the search: the bracket, why the
// step at its top failed, and the CPU at the answer.
func answerOf(res capacity.Result, steps []results.Step, took time.Duration) results.Answer {
	a := results.Answer{RatePS: res.Bracket.Lo, FailedPS: res.Bracket.Hi, Found: res.Found(), Stop: string(res.Stop), SearchMS: ms(took)}
	var n float64
	for _, s := range steps {
		switch {
		case s.Cut:
		case s.OfferedPS == a.FailedPS && !s.Held:
			a.Reason, a.Detail = s.Reason, s.Detail
		case s.OfferedPS == a.RatePS && s.Held:
			a.Repeats++
			n++
			a.CPU = addCPU(a.CPU, s.CPU)
		}
	}
	if n > 0 {
		a.CPU = scaleCPU(a.CPU, 1/n)
	}
	return a
}

func addCPU(a, b results.CPUUse) results.CPUUse {
	a.WallMS += b.WallMS
	a.ClientMS += b.ClientMS
	a.ClientPerHandshakeMS += b.ClientPerHandshakeMS
	a.ClientCores += b.ClientCores
	a.ClientCoresAvailable = b.ClientCoresAvailable
	a.TargetMS += b.TargetMS
	a.TargetPerHandshakeMS += b.TargetPerHandshakeMS
	a.TargetCores += b.TargetCores
	a.TargetMeasured = b.TargetMeasured
	return a
}

func scaleCPU(a results.CPUUse, k float64) results.CPUUse {
	a.WallMS *= k
	a.ClientMS *= k
	a.ClientPerHandshakeMS *= k
	a.ClientCores *= k
	a.TargetMS *= k
	a.TargetPerHandshakeMS *= k
	a.TargetCores *= k
	if a.TargetPerHandshakeMS > 0 {
		a.HandshakesPerTargetCore = 1000 / a.TargetPerHandshakeMS
	}
	return a
}
