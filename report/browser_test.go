package report

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testenv"
)

// checkPage loads index.html in a 1400 px wide frame and writes what it
// measured into #result, which --dump-dom prints once the page has loaded
// (the frame's images included).
const checkPage = `<!DOCTYPE html>
<html><body style="margin:0">
<iframe id="f" src="index.html" style="width:1400px;height:900px;border:0"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, root = d.documentElement, t = d.getElementById("summary");
  var imgs = Array.prototype.slice.call(d.images);
  document.getElementById("result").textContent = "RESULT" + JSON.stringify({
    viewport: root.clientWidth,
    scrollWidth: root.scrollWidth,
    tableRight: t ? Math.ceil(t.getBoundingClientRect().right) : -1,
    images: imgs.length,
    broken: imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).map(function (i) { return i.getAttribute("src"); })
  }) + "END";
});
</script>
</body></html>`

type pageCheck struct {
	Viewport, ScrollWidth, TableRight, Images int
	Broken                                    []string
}

// index.html in headless Chromium: the summary table fits a 1400 px
// viewport without horizontal scrolling, and every image loads. Run on the
// fixture as a closed loop, and as an open loop with the widest table
// (more columns) and long warnings beside every cell.
func TestIndexHTMLInChromium(t *testing.T) {
	chromium := testenv.LookPath(t, "chromium")
	for _, open := range []bool{false, true} {
		s := fixtureSite(t)
		if open {
			for _, r := range s.Runs {
				r.Config.Rate = 5000
			}
			for i := range s.Cells {
				s.Cells[i].Src.Total.Warnings = append(s.Cells[i].Src.Total.Warnings,
					"the generator fell behind its schedule: p99 start lateness 12.3ms above 1ms; raise --concurrency or lower --rate",
					"1234 handshakes found all 64 workers busy and started late: raise --concurrency or lower --rate")
			}
		}
		dir := t.TempDir()
		if _, err := s.Write(dir); err != nil {
			t.Fatal(err)
		}
		got := loadInChromium(t, chromium, dir)
		t.Logf("open loop %v: %+v", open, got)
		// The viewport is 1400 px less a vertical scroll bar.
		if got.Viewport < 1380 || got.Viewport > 1400 || got.ScrollWidth > got.Viewport || got.TableRight > got.Viewport || got.TableRight <= 0 {
			t.Errorf("open loop %v: the page does not fit 1400 px: %+v", open, got)
		}
		if got.Images != len(s.Figures) || len(got.Broken) > 0 {
			t.Errorf("open loop %v: %d images for %d figures, broken %v", open, got.Images, len(s.Figures), got.Broken)
		}
	}
}

func loadInChromium(t *testing.T, chromium, dir string) pageCheck {
	t.Helper()
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/check.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(checkPage))
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	profile, err := os.MkdirTemp("", "hsbench-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, "--window-size=1600,1000", "--dump-dom", srv.URL+"/check.html")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v (%s)", err, ctx.Err())
	}
	m := regexp.MustCompile(`RESULT(.*?)END`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("chromium printed no result:\n%s", firstLines(string(out), 20))
	}
	var got pageCheck
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(m[1]), "&quot;", `"`)), &got); err != nil {
		t.Fatalf("result %q: %v", m[1], err)
	}
	return got
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
