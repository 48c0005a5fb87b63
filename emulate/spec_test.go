package emulate

import (
	"strings"
	"testing"
	"time"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		wantErr string // substring; empty means success
	}{
		{in: "", want: Spec{}},
		{in: "rtt=50ms", want: Spec{RTT: 50 * time.Millisecond}},
		{in: "rtt=50ms,loss=1%,rate=10mbit", want: Spec{RTT: 50 * time.Millisecond, Loss: 0.01, Rate: 10_000_000}},
		{in: " RTT = 1s , loss = 0.5 ", want: Spec{RTT: time.Second, Loss: 0.005}},
		{in: "delay=25ms", want: Spec{RTT: 50 * time.Millisecond}},
		{in: "loss=100%", want: Spec{Loss: 1}},
		{in: "loss=0%", want: Spec{}},
		{in: "rate=500k", want: Spec{Rate: 500_000}},
		{in: "rate=1gbit", want: Spec{Rate: 1_000_000_000}},
		{in: "rate=1.5Mbit/s", want: Spec{Rate: 1_500_000}},
		{in: "rate=64000", want: Spec{Rate: 64000}},
		{in: "rate=0", wantErr: "must be positive"},
		{in: "rate=0bit", wantErr: "must be positive"},
		{in: "rtt=1m", want: Spec{RTT: time.Minute}},
		{in: "rtt=1000000h", wantErr: "at most 1m0s"},
		{in: "rtt=61s", wantErr: "at most 1m0s"},
		{in: "delay=2000000h", wantErr: "at most 1m0s"},
		{in: "delay=31s", wantErr: "at most 1m0s"},
		{in: "rtt=50", wantErr: `bad rtt "50"`},
		{in: "rtt=-5ms", wantErr: `rtt "-5ms" is negative`},
		{in: "delay=x", wantErr: `bad delay "x"`},
		{in: "rtt=10ms,delay=5ms", wantErr: "either rtt or delay"},
		{in: "delay=5ms,rtt=10ms", wantErr: "either rtt or delay"},
		{in: "rtt=1ms,rtt=2ms", wantErr: `"rtt" given twice`},
		{in: "loss=101%", wantErr: `bad loss "101%"`},
		{in: "loss=-1", wantErr: `bad loss "-1"`},
		{in: "loss=abc", wantErr: `bad loss "abc"`},
		{in: "rate=10mbps", wantErr: `bad rate "10mbps"`},
		{in: "rate=10x", wantErr: `bad rate "10x"`},
		{in: "rate=100", wantErr: "minimum"},
		{in: "jitter=5ms", wantErr: `unknown key "jitter"`},
		{in: "rtt", wantErr: `"rtt" needs a value`},
		{in: "loss=", wantErr: `"loss" needs a value`},
	}
	for _, tc := range tests {
		got, err := ParseSpec(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSpec(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "emulate: ") {
				t.Errorf("ParseSpec(%q) error %q lacks the package prefix", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseSpec(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSpecStringRoundTrip(t *testing.T) {
	for _, s := range []Spec{
		{},
		{RTT: 50 * time.Millisecond, Loss: 0.01, Rate: 10_000_000},
		{RTT: 1500 * time.Microsecond, Loss: 0.125, Rate: 64_500},
	} {
		got, err := ParseSpec(s.String())
		if err != nil {
			t.Fatalf("ParseSpec(%q): %v", s.String(), err)
		}
		if got != s {
			t.Errorf("round trip of %+v via %q = %+v", s, s.String(), got)
		}
	}
	if got, want := (Spec{RTT: 50 * time.Millisecond}).OneWay(), 25*time.Millisecond; got != want {
		t.Errorf("OneWay = %v, want %v", got, want)
	}
}
