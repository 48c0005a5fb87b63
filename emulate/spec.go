package emulate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Spec describes the emulated link. The same conditions apply to both
// directions: each direction delays packets by RTT/2, drops each packet
// independently with probability Loss and, if Rate is set, serialises
// packets at Rate bits per second.
type Spec struct {
	// RTT is the round-trip time added by the link (0 = none).
	RTT time.Duration
	// Loss is the per-packet, per-direction drop probability in [0, 1].
	Loss float64
	// Rate is the bandwidth in bits per second per direction; 0 means
	// unlimited.
	Rate uint64
}

// OneWay returns the delay applied to each direction: half the RTT.
func (s Spec) OneWay() time.Duration { return s.RTT / 2 }

// String renders the spec in the form ParseSpec accepts, for run records.
func (s Spec) String() string {
	parts := []string{"rtt=" + s.RTT.String()}
	parts = append(parts, "loss="+strconv.FormatFloat(s.Loss*100, 'g', -1, 64)+"%")
	if s.Rate > 0 {
		parts = append(parts, "rate="+formatRate(s.Rate))
	}
	return strings.Join(parts, ",")
}

// MaxRTT bounds the emulated round trip: beyond it no handshake could end
// within any sensible --timeout, and a relay would hold packets for ever.
const MaxRTT = time.Minute

// ParseSpec parses a comma-separated list of key=value settings:
//
//	rtt=50ms      round-trip time (Go duration), split evenly between directions
//	delay=25ms    one-way delay, the same as rtt=50ms (use one of rtt and delay)
//	loss=1%       per-packet drop probability per direction, 0-100 (the % is optional)
//	rate=10mbit   bandwidth per direction in bits/s; suffixes k, m, g (powers of
//	              1000), optionally followed by "bit"; 0 = unlimited
//
// An empty string yields the zero Spec (no delay, no loss, no rate limit).
func ParseSpec(s string) (Spec, error) {
	var spec Spec
	seen := map[string]bool{}
	for field := range strings.SplitSeq(s, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		key, val, ok := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if !ok || val == "" {
			return Spec{}, fmt.Errorf("emulate: spec %q: %q needs a value (key=value)", s, key)
		}
		if seen[key] {
			return Spec{}, fmt.Errorf("emulate: spec %q: %q given twice", s, key)
		}
		seen[key] = true
		switch key {
		case "rtt", "delay":
			if seen["rtt"] && seen["delay"] {
				return Spec{}, fmt.Errorf("emulate: spec %q: give either rtt or delay, not both", s)
			}
			d, err := time.ParseDuration(val)
			if err != nil {
				return Spec{}, fmt.Errorf("emulate: spec %q: bad %s %q: %w", s, key, val, err)
			}
			if d < 0 {
				return Spec{}, fmt.Errorf("emulate: spec %q: %s %q is negative", s, key, val)
			}
			if key == "delay" {
				d = min(d, MaxRTT) * 2 // no overflow on the way to the bound
			}
			if d > MaxRTT {
				return Spec{}, fmt.Errorf("emulate: spec %q: %s %q: the round trip must be at most %v", s, key, val, MaxRTT)
			}
			spec.RTT = d
		case "loss":
			p, err := parseLoss(val)
			if err != nil {
				return Spec{}, fmt.Errorf("emulate: spec %q: bad loss %q: %w", s, val, err)
			}
			spec.Loss = p
		case "rate":
			r, err := parseRate(val)
			if err != nil {
				return Spec{}, fmt.Errorf("emulate: spec %q: bad rate %q: %w", s, val, err)
			}
			spec.Rate = r
		default:
			return Spec{}, fmt.Errorf("emulate: spec %q: unknown key %q (want rtt, delay, loss, rate)", s, key)
		}
	}
	return spec, nil
}

// parseLoss parses a percentage ("1%", "0.5", "100%") into a probability.
func parseLoss(val string) (float64, error) {
	num := strings.TrimSuffix(val, "%")
	p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return 0, fmt.Errorf("not a percentage")
	}
	if p != p || p < 0 || p > 100 {
		return 0, fmt.Errorf("must be between 0%% and 100%%")
	}
	return p / 100, nil
}

// parseRate parses "10mbit", "500k", "1gbit", "2000000" into bits/s.
func parseRate(val string) (uint64, error) {
	v := strings.ToLower(val)
	if strings.HasSuffix(v, "bps") {
		return 0, fmt.Errorf("ambiguous unit (tc's bps means bytes/s); write bit, kbit, mbit or gbit")
	}
	v = strings.TrimSuffix(v, "bit/s")
	v = strings.TrimSuffix(v, "bit")
	mult := 1.0
	switch {
	case strings.HasSuffix(v, "k"):
		mult = 1e3
	case strings.HasSuffix(v, "m"):
		mult = 1e6
	case strings.HasSuffix(v, "g"):
		mult = 1e9
	}
	if mult != 1 {
		v = v[:len(v)-1]
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number with an optional k, m or g suffix")
	}
	bits := f * mult
	if bits != bits || bits < 0 || bits > 1e12 {
		return 0, fmt.Errorf("must be between 0 and 1000gbit")
	}
	if bits == 0 {
		return 0, fmt.Errorf("must be positive (leave rate out for no limit)")
	}
	if bits < 8000 {
		return 0, fmt.Errorf("below the minimum of 8kbit")
	}
	return uint64(bits), nil
}

// formatRate renders bits/s with the largest exact suffix.
func formatRate(r uint64) string {
	switch {
	case r%1_000_000_000 == 0:
		return strconv.FormatUint(r/1_000_000_000, 10) + "gbit"
	case r%1_000_000 == 0:
		return strconv.FormatUint(r/1_000_000, 10) + "mbit"
	case r%1_000 == 0:
		return strconv.FormatUint(r/1_000, 10) + "kbit"
	}
	return strconv.FormatUint(r, 10) + "bit"
}
