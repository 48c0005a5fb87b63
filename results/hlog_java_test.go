package results

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testenv"
)

// hdrJar is where Debian's libhdrhistogram-java installs HdrHistogram.
const hdrJar = "/usr/share/java/hdrhistogram.jar"

// The interval log must be readable by HdrHistogram's own reference tool,
// HistogramLogProcessor (Java), with the same count, max and mean.
func TestHlogReadByHistogramLogProcessor(t *testing.T) {
	java := testenv.LookPath(t, "java")
	if _, err := os.Stat(hdrJar); err != nil {
		testenv.Unavailable(t, "%s (Debian package libhdrhistogram-java)", hdrJar)
	}
	dir := t.TempDir()
	w, err := CreateHlog(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var values []time.Duration
	for i := 1; i <= 1000; i++ {
		values = append(values, time.Duration(i)*7*time.Microsecond)
	}
	s := snapshot(t, 0, time.Second, values...)
	h := s.Hist[sample.Total]
	wantCount, wantMax, wantMean := h.TotalCount(), float64(h.Max())/1e6, h.Mean()/1e6
	if err := w.Interval("cell-a", 0, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(java, "-cp", hdrJar, "org.HdrHistogram.HistogramLogProcessor",
		"-i", filepath.Join(dir, HlogFile), "-tag", "cell-a/total", "-outputValueUnitRatio", "1000000").CombinedOutput()
	if err != nil {
		t.Fatalf("HistogramLogProcessor: %v\n%s", err, out)
	}
	footer := regexp.MustCompile(`Mean\s*=\s*([\d.]+).*\n.*Max\s*=\s*([\d.]+), Total count\s*=\s*(\d+)`).FindSubmatch(out)
	if footer == nil {
		t.Fatalf("no summary in the tool's output:\n%s", out)
	}
	mean, _ := strconv.ParseFloat(string(footer[1]), 64)
	mx, _ := strconv.ParseFloat(string(footer[2]), 64)
	count, _ := strconv.ParseInt(string(footer[3]), 10, 64)
	if count != wantCount || abs(mx-wantMax) > 0.001 || abs(mean-wantMean) > 0.001 {
		t.Fatalf("HistogramLogProcessor read count %d max %.3f mean %.3f; hsbench wrote %d, %.3f, %.3f",
			count, mx, mean, wantCount, wantMax, wantMean)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
