package loadgen

import (
	"context"
	"crypto/tls"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

func startTarget(t *testing.T, o target.Options) *target.Target {
	t.Helper()
	tg, err := target.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

func factory(t *testing.T, tg *target.Target, mode sample.Mode) sample.Factory {
	t.Helper()
	f, err := bench.NewTCPFactory(bench.TCPConfig{
		Address: tg.Addr,
		TLS:     &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), MinVersion: tls.VersionTLS13},
		Mode:    mode,
		Request: []byte(bench.DefaultRequest),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestClosedLoopCount(t *testing.T) {
	tg := startTarget(t, target.Options{})
	var intervals atomic.Int64
	res, err := Run(context.Background(), Config{
		Factory: factory(t, tg, sample.ModeResumed), Concurrency: 3, Count: 60,
		Warmup: 50 * time.Millisecond, OnInterval: func(*Snapshot) { intervals.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Total.Attempts(); got != 60 {
		t.Fatalf("%d measured attempts, want exactly 60", got)
	}
	if res.Total.OK != 60 || res.Total.Mismatches.Sum() != 0 {
		t.Fatalf("ok %d, mismatches %v, errors %v", res.Total.OK, res.Total.Mismatches, res.Total.Errors)
	}
	if n := res.Total.Hist[sample.Total].TotalCount(); n != 60 {
		t.Fatalf("total histogram holds %d values", n)
	}
	if res.Total.Tally["resumed"]["true"] != 60 {
		t.Fatalf("tally %v", res.Total.Tally)
	}
	if res.Total.Hist[sample.Latency] != nil {
		t.Fatal("a closed loop recorded open-loop latency")
	}
	if intervals.Load() < 1 {
		t.Fatal("no interval was reported")
	}
}

// The open loop sends rate × duration handshakes and measures latency from
// the intended start.
// A target that stalls for 500 ms must show the stall in the corrected
// latency of an open-loop run, even though only the few handshakes in
// flight experience it directly.
func TestOpenLoopShowsStall(t *testing.T) {
	var stalled atomic.Bool
	var accepted atomic.Int64
	tg := startTarget(t, target.Options{Stall: func() {
		if accepted.Add(1) == 50 && stalled.CompareAndSwap(false, true) {
			time.Sleep(500 * time.Millisecond)
		}
	}})
	res, err := Run(context.Background(), Config{
		// One worker: the stall blocks the generator, exactly the case
		// where a closed loop would hide it.
		Factory: factory(t, tg, sample.ModeFull), Concurrency: 1, Rate: 200, Duration: 1500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	lat, svc := res.Total.Hist[sample.Latency], res.Total.Hist[sample.Total]
	// ~100 hits were due during the stall: about a third of the run waited
	// a quarter second or more.
	if p90 := time.Duration(lat.ValueAtQuantile(90)); p90 < 150*time.Millisecond {
		t.Fatalf("corrected p90 %v does not show the 500 ms stall", p90)
	}
	if mx := time.Duration(lat.Max()); mx < 450*time.Millisecond {
		t.Fatalf("corrected max %v below the stall", mx)
	}
	// The service time sees the stall once only.
	if p90 := time.Duration(svc.ValueAtQuantile(90)); p90 > 100*time.Millisecond {
		t.Fatalf("service-time p90 %v: the stall should touch only one handshake", p90)
	}
	if len(res.Warnings) == 0 {
		t.Fatal("no warning that the generator fell behind")
	}
	// The hits due during the stall found the only worker busy.
	if res.Busy < 50 {
		t.Fatalf("%d hits found the worker busy, want at least 50 of the ~100 due during the stall", res.Busy)
	}
}

// Cancelling the context stops the run early and keeps what was measured.
func TestStopKeepsMeasurements(t *testing.T) {
	tg := startTarget(t, target.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(400*time.Millisecond, cancel)
	res, err := Run(ctx, Config{Factory: factory(t, tg, sample.ModeFull), Concurrency: 2, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped {
		t.Fatal("run not marked as stopped")
	}
	if res.Total.OK == 0 || res.Total.Hist[sample.Total].TotalCount() != res.Total.OK {
		t.Fatalf("measurements lost: ok %d", res.Total.OK)
	}
	if res.Elapsed > 5*time.Second {
		t.Fatalf("stopped after %v", res.Elapsed)
	}
	if res.Total.Errors.Sum() != 0 {
		t.Fatalf("the stop was counted as target errors: %v", res.Total.Errors)
	}
}

func TestConfigErrors(t *testing.T) {
	f := func() (sample.Handshaker, error) { return nil, nil }
	for _, c := range []Config{
		{Concurrency: 1, Count: 1},
		{Factory: f, Concurrency: 0, Count: 1},
		{Factory: f, Concurrency: 1},
		{Factory: f, Concurrency: 1, Count: 1, Rate: -1},
	} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}
