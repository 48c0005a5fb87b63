// Package results is the run record: what a run asked for, where it ran,
// what it measured, and the files that hold it (run.json, phases.hlog).
// It reads them back for report, compare and merge.
package results

import "time"

// SchemaVersion identifies the run.json layout; readers refuse other versions.
const SchemaVersion = "hsbench/run/v1"

// Run is the content of run.json.
type Run struct {
	Schema string `json:"schema"`
	// ID is the run directory's name; Started the wall-clock start (for
	// humans only: every duration comes from the monotonic clock).
	ID          string    `json:"id"`
	Started     time.Time `json:"started"`
	Interrupted bool      `json:"interrupted"`
	// Complete is false while a run is being written and after a crash.
	Complete    bool        `json:"complete"`
	Environment Environment `json:"environment"`
	Config      Config      `json:"config"`
	Cells       []Cell      `json:"cells"`
	// Invalid lists cells of the asked product that cannot run, with why.
	Invalid  []InvalidCell `json:"invalid_cells,omitempty"`
	Warnings []string      `json:"warnings,omitempty"`
	// Shard, when set, says this run is one part of a sharded run.
	Shard *Shard `json:"shard,omitempty"`
}

// Environment says where the run happened.
type Environment struct {
	HsbenchVersion string `json:"hsbench_version"`
	Go             string `json:"go"`
	OS             string `json:"os"`
	Arch           string `json:"arch"`
	CPUModel       string `json:"cpu_model"`
	CPUs           int    `json:"cpus"`
	GOMAXPROCS     int    `json:"gomaxprocs"`
	Hostname       string `json:"hostname"`
	// Network is "loopback", or the emulated link ("tun-relay rtt=50ms loss=1%").
	Network string `json:"network"`
	// ClientCPUSeconds is user+system CPU time of the hsbench process
	// (getrusage), including the embedded target when it runs in-process.
	ClientCPUSeconds float64 `json:"client_cpu_seconds"`
}

// Config is the load and target configuration shared by every cell.
type Config struct {
	Args        []string `json:"args"`
	Target      string   `json:"target"`
	Embedded    bool     `json:"embedded_target"`
	ServerName  string   `json:"server_name"`
	Concurrency int      `json:"concurrency"`
	// Rate > 0 means open loop (handshakes/s); 0 means closed loop.
	Rate       float64  `json:"rate"`
	DurationMS float64  `json:"duration_ms"`
	Count      uint64   `json:"count"`
	WarmupMS   float64  `json:"warmup_ms"`
	TimeoutMS  float64  `json:"timeout_ms"`
	IntervalMS float64  `json:"interval_ms"`
	Repeat     int      `json:"repeat"`
	Request    string   `json:"request"`
	Tickets    string   `json:"tickets,omitempty"`
	Emulate    string   `json:"emulate,omitempty"`
	Histogram  HistConf `json:"histogram"`
}

// HistConf is the HdrHistogram configuration of every histogram in the run.
type HistConf struct {
	Unit    string `json:"unit"` // "ns"
	Lowest  int64  `json:"lowest"`
	Highest int64  `json:"highest"`
	SigFigs int    `json:"significant_figures"`
}

// Ask is what a cell asked for.
type Ask struct {
	Transport string `json:"transport"` // tcp, quic
	Version   string `json:"version"`   // 1.2, 1.3
	Mode      string `json:"mode"`      // full, resumed, 0rtt
	Group     string `json:"group,omitempty"`
	Suite     string `json:"suite,omitempty"`
	Cert      string `json:"cert,omitempty"` // embedded target only
}

// Cell is one configuration of the asked product, with every repeat of it.
type Cell struct {
	ID  string `json:"id"`
	Ask Ask    `json:"ask"`
	// Runs holds one entry per repeat, in the order they ran.
	Runs []Measure `json:"runs"`
	// Total merges every repeat.
	Total Measure `json:"total"`
}

// Measure is what one span of measurement (a repeat, or all of them) gave.
type Measure struct {
	Repeat int `json:"repeat"` // -1 for a cell's total
	// OffsetMS is where the repeat began, from the start of the run.
	OffsetMS  float64 `json:"offset_ms"`
	ElapsedMS float64 `json:"elapsed_ms"`
	Attempts  int64   `json:"attempts"`
	OK        int64   `json:"ok"`
	// RatePerSec is successful handshakes per second of measurement.
	RatePerSec float64          `json:"rate_per_sec"`
	Warmup     int64            `json:"warmup"`
	Canceled   int64            `json:"canceled"`
	Errors     map[string]int64 `json:"errors"`
	// OtherExamples are up to three distinct messages of the errors
	// classified "other".
	OtherExamples []string         `json:"other_examples,omitempty"`
	Mismatches    map[string]int64 `json:"mismatches"`
	// PrimeErrors are failures of the unmeasured priming handshakes.
	PrimeErrors map[string]int64 `json:"prime_errors,omitempty"`
	// BusyStarts counts measured open-loop handshakes that found every
	// in-flight slot busy and started late.
	BusyStarts int64 `json:"busy_starts,omitempty"`
	// Negotiated tallies successful samples by what they negotiated:
	// negotiated["group"]["x25519"] = n.
	Negotiated map[string]map[string]int64 `json:"negotiated"`
	// ClientCPUMS is the CPU time (user+system, getrusage) this process
	// spent during the measure, warm-up, priming and idle time included.
	// With the embedded target in-process it includes the server's CPU too.
	ClientCPUMS float64 `json:"client_cpu_ms"`
	// ClientCPUPerHandshakeMS is the CPU time spent inside measured
	// attempts (ClientCPUMeasuredMS) divided by the measured attempts
	// (errors and mismatches included): no priming, warm-up or idle time.
	// The process CPU clock is read at every start and end of an attempt
	// or priming call, and what was spent in between is shared evenly
	// among those in flight (exact with one worker; see loadgen.CPUUse).
	ClientCPUPerHandshakeMS float64 `json:"client_cpu_per_handshake_ms"`
	ClientCPUMeasuredMS     float64 `json:"client_cpu_measured_ms"`
	// ClientCPUPrimingMS is the CPU time of priming calls (unmeasured
	// handshakes fetching tickets), ClientCPUIdleMS that spent while no
	// attempt or priming call was in flight, ClientCPUUnmeasuredMS that of
	// warm-up and cancelled attempts.
	ClientCPUPrimingMS    float64 `json:"client_cpu_priming_ms"`
	ClientCPUIdleMS       float64 `json:"client_cpu_idle_ms"`
	ClientCPUUnmeasuredMS float64 `json:"client_cpu_unmeasured_ms"`
	// ClientCPUPerWallSecond is CPU-seconds per wall-clock second over the
	// load generator's whole run (warm-up included): 1.0 is one core busy.
	ClientCPUPerWallSecond float64 `json:"client_cpu_per_wall_second"`
	// WallMS is the load generator's whole run, warm-up included.
	WallMS float64 `json:"wall_ms"`
	// PrimingHandshakes counts the unmeasured handshakes that fetched
	// tickets (resumed and 0-RTT modes): one or two per worker at the
	// start, more when a measured attempt brought no fresh ticket.
	PrimingHandshakes int64 `json:"priming_handshakes"`
	// PrimingInitial is the part of PrimingHandshakes that workers ran
	// before their first attempt (in an open loop every worker primes,
	// used or not); the rest replaced tickets attempts did not bring.
	PrimingInitial int64 `json:"priming_initial"`
	// WarmupErrors counts failed warm-up attempts by class; Overlapping
	// the closed-loop attempts that started in warm-up and ended in the
	// measured part (they are measured).
	WarmupErrors map[string]int64      `json:"warmup_errors,omitempty"`
	Overlapping  int64                 `json:"overlapping,omitempty"`
	BytesSentAvg float64               `json:"bytes_sent_avg"`
	BytesRecvAvg float64               `json:"bytes_recv_avg"`
	Phases       map[string]PhaseStats `json:"phases"`
	// MismatchTotal summarises the total time of mismatched samples.
	MismatchTotal *PhaseStats `json:"mismatch_total,omitempty"`
	Warnings      []string    `json:"warnings,omitempty"`
	Interrupted   bool        `json:"interrupted,omitempty"`
}

// PhaseStats summarises one phase; times are in milliseconds. Histogram is
// the whole distribution in HdrHistogram's compressed V2 encoding (base64),
// the form HdrHistogram's own tools read.
type PhaseStats struct {
	Count     int64   `json:"count"`
	Min       float64 `json:"min_ms"`
	Mean      float64 `json:"mean_ms"`
	Stddev    float64 `json:"stddev_ms"`
	P50       float64 `json:"p50_ms"`
	P90       float64 `json:"p90_ms"`
	P99       float64 `json:"p99_ms"`
	P999      float64 `json:"p99_9_ms"`
	Max       float64 `json:"max_ms"`
	Histogram string  `json:"histogram"`
}

// InvalidCell is a cell of the asked product that was not run.
type InvalidCell struct {
	Ask    Ask    `json:"ask"`
	Reason string `json:"reason"`
}

// Shard identifies one part of a sharded run.
type Shard struct {
	Index   int    `json:"index"` // 1-based
	Of      int    `json:"of"`
	RunKey  string `json:"run_key"` // equal for every shard of one run
	StartAt string `json:"start_at,omitempty"`
}
