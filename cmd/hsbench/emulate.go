package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hsbench/hsbench/emulate"
	"github.com/hsbench/hsbench/internal/target"
	"github.com/hsbench/hsbench/results"
)

// Bounds of the server process started inside the emulated network.
const (
	// readyTimeout bounds the wait for --emulate-exec's server to accept
	// TCP connections on --target.
	readyTimeout = 15 * time.Second
	// stopTimeout bounds the wait for that server to exit after SIGTERM
	// before its process group is killed.
	stopTimeout = 3 * time.Second
)

// emulation is the emulated network of a run (--emulate): the link's
// settings, checked by planRun, then the link and the external server
// (--emulate-exec) that execute starts. Its methods accept a nil
// receiver, which means no emulation.
type emulation struct {
	spec    emulate.Spec
	opts    emulate.Options
	command string // --emulate-exec: shell command run inside the server namespace
	link    *emulate.Link
	server  *nsProcess
}

// parseEmulation parses an --emulate value: emulate.ParseSpec's keys (rtt,
// delay, loss, rate) plus seed=N (the relay's loss decisions, for
// repeatable lossy runs) and backend=auto|netem|tun-relay.
func parseEmulation(s string) (*emulation, error) {
	e := &emulation{}
	var rest []string
	for field := range strings.SplitSeq(s, ",") {
		key, val, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "seed":
			n, err := strconv.ParseUint(strings.TrimSpace(val), 10, 64)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("bad seed %q: want a positive integer", val)
			}
			e.opts.Seed = n
		case "backend":
			switch b := strings.TrimSpace(val); b {
			case "auto", emulate.BackendNetem, emulate.BackendTUNRelay:
				e.opts.Backend = b
			default:
				return nil, fmt.Errorf("bad backend %q: want auto, %s or %s", val, emulate.BackendNetem, emulate.BackendTUNRelay)
			}
		default:
			rest = append(rest, field)
		}
	}
	spec, err := emulate.ParseSpec(strings.Join(rest, ","))
	if err != nil {
		return nil, err
	}
	e.spec = spec
	return e, nil
}

// planEmulation checks --emulate and --emulate-exec (exit 2 naming the
// flag). With --target the server must run inside the emulated network,
// so --emulate-exec is required and the target must be the server
// side's address.
func (p *runPlan) planEmulation() error {
	f := p.f
	if f.emulate == "" {
		if f.emulateExec != "" {
			return usagef("--emulate-exec needs --emulate (the link its server runs behind)")
		}
		return nil
	}
	e, err := parseEmulation(f.emulate)
	if err != nil {
		return usagef("parsing --emulate: %v", err)
	}
	e.command = strings.TrimSpace(f.emulateExec)
	switch {
	case f.target == "" && e.command != "":
		return usagef("--emulate-exec needs --target %s:PORT, the address its server listens on", emulate.ServerAddr)
	case f.target != "" && e.command == "":
		return usagef("--emulate with --target needs --emulate-exec: the target must run inside the emulated network (e.g. --emulate-exec 'nginx -c /path/nginx.conf' --target %s:8443)", emulate.ServerAddr)
	case f.target != "":
		host, _, _ := net.SplitHostPort(f.target)
		if a, err := netip.ParseAddr(host); err != nil || a.Unmap() != emulate.ServerAddr {
			return usagef("parsing --target %s: with --emulate the server side of the link is %s; use --target %s:PORT", f.target, emulate.ServerAddr, emulate.ServerAddr)
		}
	}
	p.emu = e
	return nil
}

// emulatedLink returns the run's emulated link while execute runs, nil
// without --emulate. Transports other than TCP (QUIC) take their sockets
// from it: ListenPacketClient on the client side.
func (p *runPlan) emulatedLink() *emulate.Link {
	if p.emu == nil {
		return nil
	}
	return p.emu.link
}

// startEmulation creates the link (exit 2 when the privileges are
// missing: never a run without the asked emulation), starts
// --emulate-exec's server inside it, waits until that server accepts
// connections and routes the run's TCP dials through the link. The
// returned stop function ends the server and removes the link; it is
// never nil and may be called more than once.
func (p *runPlan) startEmulation(ctx context.Context) (func(), error) {
	e := p.emu
	if e == nil {
		return func() {}, nil
	}
	link, err := emulate.Setup(ctx, e.spec, e.opts)
	if err != nil {
		if errors.Is(err, emulate.ErrPrivilege) {
			return nil, usagef("--emulate %s: %v", p.f.emulate, err)
		}
		return nil, fmt.Errorf("hsbench: --emulate %s: %w", p.f.emulate, err)
	}
	e.link = link
	p.dial = link.DialContext
	if e.command != "" {
		srv, err := startInNamespace(link, e.command, nil, nil, nil)
		if err != nil {
			e.close()
			return nil, err
		}
		e.server = srv
		if err := srv.waitReady(ctx, link.DialContext, p.f.target); err != nil {
			e.close()
			return nil, err
		}
	}
	return e.close, nil
}

// close stops the external server, then removes the link (the server must
// be gone first: a process keeps its namespace alive).
func (e *emulation) close() {
	if e == nil {
		return
	}
	if e.server != nil {
		e.server.stop()
	}
	if e.link != nil {
		_ = e.link.Close()
	}
}

// network describes the link for run.json's environment.network, e.g.
// "tun-relay rtt=50ms loss=1% seed=7" (the seed only where it decides:
// the relay's losses).
func (e *emulation) network() string {
	s := e.link.Backend() + " " + strings.ReplaceAll(e.link.Spec().String(), ",", " ")
	if e.link.Backend() == emulate.BackendTUNRelay {
		s += " seed=" + strconv.FormatUint(e.link.Seed(), 10)
	}
	return s
}

// describe records the emulated network in the run record.
func (e *emulation) describe(rec *results.Run) {
	if e == nil || e.link == nil {
		return
	}
	rec.Environment.Network = e.network()
	if e.command != "" {
		rec.Warnings = append(rec.Warnings, "the target was started inside the emulated network by --emulate-exec: "+e.command)
	}
}

// attach makes the embedded target listen inside the server namespace.
func (e *emulation) attach(t *targets) {
	if e == nil || e.link == nil {
		return
	}
	link := e.link
	t.listen = func() (net.Listener, error) { return link.ListenTCP("") }
	t.listenPacket = func() (net.PacketConn, error) { return link.ListenUDP("") }
}

// nsProcess is a command running inside the server namespace, in its own
// process group.
type nsProcess struct {
	cmd     *exec.Cmd
	out     *tailBuffer // captured output when the caller gave no writers
	done    chan struct{}
	waitErr error // valid once done is closed
	group   bool  // the process leads its own process group
	once    sync.Once
}

// startInNamespace runs the shell command inside the link's server
// namespace. Without stdout and stderr its output is kept (the tail) for
// error messages.
func startInNamespace(link *emulate.Link, command string, stdin io.Reader, stdout, stderr io.Writer) (*nsProcess, error) {
	return startCmd(link.Command("sh", "-c", command), true, stdin, stdout, stderr)
}

// startCmd starts cmd, killed if hsbench dies first. With ownGroup it
// runs in its own process group, so a terminal's Ctrl-C reaches hsbench
// only, which stops the server after writing its results; without, it
// stays in the terminal's foreground group (an interactive command may
// read the terminal) and gets the Ctrl-C itself.
func startCmd(cmd *exec.Cmd, ownGroup bool, stdin io.Reader, stdout, stderr io.Writer) (*nsProcess, error) {
	p := &nsProcess{cmd: cmd, group: ownGroup, done: make(chan struct{})}
	if stdout == nil && stderr == nil {
		p.out = &tailBuffer{max: 8 << 10}
		stdout, stderr = p.out, p.out
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: ownGroup, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("hsbench: starting %q in the emulated network: %w", strings.Join(cmd.Args, " "), err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady waits until addr accepts a TCP connection through dial, the
// process exits, ctx ends or readyTimeout passes. A server that never
// listens is a usage error (exit 2) naming --emulate-exec, with its output.
func (p *nsProcess) waitReady(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), addr string) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-p.done:
			return usagef("--emulate-exec: the server exited before accepting connections on %s (%v)%s", addr, p.waitErr, p.tail())
		default:
		}
		if ctx.Err() != nil {
			return withCode(exitInterrupted, fmt.Errorf("hsbench: interrupted while waiting for the --emulate-exec server"))
		}
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := dial(dctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return usagef("--emulate-exec: nothing accepts connections on %s after %v: %v%s", addr, readyTimeout, err, p.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process (its whole group when it leads one): SIGTERM,
// then SIGKILL after stopTimeout. It waits for the process and is safe to
// call more than once.
func (p *nsProcess) stop() {
	p.once.Do(func() {
		target := p.cmd.Process.Pid
		if p.group {
			target = -target
		}
		_ = syscall.Kill(target, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			_ = syscall.Kill(target, syscall.SIGKILL)
			<-p.done
		}
		if p.group {
			// The leader is gone; finish off anything it left in its group.
			_ = syscall.Kill(target, syscall.SIGKILL)
		}
	})
}

// tail returns the captured output for an error message.
func (p *nsProcess) tail() string {
	if p.out == nil {
		return ""
	}
	s := strings.TrimSpace(p.out.String())
	if s == "" {
		return ""
	}
	return "\nits output:\n" + s
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

func init() {
	register(50, "emulate", "run a command inside an emulated network (emulate exec --link rtt=50ms -- CMD)", emulateCmd)
}

// emulateCmd is 'hsbench emulate exec --link SPEC -- COMMAND [ARGS]': it
// creates the link, runs COMMAND inside the server namespace with this
// process's standard streams, prints how to reach it from the client
// namespace, and removes the link when COMMAND exits or on Ctrl-C.
func emulateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "exec" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, "Usage: hsbench emulate exec --link rtt=50ms[,loss=1%,rate=100mbit,seed=N] -- COMMAND [ARGS]")
			return nil
		}
		return usagef("emulate: want 'hsbench emulate exec --link SPEC -- COMMAND [ARGS]'")
	}
	fs := newFlagSet("emulate exec", "Usage: hsbench emulate exec --link SPEC -- COMMAND [ARGS...]", stdout)
	spec := fs.String("link", "", "the emulated link, as for run --emulate: rtt=50ms,loss=1%,rate=100mbit,seed=N,backend=auto (needs root)")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *spec == "" {
		return usagef("emulate exec: --link is required (e.g. --link rtt=50ms)")
	}
	e, err := parseEmulation(*spec)
	if err != nil {
		return usagef("parsing --link: %v", err)
	}
	if fs.NArg() == 0 {
		return usagef("emulate exec: no command to run (put it after --)")
	}
	link, err := emulate.Setup(ctx, e.spec, e.opts)
	if err != nil {
		if errors.Is(err, emulate.ErrPrivilege) {
			return usagef("--link %s: %v", *spec, err)
		}
		return fmt.Errorf("hsbench: --link %s: %w", *spec, err)
	}
	e.link = link
	defer e.close()
	// Printed before the start: the command's output then goes to the
	// same writers from other goroutines.
	fmt.Fprintf(stderr, "hsbench: %s runs in network namespace %s (address %s) behind %s\n",
		fs.Arg(0), link.ServerNamespace(), emulate.ServerAddr, e.network())
	fmt.Fprintf(stderr, "hsbench: reach it from the client namespace (%s), e.g.: ip netns exec %s curl -k https://%s:PORT/\n",
		emulate.ClientAddr, link.ClientNamespace(), emulate.ServerAddr)
	srv, err := startCmd(link.Command(fs.Arg(0), fs.Args()[1:]...), false, os.Stdin, stdout, stderr)
	if err != nil {
		return err
	}
	e.server = srv
	select {
	case <-srv.done:
	case <-ctx.Done():
		srv.stop()
		return withCode(exitInterrupted, fmt.Errorf("hsbench: interrupted; %s stopped, link removed", fs.Arg(0)))
	}
	var ee *exec.ExitError
	if errors.As(srv.waitErr, &ee) {
		code := ee.ExitCode()
		if code < 0 {
			code = exitFailed
		}
		return withCode(code, fmt.Errorf("hsbench: %s: %w", fs.Arg(0), srv.waitErr))
	}
	return srv.waitErr
}

// serveEmulation prepares 'hsbench serve --emulate': it creates the link
// and a listener inside the server namespace (on addr when --addr was
// given, else on ServerAddr:8443) and adds ServerAddr to the
// certificate's names. It returns nil without --emulate.
func serveEmulation(ctx context.Context, spec string, addrSet bool, o *target.Options) (*emulation, error) {
	if spec == "" {
		return nil, nil
	}
	e, err := parseEmulation(spec)
	if err != nil {
		return nil, usagef("parsing --emulate: %v", err)
	}
	addr := ":8443"
	if addrSet {
		addr = o.Addr
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, usagef("parsing --addr: %v", err)
		}
		if a, err := netip.ParseAddr(host); host != "" && (err != nil || (a.Unmap() != emulate.ServerAddr && !a.IsUnspecified())) {
			return nil, usagef("parsing --addr %s: with --emulate the server listens on %s (or leave the host out)", addr, emulate.ServerAddr)
		}
	}
	link, err := emulate.Setup(ctx, e.spec, e.opts)
	if err != nil {
		if errors.Is(err, emulate.ErrPrivilege) {
			return nil, usagef("--emulate %s: %v", spec, err)
		}
		return nil, fmt.Errorf("hsbench: --emulate %s: %w", spec, err)
	}
	e.link = link
	ln, err := link.ListenTCP(addr)
	if err != nil {
		e.close()
		return nil, usagef("--addr %s: %v", addr, err)
	}
	o.Listener = ln
	o.ServerNames = []string{"localhost", "127.0.0.1", "::1", emulate.ServerAddr.String()}
	return e, nil
}

// serveHint tells how to reach a target served behind the link: only
// from the client namespace.
func (e *emulation) serveHint(w io.Writer, addr, caFile string) {
	if e == nil || e.link == nil {
		return
	}
	fmt.Fprintf(w, "hsbench: behind an emulated link (%s) in network namespace %s; the certificate also covers %s\n",
		e.network(), e.link.ServerNamespace(), emulate.ServerAddr)
	fmt.Fprintf(w, "hsbench: reachable only from the client namespace: ip netns exec %s hsbench run --target %s --ca %s\n",
		e.link.ClientNamespace(), addr, caFile)
	fmt.Fprintf(w, "hsbench: (that run records network \"loopback\": for recorded results prefer hsbench run --emulate)\n")
}
