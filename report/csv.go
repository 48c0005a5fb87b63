package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// CSVHeader are the columns of cells.csv: one row per cell, phase and
// percentile (0 is the minimum, 100 the maximum), values in milliseconds.
var CSVHeader = []string{"run", "cell", "transport", "version", "mode", "group", "suite", "cert",
	"phase", "count", "percentile", "value_ms"}

// csvPercentiles are the percentiles of every phase in cells.csv.
var csvPercentiles = []float64{0, 50, 90, 99, 99.9, 99.99, 100}

// WriteCSV writes cells.csv, in "long" form so a spreadsheet or a data
// frame can pivot it any way: phases in the order of the text table, then
// any others by name.
func WriteCSV(w io.Writer, cells []Cell) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("report: writing %s: %w", CSVFile, err)
	}
	for _, c := range cells {
		a := c.Src.Ask
		for _, ph := range phaseOrder(c.Plot.Phases) {
			h := c.Plot.Phases[ph]
			if h.TotalCount() == 0 {
				continue
			}
			for _, q := range csvPercentiles {
				rec := []string{c.RunID, c.Src.ID, a.Transport, a.Version, a.Mode, a.Group, a.Suite, a.Cert,
					ph, strconv.FormatInt(h.TotalCount(), 10),
					strconv.FormatFloat(q, 'f', -1, 64), strconv.FormatFloat(msOf(valueAt(h, q)), 'f', -1, 64)}
				if err := cw.Write(rec); err != nil {
					return fmt.Errorf("report: writing %s: %w", CSVFile, err)
				}
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: writing %s: %w", CSVFile, err)
	}
	return nil
}

// valueAt is the q-th percentile, the minimum at 0 and the maximum at 100.
func valueAt(h *hdrhistogram.Histogram, q float64) int64 {
	switch q {
	case 0:
		return h.Min()
	case 100:
		return h.Max()
	}
	return h.ValueAtQuantile(q)
}

// phaseOrder lists the phases of m in the text table's order, then the
// others sorted by name.
func phaseOrder(m map[string]*hdrhistogram.Histogram) []string {
	var out []string
	known := map[string]bool{}
	for _, p := range tablePhases {
		known[p.String()] = true
		if _, ok := m[p.String()]; ok {
			out = append(out, p.String())
		}
	}
	var rest []string
	for name := range m {
		if !known[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
