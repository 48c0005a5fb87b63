package loadgen

import (
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// BenchmarkRecord measures the per-sample cost of recording a full sample
// (every phase) into a worker's recorder, and its memory after many samples.
func BenchmarkRecord(b *testing.B) {
	r := newRecorder()
	var s sample.Sample
	for p := sample.Phase(0); p < sample.Lateness; p++ {
		s.SetPhase(p, time.Duration(p+1)*137*time.Microsecond)
	}
	s.Labels = sample.Labels{Transport: "tcp", Version: "1.3", Suite: "TLS_AES_128_GCM_SHA256", Group: "x25519"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Phases[sample.Total] = time.Duration(1+i%5000) * time.Microsecond
		r.add(&s, s.Phases[sample.Total]+time.Duration(i%100)*time.Microsecond, time.Duration(i%100)*time.Microsecond, true)
	}
	var mem int
	for _, h := range r.hist {
		if h != nil {
			mem += h.GetMemorySize()
		}
	}
	b.ReportMetric(float64(mem), "recorder-bytes")
}
