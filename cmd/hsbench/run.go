package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newRunFlags(stdout)
	var specs []string
	addSLOFlag(fs, &specs, "absolute latency budget judged in every cell, PHASE:pNN<DURATION (repeatable), e.g. total:p99<10ms: exit 1 when exceeded, 3 when undecided")
	group(fs, groupGate, "slo")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run: unexpected argument %q", fs.Arg(0))
	}
	budgets, err := parseSLOs(specs)
	if err != nil {
		return err
	}
	plan, err := planRun(fs, f)
	if err != nil {
		return err
	}
	plan.budgets = budgets
	plan.args = append([]string{"run"}, args...)
	stopProfile, err := startCPUProfile(f.cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	return plan.execute(ctx, stdout, stderr)
}

// runPlan is a checked 'hsbench run': every input validated before anything
// is started or written.
type runPlan struct {
	f       *runFlags
	cells   []cell
	invalid []results.InvalidCell
	order   []step
	base    *tls.Config // trust and client identity for external targets
	keylog  *os.File
	request []byte
	http    bench.HTTPRequest // path, headers and expected statuses; Host per cell
	args    []string
	// dial opens TCP connections to the target (nil: a net.Dialer); set
	// when the target sits behind an emulated network.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// emu is the emulated network (--emulate); nil without it.
	emu *emulation
	// slowdown slows the embedded target (hsbench ab's embedded:slowdown=10%).
	slowdown float64
	// turn, when set, is called before each step and may block: hsbench ab
	// uses it to interleave the blocks of two plans. false ends the run
	// there, complete.
	turn func(ctx context.Context, st step) bool
	// budgets are run's --slo, judged at the end.
	budgets []slo.Objective
	// shard is this process's part of a sharded run (nil: not sharded).
	shard *shardPlan
	// progressNote prefixes the live progress line (a capacity step).
	progressNote string
	// onInterval, when set, sees every interval of every step (a capacity
	// step counts its completions with it).
	onInterval func(*loadgen.Snapshot)
	// onResult, when set, sees each step's load generator result.
	onResult func(*loadgen.Result)
	// procs is the GOMAXPROCS the load needs (0: the runtime's default),
	// decided before any run changes it.
	procs int
}

// step is one (repeat, cell) run, in execution order.
type step struct {
	repeat int
	cell   int
}

func planRun(fs *pflag.FlagSet, f *runFlags) (*runPlan, error) {
	p := &runPlan{f: f}
	if err := checkRate(f.rate); err != nil {
		return nil, err
	}
	switch {
	case f.concurrency < 0 || f.concurrency > maxConcurrency:
		return nil, usagef("parsing --concurrency: %d: must be between 1 and %d (0: the default)", f.concurrency, maxConcurrency)
	case f.duration < 0 || f.duration > maxSpan:
		return nil, usagef("parsing --duration: %v: must be between 0 and %v", f.duration, maxSpan)
	case f.warmup > maxSpan || f.timeout > maxSpan:
		return nil, usagef("parsing --warmup and --timeout: at most %v each", maxSpan)
	case f.duration == 0 && f.count == 0:
		return nil, usagef("parsing --duration: 0 needs a --count to bound the run")
	case f.warmup < 0:
		return nil, usagef("parsing --warmup: %v: must not be negative", f.warmup)
	case f.timeout <= 0:
		return nil, usagef("parsing --timeout: %v: must be positive", f.timeout)
	case f.interval < 10*time.Millisecond:
		return nil, usagef("parsing --interval: %v: must be at least 10ms", f.interval)
	case f.repeat < 1:
		return nil, usagef("parsing --repeat: %d: must be at least 1", f.repeat)
	case (f.clientCert == "") != (f.clientKey == ""):
		return nil, usagef("--client-cert and --client-key go together")
	}
	if err := checkFraction("max-error-rate", f.maxErrorRate); err != nil {
		return nil, err
	}
	if err := checkFraction("max-mismatch-rate", f.maxMismatchRate); err != nil {
		return nil, err
	}
	expect, err := bench.ParseStatusSet(f.expectStatus)
	if err != nil {
		return nil, usagef("parsing --expect-status: %v", err)
	}
	p.http = bench.HTTPRequest{Path: f.path, Expect: expect}
	if !strings.HasPrefix(f.path, "/") || strings.ContainsAny(f.path, " \r\n") {
		return nil, usagef("parsing --path: %q: want an absolute path without spaces", f.path)
	}
	for _, h := range f.headers {
		hd, err := bench.ParseHeader(h)
		if err != nil {
			return nil, usagef("parsing --header: %v", err)
		}
		p.http.Headers = append(p.http.Headers, hd)
	}
	switch f.resume {
	case bench.ResumeTicket, bench.ResumeID, bench.ResumeAuto:
	default:
		return nil, usagef("parsing --resume: %q: want ticket, id or auto", f.resume)
	}
	switch f.request {
	case "http":
		p.request = []byte(bench.DefaultRequest)
	case "none":
	default:
		return nil, usagef("parsing --request: %q: want http or none", f.request)
	}
	if f.tables != "auto" && f.tables != "all" && f.tables != "none" {
		return nil, usagef("parsing --tables: %q: want auto, all or none", f.tables)
	}
	if f.tickets != bench.TicketsFresh && f.tickets != bench.TicketsReuse {
		return nil, usagef("parsing --tickets: %q: want %s or %s", f.tickets, bench.TicketsFresh, bench.TicketsReuse)
	}
	if f.concurrency == 0 {
		f.concurrency = 1
		if f.rate > 0 {
			f.concurrency = 64
		}
	}
	prod := product{versions: splitList(f.versions), modes: splitList(f.modes), groups: splitList(f.groups), suites: splitList(f.suites)}
	if f.target == "" {
		prod.certs = splitList(f.certs)
		prod.embedded = true
		if len(prod.certs) == 0 {
			return nil, usagef("parsing --cert: empty list")
		}
	} else {
		if fs.Changed("cert") || f.clientAuth {
			return nil, usagef("--cert and --client-auth configure the embedded target; they cannot be used with --target")
		}
		if err := checkTarget(f.target); err != nil {
			return nil, err
		}
	}
	if err := p.planEmulation(); err != nil {
		return nil, err
	}
	if len(prod.versions) == 0 || len(prod.modes) == 0 {
		return nil, usagef("--tls and --mode need at least one value")
	}
	cells, invalid, err := prod.cells()
	if err != nil {
		return nil, err
	}
	if len(cells) == 0 {
		why := "nothing to run"
		if len(invalid) > 0 {
			why = invalid[0].Reason
		}
		return nil, usagef("no valid cell in the asked product: %s", why)
	}
	p.cells, p.invalid = cells, invalid
	if err := p.checkQUIC(); err != nil {
		return nil, err
	}
	if err := p.planShard(fs); err != nil {
		return nil, err
	}
	if err := p.loadTLSFiles(); err != nil {
		return nil, err
	}
	p.order = shuffledOrder(len(cells), f.repeat, f.seed)
	p.procs = procsFor(f, runtime.GOMAXPROCS(0))
	return p, nil
}

// checkQUIC validates --alpn against the cells: names RFC 7301 allows,
// only with QUIC cells, and required for QUIC to an external target.
func (p *runPlan) checkQUIC() error {
	quic := p.quicCells()
	if err := checkALPN(p.f.alpn, quic); err != nil {
		return err
	}
	if quic > 0 && p.f.target != "" && len(splitList(p.f.alpn)) == 0 {
		return usagef("--tls quic with --target needs --alpn, the application protocol the server speaks (e.g. h3)")
	}
	return nil
}

func (p *runPlan) quicCells() int {
	n := 0
	for _, c := range p.cells {
		if c.transport == "quic" {
			n++
		}
	}
	return n
}

// shuffledOrder runs every cell once per repeat; with more than one repeat
// each round is shuffled (seeded), so slow drifts of the machine spread over
// all cells instead of biasing the ones that run last.
func shuffledOrder(cells, repeats int, seed uint64) []step {
	rng := rand.New(rand.NewPCG(seed, 0x68736265))
	var out []step
	for r := 0; r < repeats; r++ {
		idx := make([]int, cells)
		for i := range idx {
			idx[i] = i
		}
		if repeats > 1 {
			rng.Shuffle(cells, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		}
		for _, c := range idx {
			out = append(out, step{repeat: r, cell: c})
		}
	}
	return out
}

func (p *runPlan) loadTLSFiles() error {
	f := p.f
	p.base = &tls.Config{InsecureSkipVerify: f.insecure}
	if f.ca != "" {
		pem, err := os.ReadFile(f.ca)
		if err != nil {
			return usagef("reading --ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return usagef("reading --ca %s: no PEM certificate in it", f.ca)
		}
		p.base.RootCAs = pool
	}
	if f.clientCert != "" {
		c, err := tls.LoadX509KeyPair(f.clientCert, f.clientKey)
		if err != nil {
			return usagef("reading --client-cert/--client-key: %v", err)
		}
		p.base.Certificates = []tls.Certificate{c}
	}
	return nil
}

// outDir creates the run directory exclusively. The default
// runs/<UTC second> gets a suffix (-2, -3, …) when another run already
// took that second: os.Mkdir is the check and the creation in one step, so
// two runs started together never share a directory. An explicit --out
// may exist already if it holds no run. created says whether the
// directory is new (a run that fails before measuring removes it).
func (p *runPlan) outDir(started time.Time) (dir string, created bool, err error) {
	if p.f.out == "" {
		base := filepath.Join("runs", started.UTC().Format("20060102T150405Z"))
		if err := os.MkdirAll("runs", 0o755); err != nil {
			return "", false, usagef("--out (default ./runs): %v", err)
		}
		for n := 1; n <= 1000; n++ {
			dir = base
			if n > 1 {
				dir = fmt.Sprintf("%s-%d", base, n)
			}
			if err = os.Mkdir(dir, 0o755); err == nil {
				return dir, true, nil
			}
			if !errors.Is(err, fs.ErrExist) {
				break
			}
		}
		return "", false, usagef("--out (default ./runs): %v", err)
	}
	dir = p.f.out
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", false, usagef("--out %s: %v", dir, err)
	}
	if err := os.Mkdir(dir, 0o755); err == nil {
		return dir, true, nil
	} else if !errors.Is(err, fs.ErrExist) {
		return "", false, usagef("--out %s: %v", dir, err)
	}
	for _, name := range []string{results.RunFile, results.HlogFile, results.HlogFile + ".partial"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return "", false, usagef("--out %s: already holds a run (%s); choose another directory", dir, name)
		}
	}
	if err := checkWritable(dir); err != nil {
		return "", false, usagef("--out %s: %v", dir, err)
	}
	return dir, false, nil
}

// checkWritable creates and removes a file in dir: an existing directory
// the run cannot write to is refused before anything runs.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".hsbench-probe*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

func (p *runPlan) record(started time.Time, dir string) *results.Run {
	f := p.f
	r := &results.Run{
		Schema: results.SchemaVersion, ID: filepath.Base(dir), Started: started.UTC(),
		Environment: results.CurrentEnvironment(),
		Config: results.Config{
			Args: p.args, Target: f.target, Embedded: f.target == "", ServerName: f.sni,
			Concurrency: f.concurrency, Rate: f.rate, DurationMS: ms(f.duration), Count: f.count,
			WarmupMS: ms(f.warmup), TimeoutMS: ms(f.timeout), IntervalMS: ms(f.interval), Repeat: f.repeat,
			Request:   f.request,
			Histogram: results.HistConf{Unit: "ns", Lowest: loadgen.HistLowest, Highest: loadgen.HistHighest, SigFigs: loadgen.HistSigFigs},
		},
		Invalid: p.invalid,
	}
	if quic := p.quicCells(); f.alpn != "" && quic < len(p.cells) {
		r.Warnings = append(r.Warnings, "--alpn applies to the QUIC cells only; the TCP cells offer no ALPN")
	}
	if f.target == "" {
		r.Config.Target = "embedded"
		r.Warnings = append(r.Warnings, "the embedded target runs in this process and shares its CPUs with the load generator")
	}
	for _, c := range p.cells {
		r.Cells = append(r.Cells, results.Cell{ID: c.id, Ask: c.ask})
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
