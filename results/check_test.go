package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/loadgen"
)

// A run.json whose summaries contradict their histograms (edited by hand,
// corrupted) is refused on load, naming the cell, phase and figure, so
// report, compare and merge never print figures their data contradict.
func TestLoadRefusesSummaryContradictingHistogram(t *testing.T) {
	h := loadgen.NewHistogram()
	for i := 1; i <= 100; i++ {
		_ = h.RecordValue(int64(i) * int64(time.Millisecond))
	}
	st, err := StatsOf(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		edit    func(p *PhaseStats)
		wantErr string
	}{
		{"untouched", func(*PhaseStats) {}, ""},
		{"p50 contradicts", func(p *PhaseStats) { p.P50 = 999 }, "p50 999 ms contradicts"},
		{"p99 contradicts", func(p *PhaseStats) { p.P99 = 1 }, "p99 1 ms contradicts"},
		{"max contradicts", func(p *PhaseStats) { p.Max = 0.5 }, "max 0.5 ms contradicts"},
		{"count contradicts", func(p *PhaseStats) { p.Count = 7 }, "count 7"},
		{"histogram not base64", func(p *PhaseStats) { p.Histogram = "%%%" }, "not base64"},
		{"histogram garbage", func(p *PhaseStats) { p.Histogram = "AAAA" }, "decoding histogram"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := st
			c.edit(&p)
			m := Measure{Repeat: 0, Phases: map[string]PhaseStats{sample.Total.String(): p}}
			tot := m
			tot.Repeat = -1
			r := &Run{Schema: SchemaVersion, Cells: []Cell{{ID: "c1", Runs: []Measure{m}, Total: tot}}}
			dir := t.TempDir()
			b, _ := json.Marshal(r)
			if err := os.WriteFile(filepath.Join(dir, RunFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("a consistent run refused: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "cell c1")):
				t.Fatalf("error %v, want one naming cell c1 and %q", err, c.wantErr)
			}
		})
	}
}
