package plot

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// phaseModel is the median (ms) and log-spread of one synthetic phase.
type phaseModel struct {
	name   string
	median float64
	sigma  float64
}

// synthCell builds a cell whose split phases are log-normal with a small
// heavy tail, "total" being their sum and "tls_handshake" the TLS part.
func synthCell(t testing.TB, r *rand.Rand, label string, dims map[string]string, phases []phaseModel, n int) Cell {
	t.Helper()
	c := Cell{Label: label, Dims: dims, Phases: map[string]*hdrhistogram.Histogram{}}
	newH := func() *hdrhistogram.Histogram { return hdrhistogram.New(1, int64(time.Minute), 3) }
	total, tlsH := newH(), newH()
	for _, ph := range phases {
		c.Phases[ph.name] = newH()
	}
	for range n {
		var sum, tlsSum float64
		for _, ph := range phases {
			v := ph.median * math.Exp(ph.sigma*r.NormFloat64())
			if r.Float64() < 0.01 {
				v *= 3 + 4*r.Float64() // tail
			}
			ns := int64(v * 1e6)
			if err := c.Phases[ph.name].RecordValue(ns); err != nil {
				t.Fatal(err)
			}
			sum += v
			if len(ph.name) > 4 && ph.name[:4] == "tls_" {
				tlsSum += v
			}
		}
		if err := total.RecordValue(int64(sum * 1e6)); err != nil {
			t.Fatal(err)
		}
		if err := tlsH.RecordValue(int64(tlsSum * 1e6)); err != nil {
			t.Fatal(err)
		}
	}
	c.Phases["total"] = total
	c.Phases["tls_handshake"] = tlsH
	return c
}

// groupCost is the synthetic server key-exchange cost (ms) of each group.
var groupCost = []struct {
	group string
	name  string
	wait  float64
}{
	{"x25519", "X25519", 0.30},
	{"p256", "P-256", 0.38},
	{"x25519mlkem768", "X25519MLKEM768", 0.42},
	{"secp384r1mlkem1024", "SecP384r1MLKEM1024", 1.10},
}

func phasesFor(wait float64, resumed bool) []phaseModel {
	ps := []phaseModel{
		{"tcp_connect", 0.08, 0.25},
		{"tls_client_hello", 0.05, 0.3},
		{"tls_server_wait", wait, 0.2},
		{"tls_key_exchange", 0.12, 0.2},
	}
	if !resumed {
		ps = append(ps, phaseModel{"tls_cert_verify", 0.15, 0.2})
	}
	return append(ps, phaseModel{"tls_finished", 0.04, 0.3})
}

// testCells returns 8 cells: 4 groups × {full, resumed}, fixed seed.
func testCells(t testing.TB) []Cell {
	r := rand.New(rand.NewPCG(1, 2))
	var cells []Cell
	for _, mode := range []string{"full", "resumed"} {
		for _, g := range groupCost {
			cells = append(cells, synthCell(t, r,
				fmt.Sprintf("TLS1.3 %s %s ecdsa-p256", mode, g.name),
				map[string]string{"version": "1.3", "mode": mode, "group": g.group, "cert": "ecdsa-p256", "transport": "tcp"},
				phasesFor(g.wait, mode == "resumed"), 5000))
		}
	}
	return cells
}

// testCellsWithRepeats returns one full-handshake cell per group with five
// repeat values of total p50 and p99.
func testCellsWithRepeats(t testing.TB) []Cell {
	r := rand.New(rand.NewPCG(3, 4))
	var cells []Cell
	for _, g := range groupCost {
		c := synthCell(t, r, "TLS1.3 full "+g.name, map[string]string{"group": g.group}, phasesFor(g.wait, false), 2000)
		p50 := nsToMs(float64(c.Phases["total"].ValueAtQuantile(50)))
		p99 := nsToMs(float64(c.Phases["total"].ValueAtQuantile(99)))
		c.Repeats = map[string][]float64{}
		for range 5 {
			c.Repeats["total p50"] = append(c.Repeats["total p50"], p50*(1+0.03*r.NormFloat64()))
			c.Repeats["total p99"] = append(c.Repeats["total p99"], p99*(1+0.08*r.NormFloat64()))
		}
		cells = append(cells, c)
	}
	return cells
}

// manyCells returns 12 cells with long labels, to check overlays stay legible.
func manyCells(t testing.TB) []Cell {
	r := rand.New(rand.NewPCG(5, 6))
	var cells []Cell
	for i := range 12 {
		g := groupCost[i%len(groupCost)]
		suite := []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}[i/4]
		cells = append(cells, synthCell(t, r,
			fmt.Sprintf("TLS1.3 full %s %s", g.name, suite),
			map[string]string{"group": g.group, "suite": suite},
			phasesFor(g.wait*(1+0.1*float64(i/4)), false), 2000))
	}
	return cells
}

// testIntervals returns 60 one-second intervals with a stall at 30-33 s and
// an empty interval at 45 s.
func testIntervals() []Interval {
	r := rand.New(rand.NewPCG(7, 8))
	var iv []Interval
	for s := range 60 {
		x := Interval{Start: time.Duration(s) * time.Second}
		rate := 800 + 40*r.NormFloat64()
		p50 := 1.1 + 0.05*r.NormFloat64()
		switch {
		case s >= 30 && s < 33:
			rate, p50 = 250, 3.5
		case s == 45:
			rate = 0
		}
		x.Count = int64(rate)
		if x.Count > 0 {
			x.P50 = p50
			x.P90 = p50 * (1.35 + 0.05*r.Float64())
			x.P99 = p50 * (2.2 + 0.3*r.Float64())
			x.Max = x.P99 * (1.5 + 2*r.Float64())
		}
		iv = append(iv, x)
	}
	return iv
}
