package capacity

import (
	"strings"
	"testing"
	"time"
)

func TestJudge(t *testing.T) {
	limits := Limits{MaxErrorRate: 0.01, MinAchieved: 0.99}
	ok := Facts{Offered: 500, Achieved: 499, ClientCap: 2, ClientCores: 0.5, TargetCores: 0.8, Concurrency: 64}
	rows := []struct {
		name   string
		change func(*Facts)
		want   Reason
		detail string
	}{
		{"held", func(*Facts) {}, "", ""},
		{"latency", func(f *Facts) { f.SLOFailed = "latency:p99<10ms" }, Latency, "target used 0.80 cores"},
		{"errors", func(f *Facts) { f.ErrorRate = 0.02 }, Errors, "2.0% of attempts failed"},
		{"errors at the limit hold", func(f *Facts) { f.ErrorRate = 0.01 }, "", ""},
		{"throughput", func(f *Facts) { f.Achieved = 480 }, Throughput, "achieved 480/s of 500/s"},
		{"shortfall within the counting slack", func(f *Facts) { f.Achieved, f.AchievedSlack = 490, 5 }, "", ""},
		{"shortfall beyond the counting slack", func(f *Facts) { f.Achieved, f.AchievedSlack = 489, 5 }, Throughput, "achieved 489/s"},
		{"generator CPU", func(f *Facts) { f.SLOFailed, f.ClientCores = "latency:p99<10ms", 1.85 }, Generator, "--shard"},
		{"generator CPU before errors", func(f *Facts) { f.ErrorRate, f.ClientCores = 0.5, 1.9 }, Generator, "1.90 of its 2 cores"},
		{"slots full at the unloaded service time, however starved", func(f *Facts) {
			f.Achieved, f.Busy, f.Concurrency, f.ServiceP50, f.BaseServiceP50, f.ClientWait = 400, 0.5, 8, 180*time.Millisecond, 150*time.Millisecond, 5
		}, Concurrency, "8 / 180 ms"},
		{"generator starved of CPU", func(f *Facts) { f.SLOFailed, f.ClientWait = "latency:p99<10ms", 2.5 }, Generator, "waited for a CPU 2.5×"},
		{"some CPU wait is normal", func(f *Facts) { f.SLOFailed, f.ClientWait = "latency:p99<10ms", 0.3 }, Latency, ""},
		{"late starts, free slots", func(f *Facts) {
			f.SLOFailed, f.ServiceHeld, f.LatenessP99 = "latency:p99<10ms", true, 12*time.Millisecond
		}, Generator, "lateness p99 12 ms"},
		{"late starts, slots full", func(f *Facts) {
			f.SLOFailed, f.ServiceHeld, f.Busy, f.ServiceP50, f.Concurrency = "latency:p90<400ms", true, 0.3, 150*time.Millisecond, 8
		}, Concurrency, "8 / 150 ms = 53/s"},
		{"short, slots full", func(f *Facts) { f.Achieved, f.Busy, f.Concurrency = 400, 0.5, 4 }, Concurrency, "all 4 in-flight slots"},
		{"slots full at the unloaded service time", func(f *Facts) {
			f.Achieved, f.Busy, f.Concurrency, f.ServiceP50, f.BaseServiceP50 = 400, 0.5, 8, 180*time.Millisecond, 150*time.Millisecond
		}, Concurrency, "8 / 180 ms"},
		{"slots full because the target queued", func(f *Facts) {
			f.Achieved, f.Busy, f.Concurrency, f.ServiceP50, f.BaseServiceP50 = 400, 0.5, 64, 290*time.Millisecond, 2*time.Millisecond
		}, Throughput, "grew from 2 to 290 ms"},
		{"slots full but the service time fails too", func(f *Facts) { f.SLOFailed, f.Busy = "latency:p99<10ms", 0.5 }, Latency, ""},
		{"unknown target CPU", func(f *Facts) { f.SLOFailed, f.TargetCores = "total:p99<5ms", -1 }, Latency, "total:p99<5ms does not hold"},
	}
	for _, r := range rows {
		f := ok
		r.change(&f)
		out := Judge(f, limits)
		if out.Held != (r.want == "") || out.Reason != r.want || !strings.Contains(out.Detail, r.detail) {
			t.Errorf("%s: %+v, want reason %q with %q", r.name, out, r.want, r.detail)
		}
		if r.name == "unknown target CPU" && strings.Contains(out.Detail, "cores") {
			t.Errorf("%s: detail %q names target cores it does not know", r.name, out.Detail)
		}
	}
}
