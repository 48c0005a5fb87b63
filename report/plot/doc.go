// Package plot draws the figures of `hsbench report` with gonum/plot and
// writes each one as PNG and SVG (prefix.png, prefix.svg).
//
// Inputs are plain values (Cell, Interval) that the report fills from run
// records, so this package does not depend on results or loadgen.
//
// Figures:
//   - Spectrum: percentile spectrum, latency against 1/(1-p) on a log axis.
//   - DimensionBars: p50 and p99 per value of one dimension, with CIs.
//   - PhaseBreakdown: stacked medians of the split handshake phases per cell.
//   - OverTime: per-interval percentiles and achieved rate of one cell.
//
// Latency histograms hold nanoseconds; every axis shows milliseconds.
package plot
