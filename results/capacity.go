package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// CapacitySchema identifies the capacity.json layout; readers refuse others.
const CapacitySchema = "hsbench/capacity/v1"

// CapacityFile is the record of a capacity search, in its directory; each
// step is an ordinary run directory under steps/.
const CapacityFile = "capacity.json"

// Capacity is the content of capacity.json: one curve per cell.
type Capacity struct {
	Schema      string         `json:"schema"`
	ID          string         `json:"id"`
	Started     time.Time      `json:"started"`
	Complete    bool           `json:"complete"`
	Interrupted bool           `json:"interrupted"`
	Environment Environment    `json:"environment"`
	Config      CapacityConfig `json:"config"`
	Curves      []Curve        `json:"curves"`
	Invalid     []InvalidCell  `json:"invalid_cells,omitempty"`
	Warnings    []string       `json:"warnings,omitempty"`
}

// CapacityConfig is what the search was asked.
type CapacityConfig struct {
	Args     []string `json:"args"`
	Target   string   `json:"target"` // host:port, or "embedded"
	Embedded bool     `json:"embedded_target"`
	// SLO lists the latency objectives (report/slo syntax), e.g. latency:p99<10ms.
	SLO          []string  `json:"slo"`
	Confidence   float64   `json:"confidence"`
	MaxErrorRate float64   `json:"max_error_rate"`
	MinAchieved  float64   `json:"min_achieved"` // achieved/offered at least this
	BudgetMS     float64   `json:"budget_ms"`
	StepMS       float64   `json:"step_duration_ms"` // measured time per step, at least
	WarmupMS     float64   `json:"warmup_ms"`
	Concurrency  int       `json:"concurrency"` // most handshakes in flight
	StartRate    float64   `json:"start_rate,omitempty"`
	Growth       float64   `json:"growth,omitempty"`
	MaxRate      float64   `json:"max_rate,omitempty"`
	Precision    float64   `json:"precision,omitempty"`
	KneeRepeats  int       `json:"knee_repeats"`
	Rates        []float64 `json:"rates,omitempty"` // explicit sweep
	// TargetCPU says where the target's CPU was read: "pid N and its
	// children", "cgroup PATH", "embedded target process (pid N)", or ""
	// when it was not measured.
	TargetCPU string `json:"target_cpu,omitempty"`
}

// Curve is one cell's search: its steps in the order measured and the answer.
type Curve struct {
	Cell   string `json:"cell"`
	Ask    Ask    `json:"ask"`
	Steps  []Step `json:"steps"`
	Answer Answer `json:"answer"`
}

// Step is one open-loop measurement at one offered rate.
type Step struct {
	Index int    `json:"index"`
	Kind  string `json:"kind"` // ramp, search, repeat, sweep
	// Run is the step's run directory, relative to the capacity directory.
	Run       string  `json:"run"`
	OfferedPS float64 `json:"offered_per_sec"`
	// AchievedPS is attempts completed per second over the steady window
	// (WindowMS long, ending with the schedule).
	AchievedPS float64 `json:"achieved_per_sec"`
	WindowMS   float64 `json:"window_ms"`
	ElapsedMS  float64 `json:"elapsed_ms"`
	Attempts   int64   `json:"attempts"`
	OK         int64   `json:"ok"`
	Errors     int64   `json:"errors"`
	ErrorRate  float64 `json:"error_rate"`
	BusyStarts int64   `json:"busy_starts"`
	// Latency is the SLO phase (latency: from the intended start) and
	// Service the phase total (from the actual start), in ms.
	Latency     PhasePcts      `json:"latency_ms"`
	Service     PhasePcts      `json:"service_ms"`
	LatenessP99 float64        `json:"lateness_p99_ms"`
	SLO         []SLOJudgement `json:"slo"`
	Held        bool           `json:"held"`
	Cut         bool           `json:"cut,omitempty"` // did not finish (budget, interrupt): not judged
	Reason      string         `json:"reason,omitempty"`
	Detail      string         `json:"detail,omitempty"`
	CPU         CPUUse         `json:"cpu"`
}

// PhasePcts are percentiles of one phase, in ms.
type PhasePcts struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
}

// SLOJudgement is one objective judged on one step.
type SLOJudgement struct {
	Objective  string  `json:"objective"`
	Verdict    string  `json:"verdict"` // PASS, FAIL, INCONCLUSIVE, TOO_FEW
	EstimateMS float64 `json:"estimate_ms"`
	LoMS       float64 `json:"lo_ms"`
	HiMS       float64 `json:"hi_ms"` // 0: unbounded
	N          int64   `json:"n"`
}

// CPUUse is the CPU a step cost. ClientMS and TargetMS are the whole
// step's (warm-up, priming and drain included); per-handshake figures and
// cores run from the end of the first 100 ms of measurement to the end of
// the step, divided by the attempts that ended in that time and by its
// wall time.
type CPUUse struct {
	WallMS               float64 `json:"wall_ms"`
	ClientMS             float64 `json:"client_ms"`
	ClientPerHandshakeMS float64 `json:"client_per_handshake_ms"`
	ClientCores          float64 `json:"client_cores"`
	ClientCoresAvailable float64 `json:"client_cores_available"` // GOMAXPROCS
	// ClientWaitPerRun is how long hsbench's threads waited, runnable, for
	// a CPU per unit of time they ran, over the whole step (schedstat).
	ClientWaitPerRun        float64 `json:"client_wait_per_run"`
	TargetMS                float64 `json:"target_ms,omitempty"`
	TargetPerHandshakeMS    float64 `json:"target_per_handshake_ms,omitempty"`
	TargetCores             float64 `json:"target_cores,omitempty"`
	HandshakesPerTargetCore float64 `json:"handshakes_per_target_core,omitempty"` // 1000 / TargetPerHandshakeMS
	TargetMeasured          bool    `json:"target_measured"`
}

// Answer is a curve's result: the highest offered rate that held every
// objective, in the bracket [RatePS, FailedPS) that holds the knee.
type Answer struct {
	// RatePS is the highest rate that held every time it was measured (0:
	// none held); FailedPS the lowest that failed (0: none failed, the
	// answer is a lower bound).
	RatePS   float64 `json:"max_sustainable_per_sec"`
	FailedPS float64 `json:"lowest_failing_per_sec"`
	Found    bool    `json:"found"` // both ends of the bracket measured
	Stop     string  `json:"stop"`  // converged, budget, max-rate, min-rate, sweep-done, interrupted
	// Reason and Detail are why the step at FailedPS failed: latency,
	// errors, throughput (the target's limits), generator or concurrency
	// (hsbench's: the answer is then a lower bound of the target's capacity).
	Reason   string  `json:"reason,omitempty"`
	Detail   string  `json:"detail,omitempty"`
	Repeats  int     `json:"repeats"` // measurements at RatePS
	SearchMS float64 `json:"search_ms"`
	// CPU at the answer, averaged over its measurements.
	CPU CPUUse `json:"cpu"`
}

// Save writes capacity.json into dir atomically.
func (c *Capacity) Save(dir string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encoding capacity: %w", err)
	}
	return WriteAtomic(filepath.Join(dir, CapacityFile), append(b, '\n'))
}

// IsCapacity reports whether dir holds a capacity search.
func IsCapacity(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, CapacityFile))
	return err == nil
}

// LoadCapacity reads dir/capacity.json and checks its schema version.
func LoadCapacity(dir string) (*Capacity, error) {
	b, err := os.ReadFile(filepath.Join(dir, CapacityFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("results: %s holds no capacity search (no %s)", dir, CapacityFile)
		}
		return nil, fmt.Errorf("results: %w", err)
	}
	var c Capacity
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("results: %s/%s: %w", dir, CapacityFile, err)
	}
	if c.Schema != CapacitySchema {
		return nil, fmt.Errorf("results: %s/%s: schema %q, want %q", dir, CapacityFile, c.Schema, CapacitySchema)
	}
	return &c, nil
}
