package results

import (
	"math"
	"testing"
	"time"

	"github.com/hsbench/hsbench/loadgen"
)

// CPU per handshake divides only the CPU spent inside measured attempts by
// the measured attempts; priming, idle and warm-up CPU are reported beside
// it, and repeats merge by adding up before dividing.
func TestCPUPerMeasuredHandshake(t *testing.T) {
	var runs []Measure
	for i, measured := range []time.Duration{40 * time.Millisecond, 80 * time.Millisecond} {
		res := &loadgen.Result{Total: snapshot(t, 0, time.Second, 1, 2, 3, 4), Elapsed: time.Second,
			CPU: loadgen.CPUUse{Measured: measured, Priming: 30 * time.Millisecond, Idle: 500 * time.Millisecond,
				Unmeasured: 10 * time.Millisecond, Wall: 2 * time.Second},
			WarmupErrors: loadgen.Counts{"timeout": 1}, Overlapping: 1}
		m, err := MeasureOf(res, i, 0, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		m.PrimingHandshakes = 3
		want := float64(measured) / 1e6 / 4
		if math.Abs(m.ClientCPUPerHandshakeMS-want) > 1e-9 || m.ClientCPUPrimingMS != 30 || m.ClientCPUIdleMS != 500 {
			t.Fatalf("repeat %d: %.3f ms per handshake (want %.3f), priming %.1f, idle %.1f", i, m.ClientCPUPerHandshakeMS, want, m.ClientCPUPrimingMS, m.ClientCPUIdleMS)
		}
		if wall := (float64(measured)/1e6 + 540) / 2000; math.Abs(m.ClientCPUPerWallSecond-wall) > 1e-9 {
			t.Fatalf("repeat %d: %.4f CPU-s per wall-s, want %.4f", i, m.ClientCPUPerWallSecond, wall)
		}
		runs = append(runs, m)
	}
	tot, err := TotalOf(runs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(tot.ClientCPUPerHandshakeMS-15) > 1e-9 || tot.PrimingHandshakes != 6 || tot.WarmupErrors["timeout"] != 2 || tot.Overlapping != 2 {
		t.Fatalf("total: %.3f ms per handshake (want 15), %d primes, warm-up errors %v, overlapping %d",
			tot.ClientCPUPerHandshakeMS, tot.PrimingHandshakes, tot.WarmupErrors, tot.Overlapping)
	}
}
