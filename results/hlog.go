package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

// HlogWriter streams interval histograms to phases.hlog in HdrHistogram's
// interval log format (version 1.3), readable by HistogramLogProcessor and
// other HdrHistogram tools. Each line is tagged "<cell>/<phase>"; its start
// timestamp is seconds since the start of the run, measured on the
// monotonic clock; interval maxima are in milliseconds. The file is written
// under a temporary name and renamed by Close, so a run directory never
// holds a truncated log under the final name.
type HlogWriter struct {
	f    *os.File
	buf  *bufio.Writer
	lw   *hdr.HistogramLogWriter
	path string
	err  error
}

// CreateHlog starts dir/phases.hlog. started is the wall-clock start of the
// run, written as the log's StartTime for humans.
func CreateHlog(dir string, started time.Time) (*HlogWriter, error) {
	path := filepath.Join(dir, HlogFile)
	f, err := os.Create(path + ".partial")
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	buf := bufio.NewWriter(f)
	w := &HlogWriter{f: f, buf: buf, lw: hdr.NewHistogramLogWriter(buf), path: path}
	w.keep(w.lw.OutputLogFormatVersion())
	w.keep(w.lw.OutputComment("[hsbench interval log: tags are <cell>/<phase>, values in nanoseconds, timestamps in seconds from the run start]"))
	w.keep(w.lw.OutputStartTime(started.UnixMilli()))
	w.keep(w.lw.OutputBaseTime(started.UnixMilli()))
	w.keep(w.lw.OutputLegend())
	return w, w.err
}

func (w *HlogWriter) keep(err error) {
	if w.err == nil && err != nil {
		w.err = fmt.Errorf("results: writing %s: %w", w.path, err)
	}
}

// Tag returns the interval-log tag of a cell's phase.
func Tag(cell string, p sample.Phase) string { return cell + "/" + p.String() }

// SplitTag parses a tag written by Tag.
func SplitTag(tag string) (cell, phase string, ok bool) {
	i := strings.LastIndexByte(tag, '/')
	if i <= 0 || i == len(tag)-1 {
		return "", "", false
	}
	return tag[:i], tag[i+1:], true
}

// Interval writes one interval of a cell. offset is where the cell's
// measurement began, from the start of the run.
func (w *HlogWriter) Interval(cell string, offset time.Duration, s *loadgen.Snapshot) error {
	for p, h := range s.Hist {
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		h.SetTag(Tag(cell, sample.Phase(p)))
		h.SetStartTimeMs((offset + s.Start).Milliseconds())
		h.SetEndTimeMs((offset + s.End).Milliseconds())
		// StartTimeMs is relative to the run start already: base time 0.
		w.keep(w.lw.OutputIntervalHistogram(h))
	}
	return w.err
}

// Flush pushes buffered lines to the file (called after each interval so a
// crash loses at most the current one).
func (w *HlogWriter) Flush() error {
	w.keep(w.buf.Flush())
	return w.err
}

// Close finishes the log and moves it to its final name.
func (w *HlogWriter) Close() error {
	w.keep(w.buf.Flush())
	w.keep(w.f.Sync())
	w.keep(w.f.Close())
	if w.err == nil {
		w.keep(os.Rename(w.path+".partial", w.path))
	}
	return w.err
}

// Interval is one line of an interval log.
type Interval struct {
	Cell, Phase string
	Start, End  time.Duration // from the run start
	Hist        *hdr.Histogram
}

// ReadHlog reads every interval of an hsbench interval log.
func ReadHlog(r io.Reader) ([]Interval, error) {
	lr := hdr.NewHistogramLogReader(r)
	var out []Interval
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			return out, fmt.Errorf("results: reading interval log: %w", err)
		}
		if h == nil {
			return out, nil
		}
		cell, phase, ok := SplitTag(h.Tag())
		if !ok {
			return out, fmt.Errorf("results: interval log tag %q is not <cell>/<phase>", h.Tag())
		}
		out = append(out, Interval{Cell: cell, Phase: phase,
			Start: time.Duration(h.StartTimeMs()) * time.Millisecond,
			End:   time.Duration(h.EndTimeMs()) * time.Millisecond, Hist: h})
	}
}

// LoadIntervals reads dir/phases.hlog. A run without one gives an error
// that matches fs.ErrNotExist.
func LoadIntervals(dir string) ([]Interval, error) {
	f, err := os.Open(filepath.Join(dir, HlogFile))
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	ivs, err := ReadHlog(f)
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", dir, err)
	}
	return ivs, nil
}
