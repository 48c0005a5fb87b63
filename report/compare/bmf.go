package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

// BMFMetric is one Bencher Metric Format measurement.
type BMFMetric struct {
	Value      float64  `json:"value"`
	LowerValue *float64 `json:"lower_value,omitempty"`
	UpperValue *float64 `json:"upper_value,omitempty"`
}

// BMF is a Bencher Metric Format document: benchmark name -> measure
// slug -> metric.
type BMF map[string]map[string]BMFMetric

// BMF returns the NEW side of r in Bencher Metric Format.
//
// The benchmark name is the cell (e.g. "tls1.3/full/x25519"). The
// measure is the metric as a kebab-case slug, MeasureSlug(phase, pct)
// (e.g. "total-p50", "tls-handshake-p99-9"); its unit is milliseconds,
// so create these measures in Bencher with unit "ms" (Bencher creates
// unknown slugs on first upload). The value is the median over NEW runs
// and lower/upper values the bounds of its confidence interval (all
// rounded to whole nanoseconds); bounds
// are omitted when infinite (too few runs). Series without valid NEW
// runs are left out. BASE is not exported: Bencher keeps the history
// and applies its own thresholds.
func (r *Result) BMF() BMF {
	doc := BMF{}
	for _, c := range r.Comparisons {
		if c.NNew == 0 || c.Verdict == Invalid {
			continue
		}
		m := BMFMetric{Value: roundNS(c.New.Center)}
		if !math.IsInf(c.New.Lo, 0) && !math.IsInf(c.New.Hi, 0) {
			lo, hi := roundNS(c.New.Lo), roundNS(c.New.Hi)
			m.LowerValue, m.UpperValue = &lo, &hi
		}
		if doc[c.Cell] == nil {
			doc[c.Cell] = map[string]BMFMetric{}
		}
		doc[c.Cell][MeasureSlug(c.Phase, c.Pct)] = m
	}
	addBudgetsBMF(doc, r)
	return doc
}

// WriteBMF writes r.BMF() as indented JSON.
func (r *Result) WriteBMF(w io.Writer) error {
	data, err := json.MarshalIndent(r.BMF(), "", "  ")
	if err != nil {
		return fmt.Errorf("compare: encoding bmf: %w", err)
	}
	return flush(w, string(data)+"\n", "bmf")
}

// MeasureSlug returns the Bencher measure slug for a metric: the phase
// and percentile in lower kebab case, e.g. ("total", 50) -> "total-p50",
// ("tls_handshake", 99.9) -> "tls-handshake-p99-9".
func MeasureSlug(phase string, pct float64) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(phase + " " + PctName(pct)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}
