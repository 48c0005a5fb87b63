package compare

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

// A Metric is what to compare in every cell: one phase at one
// percentile, e.g. total p99.
type Metric struct {
	Phase string  // a phase name, e.g. "total", "tls_handshake"
	Pct   float64 // percentile in (0, 100]
}

// String formats m in the syntax ParseMetrics accepts: "total:p99".
func (m Metric) String() string { return m.Phase + ":" + PctName(m.Pct) }

// DefaultMetrics are compared when none are asked for: the median and
// the 99th percentile of the total handshake time.
func DefaultMetrics() []Metric {
	return []Metric{{Phase: "total", Pct: 50}, {Phase: "total", Pct: 99}}
}

// ParseMetrics parses a comma-separated list of metrics such as
// "total:p50,total:p99,tls_handshake:p99.9". Phases are the names of
// results' phases; percentiles are in (0, 100]. Duplicates are dropped.
// An empty string yields DefaultMetrics.
func ParseMetrics(s string) ([]Metric, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultMetrics(), nil
	}
	var out []Metric
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		phase, pct, ok := strings.Cut(item, ":")
		if !ok {
			return nil, fmt.Errorf("compare: metric %q: want PHASE:pNN, e.g. total:p99", item)
		}
		if _, ok := sample.ParsePhase(phase); !ok {
			return nil, fmt.Errorf("compare: metric %q: unknown phase %q", item, phase)
		}
		num, ok := strings.CutPrefix(pct, "p")
		v, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil || !(v > 0 && v <= 100) {
			return nil, fmt.Errorf("compare: metric %q: percentile %q must look like p50, p99.9 (in (0, 100])", item, pct)
		}
		m := Metric{Phase: phase, Pct: v}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("compare: no metric given")
	}
	return out, nil
}

// RunValues reduces a run to one value per whole run: for every cell and
// metric, the metric's percentile of each repeat (cell.Runs[i]), in ms,
// in the order the repeats ran. A repeat without samples of the phase
// (every attempt failed, or the phase does not exist in that mode) is
// left out with a warning, as are the run's own caveats: incomplete or
// interrupted runs, failed attempts and mismatches (kept out of the
// latency figures by the run itself, so they bias what is left).
//
// The error reports a histogram that cannot be decoded (for
// percentiles not stored in run.json): a damaged file.
func RunValues(run *results.Run, metrics []Metric) (map[Key][]float64, []error, error) {
	values := map[Key][]float64{}
	var warns []error
	switch {
	case run.Interrupted:
		warns = append(warns, errors.New("the run was interrupted: some cells may have fewer runs"))
	case !run.Complete:
		warns = append(warns, errors.New("the run is not complete (still running, or it crashed)"))
	}
	seen := map[Metric]bool{}
	for _, c := range run.Cells {
		warns = append(warns, cellWarnings(c)...)
		for _, m := range metrics {
			k := Key{Cell: c.ID, Phase: m.Phase, Pct: m.Pct}
			var missing []string
			for i, r := range c.Runs {
				ps, ok := r.Phases[m.Phase]
				if !ok || ps.Count == 0 {
					missing = append(missing, strconv.Itoa(i+1))
					continue
				}
				v, err := ps.Percentile(m.Pct)
				if err != nil {
					return nil, warns, fmt.Errorf("compare: cell %s run %d phase %s: %w", c.ID, i+1, m.Phase, err)
				}
				values[k] = append(values[k], v)
				seen[m] = true
			}
			if w := fewSamples(c, m); w != nil {
				warns = append(warns, w)
			}
			if len(missing) > 0 && len(missing) < len(c.Runs) {
				warns = append(warns, fmt.Errorf("cell %s: no %s samples in run %s; left out", c.ID, m.Phase, strings.Join(missing, ", ")))
			}
		}
	}
	for _, m := range metrics {
		if !seen[m] {
			warns = append(warns, fmt.Errorf("metric %s: no cell has %s samples (latency and lateness exist in open-loop runs only)", m, m.Phase))
		}
	}
	return values, warns, nil
}

// fewSamples warns when a cell's runs are too short to estimate m's
// percentile: fewer samples than slo.MinSamples(pct, 95%), below which
// even the largest sample does not bound the percentile from above.
func fewSamples(c results.Cell, m Metric) error {
	if m.Pct >= 100 {
		return nil
	}
	need := slo.MinSamples(m.Pct, 0.95)
	short, fewest := 0, int64(-1)
	for _, r := range c.Runs {
		ps, ok := r.Phases[m.Phase]
		if !ok || ps.Count == 0 || ps.Count >= need {
			continue
		}
		short++
		if fewest < 0 || ps.Count < fewest {
			fewest = ps.Count
		}
	}
	if short == 0 {
		return nil
	}
	return fmt.Errorf("cell %s: %s estimated from fewer than %d samples in %d of %d runs (fewest %d): too few to bound it at 95%%; measure longer runs",
		c.ID, m, need, short, len(c.Runs), fewest)
}

// cellWarnings notes failed attempts and mismatches of a cell.
func cellWarnings(c results.Cell) []error {
	var warns []error
	errs, failedRuns := map[string]int64{}, 0
	mism := map[string]int64{}
	var attempts int64
	for _, r := range c.Runs {
		attempts += r.Attempts
		if addAll(errs, r.Errors) > 0 {
			failedRuns++
		}
		addAll(mism, r.Mismatches)
	}
	if n := sum(errs); n > 0 {
		warns = append(warns, fmt.Errorf("cell %s: %d of %d attempts failed in %d of %d runs (%s); failures are not latency samples",
			c.ID, n, attempts, failedRuns, len(c.Runs), tally(errs)))
	}
	if n := sum(mism); n > 0 {
		warns = append(warns, fmt.Errorf("cell %s: %d samples did not get what the cell asked for (%s); they are kept out of the latency figures",
			c.ID, n, tally(mism)))
	}
	return warns
}

func addAll(dst, src map[string]int64) int64 {
	var n int64
	for k, v := range src {
		dst[k] += v
		n += v
	}
	return n
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// tally formats counts as "refused=3 timeout=1", sorted by name.
func tally(m map[string]int64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// RunsDiffer lists what differs between two runs and makes their
// latencies hard to compare: the load (concurrency, rate, duration,
// count, warm-up, request, 0-RTT tickets, emulated link) and the
// machine (host, CPU, GOMAXPROCS, network, hsbench version). The target
// is expected to differ and is not listed.
func RunsDiffer(base, new *results.Run) []error {
	var warns []error
	diff := func(what string, a, b any) {
		if a != b {
			warns = append(warns, fmt.Errorf("%s differs: base %v, new %v", what, a, b))
		}
	}
	bc, nc := base.Config, new.Config
	diff("concurrency", bc.Concurrency, nc.Concurrency)
	diff("rate", bc.Rate, nc.Rate)
	diff("duration (ms)", bc.DurationMS, nc.DurationMS)
	diff("count", bc.Count, nc.Count)
	diff("warm-up (ms)", bc.WarmupMS, nc.WarmupMS)
	diff("request", bc.Request, nc.Request)
	diff("tickets", bc.Tickets, nc.Tickets)
	diff("emulated link", bc.Emulate, nc.Emulate)
	be, ne := base.Environment, new.Environment
	diff("host", be.Hostname, ne.Hostname)
	diff("CPU model", be.CPUModel, ne.CPUModel)
	diff("CPUs", be.CPUs, ne.CPUs)
	diff("GOMAXPROCS", be.GOMAXPROCS, ne.GOMAXPROCS)
	diff("network", be.Network, ne.Network)
	diff("hsbench version", be.HsbenchVersion, ne.HsbenchVersion)
	return warns
}

// FromRuns builds the Series of two runs for the given metrics (see
// RunValues), and the warnings to add to the Result: each side's own,
// prefixed "base: " or "new: ", then RunsDiffer's. Cells present on one
// side only become one-sided Series, reported as UNMATCHED. When the two
// runs can be paired (Pairable) every series is paired block by block.
func FromRuns(base, new *results.Run, metrics []Metric) ([]Series, []error, error) {
	bv, bw, err := RunValues(base, metrics)
	if err != nil {
		return nil, nil, fmt.Errorf("base: %w", err)
	}
	nv, nw, err := RunValues(new, metrics)
	if err != nil {
		return nil, nil, fmt.Errorf("new: %w", err)
	}
	var warns []error
	for _, w := range bw {
		warns = append(warns, fmt.Errorf("base: %w", w))
	}
	for _, w := range nw {
		warns = append(warns, fmt.Errorf("new: %w", w))
	}
	warns = append(warns, RunsDiffer(base, new)...)
	series := Pair(bv, nv)
	if Pairable(base, new) {
		if series, err = pairedSeries(base, new, metrics); err != nil {
			return nil, nil, err
		}
	}
	bf, nf := failuresOf(base), failuresOf(new)
	for i := range series {
		series[i].BaseFailures, series[i].NewFailures = bf[series[i].Cell], nf[series[i].Cell]
	}
	return series, warns, nil
}

// failuresOf counts each cell's failed attempts over its runs.
func failuresOf(r *results.Run) map[string]Failures {
	out := map[string]Failures{}
	for _, c := range r.Cells {
		classes := map[string]int64{}
		var f Failures
		for _, m := range c.Runs {
			f.Attempts += m.Attempts
			f.Failed += addAll(classes, m.Errors)
		}
		f.Classes = tally(classes)
		out[c.ID] = f
	}
	return out
}

// Pairable reports whether the repeats of two runs were measured side by
// side, so that repeat i of a cell in one pairs with repeat i of the same
// cell in the other: the two sides of one 'hsbench ab' (the same
// recorded command line, started together), or a run and itself.
func Pairable(base, new *results.Run) bool {
	if base.ID != "" && base.ID == new.ID && base.Started.Equal(new.Started) {
		return true
	}
	ba, na := base.Config.Args, new.Config.Args
	gap := base.Started.Sub(new.Started)
	return len(ba) > 0 && ba[0] == "ab" && slices.Equal(ba, na) && gap < abStartSkew && gap > -abStartSkew
}

// abStartSkew bounds how far apart the two sides of one 'hsbench ab'
// start: both are opened at once.
const abStartSkew = 10 * time.Second

// pairedSeries builds paired Series: per cell and metric, the values of
// the repeats present on both sides, in repeat order. Cells on one side
// only give one-sided (UNMATCHED) series.
func pairedSeries(base, new *results.Run, metrics []Metric) ([]Series, error) {
	bc, nc := cellsByID(base), cellsByID(new)
	var out []Series
	for _, id := range slices.Sorted(maps.Keys(unionKeys(bc, nc))) {
		for _, m := range metrics {
			bvals, err := repeatValues(bc[id], m)
			if err != nil {
				return nil, fmt.Errorf("base: %w", err)
			}
			nvals, err := repeatValues(nc[id], m)
			if err != nil {
				return nil, fmt.Errorf("new: %w", err)
			}
			s := Series{Cell: id, Phase: m.Phase, Pct: m.Pct, Paired: len(bvals) > 0 && len(nvals) > 0}
			for _, r := range slices.Sorted(maps.Keys(unionKeys(bvals, nvals))) {
				b, bok := bvals[r]
				n, nok := nvals[r]
				switch {
				case bok && nok:
					s.Base, s.New = append(s.Base, b), append(s.New, n)
				case !s.Paired && bok:
					s.Base = append(s.Base, b)
				case !s.Paired && nok:
					s.New = append(s.New, n)
				}
			}
			if len(s.Base)+len(s.New) > 0 {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func cellsByID(r *results.Run) map[string]*results.Cell {
	m := map[string]*results.Cell{}
	for i := range r.Cells {
		m[r.Cells[i].ID] = &r.Cells[i]
	}
	return m
}

func unionKeys[K comparable, V any](a, b map[K]V) map[K]bool {
	u := map[K]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// repeatValues maps each repeat of a cell with samples of m's phase to
// m's value in it; nil cell gives none.
func repeatValues(c *results.Cell, m Metric) (map[int]float64, error) {
	out := map[int]float64{}
	if c == nil {
		return out, nil
	}
	for _, r := range c.Runs {
		ps, ok := r.Phases[m.Phase]
		if !ok || ps.Count == 0 {
			continue
		}
		v, err := ps.Percentile(m.Pct)
		if err != nil {
			return nil, fmt.Errorf("compare: cell %s run %d phase %s: %w", c.ID, r.Repeat+1, m.Phase, err)
		}
		out[r.Repeat] = v
	}
	return out, nil
}
