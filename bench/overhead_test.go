package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

// BenchmarkInstrumentationOverhead compares the client CPU of one measured
// hsbench attempt (every phase, label and mismatch check on) with a bare
// crypto/tls dial loop doing the same work: same nginx, same tls.Config,
// connect, handshake, GET, first response byte, close. The two alternate in
// blocks within one benchmark, so machine load hits both alike; CPU is this
// process's user+system time (getrusage), nginx runs in its own process.
//
//	go test -run '^$' -bench InstrumentationOverhead -benchtime 3000x ./bench/
//
// Reported: bare-cpu-us/hs, hsbench-cpu-us/hs and overhead-% (hsbench over
// bare, minus one). The goal is overhead-% ≤ 3.
func BenchmarkInstrumentationOverhead(b *testing.B) {
	s := testservers.StartNginx(b, testservers.Options{})
	x25519, _ := ParseGroup("x25519")
	for _, mode := range []sample.Mode{sample.ModeFull, sample.ModeResumed} {
		b.Run(fmt.Sprintf("tls1.3-%s", mode), func(b *testing.B) {
			cfg := &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool, MinVersion: tls.VersionTLS13,
				MaxVersion: tls.VersionTLS13, CurvePreferences: ClientGroups(x25519, tls.VersionTLS13)}
			f, err := NewTCPFactory(TCPConfig{Address: s.Addr, TLS: cfg, Mode: mode,
				Request: []byte(testservers.Request), WantGroup: "x25519"})
			if err != nil {
				b.Fatal(err)
			}
			h, err := f()
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			ctx := context.Background()
			if err := h.Prime(ctx); err != nil {
				b.Fatal(err)
			}
			bare := cfg.Clone()
			if mode == sample.ModeResumed {
				bare.ClientSessionCache = tls.NewLRUClientSessionCache(1)
				if err := bareAttempt(s.Addr, bare, sample.ModeFull); err != nil { // stores the first ticket
					b.Fatal(err)
				}
			}
			const block = 20
			var cpu [2]time.Duration
			var n [2]int
			i := 0
			for b.Loop() {
				which := (i / block) % 2
				i++
				c0 := processCPU()
				if which == 0 {
					err = bareAttempt(s.Addr, bare, mode)
				} else {
					smp := h.Handshake(ctx)
					err = smp.Err
					if err == nil && smp.Mismatch != "" {
						err = fmt.Errorf("mismatch: %s", smp.Mismatch)
					}
				}
				cpu[which] += processCPU() - c0
				n[which]++
				if err != nil {
					b.Fatal(err)
				}
			}
			if n[0] == 0 || n[1] == 0 {
				return
			}
			bareUS := float64(cpu[0].Microseconds()) / float64(n[0])
			hsUS := float64(cpu[1].Microseconds()) / float64(n[1])
			b.ReportMetric(bareUS, "bare-cpu-us/hs")
			b.ReportMetric(hsUS, "hsbench-cpu-us/hs")
			b.ReportMetric(100*(hsUS/bareUS-1), "overhead-%")
		})
	}
}

// bareAttempt is the plain crypto/tls client the overhead is measured
// against: what any Go client does to fetch one response over a new
// connection, on the same socket layer as hsbench's attempts (keep-alive
// off, raw-syscall I/O), so the difference is the instrumentation alone.
func bareAttempt(addr string, cfg *tls.Config, mode sample.Mode) error {
	d := net.Dialer{KeepAlive: -1}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return err
	}
	conn := tls.Client(rawIO(c), cfg)
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		return err
	}
	if mode == sample.ModeResumed && !conn.ConnectionState().DidResume {
		return fmt.Errorf("bare: did not resume")
	}
	if _, err := conn.Write([]byte(testservers.Request)); err != nil {
		return err
	}
	_, err = readFirstByte(conn)
	return err
}

// processCPU is this process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
