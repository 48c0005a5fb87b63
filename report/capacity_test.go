package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/results"
)

func TestCapacityReport(t *testing.T) {
	c := &results.Capacity{Schema: results.CapacitySchema, ID: "capacity-x", Complete: true,
		Config: results.CapacityConfig{Target: "embedded", SLO: []string{"latency:p99<10ms"}, MaxErrorRate: 0.01, MinAchieved: 0.99}}
	cv := results.Curve{Cell: "tcp-1.3-full-x25519-ecdsa-p256"}
	for i, r := range []float64{100, 200, 400, 300, 300} {
		held := r <= 300
		s := results.Step{Index: i, Kind: "ramp", Run: "steps/x/" + string(rune('a'+i)), OfferedPS: r, AchievedPS: r, Held: held,
			Latency: results.PhasePcts{P50: 1 + r/100, P99: r / 30, P999: r / 20},
			CPU:     results.CPUUse{ClientPerHandshakeMS: 1.2, TargetPerHandshakeMS: 0.5, HandshakesPerTargetCore: 2000, TargetMeasured: true}}
		if !held {
			s.Reason = "latency"
		}
		cv.Steps = append(cv.Steps, s)
	}
	cv.Answer = results.Answer{RatePS: 300, FailedPS: 400, Found: true, Stop: "converged", Reason: "latency",
		Detail: "latency:p99<10ms does not hold", Repeats: 2, CPU: results.CPUUse{TargetPerHandshakeMS: 0.5, HandshakesPerTargetCore: 2000, ClientPerHandshakeMS: 1.2}}
	c.Curves = []results.Curve{cv}
	site, err := BuildCapacity(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := site.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 8 {
		t.Errorf("files %v", files)
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	for _, want := range []string{"| tcp-1.3-full-x25519-ecdsa-p256 | 300 | [300, 400) | latency | 0.500 | 2000 |",
		"steps/x/c", "FAIL: latency", "![hockey-tcp-1.3-full-x25519-ecdsa-p256](hockey-tcp-1.3-full-x25519-ecdsa-p256.png)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(string(html), `src="hockey-tcp-1.3-full-x25519-ecdsa-p256.png"`) || !strings.Contains(string(html), "[300, 400)") {
		t.Error("index.html lacks the figures or the answer")
	}
}
