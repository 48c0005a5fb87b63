package emulate

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkConnect measures TCP connects over a link (needs root):
//
//	go test -run XXX -bench Connect -benchtime 20x ./emulate/
func BenchmarkConnect(b *testing.B) {
	for _, tc := range []struct {
		name     string
		spec     Spec
		parallel bool
	}{
		{"rtt=0", Spec{}, false},
		{"rtt=0/parallel", Spec{}, true},
		{"rtt=50ms", Spec{RTT: 50 * time.Millisecond}, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			l, err := Setup(context.Background(), tc.spec, Options{})
			if err != nil {
				b.Skipf("Setup: %v", err)
			}
			defer l.Close()
			ln, err := l.ListenTCP(":0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			addr := ln.Addr().String()
			dial := func() time.Duration {
				start := time.Now()
				c, err := l.DialContext(context.Background(), "tcp", addr)
				d := time.Since(start)
				if err != nil {
					b.Error(err)
					return d
				}
				c.Close()
				return d
			}
			start := time.Now()
			if tc.parallel {
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						dial()
					}
				})
			} else {
				var ds []time.Duration
				for b.Loop() {
					ds = append(ds, dial())
				}
				slices.Sort(ds)
				b.ReportMetric(float64(ds[0])/1e6, "min-ms")
				b.ReportMetric(float64(ds[len(ds)/2])/1e6, "median-ms")
				b.ReportMetric(float64(ds[len(ds)-1])/1e6, "max-ms")
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "connects/s")
			st := l.Stats()
			b.ReportMetric(float64(st.ClientToServer.Overflow+st.ServerToClient.Overflow+st.ClientToServer.Errors+st.ServerToClient.Errors), "relay-drops")
		})
	}
}
