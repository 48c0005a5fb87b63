package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/report"
	"github.com/hsbench/hsbench/results"
)

// execute runs the plan: every step in order, streaming intervals to
// phases.hlog, saving run.json after each step (so a crash or Ctrl-C keeps
// everything finished), then printing the table.
func (p *runPlan) execute(ctx context.Context, stdout, stderr io.Writer) error {
	stopEmulation, err := p.startEmulation(ctx)
	if err != nil {
		return err
	}
	defer stopEmulation()
	started := p.startTime() // now, or --start-at for a synchronised shard
	cpu0 := results.ProcessCPU()
	dir, err := p.outDir(started)
	if err != nil {
		return err
	}
	if p.f.keylog != "" {
		kf, err := os.OpenFile(p.f.keylog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return usagef("opening --keylog: %v", err)
		}
		defer kf.Close()
		p.keylog = kf
	}
	rec := p.record(started, dir)
	rec.Shard = p.shardRecord()
	p.emu.describe(rec)
	if err := rec.Save(dir); err != nil {
		return err
	}
	hlog, err := results.CreateHlog(dir, started)
	if err != nil {
		return err
	}
	targets := newTargets(p.f.clientAuth)
	targets.slowdown = p.slowdown
	defer targets.close()
	p.emu.attach(targets)
	prog := newProgress(stderr, p.f.quiet)

	perCell := make([][]results.Measure, len(p.cells))
	for _, st := range p.order {
		if p.turn != nil {
			p.turn(ctx, st)
		}
		if ctx.Err() != nil {
			break
		}
		c := p.cells[st.cell]
		// TLS 1.3 suites are process-wide in crypto/tls: pinned for this cell only.
		unpin := func() {}
		if c.suite != nil && isTLS13Suite(c.suite) {
			if unpin, err = bench.PinTLS13Suite(c.suite.ID); err != nil {
				hlog.Close()
				return usagef("%s: %v", c.id, err)
			}
		}
		factory, err := p.factory(c, targets)
		if err != nil {
			unpin()
			hlog.Close()
			return err
		}
		if err := p.awaitStep(ctx); err != nil { // --start-at: wait, or fail when late
			unpin()
			hlog.Close()
			return err
		}
		prog.begin(c.id, st.repeat, p.f.repeat)
		offset := time.Since(started) + p.f.warmup
		stepCPU := results.ProcessCPU()
		res, err := loadgen.Run(ctx, loadgen.Config{
			Factory: factory, Concurrency: p.f.concurrency, Rate: p.f.rate,
			Duration: p.f.duration, Count: p.f.count, Warmup: p.f.warmup,
			Timeout: p.f.timeout, Interval: p.f.interval,
			OnInterval: func(s *loadgen.Snapshot) {
				_ = hlog.Interval(c.id, offset, s)
				_ = hlog.Flush()
				prog.interval(s)
			},
		})
		prog.end()
		unpin()
		if err != nil {
			hlog.Close()
			return fmt.Errorf("hsbench: %s: %w", c.id, err)
		}
		m, err := results.MeasureOf(res, st.repeat, offset, results.ProcessCPU()-stepCPU)
		if err != nil {
			hlog.Close()
			return err
		}
		perCell[st.cell] = append(perCell[st.cell], m)
		if err := p.fill(rec, perCell, started, cpu0, ctx.Err() != nil, false); err != nil {
			hlog.Close()
			return err
		}
		if err := rec.Save(dir); err != nil {
			hlog.Close()
			return err
		}
	}
	if err := hlog.Close(); err != nil {
		return err
	}
	interrupted := ctx.Err() != nil
	if err := p.fill(rec, perCell, started, cpu0, interrupted, true); err != nil {
		return err
	}
	if err := rec.Save(dir); err != nil {
		return err
	}
	if err := report.WriteTable(stdout, rec); err != nil {
		return fmt.Errorf("hsbench: writing the table: %w", err)
	}
	fmt.Fprintf(stderr, "hsbench: results in %s (%s, %s)\n", dir, results.RunFile, results.HlogFile)
	if interrupted {
		return withCode(exitInterrupted, fmt.Errorf("hsbench: interrupted; partial results in %s", dir))
	}
	return p.gate(rec)
}

// fill brings the run record up to date with the measures so far.
func (p *runPlan) fill(rec *results.Run, perCell [][]results.Measure, started time.Time, cpu0 time.Duration, interrupted, complete bool) error {
	for i := range rec.Cells {
		rec.Cells[i].Runs = perCell[i]
		if len(perCell[i]) == 0 {
			continue
		}
		tot, err := results.TotalOf(perCell[i])
		if err != nil {
			return err
		}
		rec.Cells[i].Total = tot
	}
	rec.Environment.ClientCPUSeconds = (results.ProcessCPU() - cpu0).Seconds()
	rec.Interrupted = interrupted
	rec.Complete = complete
	return nil
}

// gate fails the run (exit 1) when too many attempts failed.
func (p *runPlan) gate(rec *results.Run) error {
	var attempts, failed int64
	for _, c := range rec.Cells {
		attempts += c.Total.Attempts
		for _, n := range c.Total.Errors {
			failed += n
		}
	}
	if attempts == 0 {
		return withCode(exitFailed, fmt.Errorf("hsbench: no handshake was attempted"))
	}
	if rate := float64(failed) / float64(attempts); rate > p.f.maxErrorRate {
		return withCode(exitFailed, fmt.Errorf("hsbench: %.1f%% of attempts failed (--max-error-rate %.1f%%)", 100*rate, 100*p.f.maxErrorRate))
	}
	return nil
}

// factory builds the handshaker factory of a cell: the target's address and
// the client TLS configuration common to every transport, then the
// transport's own factory (tcp here, quic and 0-RTT in their files).
func (p *runPlan) factory(c cell, targets *targets) (bench.Factory, error) {
	cfg := p.base.Clone()
	addr := p.f.target
	if addr == "" {
		tg, err := targets.get(c.cert)
		if err != nil {
			return nil, err
		}
		addr = tg.Addr
		if c.transport == "quic" {
			if addr, err = targets.quicAddr(c.cert); err != nil {
				return nil, err
			}
		}
		cfg.RootCAs = tg.CA.Pool()
		if p.f.clientAuth {
			cfg.Certificates = []tls.Certificate{tg.ClientCert}
		}
	}
	cfg.ServerName = p.f.sni
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
		if p.f.target == "" {
			cfg.ServerName = "localhost"
		}
	}
	if c.version != 0 {
		cfg.MinVersion, cfg.MaxVersion = c.version, c.version
	}
	wantGroup := ""
	if c.group != nil {
		cfg.CurvePreferences = bench.ClientGroups(*c.group, c.version)
		wantGroup = c.group.Name
	}
	if c.suite != nil && !isTLS13Suite(c.suite) {
		cfg.CipherSuites = []uint16{c.suite.ID}
	}
	var keylog *bench.SyncWriter
	if p.keylog != nil {
		keylog = bench.NewSyncWriter(p.keylog)
	}
	switch {
	case c.transport == "quic":
		return p.quicFactory(c, addr, cfg, keylog)
	case c.mode == bench.Mode0RTT:
		return p.zeroRTTFactory(c, addr, cfg, keylog)
	}
	f, err := bench.NewTCPFactory(bench.TCPConfig{Address: addr, TLS: cfg, Mode: c.mode, Request: p.request, KeyLog: keylog, Dial: p.dial, WantGroup: wantGroup})
	if err != nil {
		return nil, usagef("%v", err)
	}
	return f, nil
}

// targets starts one embedded target per certificate type, on demand.
type targets struct {
	clientAuth bool
	slowdown   float64 // embedded target's TargetOptions.Slowdown
	byCert     map[pki.KeyType]*bench.Target
	// listen, when set, creates the target's TCP listener (inside an
	// emulated network); nil listens on 127.0.0.1.
	listen func() (net.Listener, error)
	// listenPacket, when set, creates the embedded QUIC listener's UDP
	// socket (inside an emulated network).
	listenPacket func() (net.PacketConn, error)
	// quic holds the QUIC listener started beside each TCP target.
	quic    map[pki.KeyType]string
	closers []func()
}

func newTargets(clientAuth bool) *targets {
	return &targets{clientAuth: clientAuth, byCert: map[pki.KeyType]*bench.Target{}, quic: map[pki.KeyType]string{}}
}

func (t *targets) get(k pki.KeyType) (*bench.Target, error) {
	if tg, ok := t.byCert[k]; ok {
		return tg, nil
	}
	o := bench.TargetOptions{Cert: k, ClientAuth: t.clientAuth, Slowdown: t.slowdown}
	if t.listen != nil {
		ln, err := t.listen()
		if err != nil {
			return nil, fmt.Errorf("hsbench: embedded target listener: %w", err)
		}
		o.Listener = ln
	}
	tg, err := bench.StartTarget(o)
	if err != nil {
		return nil, fmt.Errorf("hsbench: starting the embedded target: %w", err)
	}
	t.byCert[k] = tg
	return tg, nil
}

func (t *targets) close() {
	for _, c := range t.closers {
		c()
	}
	for _, tg := range t.byCert {
		tg.Close()
	}
}
