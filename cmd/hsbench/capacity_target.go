package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hsbench/hsbench/emulate"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/proccpu"
)

// servedTarget is the embedded target run as its own process ('hsbench
// serve', this same executable), so that its CPU can be read from /proc
// apart from the generator's: what a capacity search needs.
type servedTarget struct {
	addr string
	pool *x509.CertPool
	proc *nsProcess
	cpu  proccpu.Source
}

// servedTargets starts one served target per certificate type, on demand,
// inside the emulated network when there is one.
type servedTargets struct {
	dir    string // where the CA files go
	link   *emulate.Link
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	quic   bool // serve QUIC beside TCP
	byCert map[pki.KeyType]*servedTarget
}

func newServedTargets(dir string, link *emulate.Link, dial func(context.Context, string, string) (net.Conn, error), quic bool) *servedTargets {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return &servedTargets{dir: dir, link: link, dial: dial, quic: quic, byCert: map[pki.KeyType]*servedTarget{}}
}

// get returns the target for certificate type k, starting it if needed.
func (s *servedTargets) get(ctx context.Context, k pki.KeyType) (*servedTarget, error) {
	if t, ok := s.byCert[k]; ok {
		return t, nil
	}
	addr, err := s.address(len(s.byCert))
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(s.dir, "embedded-ca-"+string(k)+".pem")
	args := []string{"serve", "--addr", addr, "--cert", string(k), "--ca-out", caFile}
	if !s.quic {
		args = append(args, "--no-quic")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("hsbench: capacity: finding this executable to serve the embedded target: %w", err)
	}
	cmd := exec.Command(exe, args...)
	if s.link != nil {
		cmd = s.link.Command(exe, args...)
	}
	proc, err := startCmd(cmd, true, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	t := &servedTarget{addr: addr, proc: proc, cpu: proccpu.Tree{PID: cmd.Process.Pid}}
	if err := t.waitReady(ctx, s.dial, caFile); err != nil {
		proc.stop()
		return nil, err
	}
	s.byCert[k] = t
	return t, nil
}

// address picks where the i-th target listens: a free loopback port, or a
// fixed port on the server side of an emulated link (a fresh namespace).
func (s *servedTargets) address(i int) (string, error) {
	if s.link != nil {
		return net.JoinHostPort(emulate.ServerAddr.String(), strconv.Itoa(8443+i)), nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("hsbench: capacity: finding a free port for the embedded target: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady waits until the target accepts TCP connections and has
// written its CA certificate (then loaded into t.pool), it exits, or 15 s
// pass.
func (t *servedTarget) waitReady(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), caFile string) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-t.proc.done:
			return fmt.Errorf("hsbench: capacity: the embedded target exited at start (%v)%s", t.proc.waitErr, t.proc.tail())
		default:
		}
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := dial(dctx, "tcp", t.addr)
		cancel()
		if err == nil {
			c.Close()
			if pem, rerr := os.ReadFile(caFile); rerr == nil {
				pool := x509.NewCertPool()
				if pool.AppendCertsFromPEM(pem) {
					t.pool = pool
					return nil
				}
			}
			err = fmt.Errorf("no CA certificate in %s yet", caFile)
		}
		if ctx.Err() != nil {
			return withCode(exitInterrupted, fmt.Errorf("hsbench: capacity: interrupted while starting the embedded target"))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("hsbench: capacity: the embedded target does not accept connections on %s after %v: %v%s", t.addr, readyTimeout, err, t.proc.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *servedTargets) close() {
	for _, t := range s.byCert {
		t.proc.stop()
	}
}
