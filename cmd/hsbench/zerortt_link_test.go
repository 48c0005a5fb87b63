package main

import (
	"context"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/emulate"
	"github.com/hsbench/hsbench/internal/testenv"
	"github.com/hsbench/hsbench/internal/testservers"
	"github.com/hsbench/hsbench/loadgen"
)

// Behind a 20 ms RTT link, nginx's early-data response used to come before
// its fresh ticket, so about every other 0-RTT attempt needed an extra
// unmeasured full handshake (4 s made 37 measured handshakes). Each measured
// connection now brings the next ticket: no priming after the workers'
// first, and attempts follow each other at a few round trips.
func TestZeroRTTBehindLinkTakesTicketsFromMeasuredConnections(t *testing.T) {
	testenv.Root(t)
	testenv.LookPath(t, "nginx")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const rtt = 20 * time.Millisecond
	link, err := emulate.Setup(ctx, emulate.Spec{RTT: rtt}, emulate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { link.Close() })
	s := testservers.StartNginx(t, testservers.Options{EarlyData: true, MinVersion: "1.3",
		Host: emulate.ServerAddr.String(), Command: link.Command, Dial: link.DialContext})
	stats := &bench.ZeroRTTStats{}
	f, err := bench.NewZeroRTTFactory(bench.ZeroRTTConfig{Address: s.Addr, TLS: s.ClientConfig(),
		Request: []byte(bench.KeepAliveRequest), Dial: link.DialContext, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	const dur = 2 * time.Second
	res, err := loadgen.Run(ctx, loadgen.Config{Factory: f, Concurrency: 1, Duration: dur, Warmup: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Total.Attempts()
	later := stats.Primes.Load() - stats.Initial.Load()
	t.Logf("%d measured 0-RTT handshakes in %v behind %v RTT (ok %d, mismatches %v, errors %v); %d priming handshakes after the first %d",
		n, dur, rtt, res.Total.OK, res.Total.Mismatches, res.Total.Errors, later, stats.Initial.Load())
	if later > n/10 {
		t.Errorf("%d priming handshakes for %d attempts: the measured connections should bring the tickets", later, n)
	}
	// An attempt takes 2 RTT to its first response byte and about half a
	// round trip more for the ticket; allow 6 on a loaded machine (with a
	// priming handshake every other attempt it took more than 10).
	if min := int64(dur / (6 * rtt)); n < min {
		t.Errorf("%d measured handshakes in %v, want at least %d", n, dur, min)
	}
}
