package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/results"
)

// tablePhases are the rows of the per-phase table, in reading order.
var tablePhases = []sample.Phase{
	sample.DNS, sample.TCPConnect,
	sample.TLSClientHello, sample.TLSServerWait, sample.TLSHRR, sample.TLSKeyExchange, sample.TLSCertVerify, sample.TLSFinished,
	sample.TLSHandshake, sample.QUICConfirm, sample.TTFB, sample.Total, sample.Latency, sample.Lateness,
}

// WriteTable writes, for every cell of the run, what was asked and
// negotiated, the counts, the failures by class, and the per-phase
// percentile table in milliseconds.
func WriteTable(w io.Writer, r *results.Run) error {
	ew := &errWriter{w: w}
	writeCells(ew, r)
	writeTrailer(ew, r)
	return ew.err
}

// WriteRunEnd writes what 'hsbench run' prints at its end: with tables
// every cell's per-phase table, then for more than one cell the summary
// table (one line per cell), then the invalid cells and warnings.
func WriteRunEnd(w io.Writer, r *results.Run, tables bool) error {
	ew := &errWriter{w: w}
	if tables {
		writeCells(ew, r)
	}
	if len(r.Cells) > 1 {
		if tables {
			ew.printf("\n")
		}
		ew.printf("== summary of %d cells\n", len(r.Cells))
		if err := WriteRunSummary(ew, r); err != nil && ew.err == nil {
			return err
		}
	}
	writeTrailer(ew, r)
	return ew.err
}

func writeCells(ew *errWriter, r *results.Run) {
	for i, c := range r.Cells {
		if i > 0 {
			ew.printf("\n")
		}
		writeCell(ew, r, &c)
	}
}

// writeTrailer lists the invalid cells, the run's warnings and whether it
// was interrupted.
func writeTrailer(ew *errWriter, r *results.Run) {
	for _, line := range SkippedLines(r.Invalid) {
		ew.printf("%s\n", line)
	}
	for _, warn := range r.Warnings {
		ew.printf("warning: %s\n", warn)
	}
	if r.Interrupted {
		ew.printf("interrupted: these results cover only the part of the run before the stop\n")
	}
}

func askString(a results.Ask) string {
	parts := []string{a.Transport, "TLS " + a.Version, a.Mode}
	for _, s := range []string{a.Group, a.Suite, a.Cert} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func writeCell(ew *errWriter, r *results.Run, c *results.Cell) {
	m := c.Total
	ew.printf("== %s  (%s)\n", c.ID, askString(c.Ask))
	load := fmt.Sprintf("closed loop, %d worker%s", r.Config.Concurrency, plural(r.Config.Concurrency))
	if r.Config.Rate > 0 {
		load = fmt.Sprintf("open loop at %.0f/s, up to %d in flight", r.Config.Rate, r.Config.Concurrency)
	}
	ew.printf("   %d attempts in %.1fs (%s): %d ok, %.0f handshakes/s", m.Attempts, m.ElapsedMS/1e3, load, m.OK, m.RatePerSec)
	if len(c.Runs) > 1 {
		ew.printf(", %d repeats", len(c.Runs))
	}
	ew.printf("\n")
	if neg := negotiated(m.Negotiated); neg != "" {
		ew.printf("   negotiated: %s\n", neg)
	}
	if m.BytesSentAvg > 0 {
		ew.printf("   bytes per handshake: %.0f sent, %.0f received\n", m.BytesSentAvg, m.BytesRecvAvg)
	}
	if line := cpuLine(&m, r.Config.Embedded); line != "" {
		ew.printf("   %s\n", line)
	}
	if line := warmupLine(&m); line != "" {
		ew.printf("   %s\n", line)
	}
	if line := earlyData(c); line != "" {
		ew.printf("   %s\n", line)
	}
	if n := sum(m.Mismatches); n > 0 {
		ew.printf("   MISMATCH: %d samples did not negotiate what was asked and are NOT in the table: %s\n", n, counts(m.Mismatches))
	}
	if n := sum(m.Errors); n > 0 {
		ew.printf("   FAILED: %d attempts (%.1f%%): %s\n", n, 100*float64(n)/float64(max(m.Attempts, 1)), counts(m.Errors))
		for _, class := range sortedKeys(m.Errors) {
			if adv := sample.ClassAdvice(class); adv != "" {
				ew.printf("     %s: %s\n", class, adv)
			}
		}
		for _, msg := range m.OtherExamples {
			ew.printf("     other, e.g.: %s\n", msg)
		}
	}
	if n := sum(m.PrimeErrors); n > 0 {
		ew.printf("   priming handshakes failed: %s\n", counts(m.PrimeErrors))
	}
	for _, w := range m.Warnings {
		ew.printf("   warning: %s\n", w)
	}
	for _, run := range c.Runs {
		for _, w := range run.Warnings {
			ew.printf("   warning (repeat %d): %s\n", run.Repeat+1, w)
		}
	}
	if len(m.Phases) == 0 {
		ew.printf("   no successful handshakes: no latency figures\n")
		return
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "   phase (ms)\tcount\tp50\tp90\tp99\tp99.9\tmax\tmean\t\n")
	for _, p := range tablePhases {
		ps, ok := m.Phases[p.String()]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "   %s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p, ps.Count,
			num(ps.P50), num(ps.P90), num(ps.P99), num(ps.P999), num(ps.Max), num(ps.Mean))
	}
	if err := tw.Flush(); err != nil {
		ew.err = err
	}
}

// earlyData sums up a 0-RTT cell: the share of completed handshakes whose
// early data the server accepted (rejected ones are mismatches), or that the
// target refused 0-RTT on every attempt.
func earlyData(c *results.Cell) string {
	m := c.Total
	if c.Ask.Mode != string(sample.Mode0RTT) {
		return ""
	}
	if m.Attempts > 0 && m.Errors[sample.ClassNo0RTT] == m.Attempts {
		return "target does not accept 0-RTT over " + strings.ToUpper(c.Ask.Transport)
	}
	acc, rej := m.Negotiated["early_data"]["accepted"], m.Negotiated["early_data"]["rejected"]
	if acc+rej == 0 {
		return ""
	}
	pct := math.Floor(1000*float64(acc)/float64(acc+rej)) / 10 // never rounds up to 100%
	return fmt.Sprintf("early data: %s%% accepted (%d of %d completed; %d rejected)", strconv.FormatFloat(pct, 'f', -1, 64), acc, acc+rej, rej)
}

// num prints a millisecond value with three significant figures.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func negotiated(n map[string]map[string]int64) string {
	var parts []string
	for _, dim := range []string{"version", "suite", "group", "resumed", "resumed_by", "hrr", "early_data", "alpn"} {
		m := n[dim]
		if len(m) == 0 || (dim == "alpn" && len(m) == 1 && m["none"] > 0) || (dim == "hrr" && len(m) == 1 && m["false"] > 0) {
			continue
		}
		parts = append(parts, dim+" "+counts(m))
	}
	return strings.Join(parts, "; ")
}

func counts(m map[string]int64) string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sum(m map[string]int64) int64 {
	var s int64
	for _, v := range m {
		s += v
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
