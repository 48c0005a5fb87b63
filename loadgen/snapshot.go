package loadgen

import (
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/bench/sample"
)

// Snapshot is what was measured over some span of a run: one interval, or
// the whole run. Histograms are in nanoseconds.
type Snapshot struct {
	// Start and End are relative to the start of measurement (after warmup),
	// on the monotonic clock.
	Start, End time.Duration
	Hist       [sample.NumPhases]*hdr.Histogram
	// MismatchTotal holds the total time of samples that differ from what
	// was asked; they are in no other histogram.
	MismatchTotal *hdr.Histogram
	OK            int64
	BytesSent     int64
	BytesRecv     int64
	Clamped       int64 // values above HistHighest, recorded as HistHighest
	Dropped       int64 // values lost by an inexact merge (never expected: all histograms share one configuration)
	Errors        Counts
	// OtherExamples holds up to MaxOtherExamples distinct messages of
	// errors classified "other", to tell what they were.
	OtherExamples []string
	Mismatches    Counts
	Tally         Tally
}

func newSnapshot() *Snapshot {
	return &Snapshot{Errors: Counts{}, Mismatches: Counts{}, Tally: Tally{}}
}

func (s *Snapshot) hist(p sample.Phase) *hdr.Histogram {
	if s.Hist[p] == nil {
		s.Hist[p] = NewHistogram()
	}
	return s.Hist[p]
}

// Attempts counts every measured attempt: successes, mismatches and errors.
func (s *Snapshot) Attempts() int64 { return s.OK + s.Mismatches.Sum() + s.Errors.Sum() }

// Merge adds o into s.
func (s *Snapshot) Merge(o *Snapshot) {
	for p, h := range o.Hist {
		if h != nil {
			s.Dropped += s.hist(sample.Phase(p)).Merge(h)
		}
	}
	if o.MismatchTotal != nil {
		if s.MismatchTotal == nil {
			s.MismatchTotal = NewHistogram()
		}
		s.MismatchTotal.Merge(o.MismatchTotal)
	}
	s.OK += o.OK
	s.BytesSent += o.BytesSent
	s.BytesRecv += o.BytesRecv
	s.Clamped += o.Clamped
	s.Dropped += o.Dropped
	s.Errors.merge(o.Errors)
	s.OtherExamples = AddExamples(s.OtherExamples, o.OtherExamples...)
	s.Mismatches.merge(o.Mismatches)
	s.Tally.merge(o.Tally)
	if o.End > s.End {
		s.End = o.End
	}
}

// MaxOtherExamples bounds Snapshot.OtherExamples.
const MaxOtherExamples = 3

// AddExamples appends the messages not yet in list, up to MaxOtherExamples.
func AddExamples(list []string, msgs ...string) []string {
	for _, m := range msgs {
		if len(list) >= MaxOtherExamples {
			break
		}
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}
