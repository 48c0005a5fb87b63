package report

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hsbench/hsbench/report/plot"
	"github.com/hsbench/hsbench/results"
)

// A Source is one run directory read back: its run.json and, when the
// directory has one, the intervals of its phases.hlog.
type Source struct {
	Dir       string
	Run       *results.Run
	Intervals []results.Interval // nil without phases.hlog
}

// LoadSource reads a run directory. A missing phases.hlog is not an error
// (the report then has no over-time plots); an unreadable one is.
func LoadSource(dir string) (Source, error) {
	r, err := results.Load(dir)
	if err != nil {
		return Source{}, err
	}
	src := Source{Dir: dir, Run: r}
	src.Intervals, err = results.LoadIntervals(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return src, nil
	}
	if err != nil {
		return src, fmt.Errorf("report: %w", err)
	}
	return src, nil
}

// A Cell is one cell of one run, ready for tables and plots.
type Cell struct {
	// Name identifies the cell in file names and tables: the cell ID, or
	// "<run id>_<cell ID>" when the report covers several runs.
	Name  string
	RunID string
	Run   *results.Run
	Src   *results.Cell
	// Plot holds the cell for report/plot: Label is the full description,
	// Dims its coordinates, Phases the total histograms, Repeats the
	// per-repeat p50 and p99 (two repeats or more), Intervals the report
	// phase's intervals from phases.hlog.
	Plot plot.Cell
}

// Dimensions of a cell, in label order. "version" is what --tls takes
// (1.2, 1.3 or quic); "transport" is tcp or quic; "run" is set only when
// the report covers several runs.
var cellDims = []string{"run", "version", "mode", "group", "suite", "cert"}

// repeatPhases are the phases whose per-repeat p50 and p99 go into
// plot.Cell.Repeats.
var repeatPhases = []string{"total", "tls_handshake", "latency"}

// Cells converts runs into report cells, in the order of the runs and of
// their cells. The over-time intervals are those of phase.
func Cells(srcs []Source, phase string) ([]Cell, error) {
	var out []Cell
	multi := len(srcs) > 1
	for _, src := range srcs {
		ivs := intervalsByCell(src.Intervals, phase)
		for i := range src.Run.Cells {
			rc := &src.Run.Cells[i]
			pc, err := plotCell(rc, fullIntervals(ivs[rc.ID], src.Run.Config.IntervalMS))
			if err != nil {
				return nil, fmt.Errorf("report: run %s: %w", src.Run.ID, err)
			}
			c := Cell{Name: rc.ID, RunID: src.Run.ID, Run: src.Run, Src: rc, Plot: pc}
			if multi {
				c.Name = fileSafe(src.Run.ID) + "_" + rc.ID
				c.Plot.Dims["run"] = src.Run.ID
			}
			out = append(out, c)
		}
	}
	for i := range out {
		out[i].Plot.Label = labelOf(out[i].Plot.Dims, nil, true)
	}
	return out, nil
}

// DimsOf returns a cell's coordinates from what it asked for.
func DimsOf(a results.Ask) map[string]string {
	version := a.Version
	if a.Transport == "quic" {
		version = "quic"
	}
	return map[string]string{
		"transport": a.Transport,
		"version":   version,
		"mode":      a.Mode,
		"group":     orDefault(a.Group),
		"suite":     orDefault(a.Suite),
		"cert":      orDefault(a.Cert),
	}
}

func orDefault(s string) string {
	if s == "" {
		return "default"
	}
	return s
}

func plotCell(rc *results.Cell, ivs []results.Interval) (plot.Cell, error) {
	pc := plot.Cell{Label: rc.ID, Dims: DimsOf(rc.Ask), Phases: map[string]*hdrhistogram.Histogram{}}
	for name, ps := range rc.Total.Phases {
		h, err := ps.Hist()
		if err != nil {
			return pc, fmt.Errorf("cell %s, phase %s: %w", rc.ID, name, err)
		}
		pc.Phases[name] = h
	}
	if len(rc.Runs) >= 2 {
		pc.Repeats = map[string][]float64{}
		for _, ph := range repeatPhases {
			for _, r := range rc.Runs {
				ps, ok := r.Phases[ph]
				if !ok {
					continue
				}
				pc.Repeats[plot.RepeatKey(ph, "p50")] = append(pc.Repeats[plot.RepeatKey(ph, "p50")], ps.P50)
				pc.Repeats[plot.RepeatKey(ph, "p99")] = append(pc.Repeats[plot.RepeatKey(ph, "p99")], ps.P99)
			}
		}
	}
	pc.Intervals = plotIntervals(ivs)
	return pc, nil
}

// intervalsByCell picks the intervals of one phase, by cell, in time order.
func intervalsByCell(ivs []results.Interval, phase string) map[string][]results.Interval {
	out := map[string][]results.Interval{}
	for _, iv := range ivs {
		if iv.Phase == phase {
			out[iv.Cell] = append(out[iv.Cell], iv)
		}
	}
	for _, l := range out {
		sort.SliceStable(l, func(i, j int) bool { return l[i].Start < l[j].Start })
	}
	return out
}

// fullIntervals drops the intervals shorter than nine tenths of the run's
// interval length: each repeat of a cell ends inside its last interval, and
// its few samples would draw as a collapse of the rate and a p50 equal to
// the maximum.
func fullIntervals(ivs []results.Interval, intervalMS float64) []results.Interval {
	if intervalMS <= 0 {
		return ivs
	}
	var out []results.Interval
	for _, iv := range ivs {
		if float64(iv.End-iv.Start)/1e6 >= 0.9*intervalMS {
			out = append(out, iv)
		}
	}
	return out
}

// gapSlack is how far apart two intervals may be and still count as
// consecutive (interval timestamps are whole milliseconds).
const gapSlack = 50 * time.Millisecond

// plotIntervals converts a cell's intervals, with times from the cell's
// first interval. Where the cell did not run (between repeats) an empty
// interval is inserted, so the plot shows a gap and a rate of 0 rather than
// one long, slow interval.
func plotIntervals(ivs []results.Interval) []plot.Interval {
	if len(ivs) == 0 {
		return nil
	}
	t0 := ivs[0].Start
	var out []plot.Interval
	for i, iv := range ivs {
		if i > 0 && iv.Start > ivs[i-1].End+gapSlack {
			out = append(out, plot.Interval{Start: ivs[i-1].End - t0})
		}
		if i > 0 && iv.Start-t0 <= out[len(out)-1].Start {
			continue // a duplicate start: keep the first
		}
		h := iv.Hist
		out = append(out, plot.Interval{
			Start: iv.Start - t0,
			Count: h.TotalCount(),
			P50:   msOf(h.ValueAtQuantile(50)),
			P90:   msOf(h.ValueAtQuantile(90)),
			P99:   msOf(h.ValueAtQuantile(99)),
			Max:   msOf(h.Max()),
		})
	}
	return out
}

func msOf(ns int64) float64 { return float64(ns) / 1e6 }

// allDims returns the dimensions whose value differs between cells.
func allDims(cells []Cell) map[string]bool {
	varying := map[string]bool{}
	for _, d := range cellDims {
		for _, c := range cells[min(1, len(cells)):] {
			if c.Plot.Dims[d] != cells[0].Plot.Dims[d] {
				varying[d] = true
				break
			}
		}
	}
	return varying
}

// labelOf describes a cell by the dimensions in show ("TLS 1.3 full
// x25519mlkem768"), or by all of them when show is nil. Unset dimensions
// ("default") are left out with skipDefaults, else named ("default suite").
func labelOf(dims map[string]string, show map[string]bool, skipDefaults bool) string {
	var parts []string
	for _, d := range cellDims {
		v, ok := dims[d]
		if !ok || (show != nil && !show[d]) || (v == "default" && skipDefaults) {
			continue
		}
		switch {
		case d == "version":
			v = versionLabel(v)
		case d == "suite":
			v = strings.TrimPrefix(v, "TLS_")
		}
		if v == "default" {
			v = "default " + d
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

func versionLabel(v string) string {
	if v == "quic" {
		return "QUIC"
	}
	return "TLS " + v
}

// relabel returns copies of the plot cells of cells labelled by the
// dimensions that vary among them, and a description of those that do not.
func relabel(cells []Cell) ([]plot.Cell, string) {
	show := allDims(cells)
	out := make([]plot.Cell, len(cells))
	for i, c := range cells {
		out[i] = c.Plot
		out[i].Label = labelOf(c.Plot.Dims, show, false)
		if out[i].Label == "" {
			out[i].Label = c.Plot.Label
		}
	}
	fixed := map[string]bool{}
	for _, d := range cellDims {
		if _, ok := cells[0].Plot.Dims[d]; ok && !show[d] {
			fixed[d] = true
		}
	}
	return out, labelOf(cells[0].Plot.Dims, fixed, true)
}

// fileSafe keeps letters, digits, '.', '-' and '_' of s.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
