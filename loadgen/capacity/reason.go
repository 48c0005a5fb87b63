package capacity

import (
	"fmt"
	"time"
)

// Reason says why a step failed: what put the knee where it is.
type Reason string

// Reasons a step fails. Latency, Errors and Throughput are the target's
// limits; Generator and Concurrency are hsbench's own, and a knee with one
// of them is a lower bound on the target's capacity, not its capacity.
const (
	Latency     Reason = "latency"     // an objective failed on the target's service time
	Errors      Reason = "errors"      // too many attempts failed
	Throughput  Reason = "throughput"  // the achieved rate fell short of the offered one
	Generator   Reason = "generator"   // hsbench itself could not keep its schedule
	Concurrency Reason = "concurrency" // every in-flight slot was busy: Little's law capped the rate
	Cut         Reason = "cut"         // the step did not finish (budget or interrupt)
)

// Limits are the criteria a step must meet.
type Limits struct {
	MaxErrorRate float64 // e.g. 0.01
	MinAchieved  float64 // achieved/offered at least this, e.g. 0.99
	// SaturatedCPU is the fraction of its cores hsbench may use before it
	// counts as saturated (default 0.9).
	SaturatedCPU float64
	// MaxBusy is the fraction of hits that may find every in-flight slot
	// busy before the concurrency limit counts as the cause (default 0.01).
	MaxBusy float64
	// StarvedWait is the Facts.ClientWait from which hsbench counts as
	// starved of CPU (default 1: it waited as long as it ran).
	StarvedWait float64
}

// Facts are what a step measured, as the judge needs them.
type Facts struct {
	Offered, Achieved float64 // handshakes per second
	// AchievedSlack is the counting granularity of Achieved (e.g. two
	// handshakes over the step's window): a shortfall within it is noise.
	AchievedSlack float64
	ErrorRate     float64 // failed attempts / attempts
	// SLOFailed names the first objective that did not hold ("" when all
	// held), and ServiceHeld says whether that objective holds when judged
	// on the service time (phase total: from the actual start, without the
	// generator's start lateness).
	SLOFailed   string
	ServiceHeld bool
	// Busy is the fraction of hits that found every in-flight slot busy.
	Busy        float64
	Concurrency int
	// ClientCores is the CPU hsbench used during the step, in cores, of
	// ClientCap it may use (GOMAXPROCS). TargetCores is the target's, or
	// negative when unknown.
	ClientCores, ClientCap, TargetCores float64
	// ClientWait is how long hsbench's threads waited, runnable, for a CPU
	// per unit of time they ran (0: unknown): 1 or more means other
	// processes (or the target) on the same CPUs starved the generator.
	ClientWait  float64
	LatenessP99 time.Duration
	// ServiceP50 is the median service time (phase total), for Little's
	// law; BaseServiceP50 the lowest median service time of the steps that
	// held before (0: none), the target's unloaded service time.
	ServiceP50, BaseServiceP50 time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.SaturatedCPU <= 0 {
		l.SaturatedCPU = 0.9
	}
	if l.MaxBusy <= 0 {
		l.MaxBusy = 0.01
	}
	if l.StarvedWait <= 0 {
		l.StarvedWait = 1
	}
	return l
}

// Judge decides whether a step held and, if not, why. hsbench's own limits
// are checked before the target's: a saturated generator or a full
// in-flight window makes every later symptom its own.
func Judge(f Facts, l Limits) Outcome {
	l = l.withDefaults()
	short := f.Offered > 0 && f.Achieved < l.MinAchieved*f.Offered-f.AchievedSlack
	bad := f.SLOFailed != "" || f.ErrorRate > l.MaxErrorRate || short
	if !bad {
		return Outcome{Held: true}
	}
	if f.ClientCap > 0 && f.ClientCores >= l.SaturatedCPU*f.ClientCap {
		return Outcome{Reason: Generator, Detail: fmt.Sprintf(
			"hsbench used %.2f of its %.0f cores: the generator is the bottleneck, not the target%s; "+
				"split the load over more processes or machines with --shard", f.ClientCores, f.ClientCap, targetUse(f))}
	}
	// The latency from the intended start is lateness plus service time.
	// When the service time alone holds the objective, the excess is the
	// generator's: starts delayed because every slot was busy (Little's
	// law: a limit whatever the CPUs do), or because hsbench could not run
	// on time.
	startsLate := (f.SLOFailed != "" && f.ServiceHeld) || (f.SLOFailed == "" && short)
	if startsLate && f.Busy > l.MaxBusy && !f.serviceInflated() {
		little := ""
		if f.ServiceP50 > 0 {
			little = fmt.Sprintf(" ≈ %d / %.3g ms = %.0f/s", f.Concurrency, ms(f.ServiceP50), float64(f.Concurrency)/f.ServiceP50.Seconds())
		}
		return Outcome{Reason: Concurrency, Detail: fmt.Sprintf(
			"%.0f%% of handshakes found all %d in-flight slots busy: Little's law caps the rate at concurrency / latency%s; "+
				"raise --concurrency to measure the target", 100*f.Busy, f.Concurrency, little)}
	}
	if f.ClientWait >= l.StarvedWait {
		return Outcome{Reason: Generator, Detail: fmt.Sprintf(
			"hsbench's threads waited for a CPU %.1f× as long as they ran: the machine's CPUs are oversubscribed and the generator "+
				"could not keep its schedule%s; the knee is the machine's, not the target's: run hsbench on CPUs of its own, or --shard", f.ClientWait, targetUse(f))}
	}
	if f.ErrorRate > l.MaxErrorRate {
		return Outcome{Reason: Errors, Detail: fmt.Sprintf("%.1f%% of attempts failed (at most %.1f%%)", 100*f.ErrorRate, 100*l.MaxErrorRate)}
	}
	if startsLate && f.Busy > l.MaxBusy && f.serviceInflated() {
		// The slots were full because the target queued: it saturated.
		return Outcome{Reason: Throughput, Detail: fmt.Sprintf(
			"the target saturated: its median service time grew from %.3g to %.3g ms and all %d in-flight slots filled; achieved %.0f/s of %.0f/s offered%s",
			ms(f.BaseServiceP50), ms(f.ServiceP50), f.Concurrency, f.Achieved, f.Offered, targetUse(f))}
	}
	if startsLate && f.SLOFailed != "" {
		return Outcome{Reason: Generator, Detail: fmt.Sprintf(
			"%s holds on the service time but handshakes started late (lateness p99 %.3g ms) while free slots waited%s: "+
				"the generator could not keep its schedule; split the load with --shard", f.SLOFailed, ms(f.LatenessP99), targetUse(f))}
	}
	if f.SLOFailed != "" {
		return Outcome{Reason: Latency, Detail: f.SLOFailed + " does not hold" + targetUse(f)}
	}
	return Outcome{Reason: Throughput, Detail: fmt.Sprintf("achieved %.0f/s of %.0f/s offered (at least %.0f%%)%s",
		f.Achieved, f.Offered, 100*l.MinAchieved, targetUse(f))}
}

// serviceInflated reports whether the median service time is more than
// twice the unloaded one: requests queued at the target.
func (f Facts) serviceInflated() bool {
	return f.BaseServiceP50 > 0 && f.ServiceP50 > 2*f.BaseServiceP50
}

func targetUse(f Facts) string {
	if f.TargetCores < 0 {
		return ""
	}
	return fmt.Sprintf(" (the target used %.2f cores)", f.TargetCores)
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
