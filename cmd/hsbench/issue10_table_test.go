//go:build issue10table

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testservers"
	"github.com/hsbench/hsbench/results"
)

// TestIssue10Table prints, from one session, per mode and loop: latency p50
// against lateness p50 + total p50, client CPU per measured handshake and
// priming handshakes per 100 measured; TCP against nginx (ssl_early_data
// on), QUIC against the embedded target; and QUIC 0-RTT acceptance against
// ngtcp2's gtlsserver with fresh tickets. Run it with scripts/issue10-table
// (ISSUE10_DURATION sets each cell's measured time, default 3s).
func TestIssue10Table(t *testing.T) {
	dur := os.Getenv("ISSUE10_DURATION")
	if dur == "" {
		dur = "3s"
	}
	nginx := testservers.StartNginx(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	gtls := testservers.StartGtlsserver(t, testservers.Options{})
	modes := "full,resumed,0rtt"
	if m := os.Getenv("ISSUE10_MODES"); m != "" {
		modes = m
	}
	common := []string{"--mode", modes, "--duration", dur, "--warmup", "300ms", "--quiet",
		"--max-error-rate", "1", "--max-mismatch-rate", "1"}
	type setup struct {
		target string
		args   []string
	}
	setups := []setup{
		{"nginx", []string{"--target", nginx.Addr, "--sni", nginx.ServerName, "--ca", nginx.CAFile, "--tls", "1.3"}},
		{"embedded", []string{"--tls", "quic"}},
	}
	if only := os.Getenv("ISSUE10_ONLY"); only != "" {
		var keep []setup
		for _, s := range setups {
			if s.target == only {
				keep = append(keep, s)
			}
		}
		setups = keep
	}
	var rows []string
	for _, s := range setups {
		rates := []string{"0", "100"}
		if r := os.Getenv("ISSUE10_RATES"); r != "" {
			rates = strings.Split(r, ",")
		}
		for _, rate := range rates {
			dir := filepath.Join(t.TempDir(), "run")
			args := append(append([]string{"run", "--out", dir, "--rate", rate}, s.args...), common...)
			out, errs, code := hsbench(t, context.Background(), args...)
			if code != 0 && code != exitFailed {
				t.Fatalf("hsbench %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errs)
			}
			if os.Getenv("ISSUE10_VERBOSE") != "" {
				fmt.Printf("\n$ hsbench %s\n%s", strings.Join(args, " "), out)
			}
			r, err := results.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range r.Cells {
				rows = append(rows, issue10Row(s.target, rate, c))
			}
		}
	}
	acc := gtlsAcceptance(t, gtls)
	fmt.Printf("\n%-5s %-9s %-7s %-9s %9s %22s %12s %12s %7s\n", "tx", "target", "mode", "loop",
		"latency", "lateness+total (p50)", "CPU/hs ms", "primes/100", "ok")
	fmt.Println("(primes/100: priming handshakes per 100 measured, besides each worker's initial priming)")
	for _, row := range rows {
		fmt.Println(row)
	}
	fmt.Printf("\nQUIC 0-RTT against gtlsserver (%s), fresh tickets: %s\n", gtls.Version, acc)
}

// issue10Row formats one cell of the table.
func issue10Row(target, rate string, c results.Cell) string {
	m := c.Total
	loop := "closed"
	lat := "-"
	sum := "-"
	if rate != "0" {
		loop = "open " + rate + "/s"
		lat = fmt.Sprintf("%.3f", m.Phases["latency"].P50)
		sum = fmt.Sprintf("%.3f + %.3f = %.3f", m.Phases["lateness"].P50, m.Phases["total"].P50,
			m.Phases["lateness"].P50+m.Phases["total"].P50)
	} else {
		sum = fmt.Sprintf("total %.3f", m.Phases["total"].P50)
	}
	primes := 0.0
	if m.Attempts > 0 {
		primes = 100 * float64(m.PrimingHandshakes-m.PrimingInitial) / float64(m.Attempts)
	}
	return fmt.Sprintf("%-5s %-9s %-7s %-9s %9s %22s %12.3f %12.1f %7d", c.Ask.Transport, target, c.Ask.Mode, loop,
		lat, sum, m.ClientCPUPerHandshakeMS, primes, m.OK)
}

// gtlsAcceptance runs QUIC 0-RTT with fresh tickets against gtlsserver and
// says how many early-data requests it accepted.
func gtlsAcceptance(t *testing.T, s *testservers.Server) string {
	dir := filepath.Join(t.TempDir(), "gtls")
	out, errs, code := hsbench(t, context.Background(), "run", "--out", dir, "--target", s.Addr, "--sni", s.ServerName,
		"--ca", s.CAFile, "--tls", "quic", "--alpn", "h3", "--mode", "0rtt", "--tickets", "fresh", "--count", "200",
		"--duration", "0", "--warmup", "0", "--quiet", "--timeout", (5 * time.Second).String(),
		"--max-error-rate", "1", "--max-mismatch-rate", "1")
	if code != 0 && code != exitFailed {
		t.Fatalf("hsbench against gtlsserver: exit %d\n%s\n%s", code, out, errs)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Cells[0].Total
	return fmt.Sprintf("%d of %d attempts accepted (mismatches %v, errors %v, %d priming handshakes)",
		m.Negotiated["early_data"]["accepted"], m.Attempts, m.Mismatches, m.Errors, m.PrimingHandshakes)
}
