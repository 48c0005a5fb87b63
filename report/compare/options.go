package compare

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Options configures Compare. Start from DefaultOptions and override
// fields; the zero value is not valid.
type Options struct {
	// BaseName and NewName label the two sides in reports (e.g. the
	// run directories). Empty labels become "base" and "new".
	BaseName, NewName string

	// Thresholds is the tolerated slowdown per percentile.
	Thresholds Thresholds

	// Alpha is the significance level of the Mann-Whitney U test: a
	// difference is significant when p < Alpha. Default 0.05.
	Alpha float64

	// Confidence is the level of the median and ratio confidence
	// intervals, in (0, 1). Default 0.95.
	Confidence float64

	// Iterations is the number of bootstrap resamples for the ratio
	// CI. Default 10000; at least 100.
	Iterations int

	// Seed makes the bootstrap deterministic: the same Seed and data
	// always give the same intervals.
	Seed uint64

	// MinRuns is the minimum number of runs per side. Series with
	// fewer runs are TOO_FEW_RUNS. The effective minimum is never below
	// what benchmath needs for a finite median CI at Confidence and a
	// U test able to reach Alpha (see MinRuns); 0 means "just that".
	MinRuns int

	// TargetBlocks is the number of paired blocks at which the
	// confidence sequence of a paired series is tightest (any value
	// keeps its error rate). Default 16.
	TargetBlocks int

	// AllowInconclusive lets INCONCLUSIVE and TOO_FEW_RUNS pass with
	// exit code 0 (and a warning) instead of exit code 3.
	AllowInconclusive bool

	// MaxErrorRate is the largest fraction of failed attempts a cell may
	// have on either side; beyond it the cell's series FAIL with the
	// reason. 1 turns the check off. Default 0.01, as 'hsbench run'.
	MaxErrorRate float64
}

// DefaultOptions returns the recommended options: 5% threshold for
// every percentile, alpha 0.05, 95% confidence, 10000 bootstrap
// iterations, seed 1.
func DefaultOptions() Options {
	return Options{
		Thresholds: Thresholds{Default: DefaultThreshold},
		Alpha:      0.05,
		Confidence: 0.95,
		Iterations: 10000,
		Seed:       1,

		TargetBlocks: 16,
		MaxErrorRate: 0.01,
	}
}

// validate reports the first invalid option.
func (o Options) validate() error {
	var errs []error
	if !(o.Alpha > 0 && o.Alpha < 1) {
		errs = append(errs, fmt.Errorf("alpha %v must be in (0, 1)", o.Alpha))
	}
	if !(o.Confidence > 0 && o.Confidence < 1) {
		errs = append(errs, fmt.Errorf("confidence %v must be in (0, 1)", o.Confidence))
	}
	if o.Iterations < 100 {
		errs = append(errs, fmt.Errorf("bootstrap iterations %d must be at least 100", o.Iterations))
	}
	if !(o.MaxErrorRate >= 0 && o.MaxErrorRate <= 1) {
		errs = append(errs, fmt.Errorf("max error rate %v must be in [0, 1]", o.MaxErrorRate))
	}
	if o.TargetBlocks < 1 {
		errs = append(errs, fmt.Errorf("target blocks %d must be at least 1", o.TargetBlocks))
	}
	if o.MinRuns < 0 {
		errs = append(errs, fmt.Errorf("min runs %d must not be negative", o.MinRuns))
	}
	checkThr := func(name string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			errs = append(errs, fmt.Errorf("threshold %s=%v must be a non-negative fraction", name, v))
		}
	}
	checkThr("default", o.Thresholds.Default)
	for _, pct := range slices.Sorted(maps.Keys(o.Thresholds.ByPct)) {
		checkThr(PctName(pct), o.Thresholds.ByPct[pct])
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("compare: invalid options: %w", err)
	}
	return nil
}

func (o Options) baseName() string {
	if o.BaseName == "" {
		return "base"
	}
	return o.BaseName
}

func (o Options) newName() string {
	if o.NewName == "" {
		return "new"
	}
	return o.NewName
}
