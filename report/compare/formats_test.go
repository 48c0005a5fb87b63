package compare

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJUnitParsesBackWithMatchingCounts(t *testing.T) {
	r := goldenResult(t)
	var buf bytes.Buffer
	if err := r.WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit output is not valid XML: %v", err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("got %d testsuites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	var failures, errs, skipped int
	for _, tc := range s.Cases {
		if tc.Failure != nil {
			failures++
		}
		if tc.Error != nil {
			errs++
		}
		if tc.Skipped != nil {
			skipped++
		}
	}
	// The golden budgets are one PASS, one FAIL and one TOO_FEW.
	want := struct{ tests, failures, errs, skipped int }{
		len(r.Comparisons) + 3, r.Count(Fail) + 1, r.Count(Invalid), r.Count(Inconclusive) + r.Count(TooFewRuns) + r.Count(Unmatched) + 1,
	}
	got := struct{ tests, failures, errs, skipped int }{len(s.Cases), failures, errs, skipped}
	if got != want {
		t.Errorf("parsed cases (tests, failures, errors, skipped) = %v, want %v", got, want)
	}
	attrs := struct{ tests, failures, errs, skipped int }{s.Tests, s.Failures, s.Errors, s.Skipped}
	if attrs != want || doc.Tests != want.tests || doc.Failures != want.failures {
		t.Errorf("count attributes %v (root tests=%d failures=%d), want %v", attrs, doc.Tests, doc.Failures, want)
	}
	if s.Cases[0].Classname != "odd|cell,with:50%" {
		t.Errorf("classname %q did not round-trip", s.Cases[0].Classname)
	}
}

func TestBMFUnmarshals(t *testing.T) {
	r := goldenResult(t)
	var buf bytes.Buffer
	if err := r.WriteBMF(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]float64
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("bmf output is not valid JSON: %v", err)
	}
	m, ok := doc["tls1.3/full/x25519"]["total-p50"]
	if !ok {
		t.Fatalf("missing tls1.3/full/x25519 total-p50 in %v", doc)
	}
	if m["value"] != 12 || !(m["lower_value"] <= 12 && 12 <= m["upper_value"]) {
		t.Errorf("total-p50 = %v, want value 12 inside [lower, upper]", m)
	}
	if _, ok := doc["quic/full/x25519"]["total-p99-9"]["lower_value"]; ok {
		t.Error("infinite CI bound exported for a 3-run series; want it omitted")
	}
	if _, ok := doc["tls1.3/full/mlkem768"]; !ok {
		t.Error("NEW-only cell missing; BMF exports the NEW side of every valid series")
	}
	total := 0
	for _, measures := range doc {
		total += len(measures)
	}
	if total != len(r.Comparisons)+2 {
		t.Errorf("exported %d metrics, want %d (every series has NEW runs, and slo-total-p50 and slo-total-p99-9)", total, len(r.Comparisons)+2)
	}
}

func TestMeasureSlug(t *testing.T) {
	tests := []struct {
		phase string
		pct   float64
		want  string
	}{
		{"total", 50, "total-p50"},
		{"tls_handshake", 99.9, "tls-handshake-p99-9"},
		{"TCP Connect", 99, "tcp-connect-p99"},
		{"__quic--1rtt__", 99.99, "quic-1rtt-p99-99"},
	}
	for _, tt := range tests {
		if got := MeasureSlug(tt.phase, tt.pct); got != tt.want {
			t.Errorf("MeasureSlug(%q, %v) = %q, want %q", tt.phase, tt.pct, got, tt.want)
		}
	}
}

func TestGitHubActionBenchmarkUnmarshals(t *testing.T) {
	r := goldenResult(t)
	var buf bytes.Buffer
	if err := r.WriteGitHubActionBenchmark(&buf); err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &entries); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if len(entries) != len(r.Comparisons)+len(r.Budgets) {
		t.Fatalf("%d entries, want %d (series and budgets)", len(entries), len(r.Comparisons)+len(r.Budgets))
	}
	for _, e := range entries {
		if e["unit"] != "ms" || e["name"] == "" {
			t.Errorf("entry %v: want unit ms and a name", e)
		}
		if _, ok := e["value"].(float64); !ok {
			t.Errorf("entry %v: value is not a number", e)
		}
		if rg, ok := e["range"].(string); ok && !strings.HasPrefix(rg, "± ") {
			t.Errorf("entry %v: range must look like \"± y\"", e)
		}
	}
}

func TestGitHubActionBenchmarkEmptyIsArray(t *testing.T) {
	r, err := Compare(nil, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteGitHubActionBenchmark(&buf); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != "[]" {
		t.Errorf("empty result = %q, want [] (the action rejects null)", got)
	}
}

func TestAnnotationEscaping(t *testing.T) {
	tests := []struct {
		name, in, data, prop string
	}{
		{"plain text unchanged", "slow cell", "slow cell", "slow cell"},
		{"percent first, so escapes are not re-escaped", "5%0A", "5%250A", "5%250A"},
		{"line breaks", "a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"colon and comma only in properties", "a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"double colon cannot end the command", "x::y", "x::y", "x%3A%3Ay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeData(tt.in); got != tt.data {
				t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := escapeProperty(tt.in); got != tt.prop {
				t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
			}
		})
	}
}

func TestAnnotationsOneLinePerProblem(t *testing.T) {
	r := goldenResult(t)
	var buf bytes.Buffer
	if err := r.WriteAnnotations(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	var errs, warns int
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "::error title="):
			errs++
		case strings.HasPrefix(l, "::warning title="):
			warns++
		case strings.HasPrefix(l, "::notice title="):
		default:
			t.Errorf("not a workflow command: %q", l)
		}
		// The title property must not contain a raw "::" or ",", which
		// would end it early.
		title, _, _ := strings.Cut(strings.SplitN(l, "title=", 2)[1], "::")
		if strings.ContainsAny(title, ",:") {
			t.Errorf("unescaped property in %q", l)
		}
	}
	// 2 FAIL, the FAIL budget, the overall error; INCONCLUSIVE,
	// TOO_FEW_RUNS, UNMATCHED, the TOO_FEW budget + 2 result warnings.
	if errs != 4 || warns != 6 {
		t.Errorf("got %d errors and %d warnings, want 4 and 6:\n%s", errs, warns, buf.String())
	}
}

func TestMarkdownEscapesTableBreakers(t *testing.T) {
	r, err := Compare([]Series{{Cell: "a|b\nc", Phase: "total", Pct: 50, Base: around(1), New: around(1)}}, testOptions(200))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `| a\|b c |`) {
		t.Errorf("cell name not escaped:\n%s", buf.String())
	}
}

func TestAppendGitHubStepSummary(t *testing.T) {
	r := goldenResult(t)
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(path, []byte("previous step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) (string, bool) {
		if k == "GITHUB_STEP_SUMMARY" {
			return path, true
		}
		return "", false
	}
	ok, err := AppendGitHubStepSummary(r, env)
	if err != nil || !ok {
		t.Fatalf("AppendGitHubStepSummary = %v, %v; want true, nil", ok, err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if want := "previous step\n" + md.String(); string(got) != want {
		t.Errorf("summary file does not hold the previous content followed by the markdown:\n%s", got)
	}

	unset := func(string) (string, bool) { return "", false }
	if ok, err := AppendGitHubStepSummary(r, unset); ok || err != nil {
		t.Errorf("without GITHUB_STEP_SUMMARY: got %v, %v; want false, nil", ok, err)
	}
	bad := func(string) (string, bool) { return filepath.Join(t.TempDir(), "missing", "dir", "f.md"), true }
	if _, err := AppendGitHubStepSummary(r, bad); err == nil || !strings.HasPrefix(err.Error(), "compare: ") {
		t.Errorf("unwritable path: got error %v, want a compare: error", err)
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWritersReportWriteErrors(t *testing.T) {
	r := goldenResult(t)
	for _, f := range Formats() {
		if err := r.WriteFormat(failingWriter{}, f); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: got %v, want an error wrapping the write error", f, err)
		}
	}
	if err := r.WriteFormat(&bytes.Buffer{}, "yaml"); err == nil || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("unknown format: got %v, want an error naming it", err)
	}
}
