package report

import (
	"bufio"
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/golden"
	"github.com/hsbench/hsbench/loadgen"
	"github.com/hsbench/hsbench/report/plot"
	"github.com/hsbench/hsbench/results"
)

func fixtureSite(t *testing.T) *Site {
	t.Helper()
	src, err := LoadSource("testdata")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build([]Source{src}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// report.md, cells.csv, index.html (with linked images) and one .hgrm of
// the real run in testdata match their golden files.
func TestSiteGoldens(t *testing.T) {
	s := fixtureSite(t)
	var md, csv, html, hgrm bytes.Buffer
	if err := WriteMarkdown(&md, s); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "report.md.golden"), md.Bytes())
	if err := WriteCSV(&csv, s.Cells); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "cells.csv.golden"), csv.Bytes())
	if err := WriteHTML(&html, s, LinkPNG); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "index.html.golden"), html.Bytes())
	c := s.Cells[3]
	if c.Name != "tcp-1.3-full-x25519mlkem768-ecdsa-p256" {
		t.Fatalf("cell 3 is %s", c.Name)
	}
	if err := WriteHgrm(&hgrm, c.Plot.Phases["total"]); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "tcp-1.3-full-x25519mlkem768-ecdsa-p256.hgrm.golden"), hgrm.Bytes())
}

// The figures are chosen from what varies: one overlay for six cells, bars
// only where two values can be compared with everything else held, the
// hybrid compared with x25519 under TLS 1.3.
func TestSitePlan(t *testing.T) {
	s := fixtureSite(t)
	var names []string
	for _, f := range s.Figures {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, " "), "spectrum bars-group bars-version bars-mode breakdown"; got != want {
		t.Fatalf("figures %q, want %q", got, want)
	}
	// One panel per held combination where the group varies: TLS 1.3 full
	// and TLS 1.3 resumed (TLS 1.2 ran x25519 only).
	if n := len(s.Figures[1].Stats); n != 2 || s.Figures[1].Stats[1].Held != "TLS 1.3 resumed ecdsa-p256" {
		t.Fatalf("group bars: %d panels %+v, want TLS 1.3 full and resumed", n, s.Figures[1].Stats)
	}
	g := s.Figures[1].Stats[0]
	if g.Held != "TLS 1.3 full ecdsa-p256" || len(g.Groups) != 2 || g.Groups[1].Value != "x25519mlkem768" {
		t.Fatalf("group bars: %+v", g)
	}
	if !(g.Groups[1].P50.Value > g.Groups[0].P50.Value) {
		t.Errorf("the fixture's hybrid p50 %v is not above x25519's %v", g.Groups[1].P50.Value, g.Groups[0].P50.Value)
	}
	if g.Method != plot.MethodOrderStat {
		t.Errorf("method %q without repeats", g.Method)
	}
}

// Every file of a report exists, and the images are valid PNG and SVG.
func TestSiteWriteFiles(t *testing.T) {
	s := fixtureSite(t)
	dir := t.TempDir()
	files, err := s.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{MarkdownFile, HTMLFile, CSVFile}
	for _, f := range []string{"spectrum", "bars-group", "bars-version", "bars-mode", "breakdown"} {
		want = append(want, f+".png", f+".svg")
	}
	for _, c := range s.Cells {
		want = append(want, c.Name+".hgrm")
	}
	if len(files) != len(want) {
		t.Errorf("wrote %d files %v, want %d", len(files), files, len(want))
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("missing %s: %v", name, err)
			continue
		}
		checkFile(t, name, b)
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	for _, f := range s.Figures {
		if !bytes.Contains(html, []byte(`src="`+f.Name+`.png"`)) {
			t.Errorf("index.html does not link %s.png", f.Name)
		}
	}
	if bytes.Contains(html, []byte("data:image")) || len(html) > 200<<10 {
		t.Errorf("index.html inlines images or is large: %d bytes", len(html))
	}
}

func checkFile(t *testing.T, name string, b []byte) {
	t.Helper()
	switch filepath.Ext(name) {
	case ".png":
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width < 400 || cfg.Height < 300 {
			t.Errorf("%s: not a usable PNG (%v, %dx%d)", name, err, cfg.Width, cfg.Height)
		}
	case ".svg":
		if !bytes.Contains(b[:min(len(b), 200)], []byte("<svg")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</svg>")) {
			t.Errorf("%s: not an SVG document", name)
		}
	default:
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

// A .hgrm file reads back: monotonic values and counts, the last line at
// percentile 1 with the total count, the median where the histogram has it.
func TestHgrmReadsBack(t *testing.T) {
	s := fixtureSite(t)
	h := s.Cells[0].Plot.Phases["total"]
	var b bytes.Buffer
	if err := WriteHgrm(&b, h); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	var lastV, lastP float64
	var lastN int64
	var footer []string
	rows := 0
	median := float64(h.ValueAtQuantile(50)) / 1e6
	sawMedian := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0 || f[0] == "Value":
			continue
		case strings.HasPrefix(f[0], "#["):
			footer = append(footer, sc.Text())
			continue
		}
		if len(f) != 4 && len(f) != 3 {
			t.Fatalf("line %q", sc.Text())
		}
		v, _ := strconv.ParseFloat(f[0], 64)
		p, _ := strconv.ParseFloat(f[1], 64)
		n, _ := strconv.ParseInt(f[2], 10, 64)
		if v < lastV || p < lastP || n < lastN {
			t.Fatalf("not monotonic at %q", sc.Text())
		}
		if p == 0.5 && v-median < 0.0015 && median-v < 0.0015 {
			sawMedian = true
		}
		lastV, lastP, lastN = v, p, n
		rows++
	}
	if rows < 10 || lastP != 1 || lastN != h.TotalCount() || !sawMedian {
		t.Errorf("%d rows, last percentile %v count %d (want 1, %d), median %v found: %v", rows, lastP, lastN, h.TotalCount(), median, sawMedian)
	}
	if len(footer) != 3 || !strings.Contains(footer[2], "SubBuckets     =         2048") {
		t.Errorf("footer %q", footer)
	}
}

// A run with two repeats and an interval log: repeats feed the bars' CIs,
// the log feeds over-time plots with the pause between repeats shown as a
// gap, and several runs get their id in cell names.
func TestRepeatsIntervalsAndSeveralRuns(t *testing.T) {
	dir := t.TempDir()
	writeRepeatedRun(t, dir, "r1")
	src, err := LoadSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build([]Source{src}, Options{Dims: []string{"group"}})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Cells[0]
	if got := c.Plot.Repeats["total p50"]; len(got) != 2 || got[0] >= got[1] {
		t.Fatalf("repeats %v", got)
	}
	iv := c.Plot.Intervals
	// 2 intervals, a gap marker, 2 intervals.
	if len(iv) != 5 || iv[0].Start != 0 || iv[1].Start != time.Second || iv[2].Count != 0 || iv[2].Start != 2*time.Second || iv[3].Start != 5*time.Second {
		t.Fatalf("intervals %+v", iv)
	}
	var bars *DimTable
	var overtime int
	for _, f := range s.Figures {
		if f.Stats != nil {
			bars = &f.Stats[0]
		}
		if strings.HasPrefix(f.Name, "overtime-") {
			overtime++
		}
	}
	if bars == nil || bars.Method != plot.MethodRepeats {
		t.Fatalf("bars %+v", bars)
	}
	if overtime != 2 {
		t.Fatalf("%d over-time figures, want 2", overtime)
	}
	out := t.TempDir()
	files, err := s.Write(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, f, b)
	}
	if _, err := os.Stat(filepath.Join(out, "overtime-tcp-1.3-full-x25519.png")); err != nil {
		t.Error(err)
	}

	dir2 := t.TempDir()
	writeRepeatedRun(t, dir2, "r2")
	src2, err := LoadSource(dir2)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := Cells([]Source{src, src2}, "total")
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 4 || cells[2].Name != "r2_tcp-1.3-full-x25519" || cells[2].Plot.Dims["run"] != "r2" {
		t.Fatalf("cells of two runs: %q %v", cells[2].Name, cells[2].Plot.Dims)
	}
	if !strings.HasPrefix(cells[2].Plot.Label, "r2 ") {
		t.Errorf("label %q lacks the run", cells[2].Plot.Label)
	}
}

// writeRepeatedRun writes a run of two cells (x25519 and x25519mlkem768),
// two repeats each, two 1 s intervals per repeat, the second repeat 3 s
// after the first ended and slower.
func writeRepeatedRun(t *testing.T, dir, id string) {
	t.Helper()
	hl, err := results.CreateHlog(dir, time.Unix(1_800_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	r := &results.Run{Schema: results.SchemaVersion, ID: id, Complete: true, Config: results.Config{Concurrency: 1, Repeat: 2, DurationMS: 2000}}
	for ci, group := range []string{"x25519", "x25519mlkem768"} {
		cell := results.Cell{ID: "tcp-1.3-full-" + group, Ask: results.Ask{Transport: "tcp", Version: "1.3", Mode: "full", Group: group}}
		for rep := 0; rep < 2; rep++ {
			offset := time.Duration(rep*5+ci*10) * time.Second
			total := newSnapshot(0, 2*time.Second)
			for k := 0; k < 2; k++ {
				s := newSnapshot(time.Duration(k)*time.Second, time.Duration(k+1)*time.Second)
				for i := 0; i < 50; i++ {
					v := int64((1 + ci + rep) * (1000 + i*10) * 1000) // ns
					for _, sn := range []*loadgen.Snapshot{s, total} {
						for _, p := range []sample.Phase{sample.Total, sample.TLSHandshake} {
							if err := sn.Hist[p].RecordValue(v); err != nil {
								t.Fatal(err)
							}
						}
						sn.OK++
					}
				}
				if err := hl.Interval(cell.ID, offset, s); err != nil {
					t.Fatal(err)
				}
			}
			m, err := results.MeasureOf(&loadgen.Result{Total: total, Elapsed: 2 * time.Second}, rep, offset, 0)
			if err != nil {
				t.Fatal(err)
			}
			cell.Runs = append(cell.Runs, m)
		}
		if cell.Total, err = results.TotalOf(cell.Runs); err != nil {
			t.Fatal(err)
		}
		r.Cells = append(r.Cells, cell)
	}
	if err := hl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
}

func newSnapshot(start, end time.Duration) *loadgen.Snapshot {
	s := &loadgen.Snapshot{Start: start, End: end, Errors: loadgen.Counts{}, Mismatches: loadgen.Counts{}, Tally: loadgen.Tally{}}
	for _, p := range []sample.Phase{sample.Total, sample.TLSHandshake} {
		s.Hist[p] = loadgen.NewHistogram()
	}
	return s
}

// A crowded overlay is split by mode, then by version.
func TestPartitionSplitsCrowdedSpectra(t *testing.T) {
	var cells []Cell
	for _, v := range []string{"1.2", "1.3", "quic"} {
		for _, m := range []string{"full", "resumed"} {
			for _, g := range []string{"a", "b", "c", "d"} {
				cells = append(cells, Cell{Plot: plot.Cell{Dims: map[string]string{"version": v, "mode": m, "group": g}}})
			}
		}
	}
	parts := partition(cells, splitDims, 8)
	var keys []string
	for _, p := range parts {
		keys = append(keys, p.key+"="+strconv.Itoa(len(p.cells)))
	}
	if got, want := strings.Join(keys, " "), "full-1.2=4 full-1.3=4 full-quic=4 resumed-1.2=4 resumed-1.3=4 resumed-quic=4"; got != want {
		t.Fatalf("parts %s, want %s", got, want)
	}
	if got := partition(cells[:8], splitDims, 8); len(got) != 1 || got[0].key != "" {
		t.Fatalf("8 cells were split: %+v", got)
	}
}
