package compare

// A Verdict is the outcome of one comparison, or of a whole Result.
type Verdict string

// Verdicts, from best to worst for a single series. See the package
// documentation for their exact statistical meaning.
const (
	// Improved: NEW is significantly faster (p < alpha and the ratio
	// CI lies entirely below 1). It is a pass.
	Improved Verdict = "IMPROVED"
	// Pass: the ratio CI's upper bound is at most 1+threshold, so a
	// regression beyond the threshold is ruled out.
	Pass Verdict = "PASS"
	// Inconclusive: neither pass nor fail; more runs are needed.
	Inconclusive Verdict = "INCONCLUSIVE"
	// TooFewRuns: a side has fewer runs than the effective minimum.
	TooFewRuns Verdict = "TOO_FEW_RUNS"
	// Unmatched: the series exists on one side only.
	Unmatched Verdict = "UNMATCHED"
	// Invalid: the series cannot be analysed (no values, non-finite
	// or non-positive values, duplicate key), or, for a Result, the
	// input as a whole is unusable (e.g. no common series).
	Invalid Verdict = "INVALID"
	// Fail: significant (p < alpha) and the ratio CI's lower bound
	// exceeds 1+threshold: a regression beyond the threshold.
	Fail Verdict = "FAIL"
)

// Passed reports whether v lets the gate pass on its own.
func (v Verdict) Passed() bool { return v == Pass || v == Improved }

// Exit codes of `hsbench compare`, as returned by Result.ExitCode.
// 2 is reserved for usage errors, reported by the CLI itself.
const (
	ExitPass         = 0 // every matched series passed (or inconclusive, when allowed)
	ExitRegression   = 1 // at least one FAIL
	ExitUsage        = 2 // bad flags or options (CLI only)
	ExitInconclusive = 3 // undecided: at least one INCONCLUSIVE or TOO_FEW_RUNS (unless allowed)
	ExitInvalid      = 4 // invalid input: no series, no common series, invalid values
)

// decide applies the verdict rules to one analysed series.
func decide(p, alpha, ratioLo, ratioHi, threshold float64) Verdict {
	limit := 1 + threshold
	switch {
	case p < alpha && ratioLo > limit:
		return Fail
	case p < alpha && ratioHi < 1:
		return Improved
	case ratioHi <= limit:
		return Pass
	default:
		return Inconclusive
	}
}

// decidePaired applies the verdict rules to a paired series: FAIL when
// the Holm-adjusted p-value of a regression beyond the threshold is
// below alpha; IMPROVED when NEW is faster at level alpha; PASS when a
// regression beyond the threshold is excluded at level alpha.
func decidePaired(ps pairedStats, pHolm, alpha float64) Verdict {
	switch {
	case pHolm < alpha:
		return Fail
	case ps.imp < alpha:
		return Improved
	case ps.down < alpha:
		return Pass
	default:
		return Inconclusive
	}
}
