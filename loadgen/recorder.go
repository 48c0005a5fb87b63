package loadgen

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/bench/sample"
)

// recorder belongs to one worker: that worker records into it, and the
// collector takes its contents once per interval. The mutex is uncontended
// except for that moment, so a histogram is only ever written by one
// goroutine at a time and never shared across workers.
type recorder struct {
	mu sync.Mutex
	// interval histograms per phase, allocated on first use; the collector
	// merges and resets them every interval. They are sparse (packed): a
	// worker's memory grows with the buckets it fills, not with the range,
	// so thousands of workers stay cheap.
	hist [sample.NumPhases]*hdr.PackedHistogram
	// mismatch holds the Total of samples that differ from what was asked.
	mismatch  *hdr.Histogram
	ok        int64
	bytesOut  int64
	bytesIn   int64
	clamped   int64
	errors    Counts
	examples  []string // of errors classified other
	mismatch_ Counts
	tally     Tally
}

func newRecorder() *recorder {
	return &recorder{errors: Counts{}, mismatch_: Counts{}, tally: Tally{}}
}

// add records one measured sample. latency is the open-loop latency from the
// intended start (0 in a closed loop), late the lateness of the start.
func (r *recorder) add(s *sample.Sample, latency, late time.Duration, open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.Err != nil {
		r.errors[s.Class]++
		if s.Class == sample.ClassOther {
			r.examples = AddExamples(r.examples, s.Err.Error())
		}
		return
	}
	r.tally.addLabels(s.Labels)
	if s.Mismatch != "" {
		r.mismatch_[s.Mismatch]++
		if r.mismatch == nil {
			r.mismatch = NewHistogram()
		}
		record(r.mismatch, s.Phases[sample.Total])
		return
	}
	r.ok++
	r.bytesOut += s.BytesSent
	r.bytesIn += s.BytesRecv
	for p := sample.Phase(0); p < sample.NumPhases; p++ {
		if s.Set.Has(p) {
			r.put(p, s.Phases[p])
		}
	}
	if open {
		r.put(sample.Latency, latency)
		r.put(sample.Lateness, late)
	}
}

func (r *recorder) put(p sample.Phase, d time.Duration) {
	if r.hist[p] == nil {
		r.hist[p] = hdr.NewPacked(HistLowest, HistHighest, HistSigFigs)
	}
	if record(r.hist[p], d) {
		r.clamped++
	}
}

// drainInto merges this recorder's interval contents into dst and resets them.
func (r *recorder) drainInto(dst *Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p, h := range r.hist {
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		dst.Dropped += h.MergeInto(dst.hist(sample.Phase(p)))
		h.Reset()
	}
	if r.mismatch != nil && r.mismatch.TotalCount() > 0 {
		if dst.MismatchTotal == nil {
			dst.MismatchTotal = NewHistogram()
		}
		dst.MismatchTotal.Merge(r.mismatch)
		r.mismatch.Reset()
	}
	dst.OK += r.ok
	dst.BytesSent += r.bytesOut
	dst.BytesRecv += r.bytesIn
	dst.Clamped += r.clamped
	dst.Errors.merge(r.errors)
	dst.OtherExamples = AddExamples(dst.OtherExamples, r.examples...)
	dst.Mismatches.merge(r.mismatch_)
	dst.Tally.merge(r.tally)
	r.ok, r.bytesOut, r.bytesIn, r.clamped = 0, 0, 0, 0
	clear(r.errors)
	r.examples = r.examples[:0]
	clear(r.mismatch_)
	clear(r.tally)
}
