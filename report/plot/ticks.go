package plot

import (
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
)

// percentileTicks labels an axis of x = 1/(1-p) (log scale) with the
// percentile p: 1 → "0%", 2 → "50%", 10 → "90%", 100 → "99%", 1000 →
// "99.9%", ... Minor ticks sit at 2..9 times each power of ten.
type percentileTicks struct{}

var _ gplot.Ticker = percentileTicks{}

// Ticks implements gplot.Ticker.
func (percentileTicks) Ticks(min, max float64) []gplot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	var ticks []gplot.Tick
	add := func(x float64, label string) {
		if x >= min*(1-1e-9) && x <= max*(1+1e-9) {
			ticks = append(ticks, gplot.Tick{Value: x, Label: label})
		}
	}
	for e := 0; e <= 15; e++ {
		decade := math.Pow10(e)
		if decade > max {
			break
		}
		add(decade, percentileLabel(decade))
		for m := 2; m <= 9; m++ {
			label := ""
			if decade == 1 && m == 2 {
				label = "50%"
			}
			add(decade*float64(m), label)
		}
	}
	return ticks
}

// percentileLabel formats the percentile at x = 1/(1-p) for a power of ten x.
func percentileLabel(x float64) string {
	if x <= 1 {
		return "0%"
	}
	p := 100 * (1 - 1/x)
	digits := int(math.Round(math.Log10(x))) - 2
	if digits < 0 {
		digits = 0
	}
	return strconv.FormatFloat(p, 'f', digits, 64) + "%"
}

// niceTicks labels a linear axis with about n round values (steps of 1, 2,
// 2.5 or 5 times a power of ten) and an unlabelled minor tick between them;
// gonum's DefaultTicks labels only about three.
type niceTicks struct{ n int }

var _ gplot.Ticker = niceTicks{}

// Ticks implements gplot.Ticker.
func (t niceTicks) Ticks(min, max float64) []gplot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) || t.n < 1 {
		return gplot.DefaultTicks{}.Ticks(min, max)
	}
	raw := (max - min) / float64(t.n)
	mag := math.Pow10(int(math.Floor(math.Log10(raw))))
	step, mult := 10*mag, 10.0
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw*(1-1e-9) {
			step, mult = m*mag, m
			break
		}
	}
	prec := max0(-int(math.Floor(math.Log10(step))))
	if mult == 2.5 && step < 10 { // 2.5, 0.25: one digit more; 25, 250: none
		prec++
	}
	if mult == 10 {
		prec = max0(prec - 1)
	}
	var ticks []gplot.Tick
	eps := step * 1e-9
	for k := math.Ceil((min - eps) / step); k*step <= max+eps; k++ {
		v := k * step
		if math.Abs(v) < eps {
			v = 0
		}
		ticks = append(ticks, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		if h := v + step/2; h <= max+eps {
			ticks = append(ticks, gplot.Tick{Value: h})
		}
	}
	if first := math.Ceil((min-eps)/step)*step - step/2; first >= min-eps {
		ticks = append(ticks, gplot.Tick{Value: first})
	}
	return ticks
}

func max0(x int) int {
	if x < 0 {
		return 0
	}
	return x
}

// logTicks labels a log axis at 1, 2 and 5 times each power of ten, with
// unlabelled minor ticks at the other integers. Unlike gonum's LogTicks it
// returns only ticks inside [min, max]: gonum pads the plot for the labels
// of out-of-range ticks too, which leaves a blank band above the data. With
// sparse, only the powers of ten are labelled (narrow axes over several
// decades).
type logTicks struct{ sparse bool }

var _ gplot.Ticker = logTicks{}

// Ticks implements gplot.Ticker.
func (lt logTicks) Ticks(min, max float64) []gplot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	var ticks []gplot.Tick
	for e := int(math.Floor(math.Log10(min))); e <= int(math.Ceil(math.Log10(max))); e++ {
		for m := 1; m <= 9; m++ {
			v, _ := strconv.ParseFloat(strconv.Itoa(m)+"e"+strconv.Itoa(e), 64)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := gplot.Tick{Value: v}
			if m == 1 || (!lt.sparse && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
