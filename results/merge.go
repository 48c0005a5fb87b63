package results

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

// ErrNotMergeable marks every refusal of MergeShards and Merged.Write that
// comes from the shards themselves (as opposed to failing to write).
var ErrNotMergeable = errors.New("shards cannot be merged")

// refuse returns a refusal wrapping ErrNotMergeable.
func refuse(format string, args ...any) error {
	return fmt.Errorf("results: %w: %s", ErrNotMergeable, fmt.Sprintf(format, args...))
}

// Merged is a sharded run put back together: an ordinary run record (no
// Shard) and what is needed to merge the shards' interval logs.
type Merged struct {
	Run    *Run
	shards []shardInput
	// anchors[cell][repeat] is where the repeat began in the merged run:
	// the earliest of the shards' starts.
	anchors  []map[int]time.Duration
	interval time.Duration
}

type shardInput struct {
	dir   string
	run   *Run
	delta time.Duration // shard start − merged start
}

// MergeShards loads the shard directories, checks that they are exactly
// shards 1…N of one run (same run key, same configuration, same histogram
// configuration, each index once, none missing, every one complete) and
// merges them: per cell and repeat, phase histograms exactly, counts,
// errors and tallies summed, rates summed, byte averages weighted.
func MergeShards(dirs []string) (*Merged, error) {
	if len(dirs) == 0 {
		return nil, refuse("no shard directory given")
	}
	var shards []shardInput
	for _, d := range dirs {
		r, err := Load(d)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotMergeable, err)
		}
		if r.Shard == nil {
			return nil, refuse("%s is not a shard (run.json has no shard: run it with --shard I/N)", d)
		}
		if !r.Complete {
			return nil, refuse("%s: shard %d/%d did not finish (complete is false: it crashed, is still running, or missed --start-at)", d, r.Shard.Index, r.Shard.Of)
		}
		shards = append(shards, shardInput{dir: d, run: r})
	}
	if err := checkShards(shards); err != nil {
		return nil, err
	}
	slices.SortFunc(shards, func(a, b shardInput) int { return a.run.Shard.Index - b.run.Shard.Index })
	first := shards[0].run
	start := first.Started
	for _, s := range shards {
		if s.run.Started.Before(start) {
			start = s.run.Started
		}
	}
	for i := range shards {
		shards[i].delta = shards[i].run.Started.Sub(start)
	}
	m := &Merged{shards: shards, interval: time.Duration(first.Config.IntervalMS * 1e6)}
	if m.interval <= 0 {
		m.interval = time.Second
	}
	out := &Run{
		Schema: SchemaVersion, Started: start, Complete: true,
		Environment: mergeEnvironment(shards),
		Config:      mergeConfig(shards),
		Invalid:     first.Invalid,
	}
	out.Warnings = append(out.Warnings, fmt.Sprintf("merged from %d shards (run key %s)", len(shards), first.Shard.RunKey))
	for _, s := range shards {
		out.Interrupted = out.Interrupted || s.run.Interrupted
		for _, w := range s.run.Warnings {
			out.Warnings = appendOnce(out.Warnings, w)
		}
	}
	for ci, c := range first.Cells {
		mc := Cell{ID: c.ID, Ask: c.Ask}
		anchors := map[int]time.Duration{}
		for _, rep := range repeatsOf(shards, ci) {
			var parts []Measure
			var idx []int
			lo, hi := time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
			for _, s := range shards {
				for _, r := range s.run.Cells[ci].Runs {
					if r.Repeat != rep {
						continue
					}
					parts, idx = append(parts, r), append(idx, s.run.Shard.Index)
					at := s.delta + msDuration(r.OffsetMS)
					lo, hi = min(lo, at), max(hi, at)
				}
			}
			if len(parts) < len(shards) {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s repeat %d: only %d of %d shards measured it", c.ID, rep, len(parts), len(shards)))
			}
			if hi-lo > m.interval/4 {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s repeat %d: the shards started %v apart: its intervals are matched by number, not by the same absolute second (use --start-at)",
					c.ID, rep, (hi-lo).Round(time.Millisecond)))
			}
			anchors[rep] = lo
			mm, err := mergeMeasures(parts, idx, len(shards))
			if err != nil {
				return nil, fmt.Errorf("%w: cell %s repeat %d: %w", ErrNotMergeable, c.ID, rep, err)
			}
			mm.Repeat, mm.OffsetMS = rep, float64(lo)/1e6
			mc.Runs = append(mc.Runs, mm)
		}
		if len(mc.Runs) > 0 {
			tot, err := TotalOf(mc.Runs)
			if err != nil {
				return nil, fmt.Errorf("%w: cell %s: %w", ErrNotMergeable, c.ID, err)
			}
			mc.Total = tot
		}
		out.Cells = append(out.Cells, mc)
		m.anchors = append(m.anchors, anchors)
	}
	m.Run = out
	return m, nil
}

// checkShards refuses foreign, duplicate, missing or incompatible shards.
func checkShards(shards []shardInput) error {
	ref := shards[0]
	of := ref.run.Shard.Of
	byIndex := map[int]string{}
	for _, s := range shards {
		sh := s.run.Shard
		switch {
		case sh.RunKey != ref.run.Shard.RunKey:
			return refuse("%s belongs to another run: run key %s, %s has %s", s.dir, sh.RunKey, ref.dir, ref.run.Shard.RunKey)
		case sh.Of != of:
			return refuse("%s is shard %d/%d, %s is shard %d/%d: different shard counts", s.dir, sh.Index, sh.Of, ref.dir, ref.run.Shard.Index, of)
		case sh.Index < 1 || sh.Index > of:
			return refuse("%s: shard index %d is not between 1 and %d", s.dir, sh.Index, of)
		}
		if d, dup := byIndex[sh.Index]; dup {
			return refuse("%s and %s are both shard %d/%d", d, s.dir, sh.Index, of)
		}
		byIndex[sh.Index] = s.dir
		if s.run.Config.Histogram != ref.run.Config.Histogram || !sameHistConf(s.run.Config.Histogram) {
			return refuse("%s: histogram configuration %+v differs from %+v: its histograms cannot merge exactly",
				s.dir, s.run.Config.Histogram, HistConf{Unit: "ns", Lowest: loadgen.HistLowest, Highest: loadgen.HistHighest, SigFigs: loadgen.HistSigFigs})
		}
		if a, b := shardFreeConfig(s.run.Config), shardFreeConfig(ref.run.Config); !reflect.DeepEqual(a, b) {
			return refuse("%s: configuration differs from %s's", s.dir, ref.dir)
		}
		if len(s.run.Cells) != len(ref.run.Cells) {
			return refuse("%s has %d cells, %s has %d", s.dir, len(s.run.Cells), ref.dir, len(ref.run.Cells))
		}
		for i, c := range s.run.Cells {
			if c.ID != ref.run.Cells[i].ID || c.Ask != ref.run.Cells[i].Ask {
				return refuse("%s: cell %d is %s, %s has %s", s.dir, i+1, c.ID, ref.dir, ref.run.Cells[i].ID)
			}
		}
	}
	var missing []string
	for i := 1; i <= of; i++ {
		if _, ok := byIndex[i]; !ok {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return refuse("shard %s of %d missing (got %d of %d shards)", strings.Join(missing, ", "), of, len(byIndex), of)
	}
	return nil
}

func sameHistConf(h HistConf) bool {
	return h.Unit == "ns" && h.Lowest == loadgen.HistLowest && h.Highest == loadgen.HistHighest && h.SigFigs == loadgen.HistSigFigs
}

// shardFreeConfig is the configuration without what differs between the
// shards of one run: their arguments and their parts of the load.
func shardFreeConfig(c Config) Config {
	c.Args, c.Rate, c.Concurrency, c.Count = nil, 0, 0, 0
	return c
}

// mergeConfig is shard 1's configuration with the load summed back up and
// the per-shard arguments (--shard, --out) dropped.
func mergeConfig(shards []shardInput) Config {
	c := shards[0].run.Config
	c.Rate, c.Concurrency, c.Count = 0, 0, 0
	for _, s := range shards {
		c.Rate += s.run.Config.Rate
		c.Concurrency += s.run.Config.Concurrency
		c.Count += s.run.Config.Count
	}
	c.Rate = math.Round(c.Rate*1e6) / 1e6 // R/N summed N times
	var args []string
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "--shard" || a == "--out":
			i++
		case strings.HasPrefix(a, "--shard=") || strings.HasPrefix(a, "--out="):
		default:
			args = append(args, a)
		}
	}
	c.Args = args
	return c
}

// mergeEnvironment is shard 1's environment with every shard's host named
// and the client CPU time summed.
func mergeEnvironment(shards []shardInput) Environment {
	e := shards[0].run.Environment
	var hosts []string
	e.ClientCPUSeconds = 0
	for _, s := range shards {
		hosts = appendOnce(hosts, s.run.Environment.Hostname)
		e.ClientCPUSeconds += s.run.Environment.ClientCPUSeconds
	}
	e.Hostname = strings.Join(hosts, ",")
	return e
}

// repeatsOf lists the repeats of cell ci that any shard measured, in order.
func repeatsOf(shards []shardInput, ci int) []int {
	var reps []int
	for _, s := range shards {
		for _, r := range s.run.Cells[ci].Runs {
			if !slices.Contains(reps, r.Repeat) {
				reps = append(reps, r.Repeat)
			}
		}
	}
	slices.Sort(reps)
	return reps
}

// mergeMeasures merges the shards' measures of one repeat, which ran side by
// side: counts and rates add up, the elapsed time is the longest shard's,
// histograms merge exactly.
func mergeMeasures(parts []Measure, shardIdx []int, of int) (Measure, error) {
	t, err := combine(parts, true)
	if err != nil {
		return t, err
	}
	for i, r := range parts {
		for _, w := range r.Warnings {
			t.Warnings = append(t.Warnings, fmt.Sprintf("shard %d/%d: %s", shardIdx[i], of, w))
		}
	}
	return t, nil
}

// mergeStats adds a stored histogram into dst, refusing one that would not
// merge exactly.
func mergeStats(dst *hdr.Histogram, ps PhaseStats) error {
	h, err := ps.Hist()
	if err != nil {
		return err
	}
	return mergeExact(dst, h)
}

func mergeExact(dst, h *hdr.Histogram) error {
	if !loadgen.SameConfig(h) {
		return fmt.Errorf("histogram configuration (lowest %d, highest %d, %d significant figures) differs from hsbench's: it cannot merge exactly",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures())
	}
	if dropped := dst.Merge(h); dropped > 0 {
		return fmt.Errorf("%d values did not merge exactly", dropped)
	}
	return nil
}

func appendOnce(l []string, s string) []string {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

func msDuration(ms float64) time.Duration { return time.Duration(math.Round(ms * 1e6)) }

// Write writes the merged run into dir, which must exist: phases.hlog (the
// shards' interval logs merged interval by interval), then run.json.
func (m *Merged) Write(dir string) error {
	m.Run.ID = filepath.Base(filepath.Clean(dir))
	w, err := CreateHlog(dir, m.Run.Started)
	if err != nil {
		return err
	}
	if err := m.mergeHlogs(w); err != nil {
		w.Close()
		os.Remove(filepath.Join(dir, HlogFile))
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return m.Run.Save(dir)
}

// hlogLine is one interval of one phase of a shard's log, placed on the
// merged run's time line.
type hlogLine struct {
	cell       int
	phase      sample.Phase
	start, end time.Duration // from the merged run's start
	hist       *hdr.Histogram
}

func (a *hlogLine) before(b *hlogLine) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	if a.cell != b.cell {
		return a.cell < b.cell
	}
	return a.phase < b.phase
}

func (a *hlogLine) same(b *hlogLine) bool {
	return a.start == b.start && a.cell == b.cell && a.phase == b.phase
}

// hlogStream reads one shard's interval log, one line at a time (a log
// holds one histogram per phase and second: reading it whole would not fit
// in memory for long runs).
type hlogStream struct {
	m    *Merged
	s    *shardInput
	f    *os.File
	r    *hdr.HistogramLogReader
	base time.Duration // the log's BaseTime (whole seconds), which the reader adds
	head *hlogLine
	cell map[string]int
}

func (m *Merged) openStream(s *shardInput) (*hlogStream, error) {
	f, err := os.Open(filepath.Join(s.dir, HlogFile))
	if err != nil {
		return nil, refuse("%s: %v", s.dir, err)
	}
	st := &hlogStream{m: m, s: s, f: f, r: hdr.NewHistogramLogReader(f),
		base: time.Duration(s.run.Started.Unix()) * time.Second, cell: map[string]int{}}
	for i, c := range s.run.Cells {
		st.cell[c.ID] = i
	}
	return st, st.next()
}

// next reads the following line into head (nil at the end of the log).
//
// A line is placed by its cell, its repeat (the one whose measurement
// began last before it) and its number k within that repeat; it lands at
// the repeat's merged start plus k intervals, so lines of different shards
// covering the same second of the same repeat merge into one.
func (st *hlogStream) next() error {
	st.head = nil
	h, err := st.r.NextIntervalHistogram()
	if err != nil {
		return refuse("%s: reading %s: %v", st.s.dir, HlogFile, err)
	}
	if h == nil {
		return nil
	}
	cellID, phaseName, ok := SplitTag(h.Tag())
	if !ok {
		return refuse("%s: interval log tag %q is not <cell>/<phase>", st.s.dir, h.Tag())
	}
	ci, ok := st.cell[cellID]
	if !ok {
		return refuse("%s: interval log names cell %q, which run.json does not hold", st.s.dir, cellID)
	}
	phase, ok := sample.ParsePhase(phaseName)
	if !ok {
		return refuse("%s: interval log names unknown phase %q", st.s.dir, phaseName)
	}
	rel := time.Duration(h.StartTimeMs())*time.Millisecond - st.base
	relEnd := time.Duration(h.EndTimeMs())*time.Millisecond - st.base
	rep, off := -1, time.Duration(0)
	for _, r := range st.s.run.Cells[ci].Runs {
		if o := msDuration(r.OffsetMS); o <= rel+2*time.Millisecond && (rep < 0 || o > off) {
			rep, off = r.Repeat, o
		}
	}
	anchor, ok := st.m.anchors[ci][rep]
	if rep < 0 || !ok {
		return refuse("%s: an interval of %s at %v lies before any of its repeats", st.s.dir, cellID, rel)
	}
	k := time.Duration(math.Round(float64(rel-off) / float64(st.m.interval)))
	st.head = &hlogLine{cell: ci, phase: phase, start: anchor + k*st.m.interval, end: st.s.delta + relEnd, hist: h}
	return nil
}

// mergeHlogs merges the shards' logs line by line, in time order: every
// shard's log is in time order already, so this is a k-way merge.
func (m *Merged) mergeHlogs(w *HlogWriter) error {
	var streams []*hlogStream
	defer func() {
		for _, st := range streams {
			st.f.Close()
		}
	}()
	for i := range m.shards {
		st, err := m.openStream(&m.shards[i])
		if st != nil {
			streams = append(streams, st)
		}
		if err != nil {
			return err
		}
	}
	for {
		var lo *hlogLine
		for _, st := range streams {
			if st.head != nil && (lo == nil || st.head.before(lo)) {
				lo = st.head
			}
		}
		if lo == nil {
			return nil
		}
		key := *lo
		sum := loadgen.NewHistogram()
		snap := &loadgen.Snapshot{Start: key.start, End: key.end}
		for _, st := range streams {
			for st.head != nil && st.head.same(&key) {
				if err := mergeExact(sum, st.head.hist); err != nil {
					return refuse("%s: %s interval at %v: %v", st.s.dir, m.Run.Cells[key.cell].ID, key.start, err)
				}
				snap.End = max(snap.End, st.head.end)
				if err := st.next(); err != nil {
					return err
				}
			}
		}
		snap.Hist[key.phase] = sum
		if err := w.Interval(m.Run.Cells[key.cell].ID, 0, snap); err != nil {
			return err
		}
	}
}
