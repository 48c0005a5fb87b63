package compare

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// A Series is one comparison unit: one metric of one cell, with one
// value per whole replicate run on each side, in milliseconds.
//
// A Series with values on only one side is reported as UNMATCHED (the
// cell or metric exists in only one of BASE and NEW); a Series with no
// values at all is invalid input.
type Series struct {
	Cell  string    // benchmark cell, e.g. "tls1.3/full/x25519"
	Phase string    // handshake phase, e.g. "total", "tls_handshake"
	Pct   float64   // percentile in (0, 100], e.g. 50, 99, 99.9
	Base  []float64 // one value per BASE run, ms
	New   []float64 // one value per NEW run, ms

	// Paired says Base[i] and New[i] were measured side by side in
	// time (interleaved blocks of hsbench ab): they are compared pair by
	// pair, sequentially (see sequential.go). Needs len(Base) == len(New).
	Paired bool

	// BaseFailures and NewFailures count the cell's failed attempts on
	// each side (zero when unknown): beyond Options.MaxErrorRate the
	// series FAILs.
	BaseFailures, NewFailures Failures
}

// Failures counts a cell's failed attempts.
type Failures struct {
	Attempts, Failed int64
	Classes          string // e.g. "refused=3 timeout=1"
}

// Rate is the fraction of attempts that failed, 0 without attempts.
func (f Failures) Rate() float64 {
	if f.Attempts == 0 {
		return 0
	}
	return float64(f.Failed) / float64(f.Attempts)
}

// Key identifies a Series: a cell and a metric (phase and percentile).
type Key struct {
	Cell  string
	Phase string
	Pct   float64
}

// Key returns the identity of s.
func (s Series) Key() Key { return Key{Cell: s.Cell, Phase: s.Phase, Pct: s.Pct} }

// Metric returns the human-readable metric name, e.g. "total p99.9".
func (k Key) Metric() string { return k.Phase + " " + PctName(k.Pct) }

// String returns "cell metric", e.g. "tls1.3/full/x25519 total p50".
func (k Key) String() string { return k.Cell + " " + k.Metric() }

// PctName formats a percentile as used in metric names and thresholds,
// e.g. 50 -> "p50", 99.9 -> "p99.9".
func PctName(pct float64) string {
	return "p" + strconv.FormatFloat(pct, 'f', -1, 64)
}

// compareKeys orders keys by cell, then phase, then percentile.
func compareKeys(a, b Key) int {
	return cmp.Or(
		strings.Compare(a.Cell, b.Cell),
		strings.Compare(a.Phase, b.Phase),
		cmp.Compare(a.Pct, b.Pct),
	)
}

// Pair joins per-side measurements into Series, sorted by cell, phase
// and percentile. Keys present on only one side yield a Series with the
// other side empty, which Compare reports as UNMATCHED. The value slices
// are copied.
func Pair(base, new map[Key][]float64) []Series {
	keys := make(map[Key]struct{}, len(base)+len(new))
	for k := range base {
		keys[k] = struct{}{}
	}
	for k := range new {
		keys[k] = struct{}{}
	}
	out := make([]Series, 0, len(keys))
	for k := range keys {
		out = append(out, Series{
			Cell:  k.Cell,
			Phase: k.Phase,
			Pct:   k.Pct,
			Base:  slices.Clone(base[k]),
			New:   slices.Clone(new[k]),
		})
	}
	slices.SortFunc(out, func(a, b Series) int { return compareKeys(a.Key(), b.Key()) })
	return out
}
