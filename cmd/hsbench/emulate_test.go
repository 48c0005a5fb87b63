package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testenv"
	"github.com/hsbench/hsbench/results"
)

func TestParseEmulation(t *testing.T) {
	e, err := parseEmulation("rtt=40ms, loss=2%,seed=9,backend=tun-relay")
	if err != nil {
		t.Fatal(err)
	}
	if e.spec.RTT != 40*time.Millisecond || e.spec.Loss != 0.02 || e.opts.Seed != 9 || e.opts.Backend != "tun-relay" {
		t.Fatalf("parsed %+v %+v", e.spec, e.opts)
	}
	for _, bad := range []string{"rtt=fast", "seed=0", "seed=x", "backend=wifi", "jitter=3ms"} {
		if _, err := parseEmulation(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// Bad emulation flags are usage errors naming the flag, checked before
// anything is created (no root needed).
func TestEmulateBadInput(t *testing.T) {
	dir := t.TempDir()
	rows := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--emulate", "rtt=fast"}, "--emulate"},
		{[]string{"run", "--emulate", "rtt=50ms,seed=x"}, "--emulate"},
		{[]string{"run", "--emulate-exec", "nginx"}, "--emulate-exec needs --emulate"},
		{[]string{"run", "--emulate", "rtt=50ms", "--emulate-exec", "nginx"}, "--emulate-exec needs --target"},
		{[]string{"run", "--emulate", "rtt=50ms", "--target", "198.19.0.1:8443"}, "needs --emulate-exec"},
		{[]string{"run", "--emulate", "rtt=50ms", "--target", "127.0.0.1:8443", "--emulate-exec", "nginx"}, "--target"},
		{[]string{"emulate"}, "emulate exec"},
		{[]string{"emulate", "exec", "--", "true"}, "--link"},
		{[]string{"emulate", "exec", "--link", "rtt=1h1"}, "--link"},
		{[]string{"emulate", "exec", "--link", "rtt=50ms"}, "no command"},
		{[]string{"serve", "--emulate", "loss=200%"}, "--emulate"},
	}
	for _, r := range rows {
		out := filepath.Join(dir, "never")
		args := r.args
		if args[0] == "run" {
			args = append(args, "--out", out)
		}
		_, errs, code := hsbench(t, context.Background(), args...)
		if code != exitUsage || !strings.Contains(errs, r.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", r.args, code, errs, r.want)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: bad input still created the run directory", r.args)
		}
	}
}

// unprivilegedEnv marks the child process of TestEmulateNeedsPrivilege.
const unprivilegedEnv = "HSBENCH_TEST_UNPRIVILEGED"

// Without CAP_NET_ADMIN and CAP_SYS_ADMIN, --emulate stops with exit 2
// before measuring anything. As root the test re-runs itself through
// setpriv with both capabilities dropped.
func TestEmulateNeedsPrivilege(t *testing.T) {
	if os.Geteuid() == 0 && os.Getenv(unprivilegedEnv) == "" {
		setpriv := testenv.LookPath(t, "setpriv")
		cmd := exec.Command(setpriv, "--inh-caps=-all", "--bounding-set=-net_admin,-sys_admin", "--",
			os.Args[0], "-test.run=^TestEmulateNeedsPrivilege$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), unprivilegedEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestEmulateNeedsPrivilege") {
			t.Fatalf("unprivileged child: %v\n%s", err, out)
		}
		return
	}
	dir := filepath.Join(t.TempDir(), "run")
	for _, args := range [][]string{
		{"run", "--emulate", "rtt=50ms", "--count", "3", "--out", dir},
		{"emulate", "exec", "--link", "rtt=50ms", "--", "true"},
	} {
		_, errs, code := hsbench(t, context.Background(), args...)
		if code != exitUsage || !strings.Contains(errs, "needs root or CAP_NET_ADMIN") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying it needs root or CAP_NET_ADMIN", args, code, errs)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a run without the privileges still created its directory")
	}
}

// ownNamespaces lists the namespaces this process created and still has.
func ownNamespaces(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/run/netns")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	prefix := "hsbench-" + strconv.Itoa(os.Getpid()) + "-"
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// Ctrl-C during an emulated run keeps the results, records the link and
// removes the namespaces; a namespace left by a dead hsbench is removed
// at the start.
func TestEmulateInterruptCleansUp(t *testing.T) {
	testenv.Root(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := "hsbench-" + strconv.Itoa(dead.Process.Pid) + "-1-c"
	if out, err := exec.Command("ip", "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", stale).Run() })

	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	_, errs, code := hsbench(t, ctx, "run", "--emulate", "rtt=20ms", "--mode", "full", "--duration", "1m", "--warmup", "0", "--quiet", "--out", dir)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, errs)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Interrupted || r.Cells[0].Total.OK == 0 || !strings.Contains(r.Environment.Network, "rtt=20ms") {
		t.Fatalf("interrupted %v, ok %d, network %q", r.Interrupted, r.Cells[0].Total.OK, r.Environment.Network)
	}
	if p := r.Cells[0].Total.Phases["tcp_connect"]; p.Min < 19.5 {
		t.Fatalf("tcp_connect min %.2f ms: faster than the 20 ms link", p.Min)
	}
	if left := ownNamespaces(t); len(left) > 0 {
		t.Fatalf("namespaces left after the interrupt: %v", left)
	}
	if _, err := os.Stat("/run/netns/" + stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale namespace %s of a dead process survived the next run", stale)
	}
}

// An --emulate-exec server that fails to start stops the run before
// anything is written, with its output; the link is removed.
func TestEmulateExecServerFails(t *testing.T) {
	testenv.Root(t)
	dir := filepath.Join(t.TempDir(), "run")
	_, errs, code := hsbench(t, context.Background(), "run", "--emulate", "rtt=10ms", "--target", "198.19.0.1:8443",
		"--emulate-exec", "echo no config here; exit 1", "--out", dir)
	if code != exitUsage || !strings.Contains(errs, "--emulate-exec") || !strings.Contains(errs, "no config here") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming --emulate-exec with the server's output", code, errs)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed server start still created the run directory")
	}
	if left := ownNamespaces(t); len(left) > 0 {
		t.Fatalf("namespaces left: %v", left)
	}
}

// emulate exec runs the command in the server namespace and exits with
// its status; Ctrl-C stops it; the link is removed either way.
func TestEmulateExec(t *testing.T) {
	testenv.Root(t)
	ip := testenv.LookPath(t, "ip")
	out, errs, code := hsbench(t, context.Background(), "emulate", "exec", "--link", "rtt=20ms", "--", ip, "-4", "-o", "addr", "show", "dev", "hsb0")
	if code != 0 || !strings.Contains(out, "198.19.0.1") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if m := regexp.MustCompile(`ip netns exec (hsbench-\S+-c) `).FindStringSubmatch(errs); m == nil {
		t.Errorf("stderr does not say how to reach the server: %q", errs)
	}
	_, _, code = hsbench(t, context.Background(), "emulate", "exec", "--link", "rtt=20ms", "--", "sh", "-c", "exit 3")
	if code != 3 {
		t.Errorf("exit %d, want the command's 3", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel)
	start := time.Now()
	_, errs, code = hsbench(t, ctx, "emulate", "exec", "--link", "rtt=20ms", "--", "sleep", "30")
	if code != exitInterrupted || time.Since(start) > 10*time.Second {
		t.Errorf("interrupted: exit %d after %v, want 130 at once\n%s", code, time.Since(start), errs)
	}
	if left := ownNamespaces(t); len(left) > 0 {
		t.Fatalf("namespaces left: %v", left)
	}
}

// serve --emulate listens inside the server namespace, where a client in
// the client namespace reaches it through the link.
func TestServeEmulate(t *testing.T) {
	testenv.Root(t)
	curl := testenv.LookPath(t, "curl")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := &tailBuffer{max: 64 << 10}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--emulate", "rtt=20ms", "--ca-out", filepath.Join(dir, "ca.pem")}, out, out)
	}()
	var clientNS string
	for deadline := time.Now().Add(10 * time.Second); clientNS == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`ip netns exec (hsbench-\S+-c) `).FindStringSubmatch(out.String()); m != nil {
			clientNS = m[1]
		}
	}
	if clientNS == "" {
		cancel()
		t.Fatalf("serve --emulate printed no client namespace:\n%s", out.String())
	}
	got, err := exec.Command("ip", "netns", "exec", clientNS, curl, "-sS", "--max-time", "5", "--cacert", filepath.Join(dir, "ca.pem"),
		"-w", " %{time_connect}", "https://198.19.0.1:8443/").CombinedOutput()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if err != nil || !strings.HasPrefix(string(got), "ok") {
		t.Fatalf("curl from the client namespace: %v\n%s\nserve said:\n%s", err, got, out.String())
	}
	fields := strings.Fields(string(got))
	if connect, err := strconv.ParseFloat(fields[len(fields)-1], 64); err != nil || connect < 0.0195 {
		t.Errorf("curl's connect time %q: want at least the 20 ms link", fields[len(fields)-1])
	}
	if left := ownNamespaces(t); len(left) > 0 {
		t.Fatalf("namespaces left: %v", left)
	}
}
