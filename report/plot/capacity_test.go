package plot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testCurve() Curve {
	c := Curve{Label: "tcp-1.3-full-x25519", Knee: 600, Failed: 650}
	for _, r := range []float64{100, 200, 400, 800, 600, 700, 650, 600, 600} {
		rho := r / 700
		p50 := 1 / (1 - min(rho, 0.97))
		c.Points = append(c.Points, CurvePoint{Offered: r, Achieved: min(r, 690), P50: p50, P99: 4.6 * p50, P999: 6.9 * p50,
			ClientCPU: 1.1, TargetCPU: 0.5, Held: r <= 600})
	}
	return c
}

func TestCapacityFigures(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("HSBENCH_PLOT_DIR"); d != "" {
		dir = d // to look at the figures
	}
	c := testCurve()
	other := testCurve()
	other.Label = "tcp-1.3-resumed-x25519"
	for name, draw := range map[string]func(string) error{
		"hockey": func(p string) error {
			return HockeyStick(c, HockeyOptions{SLO: 10, SLOLabel: "SLO latency:p99<10ms"}, p)
		},
		"achieved": func(p string) error { return AchievedVsOffered([]Curve{c, other}, "", p) },
		"cpu":      func(p string) error { return CPUPerHandshake([]Curve{c, other}, "", p) },
	} {
		prefix := filepath.Join(dir, name)
		if err := draw(prefix); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(prefix + ext); err != nil || st.Size() < 1000 {
				t.Errorf("%s%s: %v", name, ext, err)
			}
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "hockey.svg"))
	for _, want := range []string{"SLO latency:p99&lt;10ms", "knee: 600/s held, 650/s failed", "p99.9", "step failed"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("hockey.svg lacks %q", want)
		}
	}
}

// A curve where no rate held marks its lowest failing rate instead of a knee.
func TestHockeyStickWithoutKnee(t *testing.T) {
	c := testCurve()
	c.Knee, c.Failed = 0, 100
	for i := range c.Points {
		c.Points[i].Held = false
	}
	prefix := filepath.Join(t.TempDir(), "hockey")
	if err := HockeyStick(c, HockeyOptions{SLO: 1}, prefix); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(prefix + ".svg")
	if !strings.Contains(string(svg), "no rate held: even 100/s failed") || strings.Contains(string(svg), "knee:") {
		t.Error("hockey.svg does not say that no rate held")
	}
}

func TestCapacityFigureErrors(t *testing.T) {
	dir := t.TempDir()
	bad := testCurve()
	bad.Points[2].Offered = 0
	for name, err := range map[string]error{
		"no steps":       HockeyStick(Curve{Label: "x"}, HockeyOptions{}, filepath.Join(dir, "a")),
		"no label":       HockeyStick(Curve{Points: testCurve().Points}, HockeyOptions{}, filepath.Join(dir, "b")),
		"zero offered":   AchievedVsOffered([]Curve{bad}, "", filepath.Join(dir, "c")),
		"no curves":      CPUPerHandshake(nil, "", filepath.Join(dir, "d")),
		"no latency > 0": HockeyStick(Curve{Label: "x", Points: []CurvePoint{{Offered: 1}}}, HockeyOptions{}, filepath.Join(dir, "e")),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
