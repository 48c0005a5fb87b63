package loadgen

import (
	"strconv"

	"github.com/hsbench/hsbench/bench/sample"
)

// Tally counts samples by negotiated parameter: Tally["group"]["x25519"] = n.
type Tally map[string]map[string]int64

func (t Tally) add(dim, value string) {
	m := t[dim]
	if m == nil {
		m = map[string]int64{}
		t[dim] = m
	}
	m[value]++
}

func (t Tally) addLabels(l sample.Labels) {
	t.add("transport", l.Transport)
	t.add("version", l.Version)
	t.add("suite", l.Suite)
	t.add("group", orNone(l.Group))
	t.add("resumed", strconv.FormatBool(l.Resumed))
	if l.ResumedBy != "" {
		t.add("resumed_by", l.ResumedBy)
	}
	t.add("hrr", strconv.FormatBool(l.HRR))
	t.add("alpn", orNone(l.ALPN))
	if l.EarlyData {
		t.add("early_data", map[bool]string{true: "accepted", false: "rejected"}[l.EarlyAccepted])
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (t Tally) merge(o Tally) {
	for dim, m := range o {
		for v, n := range m {
			if t[dim] == nil {
				t[dim] = map[string]int64{}
			}
			t[dim][v] += n
		}
	}
}

// Counts is a set of named counters (error classes, mismatch reasons).
type Counts map[string]int64

func (c Counts) merge(o Counts) {
	for k, n := range o {
		c[k] += n
	}
}

// Sum returns the total of all counters.
func (c Counts) Sum() int64 {
	var s int64
	for _, n := range c {
		s += n
	}
	return s
}
