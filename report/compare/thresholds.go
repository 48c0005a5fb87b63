package compare

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DefaultThreshold is the tolerated slowdown for percentiles that
// Thresholds does not list: 5%.
const DefaultThreshold = 0.05

// Thresholds holds the tolerated slowdown per percentile, as a fraction
// (0.05 means NEW may be up to 5% slower than BASE before the gate
// fails). The zero value tolerates no slowdown at all; use
// ParseThresholds("") or DefaultOptions for the defaults.
type Thresholds struct {
	// Default applies to percentiles not listed in ByPct.
	Default float64
	// ByPct maps a percentile (50, 99, 99.9) to its threshold.
	ByPct map[float64]float64
}

// For returns the threshold for percentile pct.
func (t Thresholds) For(pct float64) float64 {
	if v, ok := t.ByPct[pct]; ok {
		return v
	}
	return t.Default
}

// String formats t in the syntax accepted by ParseThresholds, with
// percentiles in ascending order and the default last, e.g.
// "p50=5%,p99=10%,default=5%".
func (t Thresholds) String() string {
	var parts []string
	for _, pct := range slices.Sorted(maps.Keys(t.ByPct)) {
		parts = append(parts, PctName(pct)+"="+fmtPct(t.ByPct[pct]))
	}
	parts = append(parts, "default="+fmtPct(t.Default))
	return strings.Join(parts, ",")
}

// ParseThresholds parses a comma-separated list of percentile
// thresholds such as "p50=5%,p99=10%,p99.9=20%". The key "default" (or
// "*") sets the threshold for unlisted percentiles; without it the
// default is DefaultThreshold. Values must carry a "%" sign. An empty
// string yields the defaults. Errors name the offending item.
func ParseThresholds(s string) (Thresholds, error) {
	t := Thresholds{Default: DefaultThreshold, ByPct: map[float64]float64{}}
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	sawDefault := false
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		key, val, ok := strings.Cut(item, "=")
		if !ok {
			return Thresholds{}, fmt.Errorf("compare: threshold %q: want pNN=X%%", item)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		frac, err := parsePercent(val)
		if err != nil {
			return Thresholds{}, fmt.Errorf("compare: threshold %q: %w", item, err)
		}
		switch key {
		case "default", "*":
			if sawDefault {
				return Thresholds{}, fmt.Errorf("compare: threshold %q: default given twice", item)
			}
			sawDefault = true
			t.Default = frac
			continue
		}
		num, ok := strings.CutPrefix(key, "p")
		if !ok {
			return Thresholds{}, fmt.Errorf("compare: threshold %q: key %q must look like p50, p99.9 or default", item, key)
		}
		pct, err := strconv.ParseFloat(num, 64)
		if err != nil || !(pct > 0 && pct <= 100) {
			return Thresholds{}, fmt.Errorf("compare: threshold %q: percentile %q must be a number in (0, 100]", item, num)
		}
		if _, dup := t.ByPct[pct]; dup {
			return Thresholds{}, fmt.Errorf("compare: threshold %q: %s given twice", item, PctName(pct))
		}
		t.ByPct[pct] = frac
	}
	return t, nil
}

// parsePercent parses "5%" or "2.5%" into a fraction (0.05, 0.025).
func parsePercent(v string) (float64, error) {
	num, ok := strings.CutSuffix(v, "%")
	if !ok {
		return 0, fmt.Errorf("value %q must end in %%", v)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("value %q must be a non-negative percentage", v)
	}
	return f / 100, nil
}

// fmtPct formats a fraction as a percentage without trailing zeros:
// 0.05 -> "5%", 0.025 -> "2.5%".
func fmtPct(frac float64) string {
	// Round away float noise such as 0.1*100 = 10.000000000000002.
	return strconv.FormatFloat(math.Round(frac*100*1e9)/1e9, 'f', -1, 64) + "%"
}
