package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// hgrmTicksPerHalf is the number of percentile lines per halving of the
// distance to 100%, HdrHistogram's default (5).
const hgrmTicksPerHalf = 5

// WriteHgrm writes h (nanoseconds) as a percentile distribution in
// milliseconds, in the .hgrm text format of HdrHistogram's
// Histogram.outputPercentileDistribution and HistogramLogProcessor:
//
//	       Value     Percentile TotalCount 1/(1-Percentile)
//
//	       0.652 0.000000000000          1           1.00
//	       …
//	       9.871 1.000000000000       1501
//	#[Mean    =        0.845, StdDeviation   =        0.412]
//	#[Max     =        9.871, Total count    =         1501]
//	#[Buckets =           33, SubBuckets     =         2048]
//
// which HdrHistogram's plotters read.
func WriteHgrm(w io.Writer, h *hdrhistogram.Histogram) error {
	ew := &errWriter{w: w}
	ew.printf("%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)")
	for _, b := range h.CumulativeDistributionWithTicks(hgrmTicksPerHalf) {
		p := b.Quantile / 100
		if b.Quantile >= 100 {
			ew.printf("%12.3f %2.12f %10d\n", msOf(b.ValueAt), 1.0, b.Count)
			continue
		}
		ew.printf("%12.3f %2.12f %10d %14.2f\n", msOf(b.ValueAt), p, b.Count, 1/(1-p))
	}
	buckets, subBuckets, err := geometry(h)
	if err != nil {
		return err
	}
	ew.printf("#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", h.Mean()/1e6, h.StdDev()/1e6)
	ew.printf("#[Max     = %12.3f, Total count    = %12d]\n", msOf(h.Max()), h.TotalCount())
	ew.printf("#[Buckets = %12d, SubBuckets     = %12d]\n", buckets, subBuckets)
	if ew.err != nil {
		return fmt.Errorf("report: writing .hgrm: %w", ew.err)
	}
	return nil
}

// geometry returns the histogram's bucket and sub-bucket counts, which
// hdrhistogram-go keeps unexported but prints in its own footer.
func geometry(h *hdrhistogram.Histogram) (buckets, subBuckets int, err error) {
	var b bytes.Buffer
	if _, err := h.PercentilesPrint(&b, 1, 1); err != nil {
		return 0, 0, fmt.Errorf("report: %w", err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "#[Buckets") {
			if _, err := fmt.Sscanf(line, "#[Buckets = %d, SubBuckets     = %d]", &buckets, &subBuckets); err != nil {
				return 0, 0, fmt.Errorf("report: reading the histogram geometry %q: %w", line, err)
			}
			return buckets, subBuckets, nil
		}
	}
	return 0, 0, fmt.Errorf("report: no histogram geometry in hdrhistogram-go's output")
}
