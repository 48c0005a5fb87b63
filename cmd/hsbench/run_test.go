package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/target"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

func hsbench(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(ctx, args, &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// More than four cells end with the summary table alone (--tables auto);
// --tables all prints every per-phase table as well.
func TestRunTablesAuto(t *testing.T) {
	args := []string{"run", "--count", "5", "--warmup", "0", "--tls", "1.2,1.3", "--group", "x25519,p256", "--quiet"}
	out, errs, code := hsbench(t, context.Background(), append(args, "--out", filepath.Join(t.TempDir(), "a"))...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if strings.Contains(out, "phase (ms)") || !strings.Contains(out, "== summary of 8 cells") || !strings.Contains(out, "[8/8] ") {
		t.Errorf("8 cells, --tables auto: want result lines and the summary, no per-phase tables:\n%s", out)
	}
	out, errs, code = hsbench(t, context.Background(), append(args, "--tables", "all", "--out", filepath.Join(t.TempDir(), "b"))...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if strings.Count(out, "phase (ms)") != 8 || !strings.Contains(out, "== summary of 8 cells") {
		t.Errorf("--tables all: want 8 per-phase tables and the summary:\n%s", out)
	}
}

// The README's first command, shortened: both modes on the embedded target,
// a table on stdout, run.json and phases.hlog on disk.
func TestRunEmbeddedTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out, errs, code := hsbench(t, context.Background(), "run", "--count", "40", "--warmup", "0", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, want := range []string{"tcp-1.3-full-x25519-ecdsa-p256", "tcp-1.3-resumed-x25519-ecdsa-p256", "tls_handshake", "total", "resumed true=40"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// stdout is no terminal here: each cell's result line still comes, in
	// step order before the tables, and the summary table closes the run.
	first, second := strings.Index(out, "[1/2] tcp-1.3-full-x25519-ecdsa-p256: 40 ok"), strings.Index(out, "[2/2] tcp-1.3-resumed-x25519-ecdsa-p256: 40 ok")
	table, summary := strings.Index(out, "== tcp-1.3-full"), strings.Index(out, "== summary of 2 cells")
	if first < 0 || second < first || table < second || summary < table {
		t.Errorf("want the result lines [1/2] and [2/2], the tables, then the summary, in that order:\n%s", out)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete || r.Interrupted || len(r.Cells) != 2 {
		t.Fatalf("record: complete %v interrupted %v cells %d", r.Complete, r.Interrupted, len(r.Cells))
	}
	for _, c := range r.Cells {
		if c.Total.OK != 40 || c.Total.Phases["total"].Count != 40 {
			t.Fatalf("cell %s: ok %d", c.ID, c.Total.OK)
		}
	}
	ivs, err := results.LoadIntervals(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, iv := range ivs {
		if iv.Phase == "total" {
			n += iv.Hist.TotalCount()
		}
	}
	if n != 80 {
		t.Fatalf("interval log holds %d total values, run.json 80", n)
	}
}

func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	rows := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--rate", "-5"}, "--rate"},
		{[]string{"run", "--rate", "fast"}, "--rate"},
		{[]string{"run", "--group", "x448"}, "--group"},
		{[]string{"run", "--tls", "1.1"}, "--tls"},
		{[]string{"run", "--mode", "turbo"}, "--mode"},
		{[]string{"run", "--ca", filepath.Join(dir, "missing.pem")}, "--ca"},
		{[]string{"run", "--target", "localhost"}, "--target"},
		{[]string{"run", "--target", "127.0.0.1:1", "--cert", "rsa-2048"}, "--cert"},
		{[]string{"run", "--tls", "1.2", "--group", "x25519mlkem768"}, "TLS 1.3 only"},
		{[]string{"run", "--max-error-rate", "2"}, "--max-error-rate"},
		{[]string{"run", "--slo", "total:p99"}, "--slo"},
		{[]string{"run", "--slo", "handshake:p99<1ms"}, "--slo"},
		{[]string{"run", "--slo", "total:p99<1ms", "--slo", "total:p99<1ms"}, "--slo"},
		{[]string{"nonsense"}, "unknown command"},
	}
	for _, r := range rows {
		out := filepath.Join(dir, "never")
		_, errs, code := hsbench(t, context.Background(), append(r.args, "--out", out)...)
		if code != exitUsage || !strings.Contains(errs, r.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", r.args, code, errs, r.want)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: bad input still created the run directory", r.args)
		}
	}
}

// --slo budgets are judged on every cell after the table: an impossible
// one exits 1, one that needs more samples than were taken exits 3, and
// a generous one passes.
func TestRunBudgets(t *testing.T) {
	noGitHub(t)
	for _, tc := range []struct {
		slo, verdict string
		code         int
	}{
		{"total:p50<1ns", "FAIL", exitFailed},
		{"total:p99.9<1h", "TOO_FEW", exitInconcl},
		{"total:p50<1h", "PASS", exitOK},
	} {
		out, errs, code := hsbench(t, context.Background(), "run", "--count", "20", "--warmup", "0", "--mode", "full",
			"--quiet", "--slo", tc.slo, "--out", filepath.Join(t.TempDir(), "r"))
		o, err := slo.Parse(tc.slo)
		if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(out, o.String()+" "+tc.verdict) {
			t.Errorf("--slo %s: exit %d, want %d and %s\n%s\n%s", tc.slo, code, tc.code, tc.verdict, out, errs)
		}
	}
}

// A target where nothing listens: every attempt is a classified failure, the
// run still writes its record, and the exit code says the run failed.
func TestRunUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := filepath.Join(t.TempDir(), "run")
	out, errs, code := hsbench(t, context.Background(), "run", "--target", addr, "--mode", "full", "--count", "5", "--warmup", "0", "--out", dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	if !strings.Contains(out, "refused=5") {
		t.Fatalf("table does not show the refusals:\n%s", out)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cells[0].Total.Errors["refused"] != 5 {
		t.Fatalf("errors %v", r.Cells[0].Total.Errors)
	}
}

// Ctrl-C (a cancelled context) keeps what was measured, marked interrupted.
func TestRunInterruptKeepsResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(700*time.Millisecond, cancel)
	_, errs, code := hsbench(t, ctx, "run", "--mode", "full", "--duration", "1m", "--warmup", "0", "--out", dir)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, errs)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Interrupted || r.Cells[0].Total.OK == 0 {
		t.Fatalf("interrupted %v, ok %d", r.Interrupted, r.Cells[0].Total.OK)
	}
	if _, err := os.Stat(filepath.Join(dir, results.HlogFile)); err != nil {
		t.Fatalf("no interval log after the interrupt: %v", err)
	}
}

func TestRunRefusesToOverwrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, errs, code := hsbench(t, context.Background(), "run", "--mode", "full", "--count", "3", "--warmup", "0", "--out", dir); code != 0 {
		t.Fatal(errs)
	}
	before, _ := os.ReadFile(filepath.Join(dir, results.RunFile))
	_, errs, code := hsbench(t, context.Background(), "run", "--mode", "full", "--count", "3", "--out", dir)
	after, _ := os.ReadFile(filepath.Join(dir, results.RunFile))
	if code != exitUsage || !strings.Contains(errs, "already holds a run") || !bytes.Equal(before, after) {
		t.Fatalf("exit %d, %q", code, errs)
	}
}

// A target that never resumes turns every resumed sample into a mismatch:
// the run did not measure what was asked, and exits 1 unless told otherwise.
func TestRunMismatchGate(t *testing.T) {
	tg, err := target.Start(target.Options{NoTickets: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := tg.CA.WriteCertPEM(ca); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--target", tg.Addr, "--sni", "localhost", "--ca", ca, "--mode", "resumed", "--count", "10", "--warmup", "0"}
	out, errs, code := hsbench(t, context.Background(), append(args, "--out", filepath.Join(t.TempDir(), "a"))...)
	if code != exitFailed || !strings.Contains(errs, "did not negotiate what was asked") || !strings.Contains(out, "MISMATCH: 10 samples") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code := hsbench(t, context.Background(), append(args, "--max-mismatch-rate", "1", "--out", filepath.Join(t.TempDir(), "b"))...); code != 0 {
		t.Fatalf("with --max-mismatch-rate 1: exit %d\n%s", code, errs)
	}
}

// --keylog writes SSLKEYLOGFILE lines, one per secret per handshake, in the
// format Wireshark reads.
func TestRunKeylog(t *testing.T) {
	dir := t.TempDir()
	kl := filepath.Join(dir, "keys.log")
	if _, errs, code := hsbench(t, context.Background(), "run", "--mode", "full", "--count", "3", "--warmup", "0",
		"--keylog", kl, "--out", filepath.Join(dir, "run")); code != 0 {
		t.Fatal(errs)
	}
	b, err := os.ReadFile(kl)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0) [0-9a-f]{64} [0-9a-f]{64}$`)
	labels := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not an SSLKEYLOGFILE line: %q", l)
		}
		labels[m[1]]++
	}
	for _, l := range []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"} {
		if labels[l] != 3 {
			t.Errorf("%s: %d lines for 3 handshakes", l, labels[l])
		}
	}
}
