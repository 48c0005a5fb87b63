package compare

import (
	"math/rand/v2"
)

// draw returns n per-run values around center with multiplicative
// Gaussian noise of relative standard deviation noise.
func draw(rng *rand.Rand, n int, center, noise float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		x := center * (1 + noise*rng.NormFloat64())
		xs[i] = max(x, center*0.01)
	}
	return xs
}

// scaled returns xs multiplied by f.
func scaled(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}

// testOptions are DefaultOptions with fewer bootstrap iterations where
// speed matters more than the third digit of a CI bound.
func testOptions(iterations int) Options {
	o := DefaultOptions()
	o.Iterations = iterations
	return o
}
