// Package slo parses and judges absolute latency budgets such as
// "total:p99<10ms": one phase, one percentile, one bound. It is shared by
// the CI gate (run, ab, compare) and by capacity searches, and depends on
// nothing but HDR histograms: it links no TLS or QUIC stack.
//
// A judgement is distribution-free: the confidence bounds of a
// percentile come from order statistics (the binomial distribution of how
// many samples fall below the true percentile), so "PASS at 95%" means
// the true percentile is below the bound with at least 95% confidence,
// whatever the shape of the latency distribution.
package slo

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// An Objective is one absolute budget: Phase's Pct-th percentile must be
// below Limit (or at most Limit when OrEqual).
type Objective struct {
	Phase   string        // a phase name, e.g. "total", "latency", "tls_handshake"
	Pct     float64       // percentile in (0, 100), e.g. 99 or 99.9
	Limit   time.Duration // the budget
	OrEqual bool          // "<=" rather than "<"
}

// String formats o in the syntax Parse accepts, e.g. "total:p99<10ms".
func (o Objective) String() string {
	op := "<"
	if o.OrEqual {
		op = "<="
	}
	return fmt.Sprintf("%s:p%s%s%s", o.Phase, strconv.FormatFloat(o.Pct, 'f', -1, 64), op, o.Limit)
}

// Holds reports whether a value v (the percentile's estimate or one of
// its bounds) is within the budget.
func (o Objective) Holds(v time.Duration) bool {
	if o.OrEqual {
		return v <= o.Limit
	}
	return v < o.Limit
}

var objectiveRE = regexp.MustCompile(`^([a-z][a-z0-9_]*):p([0-9]+(?:\.[0-9]+)?)\s*(<=|<)\s*(\S+)$`)

// Parse reads one objective: PHASE:pNN<DURATION or PHASE:pNN<=DURATION,
// e.g. "total:p99<10ms", "tls_handshake:p50<=2ms", "latency:p99.9<25ms".
// The phase name is checked for syntax only; callers check that it names
// a phase they measure. The percentile must be in (0, 100) and the limit
// a positive Go duration.
func Parse(s string) (Objective, error) {
	m := objectiveRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Objective{}, fmt.Errorf("slo: %q: want PHASE:pNN<DURATION, e.g. total:p99<10ms", s)
	}
	pct, err := strconv.ParseFloat(m[2], 64)
	if err != nil || !(pct > 0 && pct < 100) {
		return Objective{}, fmt.Errorf("slo: %q: percentile p%s must be in (0, 100)", s, m[2])
	}
	limit, err := time.ParseDuration(m[4])
	if err != nil {
		return Objective{}, fmt.Errorf("slo: %q: limit: %w", s, err)
	}
	if limit <= 0 {
		return Objective{}, fmt.Errorf("slo: %q: limit must be positive", s)
	}
	return Objective{Phase: m[1], Pct: pct, Limit: limit, OrEqual: m[3] == "<="}, nil
}

// ParseAll parses every objective of a repeatable flag; an empty list
// gives none. Duplicates are an error, since a repeated budget is almost
// always a typo for another one.
func ParseAll(specs []string) ([]Objective, error) {
	var out []Objective
	seen := map[string]bool{}
	for _, s := range specs {
		o, err := Parse(s)
		if err != nil {
			return nil, err
		}
		if seen[o.String()] {
			return nil, fmt.Errorf("slo: %q given twice", s)
		}
		seen[o.String()] = true
		out = append(out, o)
	}
	if len(specs) > 0 && len(out) == 0 {
		return nil, errors.New("slo: no objective given")
	}
	return out, nil
}
