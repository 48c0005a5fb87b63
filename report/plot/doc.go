// Package plot draws the figures of `hsbench report` with gonum/plot and
// writes each one as PNG and SVG (prefix.png, prefix.svg).
//
// Inputs are plain values (Cell, Interval) that the report fills from run
// records, so this package does not depend on results or loadgen.
//
// Figures:
//   - Spectrum: percentile spectrum, latency against 1/(1-p) on a log axis.
//   - FacetBars (DimensionBars for one panel): p50 and p99 per value of one
//     dimension, with CIs, on a log axis with values printed, one panel per
//     combination of the dimensions held fixed.
//   - PhaseBreakdown: stacked medians of the split handshake phases per cell,
//     the median total marked; phases that overlap (0-RTT's ttfb) left out.
//   - OverTime: per-interval percentiles and achieved rate of one cell, as
//     steps, with an open loop's offered rate.
//
// Latency histograms hold nanoseconds; every axis shows milliseconds.
package plot
