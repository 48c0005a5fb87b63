package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/internal/target"
	"github.com/hsbench/hsbench/internal/testservers"
	"github.com/hsbench/hsbench/results"
)

// The embedded Go target cannot accept 0-RTT over TCP: such cells are
// listed as invalid with the reason, never run to 100% failure.
func TestRunZeroRTTEmbeddedIsInvalid(t *testing.T) {
	_, errs, code := hsbench(t, context.Background(), "run", "--mode", "0rtt", "--count", "5", "--out", filepath.Join(t.TempDir(), "never"))
	if code != exitUsage || !strings.Contains(errs, "does not accept 0-RTT over TCP") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	dir := filepath.Join(t.TempDir(), "run")
	out, errs, code := hsbench(t, context.Background(), "run", "--mode", "full,0rtt", "--count", "5", "--warmup", "0", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if !strings.Contains(out, "skipped 1 cell (the embedded target (Go crypto/tls) does not accept 0-RTT over TCP") || !strings.Contains(out, "tcp/1.3/0rtt/x25519") {
		t.Errorf("table does not list the 0-RTT cell as skipped:\n%s", out)
	}
}

// A Go TLS server given as --target issues TCP tickets without the
// early_data extension: no early data is sent on them, every attempt is a
// mismatch saying so, and the run exits 1 (mismatch gate).
func TestRunZeroRTTGoServerTicketsForbidEarlyData(t *testing.T) {
	tg, err := target.Start(target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := tg.CA.WriteCertPEM(ca); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	out, errs, code := hsbench(t, context.Background(), "run", "--target", tg.Addr, "--sni", "localhost", "--ca", ca,
		"--mode", "0rtt", "--count", "5", "--warmup", "0", "--out", dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitFailed, out, errs)
	}
	if !strings.Contains(out, bench.MismatchTicketNoEarly+"=5") {
		t.Errorf("table lacks the mismatch:\n%s", out)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Cells[0].Total
	if r.Cells[0].Ask.Mode != "0rtt" || m.Attempts != 5 || m.Mismatches[bench.MismatchTicketNoEarly] != 5 || m.OK != 0 {
		t.Fatalf("cell %s: ask %+v attempts %d ok %d mismatches %v", r.Cells[0].ID, r.Cells[0].Ask, m.Attempts, m.OK, m.Mismatches)
	}
}

func TestRunZeroRTTTicketsFlag(t *testing.T) {
	_, errs, code := hsbench(t, context.Background(), "run", "--mode", "0rtt", "--tickets", "twice", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(errs, "parsing --tickets") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// Against nginx (ssl_early_data on) every 0-RTT handshake is accepted with
// either ticket policy (nginx accepts replays), and the table says so.
func TestRunZeroRTTNginx(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	for _, policy := range []string{"fresh", "reuse"} {
		t.Run(policy, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			out, errs, code := hsbench(t, context.Background(), "run", "--target", s.Addr, "--sni", s.ServerName, "--ca", s.CAFile,
				"--mode", "0rtt", "--tickets", policy, "--count", "40", "--duration", "0", "--warmup", "100ms", "--out", dir)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			if !strings.Contains(out, "early data: 100% accepted (40 of 40 completed; 0 rejected)") || strings.Contains(out, "MISMATCH") {
				t.Errorf("table:\n%s", out)
			}
			r, err := results.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			m := r.Cells[0].Total
			if r.Cells[0].Ask.Mode != "0rtt" || m.OK != 40 || m.Negotiated["early_data"]["accepted"] != 40 || m.Negotiated["resumed"]["true"] != 40 {
				t.Fatalf("0rtt cell: ok %d negotiated %v", m.OK, m.Negotiated)
			}
			if _, cert := m.Phases["tls_cert_verify"]; m.Phases["ttfb"].Count != 40 || cert { // no certificate on resumption
				t.Errorf("phases: ttfb %+v, tls_cert_verify present %v", m.Phases["ttfb"].Count, cert)
			}
		})
	}
}
