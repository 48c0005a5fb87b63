package testservers

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// readyTimeout bounds the wait for a server's port to accept connections.
	readyTimeout = 5 * time.Second
	// stopTimeout bounds the wait for a server to exit after SIGTERM
	// before it is killed.
	stopTimeout = 3 * time.Second
	// startAttempts is how often a start is retried on a port clash.
	startAttempts = 3
)

// errAddrInUse reports that a server could not bind its port.
var errAddrInUse = errors.New("testservers: address already in use")

// process is a server process started by this package.
type process struct {
	cmd     *exec.Cmd
	out     *logBuffer
	stdin   io.WriteCloser // kept open until stop: s_server exits at EOF
	done    chan struct{}  // closed when the process has exited
	waitErr error          // valid after done is closed
	extra   []string       // log files written by the server itself
	// dial is Options.Dial: the readiness probe's dialer (nil: net.Dialer).
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
	stopped sync.Once
}

// launch starts bin with args in dir, with stdout and stderr captured in a
// log buffer and stdin held open.
func launch(bin string, args []string, dir string, out *logBuffer, o Options) (*process, error) {
	cmd := exec.Command(bin, args...)
	if o.Command != nil {
		cmd = o.Command(bin, args...)
	}
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("testservers: stdin pipe for %s: %w", bin, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testservers: starting %s: %w", bin, err)
	}
	p := &process{cmd: cmd, out: out, stdin: stdin, done: make(chan struct{}), dial: o.Dial}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady waits until the server answers on addr with a TLS handshake
// presenting leaf (so the port is not held by someone else), the process
// exits or readyTimeout passes. It reports whether a probe handshake
// completed. A server whose options leave no cipher suite or group in
// common with crypto/tls counts as ready once it answers with a TLS alert.
func (p *process) waitReady(addr string, leaf []byte) (handshook bool, err error) {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-p.done:
			if strings.Contains(p.log(), "Address already in use") {
				return false, errAddrInUse
			}
			return false, fmt.Errorf("testservers: server exited before accepting connections: %v", p.waitErr)
		default:
		}
		if strings.Contains(p.log(), "Address already in use") {
			return false, errAddrInUse
		}
		ok, hs, perr := probe(p.dial, addr, leaf)
		if ok {
			return hs, nil
		}
		if time.Now().After(deadline) {
			return false, fmt.Errorf("testservers: %s not ready after %v: %w", addr, readyTimeout, perr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// probe makes one TLS connection to addr, offering everything crypto/tls
// can. ok means the server there is ours: it presented leaf, or it sent a
// TLS alert (no common parameters); handshook that the handshake completed.
func probe(dial func(ctx context.Context, network, addr string) (net.Conn, error), addr string, leaf []byte) (ok, handshook bool, err error) {
	timeout := 200 * time.Millisecond
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	} else {
		timeout = 2 * time.Second // through an emulated link: round trips of its RTT
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := dial(ctx, "tcp", addr)
	if err != nil {
		return false, false, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500*time.Millisecond + 2*timeout))
	var suites []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		suites = append(suites, cs.ID)
	}
	var seen []byte
	tc := tls.Client(c, &tls.Config{
		ServerName:         ServerName,
		MinVersion:         tls.VersionTLS12,
		CipherSuites:       suites,
		InsecureSkipVerify: true, // checked below: it must be our leaf
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) > 0 {
				seen = raw[0]
			}
			return nil
		},
	})
	err = tc.Handshake()
	switch {
	case seen != nil && !bytes.Equal(seen, leaf):
		return false, false, errors.New("testservers: port answered with another certificate")
	case err == nil:
		return true, true, nil
	case seen != nil:
		return true, false, nil
	}
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return true, false, nil
	}
	return false, false, err
}

// stop terminates the process and everything in its process group: SIGTERM,
// then SIGKILL after stopTimeout. It is safe to call more than once.
func (p *process) stop() { p.terminate(false) }

// kill is stop without the grace period, for a server that failed to
// start (nginx ignores SIGTERM while it retries bind).
func (p *process) kill() { p.terminate(true) }

// terminate implements stop and kill.
func (p *process) terminate(now bool) {
	p.stopped.Do(func() {
		signalGroup(p.cmd.Process, now)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			signalGroup(p.cmd.Process, true)
			<-p.done
		}
		p.stdin.Close()
	})
}

// log returns the captured output followed by the server's own log files.
func (p *process) log() string {
	var b strings.Builder
	b.WriteString(p.out.String())
	for _, f := range p.extra {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(data) > maxLog {
			data = data[len(data)-maxLog:]
		}
		fmt.Fprintf(&b, "\n--- %s ---\n%s", f, data)
	}
	return b.String()
}

// pickPort chooses the port for the next start attempt; tests replace it.
var pickPort = freePort

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testservers: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startFunc writes a server's configuration for port and returns its
// command line and any log files the server writes itself.
type startFunc func(port int) (args []string, logFiles []string, err error)

// run starts bin on a free port, retrying on a port clash, waits for it to
// accept connections and registers its cleanup. It fails t with the
// server's log when the server does not come up.
func run(t testing.TB, name, bin, dir string, leaf []byte, out *logBuffer, start startFunc, o Options) (*process, string, bool) {
	t.Helper()
	var lastErr error
	var lastLog string
	for attempt := 0; attempt < startAttempts; attempt++ {
		port, err := pickPort()
		if err != nil {
			t.Fatalf("%v", err)
		}
		args, logFiles, err := start(port)
		if err != nil {
			t.Fatalf("%v", err)
		}
		out.Reset()
		p, err := launch(bin, args, dir, out, o)
		if err != nil {
			t.Fatalf("%v", err)
		}
		p.extra = logFiles
		t.Cleanup(p.stop)
		addr := o.hostPort(port)
		handshook, err := p.waitReady(addr, leaf)
		if err == nil {
			return p, addr, handshook
		}
		p.kill()
		lastErr, lastLog = err, p.log()
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	t.Fatalf("testservers: %s (%s) did not start: %v\nlog:\n%s", name, bin, lastErr, lastLog)
	return nil, "", false
}
