package loadgen

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Every histogram hsbench writes has this configuration, so any two of them
// (workers, intervals, repeats, shards) merge exactly.
const (
	HistLowest  = 1                // 1 ns
	HistHighest = int64(time.Hour) // values above are clamped and counted
	HistSigFigs = 3                // 0.1% relative precision
)

// NewHistogram returns an empty histogram with hsbench's configuration.
func NewHistogram() *hdr.Histogram { return hdr.New(HistLowest, HistHighest, HistSigFigs) }

// SameConfig reports whether h can be merged exactly with hsbench's histograms.
func SameConfig(h *hdr.Histogram) bool {
	return h.LowestTrackableValue() == HistLowest && h.HighestTrackableValue() == HistHighest &&
		h.SignificantFigures() == HistSigFigs
}

// record adds v (ns) to h, clamping it into range; it reports whether v was clamped.
func record(h interface{ RecordValue(int64) error }, v time.Duration) bool {
	n := int64(v)
	clamped := false
	if n < HistLowest {
		n = HistLowest
	} else if n > HistHighest {
		n, clamped = HistHighest, true
	}
	_ = h.RecordValue(n)
	return clamped
}
