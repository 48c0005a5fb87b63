package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/internal/target"
	"github.com/hsbench/hsbench/results"
)

// QUIC full, resumed and 0-RTT against the embedded QUIC target: three
// cells, every sample what was asked, 0-RTT accepted every time.
func TestRunQUICEmbedded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out, errs, code := hsbench(t, context.Background(), "run", "--tls", "quic", "--mode", "full,resumed,0rtt",
		"--count", "30", "--duration", "0", "--warmup", "0", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"quic-1.3-full-x25519-ecdsa-p256", "quic-1.3-resumed-x25519-ecdsa-p256", "quic-1.3-0rtt-x25519-ecdsa-p256",
		"quic_confirm", "early data: 100% accepted (30 of 30 completed; 0 rejected)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "MISMATCH") {
		t.Errorf("mismatches:\n%s", out)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cells) != 3 || !r.Complete {
		t.Fatalf("%d cells, complete %v", len(r.Cells), r.Complete)
	}
	for _, c := range r.Cells {
		m := c.Total
		if c.Ask.Transport != "quic" || m.OK != 30 || m.Attempts != 30 {
			t.Fatalf("cell %s: ask %+v ok %d attempts %d errors %v mismatches %v", c.ID, c.Ask, m.OK, m.Attempts, m.Errors, m.Mismatches)
		}
		n := m.Negotiated
		if n["transport"]["quic"] != 30 || n["alpn"][bench.QUICALPN] != 30 || n["group"]["x25519"] != 30 {
			t.Fatalf("cell %s: negotiated %v", c.ID, n)
		}
		resumed := c.Ask.Mode != "full"
		if n["resumed"][map[bool]string{true: "true", false: "false"}[resumed]] != 30 {
			t.Fatalf("cell %s: resumed %v", c.ID, n["resumed"])
		}
		if c.Ask.Mode == "0rtt" {
			if n["early_data"]["accepted"] != 30 {
				t.Fatalf("cell %s: early_data %v", c.ID, n["early_data"])
			}
		} else if len(n["early_data"]) != 0 {
			t.Fatalf("cell %s: early_data %v", c.ID, n["early_data"])
		}
		for _, p := range []string{"tls_client_hello", "tls_server_wait", "tls_handshake", "ttfb", "total"} {
			if m.Phases[p].Count != 30 {
				t.Fatalf("cell %s: phase %s count %d", c.ID, p, m.Phases[p].Count)
			}
		}
		if _, ok := m.Phases["tcp_connect"]; ok {
			t.Fatalf("cell %s: tcp_connect in a QUIC cell", c.ID)
		}
	}
}

// An external QUIC target: --target over UDP with --alpn, --ca and --sni.
// Without --alpn the run is refused.
func TestRunQUICExternal(t *testing.T) {
	tg, err := target.Start(target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	qt, err := target.StartQUIC(target.QUICOptions{Certificate: tg.Certificate()})
	if err != nil {
		t.Fatal(err)
	}
	defer qt.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := tg.CA.WriteCertPEM(ca); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--target", qt.Addr, "--sni", "localhost", "--ca", ca, "--tls", "quic", "--mode", "full,0rtt",
		"--group", "x25519mlkem768", "--count", "20", "--duration", "0", "--warmup", "0"}

	_, errs, code := hsbench(t, context.Background(), append(args, "--out", filepath.Join(t.TempDir(), "refused"))...)
	if code != exitUsage || !strings.Contains(errs, "--alpn") {
		t.Fatalf("without --alpn: exit %d, stderr %q", code, errs)
	}

	dir := filepath.Join(t.TempDir(), "run")
	out, errs, code := hsbench(t, context.Background(), append(args, "--alpn", bench.QUICALPN, "--out", dir)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	r, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cells) != 2 {
		t.Fatalf("%d cells", len(r.Cells))
	}
	for _, c := range r.Cells {
		if m := c.Total; m.OK != 20 || m.Negotiated["group"]["x25519mlkem768"] != 20 {
			t.Fatalf("cell %s: ok %d negotiated %v errors %v mismatches %v", c.ID, m.OK, m.Negotiated, m.Errors, m.Mismatches)
		}
	}
	if r.Cells[1].Total.Negotiated["early_data"]["accepted"] != 20 {
		t.Fatalf("0rtt cell: %v", r.Cells[1].Total.Negotiated)
	}
}
