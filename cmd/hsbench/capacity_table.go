package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/hsbench/hsbench/loadgen/capacity"
	"github.com/hsbench/hsbench/results"
)

// writeCapacity prints each curve: the answer, then a row per step.
func writeCapacity(w io.Writer, c *results.Capacity) {
	fmt.Fprintf(w, "capacity: %s, errors ≤ %.1f%%, achieved ≥ %.0f%% of offered; target %s\n",
		strings.Join(c.Config.SLO, ", "), 100*c.Config.MaxErrorRate, 100*c.Config.MinAchieved, c.Config.Target)
	for _, cv := range c.Curves {
		fmt.Fprintf(w, "\n== %s\n   %s\n", cv.Cell, answerLine(cv.Answer))
		if cv.Answer.Detail != "" {
			fmt.Fprintf(w, "   knee: %s: %s\n", cv.Answer.Reason, cv.Answer.Detail)
		}
		fmt.Fprintf(w, "   %4s %-6s %8s %8s %7s %7s %7s %7s %9s %9s %9s  %s\n", "step", "kind", "offered", "achieved",
			"p50", "p99", "p99.9", "errors", "client", "target", "hs/s per", "verdict")
		fmt.Fprintf(w, "   %4s %-6s %8s %8s %7s %7s %7s %7s %9s %9s %9s\n", "", "", "(/s)", "(/s)", "(ms)", "(ms)", "(ms)", "", "(ms/hs)", "(ms/hs)", "tgt core")
		for _, s := range cv.Steps {
			tgt, perCore := "–", "–"
			if s.CPU.TargetMeasured && s.CPU.TargetPerHandshakeMS > 0 {
				tgt, perCore = fmt.Sprintf("%.3f", s.CPU.TargetPerHandshakeMS), fmt.Sprintf("%.0f", s.CPU.HandshakesPerTargetCore)
			}
			fmt.Fprintf(w, "   %4d %-6s %8s %8.0f %7.3g %7.3g %7.3g %6.2f%% %9.3f %9s %9s  %s\n", s.Index+1, s.Kind, rateString(s.OfferedPS),
				s.AchievedPS, s.Latency.P50, s.Latency.P99, s.Latency.P999, 100*s.ErrorRate, s.CPU.ClientPerHandshakeMS, tgt, perCore, verdict(s))
		}
	}
	for _, warn := range c.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

func verdict(s results.Step) string {
	switch {
	case s.Cut:
		return "cut"
	case s.Held:
		return "held"
	}
	return "FAIL (" + s.Reason + ")"
}

// answerLine says the answer in one line.
func answerLine(a results.Answer) string {
	var b strings.Builder
	switch {
	case a.RatePS == 0 && a.FailedPS > 0:
		fmt.Fprintf(&b, "no rate held: even %s/s failed", rateString(a.FailedPS))
	case a.RatePS == 0:
		b.WriteString("nothing measured")
	case a.FailedPS == 0:
		fmt.Fprintf(&b, "max sustainable rate at least %s/s (no rate failed)", rateString(a.RatePS))
	default:
		fmt.Fprintf(&b, "max sustainable rate %s/s (knee in [%s, %s)/s, measured %d×)", rateString(a.RatePS), rateString(a.RatePS), rateString(a.FailedPS), a.Repeats)
	}
	if a.CPU.TargetMeasured && a.CPU.TargetPerHandshakeMS > 0 {
		fmt.Fprintf(&b, "; target CPU %.3f ms per handshake = %.0f handshakes/s per target core", a.CPU.TargetPerHandshakeMS, a.CPU.HandshakesPerTargetCore)
	}
	if a.CPU.ClientPerHandshakeMS > 0 {
		fmt.Fprintf(&b, "; client CPU %.3f ms per handshake", a.CPU.ClientPerHandshakeMS)
	}
	fmt.Fprintf(&b, "; search %.1f s, %s", a.SearchMS/1e3, a.Stop)
	if a.Reason == string(capacity.Generator) || a.Reason == string(capacity.Concurrency) {
		b.WriteString("; hsbench's own limit")
		if a.RatePS > 0 {
			b.WriteString(": a lower bound of the target's capacity")
		}
	}
	return b.String()
}

// stepLine is a step's progress line.
func stepLine(s results.Step) string {
	return fmt.Sprintf("step %d (%s) at %s/s: achieved %.0f/s, latency p50 %.3g p99 %.3g p99.9 %.3g ms, errors %.2f%% → %s",
		s.Index+1, s.Kind, rateString(s.OfferedPS), s.AchievedPS, s.Latency.P50, s.Latency.P99, s.Latency.P999, 100*s.ErrorRate, verdict(s))
}

func bracketString(b capacity.Bracket) string {
	lo, hi := "–", "–"
	if b.Lo > 0 {
		lo = rateString(b.Lo)
	}
	if b.Hi > 0 {
		hi = rateString(b.Hi)
	}
	return fmt.Sprintf("[%s, %s)/s", lo, hi)
}
