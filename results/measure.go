package results

import (
	"encoding/base64"
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

// Percentiles reported for every phase.
var Percentiles = []float64{50, 90, 99, 99.9}

// StatsOf summarises a histogram of nanoseconds.
func StatsOf(h *hdr.Histogram) (PhaseStats, error) {
	enc, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return PhaseStats{}, fmt.Errorf("results: encoding histogram: %w", err)
	}
	return PhaseStats{
		Count:     h.TotalCount(),
		Min:       ms(h.Min()),
		Mean:      h.Mean() / 1e6,
		Stddev:    h.StdDev() / 1e6,
		P50:       ms(h.ValueAtQuantile(50)),
		P90:       ms(h.ValueAtQuantile(90)),
		P99:       ms(h.ValueAtQuantile(99)),
		P999:      ms(h.ValueAtQuantile(99.9)),
		Max:       ms(h.Max()),
		Histogram: base64.StdEncoding.EncodeToString(enc),
	}, nil
}

// Hist decodes the stored histogram.
func (p PhaseStats) Hist() (*hdr.Histogram, error) {
	b, err := base64.StdEncoding.DecodeString(p.Histogram)
	if err != nil {
		return nil, fmt.Errorf("results: histogram is not base64: %w", err)
	}
	h, err := hdr.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("results: decoding histogram: %w", err)
	}
	return h, nil
}

// Percentile returns the stored value (ms) for one of Percentiles, or
// computes it from the histogram for any other.
func (p PhaseStats) Percentile(q float64) (float64, error) {
	switch q {
	case 50:
		return p.P50, nil
	case 90:
		return p.P90, nil
	case 99:
		return p.P99, nil
	case 99.9:
		return p.P999, nil
	case 100:
		return p.Max, nil
	}
	h, err := p.Hist()
	if err != nil {
		return 0, err
	}
	return ms(h.ValueAtQuantile(q)), nil
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

// MeasureOf builds the record of one repeat from the load generator's
// result; cpu is the process CPU time spent during it.
func MeasureOf(res *loadgen.Result, repeat int, offset, cpu time.Duration) (Measure, error) {
	m, err := measureOfSnapshot(res.Total, res.Elapsed)
	if err != nil {
		return m, err
	}
	m.Repeat = repeat
	m.OffsetMS = float64(offset) / 1e6
	m.Warmup = res.WarmupCount
	m.Canceled = res.Canceled
	m.PrimeErrors = res.PrimeErrors
	m.BusyStarts = res.Busy
	m.ClientCPUMS = float64(cpu) / 1e6
	u := res.CPU
	m.ClientCPUMeasuredMS = float64(u.Measured) / 1e6
	m.ClientCPUPrimingMS = float64(u.Priming) / 1e6
	m.ClientCPUIdleMS = float64(u.Idle) / 1e6
	m.ClientCPUUnmeasuredMS = float64(u.Unmeasured) / 1e6
	m.WallMS = float64(u.Wall) / 1e6
	m.cpuRatios()
	if len(res.WarmupErrors) > 0 {
		m.WarmupErrors = map[string]int64(res.WarmupErrors)
	}
	m.Overlapping = res.Overlapping
	m.Warnings = res.Warnings
	m.Interrupted = res.Stopped
	return m, nil
}

func measureOfSnapshot(s *loadgen.Snapshot, elapsed time.Duration) (Measure, error) {
	m := Measure{
		ElapsedMS:     float64(elapsed) / 1e6,
		Attempts:      s.Attempts(),
		OK:            s.OK,
		Errors:        map[string]int64(s.Errors),
		OtherExamples: s.OtherExamples,
		Mismatches:    map[string]int64(s.Mismatches),
		Negotiated:    map[string]map[string]int64(s.Tally),
		Phases:        map[string]PhaseStats{},
	}
	if elapsed > 0 {
		m.RatePerSec = float64(s.OK) / elapsed.Seconds()
	}
	if s.OK > 0 {
		m.BytesSentAvg = float64(s.BytesSent) / float64(s.OK)
		m.BytesRecvAvg = float64(s.BytesRecv) / float64(s.OK)
	}
	for p, h := range s.Hist {
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		st, err := StatsOf(h)
		if err != nil {
			return m, err
		}
		m.Phases[sample.Phase(p).String()] = st
	}
	if s.MismatchTotal != nil && s.MismatchTotal.TotalCount() > 0 {
		st, err := StatsOf(s.MismatchTotal)
		if err != nil {
			return m, err
		}
		m.MismatchTotal = &st
	}
	return m, nil
}

// TotalOf merges the repeats of a cell, which ran one after another, into
// one measure: times add up and the rate is recomputed over them.
func TotalOf(runs []Measure) (Measure, error) {
	t, err := combine(runs, false)
	t.Repeat = -1
	return t, err
}

// combine merges measures: counts, tallies, CPU time and histograms (exactly)
// add up. Measures that ran side by side (the shards of one repeat) keep the
// longest elapsed time and add their rates; measures that ran one after
// another add their times and the rate is recomputed. Warnings are the
// caller's to carry.
func combine(parts []Measure, sideBySide bool) (Measure, error) {
	t := Measure{Errors: map[string]int64{}, Mismatches: map[string]int64{},
		Negotiated: map[string]map[string]int64{}, Phases: map[string]PhaseStats{}}
	hists := map[string]*hdr.Histogram{}
	var mismatch *hdr.Histogram
	var sent, recv float64
	for _, r := range parts {
		if sideBySide {
			t.ElapsedMS = max(t.ElapsedMS, r.ElapsedMS)
			t.RatePerSec += r.RatePerSec
		} else {
			t.ElapsedMS += r.ElapsedMS
		}
		t.Attempts += r.Attempts
		t.OK += r.OK
		t.Warmup += r.Warmup
		t.Canceled += r.Canceled
		t.BusyStarts += r.BusyStarts
		t.Overlapping += r.Overlapping
		t.PrimingHandshakes += r.PrimingHandshakes
		t.PrimingInitial += r.PrimingInitial
		t.ClientCPUMeasuredMS += r.ClientCPUMeasuredMS
		t.ClientCPUPrimingMS += r.ClientCPUPrimingMS
		t.ClientCPUIdleMS += r.ClientCPUIdleMS
		t.ClientCPUUnmeasuredMS += r.ClientCPUUnmeasuredMS
		t.WallMS += r.WallMS
		if len(r.WarmupErrors) > 0 {
			if t.WarmupErrors == nil {
				t.WarmupErrors = map[string]int64{}
			}
			addCounts(t.WarmupErrors, r.WarmupErrors)
		}
		t.Interrupted = t.Interrupted || r.Interrupted
		addCounts(t.Errors, r.Errors)
		t.OtherExamples = loadgen.AddExamples(t.OtherExamples, r.OtherExamples...)
		addCounts(t.Mismatches, r.Mismatches)
		if len(r.PrimeErrors) > 0 {
			if t.PrimeErrors == nil {
				t.PrimeErrors = map[string]int64{}
			}
			addCounts(t.PrimeErrors, r.PrimeErrors)
		}
		for dim, m := range r.Negotiated {
			if t.Negotiated[dim] == nil {
				t.Negotiated[dim] = map[string]int64{}
			}
			addCounts(t.Negotiated[dim], m)
		}
		t.ClientCPUMS += r.ClientCPUMS
		sent += r.BytesSentAvg * float64(r.OK)
		recv += r.BytesRecvAvg * float64(r.OK)
		for name, ps := range r.Phases {
			if hists[name] == nil {
				hists[name] = loadgen.NewHistogram()
			}
			if err := mergeStats(hists[name], ps); err != nil {
				return t, fmt.Errorf("results: phase %s: %w", name, err)
			}
		}
		if r.MismatchTotal != nil {
			if mismatch == nil {
				mismatch = loadgen.NewHistogram()
			}
			if err := mergeStats(mismatch, *r.MismatchTotal); err != nil {
				return t, fmt.Errorf("results: mismatch total: %w", err)
			}
		}
	}
	if !sideBySide && t.ElapsedMS > 0 {
		t.RatePerSec = float64(t.OK) / (t.ElapsedMS / 1e3)
	}
	if t.OK > 0 {
		t.BytesSentAvg, t.BytesRecvAvg = sent/float64(t.OK), recv/float64(t.OK)
	}
	t.cpuRatios()
	for name, h := range hists {
		st, err := StatsOf(h)
		if err != nil {
			return t, err
		}
		t.Phases[name] = st
	}
	if mismatch != nil {
		st, err := StatsOf(mismatch)
		if err != nil {
			return t, err
		}
		t.MismatchTotal = &st
	}
	return t, nil
}

func addCounts(dst, src map[string]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// cpuRatios derives CPU per measured handshake and CPU-seconds per
// wall-second from the CPU split.
func (m *Measure) cpuRatios() {
	m.ClientCPUPerHandshakeMS, m.ClientCPUPerWallSecond = 0, 0
	if m.Attempts > 0 {
		m.ClientCPUPerHandshakeMS = m.ClientCPUMeasuredMS / float64(m.Attempts)
	}
	if m.WallMS > 0 {
		all := m.ClientCPUMeasuredMS + m.ClientCPUPrimingMS + m.ClientCPUIdleMS + m.ClientCPUUnmeasuredMS
		m.ClientCPUPerWallSecond = all / m.WallMS
	}
}
