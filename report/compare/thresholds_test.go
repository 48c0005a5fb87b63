package compare

import (
	"strings"
	"testing"
)

func TestParseThresholds(t *testing.T) {
	tests := []struct {
		in        string
		p50, p99  float64
		p999, def float64
	}{
		{"", 0.05, 0.05, 0.05, 0.05},
		{"p50=5%,p99=10%", 0.05, 0.10, 0.05, 0.05},
		{" p99.9 = 20% , default=2.5% ", 0.025, 0.025, 0.20, 0.025},
		{"*=0%,p50=1%", 0.01, 0, 0, 0},
	}
	for _, tt := range tests {
		th, err := ParseThresholds(tt.in)
		if err != nil {
			t.Errorf("ParseThresholds(%q): %v", tt.in, err)
			continue
		}
		got := [4]float64{th.For(50), th.For(99), th.For(99.9), th.For(12.5)}
		want := [4]float64{tt.p50, tt.p99, tt.p999, tt.def}
		if got != want {
			t.Errorf("ParseThresholds(%q): p50,p99,p99.9,other = %v, want %v", tt.in, got, want)
		}
	}
}

func TestParseThresholdsErrorsNameTheItem(t *testing.T) {
	tests := []struct{ in, item string }{
		{"p50=5%,p99", `"p99"`},
		{"p50=5", `"p50=5"`},
		{"p50=abc%", `"p50=abc%"`},
		{"p50=-1%", `"p50=-1%"`},
		{"q50=5%", `"q50=5%"`},
		{"p0=5%", `"p0=5%"`},
		{"p101=5%", `"p101=5%"`},
		{"p50=5%,p50=6%", `"p50=6%"`},
		{"default=1%,*=2%", `"*=2%"`},
		{"p50=5%,,", `""`},
	}
	for _, tt := range tests {
		_, err := ParseThresholds(tt.in)
		if err == nil {
			t.Errorf("ParseThresholds(%q) succeeded, want error", tt.in)
			continue
		}
		if !strings.HasPrefix(err.Error(), "compare: ") || !strings.Contains(err.Error(), tt.item) {
			t.Errorf("ParseThresholds(%q) error %q: want prefix compare: and item %s", tt.in, err, tt.item)
		}
	}
}

func TestThresholdsStringRoundTrips(t *testing.T) {
	in := "p99.9=20%,p50=5%,p99=10%,default=2.5%"
	th, err := ParseThresholds(in)
	if err != nil {
		t.Fatal(err)
	}
	s := th.String()
	if s != "p50=5%,p99=10%,p99.9=20%,default=2.5%" {
		t.Errorf("String() = %q", s)
	}
	again, err := ParseThresholds(s)
	if err != nil || again.String() != s {
		t.Errorf("round trip: %q, %v", again.String(), err)
	}
}
