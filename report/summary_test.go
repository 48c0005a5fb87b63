package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/report/plot"
	"github.com/hsbench/hsbench/results"
)

func column(t *testing.T, s Summary, name string) int {
	t.Helper()
	for i, h := range s.Header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, s.Header)
	return -1
}

// A closed loop's summary: the phase's percentiles, each median against
// the fastest, the rate; no open-loop columns.
func TestSummaryClosedLoop(t *testing.T) {
	s := fixtureSite(t)
	sum := Summarize(s.Cells, "total")
	if sum.Open || strings.Contains(strings.Join(sum.Header, " "), "offered") {
		t.Fatalf("closed loop with open-loop columns: %v", sum.Header)
	}
	p50, vs := column(t, sum, "p50"), column(t, sum, "vs fastest p50")
	fastest := -1
	for i, r := range sum.Rows {
		if r.Values[vs] == "fastest" {
			fastest = i
		}
	}
	if fastest < 0 {
		t.Fatalf("no fastest row")
	}
	for i, r := range sum.Rows {
		want := s.Cells[i].Src.Total.Phases["total"].P50
		if r.Values[p50] != num(want) || r.Keys[p50] != want {
			t.Errorf("%s: p50 %q (key %v), want %v", r.Cell, r.Values[p50], r.Keys[p50], want)
		}
		if r.Keys[vs] < 1 || (i != fastest && r.Keys[vs] <= 1) {
			t.Errorf("%s: vs fastest %v", r.Cell, r.Keys[vs])
		}
	}
}

// An open loop's summary adds the service time, lateness, offered and
// achieved rates; a cell's warnings go on its own row, in report.md too.
func TestSummaryOpenLoopAndWarnings(t *testing.T) {
	s := fixtureSite(t)
	for _, r := range s.Runs {
		r.Config.Rate = 500
	}
	warn := "the generator fell behind its schedule: test"
	s.Cells[2].Src.Total.Warnings = append(s.Cells[2].Src.Total.Warnings, warn)
	sum := Summarize(s.Cells, "total")
	off, ach := column(t, sum, "offered /s"), column(t, sum, "achieved /s")
	column(t, sum, "lateness p99")
	column(t, sum, "total p50")
	for i, r := range sum.Rows {
		if r.Values[off] != "500" {
			t.Errorf("%s: offered %q, want 500", r.Cell, r.Values[off])
		}
		if r.Keys[ach] != s.Cells[i].Src.Total.RatePerSec {
			t.Errorf("%s: achieved %v, want %v", r.Cell, r.Keys[ach], s.Cells[i].Src.Total.RatePerSec)
		}
		if has := strings.Contains(strings.Join(r.Warnings, "|"), warn); has != (i == 2) {
			t.Errorf("%s: warning on this row = %v", r.Cell, has)
		}
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, s); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.Contains(line, warn) && !strings.HasPrefix(line, "| "+s.Cells[2].Name+" |") {
			t.Errorf("warning outside its cell's row: %q", line)
		}
	}
	if !strings.Contains(md.String(), warn) {
		t.Errorf("report.md lacks the warning")
	}
}

// --phase switches the summary table as well as the plots; an open-loop
// report defaults to latency.
func TestSummaryFollowsPhase(t *testing.T) {
	src, err := LoadSource("testdata")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build([]Source{src}, Options{Phase: "tls_handshake"})
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, s); err != nil {
		t.Fatal(err)
	}
	want := num(s.Cells[0].Src.Total.Phases["tls_handshake"].P50)
	if !strings.Contains(md.String(), "Latencies of `tls_handshake`") || !strings.Contains(md.String(), "| "+s.Cells[0].Name+" | 200 | "+want+" |") {
		t.Errorf("summary not of tls_handshake (p50 %s):\n%s", want, md.String()[:min(2000, md.Len())])
	}
	if got := DefaultPhase([]Source{src}); got != "total" {
		t.Errorf("closed loop default phase %q", got)
	}
	open := src
	run := *src.Run
	run.Config.Rate = 100
	open.Run = &run
	if got := DefaultPhase([]Source{open}); got != "latency" {
		t.Errorf("open loop default phase %q, want latency", got)
	}
}

// Intervals shorter than nine tenths of the run's interval (the last one
// of each repeat) are left out of the over-time plots; a cell left with
// fewer than two full intervals gets no plot, and a note says why.
func TestOverTimeDropsPartialIntervals(t *testing.T) {
	iv := func(start, end time.Duration) results.Interval { return results.Interval{Start: start, End: end} }
	s := time.Second
	got := fullIntervals([]results.Interval{iv(0, s), iv(s, 2*s), iv(2*s, 2*s+100*time.Millisecond), iv(5*s, 6*s), iv(6*s, 6*s+950*time.Millisecond)}, 1000)
	if len(got) != 4 || got[2].Start != 5*s || got[3].Start != 6*s {
		t.Errorf("full intervals %+v", got)
	}
	site := fixtureSite(t)
	cells := append([]Cell(nil), site.Cells[:2]...)
	cells[0].Plot.Intervals = []plot.Interval{{Start: 0, Count: 10, P50: 1, P90: 1, P99: 1, Max: 1}, {Start: s, Count: 10, P50: 1, P90: 1, P99: 1, Max: 1}}
	cells[1].Plot.Intervals = []plot.Interval{{Start: 0, Count: 10, P50: 1, P90: 1, P99: 1, Max: 1}}
	var st Site
	st.planOverTime(cells, Options{MaxOverTime: 12, Phase: "total"})
	if len(st.Figures) != 1 || st.Figures[0].Name != "overtime-"+cells[0].Name {
		t.Errorf("figures %v", st.Figures)
	}
	if len(st.Notes) != 1 || !strings.Contains(st.Notes[0], cells[1].Name) || !strings.Contains(st.Notes[0], "fewer than 2 full intervals") {
		t.Errorf("notes %q", st.Notes)
	}
}
